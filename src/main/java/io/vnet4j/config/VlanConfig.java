package io.vnet4j.config;

import java.util.List;

/**
 * A netdev's IEEE 802.1Q membership on its hub: {@code vlan=N} makes each of its ports an access port of
 * VLAN N (frames untagged on the wire, in VLAN N inside the hub), {@code trunk=N} (repeatable; also a range
 * {@code trunk=N-M}) a trunk of those VLANs (frames tagged on the wire). A netdev with neither is
 * VLAN-unaware, as every QEMU hub port: its frames pass as they are, among the other unaware ports only.
 *
 * @param access the access VLAN (1 to 4094), or 0
 * @param trunk the trunk's VLANs, ascending, or empty
 */
public record VlanConfig(int access, List<Integer> trunk) {
    /** No VLAN: the netdev is VLAN-unaware. */
    public static final VlanConfig NONE = new VlanConfig(0, List.of());
    /** VID 0 means "no VLAN" (priority tag) and 4095 is reserved: IEEE 802.1Q-2018 table 9-2. */
    public static final int MAX_VID = 4094;

    /**
     * Copies the trunk's list, so that the record is immutable.
     *
     * @param access the access VLAN (1 to 4094), or 0
     * @param trunk the trunk's VLANs, ascending, or empty
     */
    public VlanConfig {
        trunk = List.copyOf(trunk);
    }
}
