package io.vnet4j.config;

import java.util.List;

/** Everything the command line asked for, checked and immutable. */
public record Config(List<NetdevConfig> netdevs, List<CaptureConfig> captures, List<SwitchConfig> switches) {
    public Config {
        netdevs = List.copyOf(netdevs);
        captures = List.copyOf(captures);
        switches = List.copyOf(switches);
    }
}
