package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader blocked in {@link NativeDatagramSocket#receive} has no time-out any more: {@code close()} must wake it,
 * on every kind of socket the daemon reads (UDP for dgram and VXLAN ports, unix datagrams for VDE, the ICMP
 * echo sockets of the user network's ping proxy).
 */
class NativeDatagramSocketCloseTest {
    @TempDir
    Path dir;

    @Test
    void closeWakesAReaderOfABoundUdpSocket() throws Exception {
        assertCloseWakesReader(NativeDatagramSocket.bound(new DatagramEndpoint.Inet(InetAddress.getLoopbackAddress(), 0), false));
    }

    @Test
    void closeWakesAReaderOfAConnectedUdpSocket() throws Exception {
        NativeDatagramSocket socket = NativeDatagramSocket.bound(new DatagramEndpoint.Inet(InetAddress.getLoopbackAddress(), 0), false);
        socket.connect(new DatagramEndpoint.Inet(InetAddress.getLoopbackAddress(), 9));
        assertCloseWakesReader(socket);
    }

    @Test
    void closeWakesAReaderOfAUnixDatagramSocket() throws Exception {
        assertCloseWakesReader(NativeDatagramSocket.bound(new DatagramEndpoint.Unix(dir.resolve("s").toString()), false));
        assertThat(Files.exists(dir.resolve("s"))).isTrue();
    }

    @Test
    void closeWakesAReaderOfAnIcmpEchoSocket() throws Exception {
        NativeDatagramSocket socket;
        try {
            socket = NativeDatagramSocket.icmp();
        } catch (IOException unprivileged) {
            try {
                socket = NativeDatagramSocket.rawIcmp();
            } catch (IOException e) {
                Assumptions.abort("neither a ping socket (net.ipv4.ping_group_range) nor a raw one (CAP_NET_RAW) here");
                return;
            }
        }
        assertCloseWakesReader(socket);
    }

    private static void assertCloseWakesReader(NativeDatagramSocket socket) throws Exception {
        CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
            try {
                return socket.receive();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofPlatform().daemon().start(r));
        Thread.sleep(200); // the reader is in recvfrom by now (if not, receive sees the closed flag)
        assertThat(read).isNotDone();
        socket.close();
        assertThat(read.get(2, TimeUnit.SECONDS)).isEqualTo(-1);
        socket.release();
    }
}
