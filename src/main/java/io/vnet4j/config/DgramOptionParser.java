package io.vnet4j.config;

import io.vnet4j.os.DatagramEndpoint;
import java.net.Inet4Address;
import java.util.Set;

/**
 * QEMU's {@code -netdev dgram,local.type=T,local...,remote.type=T,remote...} (net/dgram.c; qapi/net.json's
 * NetdevDgramOptions, its addresses qapi/sockets.json's SocketAddress): UDP between two IPv4 {@code inet} addresses,
 * unix datagram sockets between two paths, or an IPv4 multicast {@code remote} group with {@code local.host} as the
 * interface. The SocketAddress keys vnet4j does not take are {@link QemuOnlyKeys}'.
 */
final class DgramOptionParser {
    static final Set<String> KEYS = Set.of("id", "hubid", "vlan", "trunk", "local.type", "local.host",
            "local.port", "local.path", "remote.type", "remote.host", "remote.port", "remote.path");

    private DgramOptionParser() {}

    static NetdevConfig parse(OptionString o, String id, int hub) throws ConfigException {
        String remoteType = o.require("remote.type", "inet or unix");
        String localType = o.take("local.type");
        StringBuilder settings = new StringBuilder();
        DatagramEndpoint remote = endpoint(o, "remote", remoteType, settings);
        if (remote.isMulticast()) {
            Inet4Address ifaddr = null;
            if (localType != null) {
                if (!localType.equals("inet")) {
                    throw o.error("local.type: a multicast remote takes local.type=inet (the interface), got '" + localType + "'");
                }
                ifaddr = Addresses.ipv4(o, "local.host", o.require("local.host", "the interface address"));
                o.take("local.port");
                settings.append(",local.host=").append(ifaddr.getHostAddress());
            }
            o.finish(KEYS);
            return new NetdevConfig.Datagram(id, "dgram", hub, settings.toString(),
                    DatagramEndpoint.any(((DatagramEndpoint.Inet) remote).port()), remote, ifaddr);
        }
        if (localType == null) {
            throw o.error("local.type= is required (inet or unix, where to receive)");
        }
        if (!localType.equals(remoteType)) {
            throw o.error("local.type and remote.type must be the same, got " + localType + " and " + remoteType);
        }
        DatagramEndpoint local = endpoint(o, "local", localType, settings);
        if (local instanceof DatagramEndpoint.Inet l && remote instanceof DatagramEndpoint.Inet r) {
            Addresses.reachableFrom(o, "local.host", l.address(), "remote.host", r.address(), "or none, every interface");
        }
        o.finish(KEYS);
        return new NetdevConfig.Datagram(id, "dgram", hub, settings.toString(), local, remote, null);
    }

    private static DatagramEndpoint endpoint(OptionString o, String side, String type, StringBuilder settings)
            throws ConfigException {
        if (!settings.isEmpty()) {
            settings.append(',');
        }
        switch (type) {
            case "inet" -> {
                // an empty local.host is every interface, as QEMU 7.2's convert_host_port reads it (0.0.0.0)
                String host = side.equals("local") ? Addresses.optionalHost(o, "local.host", "an IPv4 address")
                        : o.require(side + ".host", "an IPv4 address");
                String port = o.require(side + ".port", "a UDP port");
                settings.append(side).append('=').append(host).append(':').append(port);
                Inet4Address address = Addresses.ipv4(o, side + ".host", host.isEmpty() ? "0.0.0.0" : host);
                return new DatagramEndpoint.Inet(side.equals("remote") ? Addresses.peer(o, "remote.host", address) : address,
                        Addresses.cPort(o, side + ".port", port, side.equals("local") ? 0 : 1));
            }
            case "unix" -> {
                String path = o.require(side + ".path", "a unix socket path");
                settings.append(side).append('=').append(path);
                try {
                    return new DatagramEndpoint.Unix(path);
                } catch (IllegalArgumentException e) {
                    throw o.error(side + ".path: " + e.getMessage());
                }
            }
            default -> throw o.error(side + ".type: expected inet or unix, got '" + type + "'");
        }
    }
}
