package io.vnet4j.wire;

/** Value form of an Ethernet/IPv4 ARP packet. */
public record ArpHeader(int operation, long senderMac, int senderIp, long targetMac, int targetIp) {

    /** Reads a packet from a view that passed {@link ArpPacket#check()}. */
    public static ArpHeader parse(ArpPacket arp) {
        return new ArpHeader(arp.operation(), arp.senderMac(), arp.senderIp(), arp.targetMac(), arp.targetIp());
    }

    /** Writes all 28 bytes, including the fixed type and size fields. */
    public void emit(ArpPacket arp) {
        arp.setEthernetIpv4();
        arp.setOperation(operation);
        arp.setSenderMac(senderMac);
        arp.setSenderIp(senderIp);
        arp.setTargetMac(targetMac);
        arp.setTargetIp(targetIp);
    }
}
