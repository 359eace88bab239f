package io.vnet4j.config;

import io.vnet4j.os.DatagramEndpoint;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.util.List;

/**
 * One parsed {@code -netdev} or legacy {@code -net}: what to build and on which hub. {@code settings} is
 * the description shown by {@code info network}, in QEMU's words ({@code listen=:8010}).
 */
public sealed interface NetdevConfig {
    String id();

    String type();

    int hub();

    String settings();

    /** Listens on a TCP or unix address; each accepted connection is a port. */
    record StreamServer(String id, String type, int hub, String settings, SocketAddress address)
            implements NetdevConfig {}

    /** Connects to a TCP or unix address; with {@code reconnectMillis} > 0, again after each loss. */
    record StreamClient(String id, String type, int hub, String settings, SocketAddress address,
                        long reconnectMillis) implements NetdevConfig {}

    /** Frames as datagrams from {@code local} to {@code remote} (a multicast group when it is one). */
    record Datagram(String id, String type, int hub, String settings, DatagramEndpoint local,
                    DatagramEndpoint remote, Inet4Address interfaceAddress) implements NetdevConfig {}

    /**
     * A VDE plug that joins the switch at {@code dir} ({@code -netdev vde,sock=DIR}), or with {@code server}
     * vnet4j's own VDE switch there. {@code port} 0: any; {@code group} null: unchanged; {@code mode}: the
     * permission bits of the data socket (plug) or of the control and data sockets (switch).
     */
    record Vde(String id, String type, int hub, String settings, java.nio.file.Path dir, boolean server, int port,
               String group, int mode) implements NetdevConfig {}

    /**
     * A VXLAN tunnel endpoint (RFC 7348) on an IPv4 or IPv6 underlay (every address of one family): frames of VNI {@code vni} to {@code remotes}
     * (unicast; several: each flood goes to all) or to multicast {@code group} on interface {@code dev}
     * (flood-and-learn). {@code local} null: any address; {@code srcLow}/{@code srcHigh} 0: the
     * namespace's local port range, as Linux.
     */
    record Vxlan(String id, String type, int hub, String settings, int vni, InetAddress local,
                 List<InetAddress> remotes, InetAddress group, String dev, int dstport, int srcLow, int srcHigh)
            implements NetdevConfig {
        public Vxlan {
            remotes = List.copyOf(remotes);
        }

        /** Whether the underlay is IPv6. */
        public boolean ipv6() {
            return (group != null ? group : remotes.get(0)) instanceof Inet6Address;
        }
    }

    /** The user-mode gateway ({@code -netdev user}). */
    record User(String id, String type, int hub, String settings, UserConfig user) implements NetdevConfig {}

    /**
     * A TAP device ({@code -netdev tap}); {@code ifname} empty lets the kernel pick; {@code script} and
     * {@code downscript} null when none; {@code netns} null for this namespace; {@code userns} the user
     * namespace that owns {@code netns} ({@code userns=}, slirp4netns's --userns-path), null to find it from
     * the namespace, used only when the namespace cannot be entered directly; {@code configure} non-null
     * when {@code configure=on}, resolved from the hub's user network; {@code mtu} 0 leaves it.
     */
    record Tap(String id, String type, int hub, String settings, String ifname, java.nio.file.Path script,
               java.nio.file.Path downscript, java.nio.file.Path netns, java.nio.file.Path userns, Configure configure,
               int mtu, boolean vnetHeader) implements NetdevConfig {
        /**
         * What {@code configure=on} sets: an IPv4 address, prefix and default route, the MTU, and the MAC of
         * {@code mac=} ({@link io.vnet4j.os.InterfaceSetup#KERNEL_MAC} without it); address 0 with
         * {@code ipv4=off} on the user network: no IPv4 at all (IPv6 comes by SLAAC either way).
         */
        public record Configure(int address, int prefixLength, int gateway, int mtu, long mac) {
            public boolean ipv4() {
                return address != 0;
            }
        }

        Tap withConfigure(Configure c) {
            return new Tap(id, type, hub, settings, ifname, script, downscript, netns, userns, c, mtu, vnetHeader);
        }
    }
}
