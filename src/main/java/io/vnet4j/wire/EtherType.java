package io.vnet4j.wire;

/** EtherType values of the Ethernet II type field. */
public final class EtherType {
    public static final int IPV4 = 0x0800;
    public static final int ARP = 0x0806;
    /** Tag protocol identifier of an IEEE 802.1Q VLAN tag. */
    public static final int VLAN = 0x8100;
    public static final int IPV6 = 0x86DD;

    private EtherType() {}
}
