package io.vnet4j.wire;

import java.nio.ByteBuffer;

/**
 * Flyweight view of an ICMPv6 message (RFC 4443); the view must cover exactly the IPv6 upper-layer bytes
 * (the checksum covers them all with the pseudo-header, RFC 4443 section 2.3). The second word is the echo
 * identifier and sequence, the Packet Too Big MTU, or the Parameter Problem pointer, by type.
 */
public final class Icmpv6Packet extends IcmpHeaderView {
    /** Type, code and checksum: the shortest ICMPv6 message. */
    public static final int MIN_LENGTH = 4;
    private static final int WORD = 4;

    /** Points this view at {@code length} bytes from absolute {@code offset}; returns {@code this}. */
    public Icmpv6Packet wrap(ByteBuffer buffer, int offset, int length) {
        bind(buffer, offset, length);
        return this;
    }

    /**
     * Checks that the message holds at least type, code and checksum and the fixed part its type needs
     * ({@link Icmpv6Type#minimumLength}); {@link WireError#TRUNCATED} otherwise. The checksum is checked
     * apart, by {@link #checksumValid}.
     */
    public WireError check() {
        if (len < MIN_LENGTH || len < Icmpv6Type.minimumLength(type())) {
            return WireError.TRUNCATED;
        }
        return WireError.NONE;
    }

    /**
     * True when the checksum verifies over the IPv6 pseudo-header (Next Header 58, the view's length) and
     * the whole view.
     *
     * @throws IllegalArgumentException unless both addresses are IPv6
     */
    public boolean checksumValid(IpAddress source, IpAddress destination) {
        return Checksum.fold(pseudoHeaderSum(source, destination) + Checksum.sum(buf, off, len)) == 0xFFFF;
    }

    /** {@link #checksumValid(IpAddress, IpAddress)} with the addresses of {@code ip}'s header, allocation-free. */
    public boolean checksumValid(Ipv6Packet ip) {
        return Checksum.fold(ip.pseudoHeaderSum(IpProtocol.ICMPV6, len) + Checksum.sum(buf, off, len)) == 0xFFFF;
    }

    /** The MTU of a Packet Too Big message (RFC 4443 section 3.2), unsigned 32 bits. */
    public long mtu() {
        return i32(WORD) & 0xFFFF_FFFFL;
    }

    /** The Pointer of a Parameter Problem message (RFC 4443 section 3.4): a byte offset into the invoking packet. */
    public long pointer() {
        return i32(WORD) & 0xFFFF_FFFFL;
    }

    /** Writes the second word as a Packet Too Big MTU (or an error's unused word, 0). */
    public void setMtu(long mtu) {
        put32(WORD, (int) mtu);
    }

    /** Writes the second word as a Parameter Problem pointer. */
    public void setPointer(long pointer) {
        put32(WORD, (int) pointer);
    }

    /**
     * Computes the checksum over the IPv6 pseudo-header and the whole view and stores it.
     *
     * @throws IllegalArgumentException unless both addresses are IPv6
     */
    public void fillChecksum(IpAddress source, IpAddress destination) {
        setChecksum(0);
        setChecksum(Checksum.finish(pseudoHeaderSum(source, destination) + Checksum.sum(buf, off, len)));
    }

    /** {@link #fillChecksum(IpAddress, IpAddress)} with the addresses of {@code ip}'s header, allocation-free. */
    public void fillChecksum(Ipv6Packet ip) {
        setChecksum(0);
        setChecksum(Checksum.finish(ip.pseudoHeaderSum(IpProtocol.ICMPV6, len) + Checksum.sum(buf, off, len)));
    }

    private long pseudoHeaderSum(IpAddress source, IpAddress destination) {
        if (source.isIpv4() || destination.isIpv4()) {
            throw new IllegalArgumentException("ICMPv6 between IPv6 addresses only: " + source + ", " + destination);
        }
        return Checksum.pseudoHeaderSum(source, destination, IpProtocol.ICMPV6, len);
    }
}
