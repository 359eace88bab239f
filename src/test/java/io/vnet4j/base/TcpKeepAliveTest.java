package io.vnet4j.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

class TcpKeepAliveTest {
    /** The times and count given are set; a 0 leaves the system's. */
    @Test
    void setsSoKeepAliveAndTheTimesAndCountGiven() throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel a = SocketChannel.open(listener.getLocalAddress()); SocketChannel b = SocketChannel.open(
                    listener.getLocalAddress())) {
                int systemsInterval = a.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL);
                new TcpKeepAlive(30, 5, 3).apply(a);
                assertThat(a.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
                assertThat(a.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(30);
                assertThat(a.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(5);
                assertThat(a.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(3);
                new TcpKeepAlive(40, 0, 0).apply(b);
                assertThat(b.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
                assertThat(b.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(40);
                assertThat(b.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(systemsInterval);
            }
        }
    }

    @Test
    void saysItselfAsQemusOption() {
        assertThat(new TcpKeepAlive(0, 0, 0).settings()).isEqualTo(",addr.keep-alive=on");
        assertThat(new TcpKeepAlive(30, 0, 3).settings()).isEqualTo(",addr.keep-alive=on,addr.keep-alive-idle=30,"
                + "addr.keep-alive-count=3");
    }
}
