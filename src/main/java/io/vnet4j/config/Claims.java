package io.vnet4j.config;

import io.vnet4j.os.DatagramEndpoint;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What only one netdev can hold at a time, so that a second netdev asking for it is refused by name
 * ({@code ifname=tap0 is tap t's already}) before it starts, not by the kernel's or a socket's error, which
 * blames another process when the holder is this one: a TAP's name in its network namespace (tun_set_iff's
 * EBUSY, drivers/net/tun.c), a unix socket path a server, datagram port or vhost-user back-end binds, a
 * VDE switch's directory, a user network's lease file, the TCP port a server listens on and the TCP and UDP ports of a user network's
 * host forwards (on one address, or on all: Linux's bind refuses a specific address beside the wildcard, and
 * {@code [::]} covers IPv4 too), and a VNI on a UDP port (Linux's one socket per family and port). Netdevs
 * that run already ({@link #running}) are held against those given after them, and two host forwards of one
 * user network against each other.
 */
final class Claims {
    /**
     * One thing held: {@code key} compared for equality, or, for a TCP or UDP port, its protocol ({@code key})
     * and its {@code listen} address compared by {@link #clash}; {@code what} names it in the refusal.
     */
    private record Claim(String key, InetSocketAddress listen, String what) {
        boolean clashes(Claim other) {
            if (listen != null || other.listen != null) {
                return listen != null && other.listen != null && key.equals(other.key) && clash(listen, other.listen);
            }
            return key.equals(other.key);
        }
    }

    private record Held(Claim claim, NetdevConfig netdev) {}

    private final List<Held> held = new ArrayList<>();
    private final Set<String> runningIds = new HashSet<>();

    /** Notes what a running netdev holds. */
    void running(NetdevConfig netdev) {
        runningIds.add(netdev.id());
        for (Claim c : of(netdev)) {
            held.add(new Held(c, netdev));
        }
    }

    /**
     * Takes what {@code netdev} holds.
     *
     * @throws ConfigException when a netdev noted before holds any of it, naming both
     */
    void take(NetdevConfig netdev) throws ConfigException {
        List<Claim> claims = of(netdev);
        for (int i = 0; i < claims.size(); i++) {
            for (int j = 0; j < i; j++) { // only a user network claims more than one thing: its host forwards
                if (claims.get(j).clashes(claims.get(i))) {
                    throw new ConfigException("-netdev " + netdev.type() + ",id=" + netdev.id(), "two hostfwd rules take "
                            + claims.get(i).what() + " (a port on an address, or on all of them, takes one rule)");
                }
            }
        }
        for (Claim c : claims) {
            for (Held h : held) {
                if (!h.netdev().id().equals(netdev.id()) && h.claim().clashes(c)) {
                    NetdevConfig other = h.netdev();
                    throw new ConfigException("-netdev " + netdev.type() + ",id=" + netdev.id(), c.what() + " is "
                            + other.type() + " " + other.id() + "'s already" + (runningIds.contains(other.id()) ? " (it runs)" : ""));
                }
            }
        }
        for (Claim c : claims) {
            held.add(new Held(c, netdev));
        }
    }

    private static List<Claim> of(NetdevConfig netdev) {
        List<Claim> claims = new ArrayList<>();
        switch (netdev) {
            case NetdevConfig.Tap t when !t.ifname().isEmpty() -> claims.add(new Claim(
                    "tap " + namespaceIdentity(t.netns()) + "\0" + t.ifname(), null,
                    "ifname=" + t.ifname() + (t.netns() == null ? "" : " in " + t.netns())));
            case NetdevConfig.StreamServer s -> listen(claims, s.address());
            case NetdevConfig.Datagram d when d.local() instanceof DatagramEndpoint.Unix u ->
                    claims.add(unixPath(Path.of(u.path())));
            case NetdevConfig.VhostUser v -> claims.add(unixPath(v.path()));
            case NetdevConfig.Vde v when v.server() -> claims.add(new Claim("path " + fileIdentity(v.dir()), null,
                    "the VDE switch directory " + v.dir()));
            case NetdevConfig.User u -> {
                if (u.user().leaseFile() != null) { // two networks writing one file would lose each other's leases
                    claims.add(new Claim("path " + fileIdentity(u.user().leaseFile()), null, "leasefile=" + u.user().leaseFile()));
                }
                for (UserConfig.HostForward f : u.user().hostForwards()) {
                    if (f.hostPort() != 0) {
                        claims.add(port(f.udp() ? "UDP" : "TCP", new InetSocketAddress(f.hostAddress().toInetAddress(), f.hostPort())));
                    }
                }
            }
            case NetdevConfig.Vxlan x -> claims.add(new Claim(
                    "vxlan " + (x.ipv6() ? 6 : 4) + " " + x.dstport() + " " + x.vni(), null,
                    "VNI " + x.vni() + " on UDP port " + x.dstport() + (x.ipv6() ? " over IPv6" : "")));
            default -> { }
        }
        return claims;
    }

    private static void listen(List<Claim> claims, SocketAddress address) {
        if (address instanceof UnixDomainSocketAddress u) {
            claims.add(unixPath(u.getPath()));
        } else if (address instanceof InetSocketAddress inet && inet.getPort() != 0 && inet.getAddress() != null) {
            claims.add(port("TCP", inet));
        }
    }

    /** A {@code protocol} ("TCP", "UDP") port bound on an address, or on all of a family (a host forward's too). */
    private static Claim port(String protocol, InetSocketAddress inet) {
        return new Claim(protocol, inet, protocol + " port " + inet.getPort()
                + (inet.getAddress().isAnyLocalAddress() ? "" : " on " + inet.getAddress().getHostAddress()));
    }

    /**
     * Whether two sockets of one protocol cannot both bind (neither sets SO_REUSEPORT): the same port, and the
     * same address, or a wildcard of the other's family, or {@code [::]} (dual-stack, net.ipv6.bindv6only 0, the default) beside anything.
     */
    private static boolean clash(InetSocketAddress a, InetSocketAddress b) {
        if (a.getPort() != b.getPort()) {
            return false;
        }
        InetAddress x = a.getAddress();
        InetAddress y = b.getAddress();
        boolean sameFamily = x.getClass() == y.getClass();
        return x.equals(y)
                || x.isAnyLocalAddress() && (sameFamily || x instanceof Inet6Address)
                || y.isAnyLocalAddress() && (sameFamily || y instanceof Inet6Address);
    }

    private static Claim unixPath(Path path) {
        return new Claim("path " + fileIdentity(path), null, "the unix socket " + path);
    }

    /**
     * The namespace a netns= path names, however it is spelled ({@code /run/netns/x}, a symbolic link to it,
     * {@code /proc/PID/ns/net}): its nsfs device and inode, as {@code ip netns identify} compares them; no
     * path is the daemon's own namespace, {@code /proc/self/ns/net}.
     */
    private static String namespaceIdentity(Path netns) {
        Path file = netns == null ? Path.of("/proc/self/ns/net") : netns;
        try {
            return Files.getAttribute(file, "unix:dev") + ":" + Files.getAttribute(file, "unix:ino");
        } catch (IOException | UnsupportedOperationException e) {
            return file.toAbsolutePath().normalize().toString(); // gone since it was read: the start says so
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
