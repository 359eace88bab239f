package io.vnet4j.config;

/**
 * A hub made a learning switch, {@code -object switch,id=ID[,hubid=N][,aging=S][,max-macs=N]
 * [,max-macs-per-port=N]}: frames to a unicast MAC it has learnt leave on that MAC's port only.
 *
 * @param id the switch's id ({@code id=})
 * @param hub the hub's number (QEMU's hubid, the legacy vlan=)
 * @param agingSeconds how long a learnt MAC stays without being seen
 * @param maxMacs MACs at most in the table
 * @param maxMacsPerPort MACs at most behind one port
 */
public record SwitchConfig(String id, int hub, int agingSeconds, int maxMacs, int maxMacsPerPort) {
    /** Linux's bridge and IEEE 802.1D's default aging time. */
    public static final int DEFAULT_AGING_SECONDS = 300;
    /** MACs at most in a switch's table without {@code max-macs=}. */
    public static final int DEFAULT_MAX_MACS = 4096;
    /** A VM sends from one MAC; a TAP to a bridge of containers, from a few hundred at most. */
    public static final int DEFAULT_MAX_MACS_PER_PORT = 256;

    /** Switch {@code id} on hub {@code hub} with the default aging and limits, as {@code -object switch,id=ID,hubid=HUB}. */
    public static SwitchConfig withDefaults(String id, int hub) {
        return new SwitchConfig(id, hub, DEFAULT_AGING_SECONDS, DEFAULT_MAX_MACS, DEFAULT_MAX_MACS_PER_PORT);
    }
}
