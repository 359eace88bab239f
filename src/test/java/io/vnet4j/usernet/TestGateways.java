package io.vnet4j.usernet;

import io.vnet4j.config.ConfigException;
import io.vnet4j.config.ConfigParser;
import io.vnet4j.config.NetdevConfig;
import io.vnet4j.config.UserConfig;
import io.vnet4j.os.NativeDatagramSocket;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.IpProtocol;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
        return new GuestOutput("u", (frame, offset, length, segmentSize) -> {
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

    /**
     * An ICMP host unreachable (RFC 792) to 127.0.0.1, quoting a UDP datagram from 127.0.0.1:{@code sourcePort} to
     * 127.0.0.1:{@code destinationPort}: what a router on the way would send back. Sent with a raw
     * socket, which needs CAP_NET_RAW (the tests run as root).
     */
    static void hostUnreachable(int sourcePort, int destinationPort) throws IOException {
        ByteBuffer icmp = ByteBuffer.allocate(8 + 20 + 8).order(ByteOrder.BIG_ENDIAN);
        icmp.put(0, (byte) IcmpType.DESTINATION_UNREACHABLE).put(1, (byte) 1);
        int loopback = 0x7f00_0001;
        icmp.put(8, (byte) 0x45).putShort(10, (short) 28).put(16, (byte) 64).put(17, (byte) IpProtocol.UDP)
                .putInt(20, loopback).putInt(24, loopback);
        icmp.putShort(18, (short) Checksum.compute(icmp, 8, 20));
        icmp.putShort(28, (short) sourcePort).putShort(30, (short) destinationPort).putShort(32, (short) 8);
        icmp.putShort(2, (short) Checksum.compute(icmp, 0, icmp.capacity()));
        try (NativeDatagramSocket raw = NativeDatagramSocket.rawIcmp()) {
            MemorySegment.copy(MemorySegment.ofBuffer(icmp), 0, raw.sendBuffer(), 0, icmp.capacity());
            int errno = raw.send(icmp.capacity(), raw.prepareDestination(IpAddress.IPV4_LOOPBACK, 0));
            if (errno != 0) {
                throw new IOException("sendto: " + NativeDatagramSocket.errorText(errno));
            }
        }
    }
}
