package io.vnet4j.base;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The host's TCP and UDP sockets of a given family, opened so that a JVM without IPv6 says so as an
 * {@link IOException} naming it, not as the JDK's {@link UnsupportedOperationException}. The JDK decides once,
 * at its start, whether the host has IPv6: not when {@code socket(AF_INET6)} fails ({@code ipv6.disable=1}),
 * nor when no interface has an IPv6 address ({@code /proc/net/if_inet6} empty:
 * {@code net.ipv6.conf.all.disable_ipv6=1}, as in many containers), nor when standard input is an IPv4 socket
 * (started by inetd); then every INET6 socket's open throws. A guest's IPv6 connection there is answered as the
 * kernel would answer a connect with no IPv6 route, Network is unreachable (as libslirp's tcp_fconnect
 * failing); a listener's open fails naming it.
 */
public final class HostSockets {
    /** An INET6 socket in a JVM that found no IPv6 on the host; its message starts "Network is unreachable". */
    public static final class NoIpv6 extends SocketException {
        NoIpv6() {
            super("Network is unreachable (no IPv6 on this host: the JVM found none when it started)");
        }
    }

    /**
     * The listen queue every listener asks for: Linux's SOMAXCONN (4096 since 5.4; the kernel caps it at
     * net.core.somaxconn), as Go's listeners (gvisor-tap-vsock's) ask. The JDK's default, 50, held a burst of clients
     * only while the accepting thread kept up: a TCP client beyond it waited 1 s for its SYN's retransmission, a unix
     * client's non-blocking connect (the gateway's to its DNS-over-TCP bridge) failed with EAGAIN.
     */
    public static final int LISTEN_BACKLOG = 4096;

    private HostSockets() {
    }

    /** A TCP socket of {@code family} (INET, INET6 or UNIX). */
    public static SocketChannel tcp(ProtocolFamily family) throws IOException {
        try {
            return SocketChannel.open(family);
        } catch (UnsupportedOperationException e) {
            throw unsupported(family, e);
        }
    }

    /** A TCP listening socket of {@code family}, not bound. */
    public static ServerSocketChannel listener(ProtocolFamily family) throws IOException {
        try {
            return ServerSocketChannel.open(family);
        } catch (UnsupportedOperationException e) {
            throw unsupported(family, e);
        }
    }

    /** A UDP socket of {@code family}, not bound. */
    public static DatagramChannel udp(ProtocolFamily family) throws IOException {
        try {
            return DatagramChannel.open(family);
        } catch (UnsupportedOperationException e) {
            throw unsupported(family, e);
        }
    }

    private static IOException unsupported(ProtocolFamily family, UnsupportedOperationException e) {
        if (family != StandardProtocolFamily.INET6) {
            throw e; // not the missing IPv6 this class is for: a bug's, said as such
        }
        return new NoIpv6();
    }
}
