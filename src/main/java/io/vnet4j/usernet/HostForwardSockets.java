package io.vnet4j.usernet;

import io.vnet4j.config.UserConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;

/** The host side of a {@code hostfwd=} rule: its socket bound, non-blocking, on the rule's address and port. */
final class HostForwardSockets {
    private HostForwardSockets() {
    }

    /** The protocol family of the rule's host address, for the channel's open. */
    static StandardProtocolFamily family(UserConfig.HostForward forward) {
        return forward.hostAddress().isIpv4() ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
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
            channel.bind(new InetSocketAddress(forward.hostAddress().toInetAddress(), forward.hostPort()));
            channel.configureBlocking(false);
            return forward.boundTo(((InetSocketAddress) channel.getLocalAddress()).getPort());
        } catch (IOException e) {
            channel.close();
            throw new IOException("hostfwd=" + (forward.udp() ? "udp:" : "tcp:") + forward.hostAddress().toUriString()
                    + ":" + forward.hostPort() + ": " + e.getMessage(), e);
        }
    }
}
