package io.vnet4j.wire;

import java.nio.ByteBuffer;

/** Flyweight view of a UDP datagram (RFC 768); the view covers the IPv4 payload or the IPv6 upper-layer bytes. */
public final class UdpPacket extends WireView {
    public static final int HEADER_LENGTH = 8;
    private static final int SOURCE_PORT = 0;
    private static final int DESTINATION_PORT = 2;
    private static final int LENGTH = 4;
    private static final int CHECKSUM = 6;
    /** A zero checksum field means the sender computed none; a computed zero is sent as all ones. */
    private static final int NO_CHECKSUM = 0;

    /** Points this view at {@code length} bytes from absolute {@code offset}; returns {@code this}. */
    public UdpPacket wrap(ByteBuffer buffer, int offset, int length) {
        bind(buffer, offset, length);
        return this;
    }

    /** Checks that the header is present and the length field lies between 8 and the bytes in the view. */
    public WireError check() {
        if (len < HEADER_LENGTH) {
            return WireError.TRUNCATED;
        }
        int datagramLength = datagramLength();
        if (datagramLength < HEADER_LENGTH || datagramLength > len) {
            return WireError.BAD_LENGTH;
        }
        return WireError.NONE;
    }

    /** True when the checksum is absent (zero) or verifies over the pseudo-header and {@link #datagramLength()} bytes. */
    public boolean checksumValid(int source, int destination) {
        if (checksum() == NO_CHECKSUM) {
            return true;
        }
        int datagramLength = datagramLength();
        long sum = Checksum.pseudoHeaderSum(source, destination, IpProtocol.UDP, datagramLength)
                + Checksum.sum(buf, off, datagramLength);
        return Checksum.fold(sum) == 0xFFFF;
    }

    /**
     * The checksum check of either family. IPv4 (both addresses IPv4): as {@link #checksumValid(int, int)}, a
     * zero checksum means none and is accepted. IPv6: a zero checksum is invalid (RFC 8200 section 8.1: the
     * receiver discards it), any other must verify over the pseudo-header and {@link #datagramLength()} bytes.
     *
     * @throws IllegalArgumentException when the addresses are of different families
     */
    public boolean checksumValid(IpAddress source, IpAddress destination) {
        if (checksum() == NO_CHECKSUM) {
            return source.isIpv4() && destination.isIpv4();
        }
        int datagramLength = datagramLength();
        long sum = Checksum.pseudoHeaderSum(source, destination, IpProtocol.UDP, datagramLength)
                + Checksum.sum(buf, off, datagramLength);
        return Checksum.fold(sum) == 0xFFFF;
    }

    /** {@link #checksumValid(IpAddress, IpAddress)} for IPv6 with the addresses of {@code ip}'s header, allocation-free. */
    public boolean checksumValid(Ipv6Packet ip) {
        if (checksum() == NO_CHECKSUM) {
            return false;
        }
        int datagramLength = datagramLength();
        long sum = ip.pseudoHeaderSum(IpProtocol.UDP, datagramLength) + Checksum.sum(buf, off, datagramLength);
        return Checksum.fold(sum) == 0xFFFF;
    }

    public int sourcePort() {
        return u16(SOURCE_PORT);
    }

    public int destinationPort() {
        return u16(DESTINATION_PORT);
    }

    /** The UDP length field: header plus data. */
    public int datagramLength() {
        return u16(LENGTH);
    }

    public int checksum() {
        return u16(CHECKSUM);
    }

    /** Absolute offset of the data. */
    public int payloadOffset() {
        return off + HEADER_LENGTH;
    }

    /** Data length by the length field. */
    public int payloadLength() {
        return datagramLength() - HEADER_LENGTH;
    }

    public void setSourcePort(int port) {
        put16(SOURCE_PORT, port);
    }

    public void setDestinationPort(int port) {
        put16(DESTINATION_PORT, port);
    }

    public void setDatagramLength(int length) {
        put16(LENGTH, length);
    }

    public void setChecksum(int checksum) {
        put16(CHECKSUM, checksum);
    }

    /** Computes the checksum over the pseudo-header and {@link #datagramLength()} bytes and stores it (zero as 0xffff). */
    public void fillChecksum(int source, int destination) {
        setChecksum(0);
        int datagramLength = datagramLength();
        setChecksum(Checksum.finishNonZero(Checksum.pseudoHeaderSum(source, destination, IpProtocol.UDP, datagramLength)
                + Checksum.sum(buf, off, datagramLength)));
    }

    /**
     * {@link #fillChecksum(int, int)} for either family: over the pseudo-header (RFC 8200 section 8.1 for IPv6)
     * and {@link #datagramLength()} bytes; a computed zero is sent as 0xffff.
     *
     * @throws IllegalArgumentException when the addresses are of different families
     */
    public void fillChecksum(IpAddress source, IpAddress destination) {
        setChecksum(0);
        int datagramLength = datagramLength();
        setChecksum(Checksum.finishNonZero(Checksum.pseudoHeaderSum(source, destination, IpProtocol.UDP, datagramLength)
                + Checksum.sum(buf, off, datagramLength)));
    }

    /** {@link #fillChecksum(IpAddress, IpAddress)} for IPv6 with the addresses of {@code ip}'s header, allocation-free. */
    public void fillChecksum(Ipv6Packet ip) {
        setChecksum(0);
        int datagramLength = datagramLength();
        setChecksum(Checksum.finishNonZero(ip.pseudoHeaderSum(IpProtocol.UDP, datagramLength)
                + Checksum.sum(buf, off, datagramLength)));
    }
}
