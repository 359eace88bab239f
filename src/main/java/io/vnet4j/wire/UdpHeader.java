package io.vnet4j.wire;

/** Value form of a UDP header. */
public record UdpHeader(int sourcePort, int destinationPort, int length, int checksum) {

    /** Reads the header of a view that passed {@link UdpPacket#check()}. */
    public static UdpHeader parse(UdpPacket udp) {
        return new UdpHeader(udp.sourcePort(), udp.destinationPort(), udp.datagramLength(), udp.checksum());
    }

    /** Writes all 8 header bytes, checksum as held; call {@link UdpPacket#fillChecksum(int, int)} after the data. */
    public void emit(UdpPacket udp) {
        udp.setSourcePort(sourcePort);
        udp.setDestinationPort(destinationPort);
        udp.setDatagramLength(length);
        udp.setChecksum(checksum);
    }
}
