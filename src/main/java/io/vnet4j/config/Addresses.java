package io.vnet4j.config;

import io.vnet4j.base.HostText;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/** Parses QEMU's {@code host:port} and {@code [v6]:port} forms into socket addresses. */
final class Addresses {
    private static final String NO_PEER_BROADCAST = "255.255.255.255 is the limited broadcast address, not a peer";

    private Addresses() {}

    private static boolean isLimitedBroadcast(InetAddress address) {
        return address instanceof Inet4Address && address.getHostAddress().equals("255.255.255.255");
    }

    /**
     * Parses {@code [host]:port}; an empty host means {@code emptyHost}. IPv6 literals go in brackets.
     *
     * @param what the option, for messages (e.g. "listen")
     */
    static InetSocketAddress hostPort(OptionString o, String what, String text, String emptyHost, int minPort)
            throws ConfigException {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw o.error(what + ": expected host:port, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            if (emptyHost == null) {
                throw o.error(what + ": expected host:port, the host is missing in '" + text + "'");
            }
            host = emptyHost;
        }
        int port = cPort(o, what, text.substring(colon + 1), minPort);
        return new InetSocketAddress(address(o, what, host), port);
    }

    /**
     * A port in decimal, as getaddrinfo reads a numeric service ({@code stream}'s {@code addr.port}: {@code 0100} is
     * 100).
     */
    static int port(OptionString o, String what, String text, int minPort) throws ConfigException {
        return port(o, what, text, minPort, false);
    }

    /**
     * A port as strtol with base 0 reads it ({@link OptionString#cInteger}): QEMU's {@code host:port} of the
     * {@code socket} netdev (parse_host_port) and {@code dgram}'s {@code local.port}/{@code remote.port}
     * (convert_host_port), where {@code 0100} is 64 and {@code 0x1f90} 8080; also iproute2's for vxlan's ports.
     */
    static int cPort(OptionString o, String what, String text, int minPort) throws ConfigException {
        return port(o, what, text, minPort, true);
    }

    private static int port(OptionString o, String what, String text, int minPort, boolean c) throws ConfigException {
        try {
            long port = c ? OptionString.cInteger(text) : Integer.parseInt(text);
            if (port >= minPort && port <= 65535) {
                return (int) port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw o.error(what + ": expected a port number from " + minPort + " to 65535, got '" + text + "'"
                + (c ? OptionString.octalHint(text) : ""));
    }

    /** A host to bind that may be empty (every interface), but must be given, as QEMU's schema has it. */
    static String optionalHost(OptionString o, String key, String what) throws ConfigException {
        String host = o.take(key);
        if (host == null) {
            throw o.error(key + "= is required (" + what + ", or empty for every interface)");
        }
        return host;
    }

    /** A literal ({@link HostText}, never looked up) or a name the system's resolver knows. */
    static InetAddress address(OptionString o, String what, String host) throws ConfigException {
        try {
            return HostText.resolve(host);
        } catch (IllegalArgumentException e) {
            throw o.error(what + ": " + e.getMessage());
        } catch (UnknownHostException e) {
            throw o.error(what + ": unknown host '" + host + "'");
        }
    }

    /** An address literal only ({@link HostText#literal}); a name is refused. */
    static InetAddress literal(OptionString o, String what, String host) throws ConfigException {
        if (!HostText.isLiteral(host)) {
            throw o.error(what + ": expected an IP address (no names), got '" + host + "'");
        }
        try {
            return HostText.literal(host);
        } catch (IllegalArgumentException e) {
            throw o.error(what + ": " + e.getMessage());
        }
    }

    /**
     * A peer that datagrams are sent to: 255.255.255.255 is refused, as the kernel refuses a send there
     * without SO_BROADCAST (EACCES, every frame) and no one peer has it.
     */
    static <A extends InetAddress> A peer(OptionString o, String what, A address) throws ConfigException {
        if (isLimitedBroadcast(address)) {
            throw o.error(what + ": " + NO_PEER_BROADCAST + " (expected a unicast address)");
        }
        return address;
    }

    /**
     * A datagram peer the local address can exchange frames with: a loopback address (127.0.0.0/8, ::1) reaches
     * this host alone, so with {@code remote} neither a loopback address nor one of this host's (nor a multicast
     * group, which a loopback interface joins) the kernel refuses every datagram sent (IPv4: EINVAL) and no other
     * host can send one to it. QEMU 7.2 starts so and drops every frame in silence (GNS3/gns3-server#96: "the local
     * IP of the UDP tunnel, it's always 127.0.0.1"); refused at start, as a broadcast peer is.
     *
     * @param elsewise what to give instead, named in the message
     */
    static void reachableFrom(OptionString o, String localWhat, InetAddress local, String remoteWhat, InetAddress remote,
            String elsewise) throws ConfigException {
        if (local == null || !local.isLoopbackAddress() || remote.isLoopbackAddress() || remote.isAnyLocalAddress()
                || remote.isMulticastAddress() || isOwn(remote)) {
            return;
        }
        String to = io.vnet4j.wire.IpAddress.of(remote).toString();
        throw o.error(localWhat + "=" + io.vnet4j.wire.IpAddress.of(local) + " is a loopback address, which reaches this host "
                + "alone, and " + remoteWhat + "=" + to + " is none of its addresses: no frame could go either way; give "
                + localWhat + "= the address of the interface toward " + to + " (" + elsewise + ")");
    }

    /** Whether {@code address} is one of this host's (in this network namespace); true when that cannot be told. */
    private static boolean isOwn(InetAddress address) {
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            return true;
        }
    }

    /**
     * The peer a TCP connection goes to: neither the limited broadcast address nor a multicast group, which
     * connect(2) refuses (ENETUNREACH) on every try; caught here so the user reads it at start rather than in
     * a reconnect loop.
     */
    static InetSocketAddress streamPeer(OptionString o, String what, InetSocketAddress address) throws ConfigException {
        String why = noStreamPeer(address.getAddress());
        if (why != null) {
            throw o.error(what + ": " + why + " (expected a unicast address)");
        }
        return address;
    }

    /** Why no TCP connection can go to {@code address}, or null when one can. */
    static String noStreamPeer(InetAddress address) {
        if (isLimitedBroadcast(address)) {
            return NO_PEER_BROADCAST;
        }
        if (address.isMulticastAddress()) {
            return io.vnet4j.wire.IpAddress.of(address) + " is a multicast group, which takes no TCP connection";
        }
        return null;
    }

    static Inet4Address ipv4(OptionString o, String what, String host) throws ConfigException {
        if (address(o, what, host) instanceof Inet4Address v4) {
            return v4;
        }
        throw o.error(what + ": expected an IPv4 address, got '" + host + "'");
    }
}
