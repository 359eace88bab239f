package io.vnet4j.wire;

/**
 * The first eight bytes that ICMPv4 (RFC 792) and ICMPv6 (RFC 4443 section 2.1) share: type, code, checksum,
 * and a second word that an echo request or reply splits into identifier and sequence number (RFC 792's
 * "Echo or Echo Reply Message", RFC 4443 section 4.1), all in network byte order. {@link IcmpPacket} and
 * {@link Icmpv6Packet} add what differs: the length checks and the checksum's coverage.
 */
public abstract sealed class IcmpHeaderView extends WireView permits IcmpPacket, Icmpv6Packet {
    /** Type, code, checksum and the second word: where an echo's data or an error's invoking packet starts. */
    public static final int HEADER_LENGTH = 8;
    private static final int TYPE = 0;
    private static final int CODE = 1;
    private static final int CHECKSUM = 2;
    private static final int IDENTIFIER = 4;
    private static final int SEQUENCE = 6;

    IcmpHeaderView() {
    }

    public final int type() {
        return u8(TYPE);
    }

    public final int code() {
        return u8(CODE);
    }

    public final int checksum() {
        return u16(CHECKSUM);
    }

    /** Echo identifier: the high half of the second word. */
    public final int identifier() {
        return u16(IDENTIFIER);
    }

    /** Echo sequence number: the low half of the second word. */
    public final int sequence() {
        return u16(SEQUENCE);
    }

    /** Absolute offset of what follows the second word (an echo's data, an error's invoking packet). */
    public final int payloadOffset() {
        return off + HEADER_LENGTH;
    }

    /** Bytes after the second word; negative for an ICMPv6 message of 4 to 7 bytes. */
    public final int payloadLength() {
        return len - HEADER_LENGTH;
    }

    public final void setType(int type) {
        put8(TYPE, type);
    }

    public final void setCode(int code) {
        put8(CODE, code);
    }

    public final void setChecksum(int checksum) {
        put16(CHECKSUM, checksum);
    }

    public final void setIdentifier(int identifier) {
        put16(IDENTIFIER, identifier);
    }

    public final void setSequence(int sequence) {
        put16(SEQUENCE, sequence);
    }
}
