package io.vnet4j.wire;

import java.nio.ByteBuffer;

/** Flyweight view of an ICMPv4 message (RFC 792); the view must cover exactly the IPv4 payload. */
public final class IcmpPacket extends WireView {
    /** Length of the header: type, code, checksum and one 32-bit word. */
    public static final int HEADER_LENGTH = 8;
    private static final int TYPE = 0;
    private static final int CODE = 1;
    private static final int CHECKSUM = 2;
    private static final int IDENTIFIER = 4;
    private static final int SEQUENCE = 6;

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

    public int type() {
        return u8(TYPE);
    }

    public int code() {
        return u8(CODE);
    }

    public int checksum() {
        return u16(CHECKSUM);
    }

    /** Echo identifier: the high half of the second header word. */
    public int identifier() {
        return u16(IDENTIFIER);
    }

    /** Echo sequence number: the low half of the second header word. */
    public int sequence() {
        return u16(SEQUENCE);
    }

    /** Absolute offset of the data after the 8-byte header. */
    public int payloadOffset() {
        return off + HEADER_LENGTH;
    }

    public int payloadLength() {
        return len - HEADER_LENGTH;
    }

    public void setType(int type) {
        put8(TYPE, type);
    }

    public void setCode(int code) {
        put8(CODE, code);
    }

    public void setChecksum(int checksum) {
        put16(CHECKSUM, checksum);
    }

    public void setIdentifier(int identifier) {
        put16(IDENTIFIER, identifier);
    }

    public void setSequence(int sequence) {
        put16(SEQUENCE, sequence);
    }

    /** Computes the checksum over the whole view and stores it. */
    public void fillChecksum() {
        setChecksum(0);
        setChecksum(Checksum.compute(buf, off, len));
    }
}
