package io.vnet4j.usernet;

import io.vnet4j.base.HostSockets;
import io.vnet4j.config.UserConfig;
import io.vnet4j.os.Ipv6Only;
import io.vnet4j.os.PrivilegedPorts;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;

/**
 * The host side of a {@code hostfwd=} rule: its socket opened ({@link HostSockets}: a JVM without IPv6 says so)
 * and bound, non-blocking, on the rule's address and port; a failure names the rule's host side.
 */
final class HostForwardSockets {
    private HostForwardSockets() {
    }

    /** A TCP rule's listening socket, not yet bound; the rule named when it cannot be had (no IPv6, say). */
    static ServerSocketChannel tcpListener(UserConfig.HostForward forward) throws IOException {
        try {
            return ipv6Only(HostSockets.listener(family(forward)), forward);
        } catch (IOException e) {
            throw failed(forward, e);
        }
    }

    /** A UDP rule's socket, not yet bound; the rule named when it cannot be had (no IPv6 on the host, say). */
    static DatagramChannel udpSocket(UserConfig.HostForward forward) throws IOException {
        try {
            return ipv6Only(HostSockets.udp(family(forward)), forward);
        } catch (IOException e) {
            throw failed(forward, e);
        }
    }

    /** {@code channel}, IPv6 only when the rule says so ({@link UserConfig.HostForward#ipv6Only}); closed when that fails. */
    private static <C extends SelectableChannel> C ipv6Only(C channel, UserConfig.HostForward forward) throws IOException {
        if (forward.ipv6Only()) {
            try {
                Ipv6Only.set(channel);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        }
        return channel;
    }

    private static StandardProtocolFamily family(UserConfig.HostForward forward) {
        return forward.hostAddress().isIpv4() ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
    }

    private static IOException failed(UserConfig.HostForward forward, IOException e) {
        return new IOException("hostfwd=" + (forward.udp() ? "udp:" : "tcp:") + forward.hostAddress().toUriString()
                + ":" + forward.hostPort() + ": " + e.getMessage() + PrivilegedPorts.hint(e.getMessage(),
                forward.hostPort()), e);
    }

    /**
     * Binds {@code channel} (a TCP listener or a UDP socket, as the rule's protocol, of its address family)
     * where {@code forward} says, and makes it non-blocking; closes it when that fails.
     *
     * @return the rule on the port bound (the kernel's pick for port 0, {@link UserConfig.HostForward#boundTo})
     * @throws IOException when the bind fails (EADDRINUSE, EACCES below 1024 unprivileged, ...), naming the rule's
     *         host side: {@code hostfwd=tcp:127.0.0.1:5555: Address already in use}
     */
    static <C extends SelectableChannel & NetworkChannel> UserConfig.HostForward bind(C channel,
            UserConfig.HostForward forward) throws IOException {
        try {
            InetSocketAddress local = new InetSocketAddress(forward.hostAddress().toInetAddress(), forward.hostPort());
            if (channel instanceof ServerSocketChannel listener) {
                listener.bind(local, HostSockets.LISTEN_BACKLOG);
            } else {
                channel.bind(local);
            }
            channel.configureBlocking(false);
            return forward.boundTo(((InetSocketAddress) channel.getLocalAddress()).getPort());
        } catch (IOException e) {
            channel.close();
            throw failed(forward, e);
        }
    }
}
