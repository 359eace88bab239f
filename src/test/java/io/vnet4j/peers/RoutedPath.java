package io.vnet4j.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A daemon whose host reaches a far host through a router, and a guest on the daemon's {@code configure=on}
 * TAP: four namespaces, all the test's own. The daemon's (198.51.100.1/30, 2001:db8:1::1/64), the router's
 * (198.51.100.2/30 and 198.51.100.5/30, 2001:db8:1::2 and 2001:db8:2::1), the far host's (198.51.100.6/30,
 * 2001:db8:2::2) and the guest's. The link from the router to the far host has the MTU given (1500 is
 * veth's default), so a path MTU smaller than the guest's link's can be met on the way.
 */
final class RoutedPath implements AutoCloseable {
    static final String FAR4 = "198.51.100.6";
    static final String FAR6 = "2001:db8:2::2";
    static final String ROUTER4 = "198.51.100.2";

    private final List<NetNamespace> namespaces = new ArrayList<>();
    final NetNamespace host;
    final NetNamespace router;
    final NetNamespace far;
    final NetNamespace guest;
    private VnetProcess daemon;

    /**
     * Makes the namespaces tagged {@code tag} and starts the daemon in the host's, with {@code farLinkMtu} on
     * the router's link to the far host and {@code pingGroupRange} as the host's net.ipv4.ping_group_range
     * (null: the namespace's default, "1 0", which refuses ping sockets: the proxy, root here, takes raw ones);
     * {@code userOptions} follow {@code -netdev user,id=u} (",mtu=65520", say).
     */
    RoutedPath(String tag, int farLinkMtu, String pingGroupRange, String userOptions) throws Exception {
        host = namespace(tag + "h");
        router = namespace(tag + "r");
        far = namespace(tag + "f");
        guest = namespace(tag + "g");
        for (NetNamespace ns : namespaces) {
            ns.execOk("ip", "link", "set", "lo", "up");
        }
        PeerTools.execOk("ip", "link", "add", "h0", "netns", host.name(), "type", "veth", "peer", "name", "r0", "netns", router.name());
        PeerTools.execOk("ip", "link", "add", "r1", "netns", router.name(), "type", "veth", "peer", "name", "f0", "netns", far.name());
        router.execOk("ip", "link", "set", "r1", "mtu", String.valueOf(farLinkMtu));
        far.execOk("ip", "link", "set", "f0", "mtu", String.valueOf(farLinkMtu));
        address(host, "h0", "198.51.100.1/30", "2001:db8:1::1/64");
        address(router, "r0", ROUTER4 + "/30", "2001:db8:1::2/64");
        address(router, "r1", "198.51.100.5/30", "2001:db8:2::1/64");
        address(far, "f0", FAR4 + "/30", FAR6 + "/64");
        host.execOk("ip", "route", "add", "default", "via", ROUTER4);
        host.execOk("ip", "-6", "route", "add", "default", "via", "2001:db8:1::2");
        far.execOk("ip", "route", "add", "default", "via", "198.51.100.5");
        far.execOk("ip", "-6", "route", "add", "default", "via", "2001:db8:2::1");
        router.execOk("sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1");
        if (pingGroupRange != null) {
            host.execOk("sysctl", "-qw", "net.ipv4.ping_group_range=" + pingGroupRange);
        }
        daemon = VnetProcess.startIn(host.name(), "--control", "none",
                "-netdev", "user,id=u" + userOptions, "-netdev", "tap,id=g,ifname=tap0,configure=on,netns=/run/netns/" + guest.name());
        guest.await("ip addr show tap0 | grep -q 10.0.2.100", Duration.ofSeconds(15));
    }

    private NetNamespace namespace(String tag) {
        NetNamespace ns = NetNamespace.create("vnet4j-it-" + tag + "-" + ProcessHandle.current().pid());
        namespaces.add(ns);
        return ns;
    }

    private static void address(NetNamespace ns, String device, String ipv4, String ipv6) {
        ns.execOk("ip", "addr", "add", ipv4, "dev", device);
        ns.execOk("ip", "addr", "add", ipv6, "dev", device, "nodad");
        ns.execOk("ip", "link", "set", device, "up");
    }

    @Override
    public void close() {
        if (daemon != null) {
            daemon.close();
        }
        namespaces.forEach(NetNamespace::close);
    }
}
