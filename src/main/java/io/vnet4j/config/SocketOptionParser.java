package io.vnet4j.config;

import io.vnet4j.os.DatagramEndpoint;
import io.vnet4j.wire.IpAddress;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * QEMU's legacy {@code -netdev socket} (net/socket.c, qapi/net.json's NetdevSocketOptions): exactly one of
 * {@code listen=[HOST]:PORT} (a TCP server), {@code connect=HOST:PORT} (a TCP client), {@code mcast=GROUP:PORT[,localaddr=ADDR]}
 * (IPv4 multicast) or {@code udp=HOST:PORT,localaddr=HOST:PORT} (a UDP peer). QEMU's {@code fd=} is refused: vnet4j
 * opens its own sockets.
 */
final class SocketOptionParser {
    static final Set<String> KEYS = Set.of("id", "hubid", "vlan", "trunk", "listen", "connect", "mcast", "udp",
            "localaddr");

    private SocketOptionParser() {}

    static NetdevConfig parse(OptionString o, String id, int hub) throws ConfigException {
        List<String> modes = new ArrayList<>();
        for (String key : List.of("listen", "connect", "mcast", "udp")) {
            if (o.has(key)) {
                modes.add(key);
            }
        }
        if (o.has("fd")) {
            throw o.error("fd= is not supported: vnet4j opens its own sockets (use listen, connect, mcast or udp)");
        }
        if (modes.size() != 1) {
            throw o.error("expected exactly one of listen=, connect=, mcast= or udp=" + (modes.isEmpty() ? "" : ", got " + String.join(" and ", modes)));
        }
        String mode = modes.getFirst();
        String value = o.take(mode);
        NetdevConfig result = switch (mode) {
            case "listen" -> new NetdevConfig.StreamServer(id, "socket", hub, "listen=" + value,
                    Addresses.hostPort(o, "listen", value, "0.0.0.0", 0));
            case "connect" -> new NetdevConfig.StreamClient(id, "socket", hub, "connect=" + value,
                    Addresses.streamPeer(o, "connect", Addresses.hostPort(o, "connect", value, null, 1)), 0);
            case "mcast" -> {
                InetSocketAddress group = Addresses.hostPort(o, "mcast", value, null, 1);
                if (!group.getAddress().isMulticastAddress() || !(group.getAddress() instanceof Inet4Address)) {
                    throw o.error("mcast: expected an IPv4 multicast group (224.0.0.0/4), got '" + value + "'");
                }
                String localaddr = o.take("localaddr");
                Inet4Address ifaddr = localaddr == null ? null : Addresses.ipv4(o, "localaddr", localaddr);
                String settings = "mcast=" + value + (ifaddr == null ? "" : ",localaddr=" + ifaddr.getHostAddress());
                yield new NetdevConfig.Datagram(id, "socket", hub, settings, DatagramEndpoint.any(group.getPort()),
                        DatagramEndpoint.inet(group), ifaddr);
            }
            default -> {
                InetSocketAddress remote = Addresses.hostPort(o, "udp", value, null, 1);
                Addresses.peer(o, "udp", remote.getAddress());
                String localaddr = o.take("localaddr");
                if (localaddr == null) {
                    throw o.error("udp= needs localaddr=host:port, the address to receive on");
                }
                InetSocketAddress local = Addresses.hostPort(o, "localaddr", localaddr, "0.0.0.0", 0);
                Addresses.reachableFrom(o, "localaddr", local.getAddress(), "udp", remote.getAddress(),
                        "or 0.0.0.0, every interface");
                yield new NetdevConfig.Datagram(id, "socket", hub, "udp=" + value + ",localaddr=" + localaddr,
                        inet(o, "localaddr", local), inet(o, "udp", remote), null);
            }
        };
        if (o.has("localaddr")) {
            throw o.error("localaddr is for mcast= and udp=, not " + mode + "=");
        }
        o.finish(KEYS);
        return result;
    }

    private static DatagramEndpoint inet(OptionString o, String what, InetSocketAddress address) throws ConfigException {
        if (address.getAddress() instanceof Inet4Address v4) {
            return new DatagramEndpoint.Inet(v4, address.getPort());
        }
        throw o.error(what + ": expected an IPv4 address, got '" + IpAddress.of(address.getAddress()) + "'");
    }
}
