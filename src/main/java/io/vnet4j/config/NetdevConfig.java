package io.vnet4j.config;

import io.vnet4j.base.TcpKeepAlive;
import io.vnet4j.os.DatagramEndpoint;
import io.vnet4j.os.FileAccess;
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
    /**
     * The netdev's id.
     *
     * @return {@code id=}, a legacy {@code -net}'s {@code name=} or a made-up one
     */
    String id();

    /**
     * The QEMU netdev type it was given as.
     *
     * @return {@code socket}, {@code stream}, {@code dgram}, {@code user}, {@code tap}, {@code vde}, {@code vxlan}
     *     or {@code vhost-user}
     */
    String type();

    /**
     * The hub its ports are on.
     *
     * @return the hub's number ({@code hubid=}, a legacy {@code -net}'s {@code vlan=})
     */
    int hub();

    /**
     * Its settings as {@code info network} shows them, in QEMU's words.
     *
     * @return e.g. {@code listen=:8010}
     */
    String settings();

    /**
     * Listens on a TCP or unix address; each accepted connection is a port.
     *
     * @param id the netdev's id ({@code id=}; a legacy {@code -net}'s {@code name=} or a made-up one)
     * @param type the QEMU netdev type it was given as ({@code socket}, {@code stream}, ...)
     * @param hub the hub's number ({@code hubid=}, a legacy {@code -net}'s {@code vlan=})
     * @param settings what {@code info network} shows of it
     * @param address the address listened on: an {@link java.net.InetSocketAddress} or a
     *     {@link java.net.UnixDomainSocketAddress}
     * @param keepAlive TCP keep-alive on each accepted connection; null: none
     */
    record StreamServer(String id, String type, int hub, String settings, SocketAddress address, TcpKeepAlive keepAlive)
            implements NetdevConfig {
        /** Without keep-alive. */
        public StreamServer(String id, String type, int hub, String settings, SocketAddress address) {
            this(id, type, hub, settings, address, null);
        }
    }

    /**
     * Connects to a TCP or unix address; with {@code reconnectMillis} &gt; 0, again after each loss.
     *
     * @param id the netdev's id ({@code id=}; a legacy {@code -net}'s {@code name=} or a made-up one)
     * @param type the QEMU netdev type it was given as ({@code socket}, {@code stream}, ...)
     * @param hub the hub's number ({@code hubid=}, a legacy {@code -net}'s {@code vlan=})
     * @param settings what {@code info network} shows of it
     * @param address the address connected to: an {@link java.net.InetSocketAddress} or a
     *     {@link java.net.UnixDomainSocketAddress}
     * @param reconnectMillis the delay before connecting again after a loss; 0: no reconnecting, and the
     *     connection must succeed at start
     * @param keepAlive TCP keep-alive on each connection; null: none
     */
    record StreamClient(String id, String type, int hub, String settings, SocketAddress address,
                        long reconnectMillis, TcpKeepAlive keepAlive) implements NetdevConfig {
        /** Without keep-alive. */
        public StreamClient(String id, String type, int hub, String settings, SocketAddress address, long reconnectMillis) {
            this(id, type, hub, settings, address, reconnectMillis, null);
        }
    }

    /**
     * Frames as datagrams from {@code local} to {@code remote} (a multicast group when it is one).
     *
     * @param id the netdev's id ({@code id=}; a legacy {@code -net}'s {@code name=} or a made-up one)
     * @param type the QEMU netdev type it was given as ({@code socket}, {@code stream}, ...)
     * @param hub the hub's number ({@code hubid=}, a legacy {@code -net}'s {@code vlan=})
     * @param settings what {@code info network} shows of it
     * @param local the address datagrams are received on
     * @param remote the address datagrams are sent to; a multicast group is joined
     * @param interfaceAddress the interface a multicast group is joined on, or null for the kernel's choice
     */
    record Datagram(String id, String type, int hub, String settings, DatagramEndpoint local,
                    DatagramEndpoint remote, Inet4Address interfaceAddress) implements NetdevConfig {}

    /**
     * A VDE plug that joins the switch at {@code dir} ({@code -netdev vde,sock=DIR}), or with {@code server}
     * vnet4j's own VDE switch there. {@code port} 0: any; {@code group} null: unchanged; {@code mode}: the
     * permission bits of the data socket (plug) or of the control and data sockets (switch).
     *
     * @param id the netdev's id ({@code id=}; a legacy {@code -net}'s {@code name=} or a made-up one)
     * @param type the QEMU netdev type it was given as ({@code socket}, {@code stream}, ...)
     * @param hub the hub's number ({@code hubid=}, a legacy {@code -net}'s {@code vlan=})
     * @param settings what {@code info network} shows of it
     * @param dir the switch's directory ({@code sock=}), holding its {@code ctl} socket
     * @param server true for vnet4j's own switch ({@code server=on}), false for a plug into another's
     * @param port the switch port asked for ({@code port=}), 0 for any
     * @param group the group the sockets are given ({@code group=}), or null to leave it
     * @param mode the sockets' permission bits ({@code mode=}, octal on the command line)
     */
    record Vde(String id, String type, int hub, String settings, java.nio.file.Path dir, boolean server, int port,
               String group, int mode) implements NetdevConfig {}

    /**
     * A VXLAN tunnel endpoint (RFC 7348) on an IPv4 or IPv6 underlay (every address of one family): frames of VNI {@code vni} to {@code remotes}
     * (unicast; several: each flood goes to all) or to multicast {@code group} on interface {@code dev}
     * (flood-and-learn). {@code local} null: any address; {@code srcLow}/{@code srcHigh} 0: the
     * namespace's local port range, as Linux.
     *
     * @param id the netdev's id ({@code id=}; a legacy {@code -net}'s {@code name=} or a made-up one)
     * @param type the QEMU netdev type it was given as ({@code socket}, {@code stream}, ...)
     * @param hub the hub's number ({@code hubid=}, a legacy {@code -net}'s {@code vlan=})
     * @param settings what {@code info network} shows of it
     * @param vni the VXLAN network identifier, 24 bits
     * @param local the address datagrams leave from, or null for any
     * @param remotes the remote VTEPs, unicast ({@code remote=}, repeatable); empty with a {@code group}
     * @param group the multicast group of the flood-and-learn mode, or null
     * @param dev the interface the group is joined on ({@code dev=}), or null
     * @param dstport the UDP port of the VTEPs (default 4789)
     * @param srcLow the lowest UDP source port, 0 for the namespace's local port range
     * @param srcHigh the highest UDP source port, 0 for the namespace's local port range
     */
    record Vxlan(String id, String type, int hub, String settings, int vni, InetAddress local,
                 List<InetAddress> remotes, InetAddress group, String dev, int dstport, int srcLow, int srcHigh,
                 boolean udp6ZeroChecksumRx)
            implements NetdevConfig {
        /**
         * Copies the list of remotes, so that the record is immutable.
         *
         * @param id the netdev's id ({@code id=}; a legacy {@code -net}'s {@code name=} or a made-up one)
         * @param type the QEMU netdev type it was given as ({@code socket}, {@code stream}, ...)
         * @param hub the hub's number ({@code hubid=}, a legacy {@code -net}'s {@code vlan=})
         * @param settings what {@code info network} shows of it
         * @param vni the VXLAN network identifier, 24 bits
         * @param local the address datagrams leave from, or null for any
         * @param remotes the remote VTEPs, unicast; empty with a {@code group}
         * @param group the multicast group of the flood-and-learn mode, or null
         * @param dev the interface the group is joined on, or null
         * @param dstport the UDP port of the VTEPs
         * @param srcLow the lowest UDP source port, 0 for the namespace's local port range
         * @param srcHigh the highest UDP source port, 0 for the namespace's local port range
         * @param udp6ZeroChecksumRx whether IPv6 datagrams with a zero UDP checksum are taken ({@code udp6zerocsumrx=on})
         */
        public Vxlan {
            remotes = List.copyOf(remotes);
        }

        /**
         * Whether the underlay is IPv6.
         *
         * @return true when the group, or else the first remote, is an IPv6 address
         */
        public boolean ipv6() {
            return (group != null ? group : remotes.get(0)) instanceof Inet6Address;
        }
    }

    /**
     * The user-mode gateway ({@code -netdev user}).
     *
     * @param id the netdev's id ({@code id=}; a legacy {@code -net}'s {@code name=} or a made-up one)
     * @param type the QEMU netdev type it was given as ({@code socket}, {@code stream}, ...)
     * @param hub the hub's number ({@code hubid=}, a legacy {@code -net}'s {@code vlan=})
     * @param settings what {@code info network} shows of it
     * @param user the gateway's settings
     */
    record User(String id, String type, int hub, String settings, UserConfig user) implements NetdevConfig {}

    /**
     * A TAP device ({@code -netdev tap}); {@code ifname} empty lets the kernel pick; {@code script} and
     * {@code downscript} null when none; {@code netns} null for this namespace; {@code userns} the user
     * namespace that owns {@code netns} ({@code userns=}, slirp4netns's --userns-path), null to find it from
     * the namespace, used only when the namespace cannot be entered directly; {@code configure} non-null
     * when {@code configure=on}, resolved from the hub's user network; {@code mtu} 0 leaves it.
     *
     * @param id the netdev's id ({@code id=}; a legacy {@code -net}'s {@code name=} or a made-up one)
     * @param type the QEMU netdev type it was given as ({@code socket}, {@code stream}, ...)
     * @param hub the hub's number ({@code hubid=}, a legacy {@code -net}'s {@code vlan=})
     * @param settings what {@code info network} shows of it
     * @param ifname the interface's name ({@code ifname=}), empty for the kernel's choice
     * @param script the script run with the interface's name once it is up, or null
     * @param downscript the script run with the interface's name before it goes away, or null
     * @param netns the network namespace the TAP is made in ({@code netns=}), or null for this one
     * @param userns the user namespace that owns {@code netns} ({@code userns=}), or null to find it
     * @param configure what {@code configure=on} sets, or null without it
     * @param mtu the interface's MTU ({@code mtu=}), 0 to leave it
     * @param vnetHeader whether the TAP carries virtio-net headers, with their offloads ({@code vnet_hdr=})
     */
    record Tap(String id, String type, int hub, String settings, String ifname, java.nio.file.Path script,
               java.nio.file.Path downscript, java.nio.file.Path netns, java.nio.file.Path userns, Configure configure,
               int mtu, boolean vnetHeader) implements NetdevConfig {
        /**
         * What {@code configure=on} sets: an IPv4 address, prefix and default route, the MTU, and the MAC of
         * {@code mac=} ({@link io.vnet4j.os.InterfaceSetup#KERNEL_MAC} without it); address 0 with
         * {@code ipv4=off} on the user network: no IPv4 at all (IPv6 comes by SLAAC either way).
         *
         * @param address the interface's IPv4 address (the user network's .100), or 0 for none
         * @param prefixLength the length of the address's network prefix
         * @param gateway the default route's gateway, the user network's host address
         * @param mtu the interface's MTU
         * @param mac the interface's MAC as 48 bits, or {@link io.vnet4j.os.InterfaceSetup#KERNEL_MAC}
         */
        public record Configure(int address, int prefixLength, int gateway, int mtu, long mac) {
            /**
             * Whether an IPv4 address is set.
             *
             * @return false when the user network has {@code ipv4=off}
             */
            public boolean ipv4() {
                return address != 0;
            }
        }

        Tap withConfigure(Configure c) {
            return new Tap(id, type, hub, settings, ifname, script, downscript, netns, userns, c, mtu, vnetHeader);
        }

        /**
         * The same options with the interface's name the kernel gave it (ifname= left out: tap%d).
         *
         * @param name the interface's name
         * @return the options naming it
         */
        public Tap withIfname(String name) {
            return new Tap(id, type, hub, settings, name, script, downscript, netns, userns, configure, mtu, vnetHeader);
        }
    }

    /**
     * A vhost-user back-end for one QEMU front-end at a time on unix socket {@code path}: listening there
     * ({@code server}), or connecting to QEMU's socket there ({@code server=off}), again after each loss.
     *
     * @param id the netdev's id
     * @param type {@code vhost-user}
     * @param hub the hub's number
     * @param settings what {@code info network} shows of it
     * @param server vnet4j listens on {@code path} (QEMU's {@code -chardev socket,path=} connects); false: QEMU
     *     listens there ({@code -chardev socket,...,server=on,wait=off}) and vnet4j connects
     * @param reconnectMillis a client's pace of connecting while nothing listens at {@code path}; 0 for a server
     * @param group a server's socket's group ({@code group=}), or null: this process's
     * @param mode a server's socket's permission bits ({@code mode=}), or {@link FileAccess#AS_MADE}: as the umask makes them
     */
    record VhostUser(String id, String type, int hub, String settings, java.nio.file.Path path, boolean server,
                     long reconnectMillis, String group, int mode) implements NetdevConfig {
        /** A back-end listening on {@code path}, its socket's access as the umask makes it. */
        public VhostUser(String id, String type, int hub, String settings, java.nio.file.Path path) {
            this(id, type, hub, settings, path, true, 0, null, FileAccess.AS_MADE);
        }
    }
}
