package io.vnet4j.wire;

import java.nio.ByteBuffer;

/** Flyweight view of an IPv4 packet (RFC 791), options included; the view may extend past the total length (padding). */
public final class Ipv4Packet extends WireView {
    /** Length of a header without options. */
    public static final int MIN_HEADER_LENGTH = 20;
    private static final int VERSION_IHL = 0;
    private static final int TOS = 1;
    private static final int TOTAL_LENGTH = 2;
    private static final int IDENTIFICATION = 4;
    private static final int FLAGS_FRAGMENT = 6;
    private static final int TTL = 8;
    private static final int PROTOCOL = 9;
    private static final int CHECKSUM = 10;
    private static final int SOURCE = 12;
    private static final int DESTINATION = 16;
    private static final int DONT_FRAGMENT = 0x4000;
    private static final int MORE_FRAGMENTS = 0x2000;
    private static final int FRAGMENT_OFFSET_MASK = 0x1FFF;
    /** {@link #malformedOption()} when every option is well formed. */
    public static final int NONE = -1;
    private static final int END_OF_OPTIONS = 0;
    private static final int NO_OPERATION = 1;

    /** Points this view at {@code length} bytes from absolute {@code offset}; returns {@code this}. */
    public Ipv4Packet wrap(ByteBuffer buffer, int offset, int length) {
        bind(buffer, offset, length);
        return this;
    }

    /**
     * Checks version, that IHL and total length are consistent and within the view, and the header checksum.
     * After {@link WireError#NONE} the header and payload lie within the view.
     */
    public WireError check() {
        if (len < MIN_HEADER_LENGTH) {
            return WireError.TRUNCATED;
        }
        if (version() != 4) {
            return WireError.BAD_VERSION;
        }
        int headerLength = headerLength();
        int totalLength = totalLength();
        if (headerLength < MIN_HEADER_LENGTH || totalLength < headerLength || totalLength > len) {
            return WireError.BAD_LENGTH;
        }
        if (Checksum.fold(Checksum.sum(buf, off, headerLength)) != 0xFFFF) {
            return WireError.BAD_CHECKSUM;
        }
        return WireError.NONE;
    }

    public int version() {
        return u8(VERSION_IHL) >>> 4;
    }

    /** Header length in bytes (IHL times four). */
    public int headerLength() {
        return (u8(VERSION_IHL) & 0x0F) * 4;
    }

    /** The type-of-service byte: DSCP in the high six bits, ECN in the low two. */
    public int tos() {
        return u8(TOS);
    }

    public int totalLength() {
        return u16(TOTAL_LENGTH);
    }

    public int identification() {
        return u16(IDENTIFICATION);
    }

    public boolean dontFragment() {
        return (u16(FLAGS_FRAGMENT) & DONT_FRAGMENT) != 0;
    }

    public boolean moreFragments() {
        return (u16(FLAGS_FRAGMENT) & MORE_FRAGMENTS) != 0;
    }

    /** Fragment offset in units of eight bytes. */
    public int fragmentOffset() {
        return u16(FLAGS_FRAGMENT) & FRAGMENT_OFFSET_MASK;
    }

    public int ttl() {
        return u8(TTL);
    }

    public int protocol() {
        return u8(PROTOCOL);
    }

    public int checksum() {
        return u16(CHECKSUM);
    }

    public int source() {
        return i32(SOURCE);
    }

    public int destination() {
        return i32(DESTINATION);
    }

    /** Absolute offset of the options area (empty when the header length is 20). */
    public int optionsOffset() {
        return off + MIN_HEADER_LENGTH;
    }

    public int optionsLength() {
        return headerLength() - MIN_HEADER_LENGTH;
    }

    /**
     * Walks the options (RFC 791: End of Option List and No Operation are one octet, every other option has
     * a length octet counting its type and itself) and gives the absolute offset of the first one without a
     * length octet, or whose length is under 2 or reaches past the header (RFC 1122 section 3.2.2.5 answers it
     * with Parameter Problem); {@link #NONE} when all are well formed, or there are none (nothing walked).
     * Valid after {@link #check()}.
     */
    public int malformedOption() {
        int end = headerLength();
        int at = MIN_HEADER_LENGTH;
        while (at < end && u8(at) != END_OF_OPTIONS) {
            if (u8(at) == NO_OPERATION) {
                at++;
            } else if (at + 1 >= end || u8(at + 1) < 2 || at + u8(at + 1) > end) {
                return off + at;
            } else {
                at += u8(at + 1);
            }
        }
        return NONE;
    }

    /** Absolute offset of the payload in the buffer. */
    public int payloadOffset() {
        return off + headerLength();
    }

    /** Payload length by the header: total length minus header length. */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /** Writes version 4 and the IHL for a header of {@code headerLength} bytes (a multiple of four). */
    public void setHeaderLength(int headerLength) {
        put8(VERSION_IHL, 0x40 | headerLength / 4);
    }

    public void setTos(int tos) {
        put8(TOS, tos);
    }

    public void setTotalLength(int totalLength) {
        put16(TOTAL_LENGTH, totalLength);
    }

    public void setIdentification(int identification) {
        put16(IDENTIFICATION, identification);
    }

    /** Writes the flags and fragment offset field; the reserved flag is written as zero. */
    public void setFragmentation(boolean dontFragment, boolean moreFragments, int fragmentOffset) {
        put16(FLAGS_FRAGMENT, (dontFragment ? DONT_FRAGMENT : 0) | (moreFragments ? MORE_FRAGMENTS : 0)
                | fragmentOffset & FRAGMENT_OFFSET_MASK);
    }

    public void setTtl(int ttl) {
        put8(TTL, ttl);
    }

    public void setProtocol(int protocol) {
        put8(PROTOCOL, protocol);
    }

    public void setChecksum(int checksum) {
        put16(CHECKSUM, checksum);
    }

    public void setSource(int address) {
        put32(SOURCE, address);
    }

    public void setDestination(int address) {
        put32(DESTINATION, address);
    }

    /** Computes the header checksum over {@link #headerLength()} bytes and stores it. */
    public void fillChecksum() {
        setChecksum(0);
        setChecksum(Checksum.compute(buf, off, headerLength()));
    }
}
