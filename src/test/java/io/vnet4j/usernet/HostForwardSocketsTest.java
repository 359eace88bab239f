package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.config.UserConfig;
import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import org.junit.jupiter.api.Test;

class HostForwardSocketsTest {
    private static UserConfig.HostForward rule(boolean udp, String host, int port) {
        return new UserConfig.HostForward(udp, IpAddress.parse(host), port, IpAddress.parse("10.0.2.15"), 22, false);
    }

    @Test
    void aPortTakenIsSaidWithTheRulesHostSideAndTheChannelClosed() throws IOException {
        try (DatagramChannel holder = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) holder.getLocalAddress()).getPort();
            DatagramChannel channel = HostForwardSockets.udpSocket(rule(true, "127.0.0.1", port));
            assertThatThrownBy(() -> HostForwardSockets.bind(channel, rule(true, "127.0.0.1", port)))
                    .isInstanceOf(IOException.class)
                    .hasMessage("hostfwd=udp:127.0.0.1:" + port + ": Address already in use");
            assertThat(channel.isOpen()).isFalse();
        }
    }

    @Test
    void portZeroIsTheKernelsPickInTheRuleReturnedAndTheSocketIsNonBlocking() throws IOException {
        try (ServerSocketChannel listener = HostForwardSockets.tcpListener(rule(false, "::1", 0))) {
            UserConfig.HostForward bound = HostForwardSockets.bind(listener, rule(false, "::1", 0));
            assertThat(bound.hostPort()).isPositive()
                    .isEqualTo(((InetSocketAddress) listener.getLocalAddress()).getPort());
            assertThat(listener.isBlocking()).isFalse();
        }
    }
}
