package io.vnet4j.wire;

/**
 * Value form of the IPv6 fixed header (RFC 8200 section 3); extension headers and payload stay the
 * caller's to write.
 *
 * @param trafficClass  8 bits
 * @param flowLabel     20 bits
 * @param payloadLength bytes after the 40-byte header
 * @param nextHeader    {@link IpProtocol}
 * @param hopLimit      8 bits
 * @param source        an IPv6 address
 * @param destination   an IPv6 address
 */
public record Ipv6Header(int trafficClass, int flowLabel, int payloadLength, int nextHeader, int hopLimit,
                         IpAddress source, IpAddress destination) {

    /** Reads the header of a view that passed {@link Ipv6Packet#check()}. */
    public static Ipv6Header parse(Ipv6Packet ip) {
        return new Ipv6Header(ip.trafficClass(), ip.flowLabel(), ip.payloadLength(), ip.nextHeader(), ip.hopLimit(),
                ip.source(), ip.destination());
    }

    /** Writes all 40 header bytes. */
    public void emit(Ipv6Packet ip) {
        ip.setVersionClassFlow(trafficClass, flowLabel);
        ip.setPayloadLength(payloadLength);
        ip.setNextHeader(nextHeader);
        ip.setHopLimit(hopLimit);
        ip.setSource(source);
        ip.setDestination(destination);
    }
}
