package io.vnet4j.usernet.flow;

import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.channels.NetworkChannel;

/**
 * The host addresses NAT'd sockets leave from, per family: {@code outbound-addr=} and
 * {@code outbound-addr6=} (libslirp's outbound_addr, slirp4netns's {@code --outbound-addr}); null where the
 * kernel picks.
 */
public record OutboundAddresses(IpAddress ipv4, IpAddress ipv6) {
    /** Neither given: the kernel picks the source address of every socket. */
    public static final OutboundAddresses KERNEL = new OutboundAddresses(null, null);

    /** The local address (port 0) a socket to {@code target} binds to, or null to leave it to the kernel. */
    public InetSocketAddress localFor(InetSocketAddress target) {
        IpAddress source = target.getAddress() instanceof Inet4Address ? ipv4 : ipv6;
        return source == null ? null : new InetSocketAddress(source.toInetAddress(), 0);
    }

    /**
     * Binds {@code channel}, a TCP socket towards {@code target}, to {@link #localFor} its family, or leaves it
     * unbound for the kernel to pick when that is null.
     *
     * @throws IOException when the bind fails (the address gone from the host, say)
     */
    public void bindFor(NetworkChannel channel, InetSocketAddress target) throws IOException {
        InetSocketAddress local = localFor(target);
        if (local != null) {
            channel.bind(local);
        }
    }
}
