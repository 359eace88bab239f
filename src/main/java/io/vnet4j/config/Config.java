package io.vnet4j.config;

import java.util.List;
import java.util.Map;

/** Everything the command line asked for, checked and immutable. */
public record Config(List<NetdevConfig> netdevs, List<CaptureConfig> captures, List<SwitchConfig> switches,
                     Map<String, VlanConfig> vlans) {
    public Config {
        netdevs = List.copyOf(netdevs);
        captures = List.copyOf(captures);
        switches = List.copyOf(switches);
        vlans = Map.copyOf(vlans);
    }

    /** The 802.1Q membership of netdev {@code id} ({@link VlanConfig#NONE} when it has none). */
    public VlanConfig vlan(String id) {
        return vlans.getOrDefault(id, VlanConfig.NONE);
    }
}
