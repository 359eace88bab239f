package io.vnet4j.os;

import java.io.IOException;
import java.nio.channels.SelectableChannel;

/**
 * ipv6(7) {@code IPV6_V6ONLY} on a JDK socket channel, which the JDK opens with it off and has no option for: an
 * AF_INET6 socket bound to {@code ::} with it on takes IPv6 only, so an AF_INET socket can bind the same port on
 * {@code 0.0.0.0} beside it (Linux's default, net.ipv6.bindv6only 0, lets {@code ::} take both families and
 * refuses the second bind with EADDRINUSE).
 */
public final class Ipv6Only {
    private Ipv6Only() {}

    /**
     * Turns {@code IPV6_V6ONLY} on for an AF_INET6 channel that is not bound yet.
     *
     * @throws IOException when the descriptor cannot be had ({@link ChannelDescriptors#available}) or the kernel
     *         refuses the option (an AF_INET socket, a bound one)
     */
    public static void set(SelectableChannel channel) throws IOException {
        int fd = ChannelDescriptors.of(channel);
        if (fd < 0) {
            throw new IOException("IPV6_V6ONLY: " + ChannelDescriptors.howToEnable());
        }
        NativeDatagramSocket.setIntOption(fd, Libc.IPPROTO_IPV6, Libc.IPV6_V6ONLY, 1, "IPV6_V6ONLY");
    }
}
