package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.config.UserConfig;
import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * A burst of clients waits in the listen queue while the loop accepts: the JDK's default backlog of 50
     * overflowed under 52 quick connects (a helper's replay: every 51st of 1,000 sequential connects to a
     * forwarded port waited for its SYN's retransmission, 1 s, and 4,000 took 54 s where the other way took 0.8).
     * Nothing accepts here, so the 120 connects complete only if the queue holds them (120: within the
     * net.core.somaxconn of kernels before 5.4, 128).
     */
    @Test
    void aBurstOfClientsWaitsInTheListenQueueNotInSynRetransmissions() throws IOException {
        try (ServerSocketChannel listener = HostForwardSockets.tcpListener(rule(false, "127.0.0.1", 0))) {
            int port = HostForwardSockets.bind(listener, rule(false, "127.0.0.1", 0)).hostPort();
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 120; i++) {
                    Socket client = new Socket();
                    clients.add(client);
                    client.connect(new InetSocketAddress("127.0.0.1", port), 3000);
                }
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
            assertThat(clients).allMatch(Socket::isConnected);
        }
    }
}
