package io.vnet4j.wire;

/**
 * Value form of an ICMPv6 header's first eight bytes (RFC 4443 section 2.1); the second word is held as
 * its two halves (echo identifier and sequence; for errors, the high and low half of the MTU, pointer or
 * unused word).
 */
public record Icmpv6Header(int type, int code, int checksum, int identifier, int sequence) {

    /** Reads the header of a view that passed {@link Icmpv6Packet#check()} and is at least 8 bytes long. */
    public static Icmpv6Header parse(Icmpv6Packet icmp) {
        return new Icmpv6Header(icmp.type(), icmp.code(), icmp.checksum(), icmp.identifier(), icmp.sequence());
    }

    /** Writes all 8 bytes, checksum as held; call {@link Icmpv6Packet#fillChecksum} after the data. */
    public void emit(Icmpv6Packet icmp) {
        icmp.setType(type);
        icmp.setCode(code);
        icmp.setChecksum(checksum);
        icmp.setIdentifier(identifier);
        icmp.setSequence(sequence);
    }
}
