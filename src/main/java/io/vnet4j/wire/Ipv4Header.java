package io.vnet4j.wire;

/**
 * Value form of the fixed IPv4 header fields; {@code headerLength} includes any options,
 * whose bytes stay the caller's to write.
 */
public record Ipv4Header(int headerLength, int tos, int totalLength, int identification,
                         boolean dontFragment, boolean moreFragments, int fragmentOffset,
                         int ttl, int protocol, int checksum, int source, int destination) {

    /** Reads the header of a view that passed {@link Ipv4Packet#check()}. */
    public static Ipv4Header parse(Ipv4Packet ip) {
        return new Ipv4Header(ip.headerLength(), ip.tos(), ip.totalLength(), ip.identification(),
                ip.dontFragment(), ip.moreFragments(), ip.fragmentOffset(),
                ip.ttl(), ip.protocol(), ip.checksum(), ip.source(), ip.destination());
    }

    /** Writes every fixed field as held, checksum included; call {@link Ipv4Packet#fillChecksum()} to recompute it. */
    public void emit(Ipv4Packet ip) {
        ip.setHeaderLength(headerLength);
        ip.setTos(tos);
        ip.setTotalLength(totalLength);
        ip.setIdentification(identification);
        ip.setFragmentation(dontFragment, moreFragments, fragmentOffset);
        ip.setTtl(ttl);
        ip.setProtocol(protocol);
        ip.setChecksum(checksum);
        ip.setSource(source);
        ip.setDestination(destination);
    }
}
