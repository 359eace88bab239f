package io.vnet4j.wire;

/** Value form of an ICMPv4 header; the second word is held as the echo identifier and sequence halves. */
public record IcmpHeader(int type, int code, int checksum, int identifier, int sequence) {

    /** Reads the header of a view that passed {@link IcmpPacket#check()}. */
    public static IcmpHeader parse(IcmpPacket icmp) {
        return new IcmpHeader(icmp.type(), icmp.code(), icmp.checksum(), icmp.identifier(), icmp.sequence());
    }

    /** Writes all 8 header bytes, checksum as held; call {@link IcmpPacket#fillChecksum()} after the data. */
    public void emit(IcmpPacket icmp) {
        icmp.setType(type);
        icmp.setCode(code);
        icmp.setChecksum(checksum);
        icmp.setIdentifier(identifier);
        icmp.setSequence(sequence);
    }
}
