package io.vnet4j.config;

import java.util.List;
import java.util.Map;

/**
 * Everything the command line asked for, checked and immutable; {@link ConfigParser#build} makes it and
 * {@link io.vnet4j.Network#start} runs it.
 *
 * @param netdevs the netdevs, in command-line order
 * @param captures the pcap captures
 * @param switches the hubs made learning switches
 * @param vlans the 802.1Q membership of each netdev that has one, by netdev id
 */
public record Config(List<NetdevConfig> netdevs, List<CaptureConfig> captures, List<SwitchConfig> switches,
                     Map<String, VlanConfig> vlans) {
    /**
     * Copies the lists and the map, so that the record is immutable.
     *
     * @param netdevs the netdevs, in command-line order
     * @param captures the pcap captures
     * @param switches the hubs made learning switches
     * @param vlans the 802.1Q membership of each netdev that has one, by netdev id
     */
    public Config {
        netdevs = List.copyOf(netdevs);
        captures = List.copyOf(captures);
        switches = List.copyOf(switches);
        vlans = Map.copyOf(vlans);
    }

    /**
     * The 802.1Q membership of a netdev.
     *
     * @param id the netdev's id
     * @return its membership, {@link VlanConfig#NONE} when it has none
     */
    public VlanConfig vlan(String id) {
        return vlans.getOrDefault(id, VlanConfig.NONE);
    }
}
