package io.vnet4j.config;

import io.vnet4j.os.DatagramEndpoint;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What only one netdev can hold at a time, so that a second netdev asking for it is refused by name
 * ({@code ifname=tap0 is tap t's already}) before it starts, not by the kernel's or a socket's error, which
 * blames another process when the holder is this one: a TAP's name in its network namespace (tun_set_iff's
 * EBUSY, drivers/net/tun.c), a unix socket path a server, datagram port or vhost-user back-end binds, a
 * VDE switch's directory, the TCP address a server listens on, and a VNI on a UDP port (Linux's one socket
 * per family and port). Netdevs that run already ({@link #running}) are held against those given after them.
 */
final class Claims {
    private record Claim(String key, String what) {}

    private final Map<String, NetdevConfig> holders = new HashMap<>();
    private final Set<String> runningIds = new HashSet<>();

    /** Notes what a running netdev holds. */
    void running(NetdevConfig netdev) {
        runningIds.add(netdev.id());
        for (Claim c : of(netdev)) {
            holders.putIfAbsent(c.key(), netdev);
        }
    }

    /**
     * Takes what {@code netdev} holds.
     *
     * @throws ConfigException when a netdev noted before holds any of it, naming both
     */
    void take(NetdevConfig netdev) throws ConfigException {
        for (Claim c : of(netdev)) {
            NetdevConfig other = holders.putIfAbsent(c.key(), netdev);
            if (other != null && !other.id().equals(netdev.id())) {
                throw new ConfigException("-netdev " + netdev.type() + ",id=" + netdev.id() + ": " + c.what() + " is "
                        + other.type() + " " + other.id() + "'s already" + (runningIds.contains(other.id()) ? " (it runs)" : ""));
            }
        }
    }

    private static List<Claim> of(NetdevConfig netdev) {
        List<Claim> claims = new ArrayList<>();
        switch (netdev) {
            case NetdevConfig.Tap t when !t.ifname().isEmpty() -> claims.add(new Claim(
                    "tap " + namespaceIdentity(t.netns()) + "\0" + t.ifname(),
                    "ifname=" + t.ifname() + (t.netns() == null ? "" : " in " + t.netns())));
            case NetdevConfig.StreamServer s -> listen(claims, s.address());
            case NetdevConfig.Datagram d when d.local() instanceof DatagramEndpoint.Unix u ->
                    claims.add(unixPath(Path.of(u.path())));
            case NetdevConfig.VhostUser v -> claims.add(unixPath(v.path()));
            case NetdevConfig.Vde v when v.server() -> claims.add(new Claim("path " + fileIdentity(v.dir()),
                    "the VDE switch directory " + v.dir()));
            case NetdevConfig.Vxlan x -> claims.add(new Claim(
                    "vxlan " + (x.ipv6() ? 6 : 4) + " " + x.dstport() + " " + x.vni(),
                    "VNI " + x.vni() + " on UDP port " + x.dstport() + (x.ipv6() ? " over IPv6" : "")));
            default -> { }
        }
        return claims;
    }

    private static void listen(List<Claim> claims, SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress u) {
            claims.add(unixPath(u.getPath()));
        } else if (address instanceof InetSocketAddress inet && inet.getPort() != 0) {
            claims.add(new Claim("tcp " + inet, "the TCP address " + inet.getHostString() + ":" + inet.getPort()));
        }
    }

    private static Claim unixPath(Path path) {
        return new Claim("path " + fileIdentity(path), "the unix socket " + path);
    }

    /** The namespace file's device and inode, so that two paths of one namespace compare equal. */
    static String namespaceIdentity(Path netns) {
        if (netns == null) {
            return "";
        }
        try {
            return Files.getAttribute(netns, "unix:dev") + ":" + Files.getAttribute(netns, "unix:ino");
        } catch (IOException | UnsupportedOperationException e) {
            return netns.toAbsolutePath().normalize().toString(); // gone since it was read: the start says so
        }
    }

    /** The file a path names, through symbolic links in it and its directory, so that two spellings compare equal. */
    static Path fileIdentity(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        if (absolute.getParent() == null) {
            return absolute;
        }
        try {
            return Files.exists(absolute) ? absolute.toRealPath()
                    : absolute.getParent().toRealPath().resolve(absolute.getFileName());
        } catch (IOException e) {
            return absolute; // a directory that is not there: the netdev's start says so
        }
    }
}
