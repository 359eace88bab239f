package io.vnet4j.usernet;

import io.vnet4j.config.ConfigException;
import io.vnet4j.config.ConfigParser;
import io.vnet4j.config.NetdevConfig;
import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.LoopSelector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** User networks' configurations and gateways for tests and benchmarks: no resolv.conf, seeded randomness, clock 0. */
final class TestGateways {
    private TestGateways() {
    }

    /** The user network {@code -netdev user,id=u} plus {@code options} (comma-separated; may be empty) describes. */
    static UserConfig config(String options) throws ConfigException {
        ConfigParser parser = new ConfigParser();
        parser.netdev("user,id=u" + (options.isEmpty() ? "" : "," + options));
        return ((NetdevConfig.User) parser.build().netdevs().getFirst()).user();
    }

    /** A UDP port on {@code address} (a loopback literal) that nothing listens on: bound once to find it, then closed. */
    static int closedUdpPort(String address) throws IOException {
        try (DatagramChannel probe = DatagramChannel.open().bind(new InetSocketAddress(address, 0))) {
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    /** A gateway and its parts, wired as a running user network's. */
    static GatewayParts build(UserConfig config, GuestOutput out, NeighborTable neighbors, LoopSelector selector)
            throws IOException {
        return GatewayParts.build("u", config, out, neighbors, Set.of(), selector, Path.of("/nonexistent"), new Random(0), 0);
    }

    /** An output to the guest that keeps a copy of each frame in {@code toGuest}. */
    static GuestOutput recording(UserConfig config, NeighborTable neighbors, List<byte[]> toGuest) {
        return new GuestOutput((frame, offset, length, segmentSize) -> {
            byte[] copy = new byte[length];
            frame.get(offset, copy);
            toGuest.add(copy);
        }, neighbors, config.mtu(), () -> 0);
    }

    /** Binds the configuration's host forwards of UDP, as a starting user network does. */
    static void listenUdp(GatewayParts parts, UserConfig config) throws IOException {
        for (UserConfig.HostForward f : config.hostForwards()) {
            parts.udpForwards().listen(f);
        }
    }
}
