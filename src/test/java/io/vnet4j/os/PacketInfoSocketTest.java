package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.IpAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A wildcard-bound socket's datagrams with the local address each was sent to, over loopback only. */
@Timeout(30)
class PacketInfoSocketTest {
    @Test
    void eachDatagramSaysWhichLocalAddressItWasSentToAndRepliesLeaveFromIt() throws Exception {
        for (StandardProtocolFamily family : new StandardProtocolFamily[] {StandardProtocolFamily.INET, StandardProtocolFamily.INET6}) {
            boolean ipv6 = family == StandardProtocolFamily.INET6;
            try (DatagramChannel server = DatagramChannel.open(family).bind(new InetSocketAddress(ipv6 ? "::" : "0.0.0.0", 0));
                 DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET);
                 PacketInfoSocket socket = new PacketInfoSocket(ChannelDescriptors.of(server), ipv6)) {
                int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
                client.bind(new InetSocketAddress("127.0.0.1", 0));
                int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
                ByteBuffer in = ByteBuffer.allocateDirect(4);
                assertThat(socket.receive(in)).as("nothing waits").isFalse();

                client.send(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6}), new InetSocketAddress("127.0.0.4", port));
                while (!socket.receive(in.clear())) {
                    Thread.onSpinWait();
                }
                assertThat(in.position()).as("a datagram longer than the buffer is cut to it").isEqualTo(4);
                assertThat(socket.source()).isEqualTo(IpAddress.parse("127.0.0.1")); // IPv4, also on the AF_INET6 socket
                assertThat(socket.sourcePort()).isEqualTo(clientPort);
                assertThat(socket.local()).isEqualTo(IpAddress.parse("127.0.0.4"));

                ByteBuffer reply = ByteBuffer.allocateDirect(2).put(new byte[] {9, 8}).flip();
                socket.send(reply, socket.source(), socket.sourcePort(), socket.local());
                ByteBuffer got = ByteBuffer.allocate(10);
                client.configureBlocking(true);
                assertThat(client.receive(got)).isEqualTo(new InetSocketAddress("127.0.0.4", port));
                assertThat(got.position()).isEqualTo(2);
            }
        }
    }
}
