package io.vnet4j.wire;

import java.nio.ByteBuffer;

/**
 * Flyweight view of an ICMPv4 message (RFC 792); the view must cover exactly the IPv4 payload, which the
 * checksum covers (no pseudo-header). The header fields are {@link IcmpHeaderView}'s.
 */
public final class IcmpPacket extends IcmpHeaderView {
    /** Points this view at {@code length} bytes from absolute {@code offset}; returns {@code this}. */
    public IcmpPacket wrap(ByteBuffer buffer, int offset, int length) {
        bind(buffer, offset, length);
        return this;
    }

    /** Checks that the 8-byte header is present. */
    public WireError check() {
        return len < HEADER_LENGTH ? WireError.TRUNCATED : WireError.NONE;
    }

    /** True when the checksum over the whole message verifies. */
    public boolean checksumValid() {
        return Checksum.fold(Checksum.sum(buf, off, len)) == 0xFFFF;
    }

    /** Computes the checksum over the whole view and stores it. */
    public void fillChecksum() {
        setChecksum(0);
        setChecksum(Checksum.compute(buf, off, len));
    }
}
