package io.vnet4j.wire;

import java.nio.ByteBuffer;

/** Flyweight view of a TCP segment (RFC 9293); the view must cover exactly the IPv4 payload or the IPv6 upper-layer bytes. */
public final class TcpSegment extends WireView {
    public static final int MIN_HEADER_LENGTH = 20;
    private static final int SOURCE_PORT = 0;
    private static final int DESTINATION_PORT = 2;
    private static final int SEQUENCE = 4;
    private static final int ACKNOWLEDGMENT = 8;
    private static final int OFFSET_FLAGS = 12;
    private static final int WINDOW = 14;
    private static final int CHECKSUM = 16;
    private static final int URGENT = 18;
    private static final int ABSENT = -1;
    private static final int MALFORMED = -2;
    private static final int NO_KIND = -1;

    /** Points this view at {@code length} bytes from absolute {@code offset}; returns {@code this}. */
    public TcpSegment wrap(ByteBuffer buffer, int offset, int length) {
        bind(buffer, offset, length);
        return this;
    }

    /** Checks the header is present, the data offset lies between 5 and the segment end, and the options are well formed. */
    public WireError check() {
        if (len < MIN_HEADER_LENGTH) {
            return WireError.TRUNCATED;
        }
        int headerLength = headerLength();
        if (headerLength < MIN_HEADER_LENGTH || headerLength > len) {
            return WireError.BAD_LENGTH;
        }
        return findOption(NO_KIND) == MALFORMED ? WireError.BAD_OPTION : WireError.NONE;
    }

    /** True when the checksum verifies over the pseudo-header and the whole view. */
    public boolean checksumValid(int source, int destination) {
        long sum = Checksum.pseudoHeaderSum(source, destination, IpProtocol.TCP, len) + Checksum.sum(buf, off, len);
        return Checksum.fold(sum) == 0xFFFF;
    }

    /**
     * True when the checksum verifies over the pseudo-header of either family (RFC 8200 section 8.1 for IPv6)
     * and the whole view.
     *
     * @throws IllegalArgumentException when the addresses are of different families
     */
    public boolean checksumValid(IpAddress source, IpAddress destination) {
        long sum = Checksum.pseudoHeaderSum(source, destination, IpProtocol.TCP, len) + Checksum.sum(buf, off, len);
        return Checksum.fold(sum) == 0xFFFF;
    }

    /** {@link #checksumValid(IpAddress, IpAddress)} for IPv6 with the addresses of {@code ip}'s header, allocation-free. */
    public boolean checksumValid(Ipv6Packet ip) {
        return Checksum.fold(ip.pseudoHeaderSum(IpProtocol.TCP, len) + Checksum.sum(buf, off, len)) == 0xFFFF;
    }

    public int sourcePort() {
        return u16(SOURCE_PORT);
    }

    public int destinationPort() {
        return u16(DESTINATION_PORT);
    }

    public int sequenceNumber() {
        return i32(SEQUENCE);
    }

    public int acknowledgmentNumber() {
        return i32(ACKNOWLEDGMENT);
    }

    /** Header length in bytes (data offset times four). */
    public int headerLength() {
        return u8(OFFSET_FLAGS) >>> 4 << 2;
    }

    /** Control bits, see {@link TcpFlags}. */
    public int flags() {
        return u16(OFFSET_FLAGS) & TcpFlags.MASK;
    }

    public int window() {
        return u16(WINDOW);
    }

    public int checksum() {
        return u16(CHECKSUM);
    }

    public int urgentPointer() {
        return u16(URGENT);
    }

    /** Absolute offset of the options area. */
    public int optionsOffset() {
        return off + MIN_HEADER_LENGTH;
    }

    public int optionsLength() {
        return headerLength() - MIN_HEADER_LENGTH;
    }

    /** Absolute offset of the data. */
    public int payloadOffset() {
        return off + headerLength();
    }

    public int payloadLength() {
        return len - headerLength();
    }

    /** The maximum segment size option, or -1 when absent or malformed. */
    public int mss() {
        int at = findOption(TcpOption.MSS);
        return at < 0 ? -1 : u16(at + 2);
    }

    /** The window scale shift count as sent (not clamped to 14), or -1 when absent or malformed. */
    public int windowScale() {
        int at = findOption(TcpOption.WINDOW_SCALE);
        return at < 0 ? -1 : u8(at + 2);
    }

    /** True when a well-formed SACK-permitted option is present. */
    public boolean sackPermitted() {
        return findOption(TcpOption.SACK_PERMITTED) >= 0;
    }

    /**
     * Reads the SACK option's blocks (RFC 2018 section 3) into {@code into}, cleared first; returns their
     * count. No blocks when the option is absent, or its length is not 2 + 8n with n at least 1 (then the
     * option is ignored, as Linux's tcp_parse_options ignores it), or the options are malformed. The blocks
     * are as sent: whether they lie inside the sequence space is the reader's to judge.
     */
    public int sackBlocks(TcpSackBlocks into) {
        into.clear();
        int at = findOption(TcpOption.SACK);
        if (at < 0) {
            return 0;
        }
        int size = u8(at + 1);
        if (size < 10 || (size - 2) % 8 != 0) {
            return 0;
        }
        for (int block = at + 2; block < at + size; block += 8) {
            into.add(i32(block), i32(block + 4));
        }
        return into.count();
    }

    /**
     * Walks the options area, bounded by the header length and the view, and returns the relative
     * offset of the first option of {@code kind}, {@link #ABSENT}, or {@link #MALFORMED} if the walk
     * meets a malformed option first.
     */
    private int findOption(int kind) {
        int end = Math.min(headerLength(), len);
        int at = MIN_HEADER_LENGTH;
        while (at < end) {
            int current = u8(at);
            if (current == TcpOption.END) {
                return ABSENT;
            }
            if (current == TcpOption.NOP) {
                at++;
                continue;
            }
            if (at + 1 >= end) {
                return MALFORMED;
            }
            int size = u8(at + 1);
            if (!TcpOption.lengthFits(current, size) || at + size > end) {
                return MALFORMED;
            }
            if (current == kind) {
                return at;
            }
            at += size;
        }
        return ABSENT;
    }

    public void setSourcePort(int port) {
        put16(SOURCE_PORT, port);
    }

    public void setDestinationPort(int port) {
        put16(DESTINATION_PORT, port);
    }

    public void setSequenceNumber(int sequence) {
        put32(SEQUENCE, sequence);
    }

    public void setAcknowledgmentNumber(int acknowledgment) {
        put32(ACKNOWLEDGMENT, acknowledgment);
    }

    /** Writes the data offset for a header of {@code headerLength} bytes (a multiple of four), keeping the NS bit. */
    public void setHeaderLength(int headerLength) {
        put8(OFFSET_FLAGS, headerLength / 4 << 4 | u8(OFFSET_FLAGS) & 0x01);
    }

    /** Writes the control bits (see {@link TcpFlags}), keeping the data offset and zeroing the reserved bits. */
    public void setFlags(int flags) {
        put16(OFFSET_FLAGS, u16(OFFSET_FLAGS) & 0xF000 | flags & TcpFlags.MASK);
    }

    public void setWindow(int window) {
        put16(WINDOW, window);
    }

    public void setChecksum(int checksum) {
        put16(CHECKSUM, checksum);
    }

    public void setUrgentPointer(int urgentPointer) {
        put16(URGENT, urgentPointer);
    }

    /** Computes the checksum over the pseudo-header and the whole view and stores it. */
    public void fillChecksum(int source, int destination) {
        setChecksum(0);
        setChecksum(Checksum.finish(Checksum.pseudoHeaderSum(source, destination, IpProtocol.TCP, len)
                + Checksum.sum(buf, off, len)));
    }

    /**
     * Computes the checksum over the pseudo-header of either family and the whole view and stores it.
     *
     * @throws IllegalArgumentException when the addresses are of different families
     */
    public void fillChecksum(IpAddress source, IpAddress destination) {
        setChecksum(0);
        setChecksum(Checksum.finish(Checksum.pseudoHeaderSum(source, destination, IpProtocol.TCP, len)
                + Checksum.sum(buf, off, len)));
    }

    /** {@link #fillChecksum(IpAddress, IpAddress)} for IPv6 with the addresses of {@code ip}'s header, allocation-free. */
    public void fillChecksum(Ipv6Packet ip) {
        setChecksum(0);
        setChecksum(Checksum.finish(ip.pseudoHeaderSum(IpProtocol.TCP, len) + Checksum.sum(buf, off, len)));
    }
}
