package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The kernel's drops on a socket's full receive queue are read back (SO_MEMINFO's SK_MEMINFO_DROPS). */
class NativeDatagramSocketDropsTest {
    @Test
    void datagramsThatDidNotFitTheReceiveQueueAreCounted() throws Exception {
        NativeDatagramSocket socket = NativeDatagramSocket.bound(new DatagramEndpoint.Inet(InetAddress.getLoopbackAddress(), 0), false);
        try (DatagramSocket sender = new DatagramSocket()) {
            socket.setBufferSizes(4096); // the kernel doubles it, still a few datagrams of 1 KiB
            assertThat(socket.receiveDrops()).isZero();
            byte[] data = new byte[1024];
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.localPort());
            for (int i = 0; i < 100; i++) {
                sender.send(new DatagramPacket(data, data.length, to));
            }
            assertThat(socket.receiveDrops()).isBetween(50L, 100L);
        } finally {
            socket.close();
            socket.release();
        }
    }
}
