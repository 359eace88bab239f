package io.vnet4j.usernet;

import io.vnet4j.config.ConfigException;
import io.vnet4j.config.ConfigParser;
import io.vnet4j.config.NetdevConfig;
import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.usernet.tcp.TcpNat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;

/**
 * A {@link Gateway} and the parts tests and benchmarks reach into, wired as {@link UsernetNetdev} wires
 * them: no DNS upstreams from a resolv.conf, seeded randomness, no NDP when the network has no IPv6.
 */
record GatewayParts(Gateway gateway, UdpNat udp, TcpNat tcp, UdpHostForwards udpForwards) {
    /** The user network {@code -netdev user,id=u} plus {@code options} (comma-separated; may be empty) describes. */
    static UserConfig config(String options) throws ConfigException {
        ConfigParser parser = new ConfigParser();
        parser.netdev("user,id=u" + (options.isEmpty() ? "" : "," + options));
        return ((NetdevConfig.User) parser.build().netdevs().getFirst()).user();
    }

    static GatewayParts of(UserConfig config, GuestOutput out, NeighborTable neighbors, LoopSelector selector)
            throws IOException {
        GatewayAddresses addresses = GatewayAddresses.of(config);
        UdpNat udp = new UdpNat(selector, out, new IcmpErrors(out), addresses);
        TcpNat tcp = new TcpNat(selector, out::sendTcp, config.mtu(), UsernetNetdev.TCP_WINDOW_BUDGET, new Random(0));
        UdpHostForwards udpForwards = new UdpHostForwards(out, addresses, new HostForwardGuests(config, neighbors),
                new VirtualPorts(), selector);
        UdpServices services = new UdpServices("u", config, addresses, udp, out, neighbors,
                DnsUpstreams.resolve(config, Path.of("/nonexistent")), udpForwards);
        NeighborDiscovery ndp = config.ipv6().isEmpty() ? null
                : new NeighborDiscovery(config, addresses, out, neighbors, new Random(0), 0);
        Gateway gateway = new Gateway(config, addresses, out, neighbors, udp, services, tcp,
                new GuestForwards(config.guestForwards()), ndp, new IcmpErrors(out));
        return new GatewayParts(gateway, udp, tcp, udpForwards);
    }
}
