package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * A receive that comes back without a datagram (EAGAIN: here a receive time-out; EINTR: a signal) is "try
 * again", not the end: the dgram and VXLAN readers took -1 for a closed socket and stopped for good.
 */
class NativeDatagramSocketAgainTest {
    @Test
    void aReceiveWithoutADatagramReturnsZeroAndTheNextGetsTheDatagram() throws Exception {
        NativeDatagramSocket socket = NativeDatagramSocket.bound(new DatagramEndpoint.Inet(InetAddress.getLoopbackAddress(), 0), false);
        try (Arena arena = Arena.ofConfined(); DatagramSocket sender = new DatagramSocket()) {
            MemorySegment timeval = arena.allocate(16, 8); // struct timeval: 0 s, 50,000 us
            timeval.set(ValueLayout.JAVA_LONG, 8, 50_000);
            socket.setOption(Libc.SOL_SOCKET, Libc.SO_RCVTIMEO, timeval, "SO_RCVTIMEO");
            assertThat(socket.receive()).as("timed out: EAGAIN").isZero();
            byte[] data = {1, 2, 3};
            sender.send(new DatagramPacket(data, data.length,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.localPort())));
            assertThat(socket.receive()).isEqualTo(3);
        } finally {
            socket.close();
            socket.release();
        }
    }
}
