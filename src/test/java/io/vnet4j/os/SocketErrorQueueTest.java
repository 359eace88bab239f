package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.IpAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The error queue on a JDK datagram channel, with the kernel's own ICMP: a datagram to a closed loopback
 * port comes back as a queued port unreachable (ICMP 3/3, ICMPv6 1/4) with its destination and data.
 */
class SocketErrorQueueTest {

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void aDatagramToAClosedPortQueuesThePortUnreachableWithItsDestinationAndData(String loopback) throws Exception {
        boolean ipv6 = loopback.contains(":");
        assertThat(ChannelDescriptors.available()).as("surefire runs with --add-exports java.base/sun.nio.ch").isTrue();
        int closed;
        try (DatagramChannel probe = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0))) {
            closed = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        try (DatagramChannel channel = DatagramChannel.open(ipv6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
             Selector selector = Selector.open();
             SocketErrorQueue queue = new SocketErrorQueue()) {
            channel.bind(null).configureBlocking(false);
            int fd = ChannelDescriptors.of(channel);
            assertThat(fd).isPositive();
            SocketErrorQueue.enable(fd, ipv6);
            assertThat(queue.read(fd)).as("nothing queued yet").isFalse();
            channel.register(selector, SelectionKey.OP_READ);

            channel.send(ByteBuffer.wrap("lost".getBytes(StandardCharsets.US_ASCII)), new InetSocketAddress(loopback, closed));

            assertThat(selector.select(5000)).as("the queued error wakes the selector (POLLERR)").isEqualTo(1);
            // the kernel's recvfrom fails once with ECONNREFUSED; the JDK retries it on an unconnected channel
            assertThat(channel.receive(ByteBuffer.allocate(16))).isNull();
            assertThat(queue.read(fd)).isTrue();
            assertThat(queue.origin()).isEqualTo(ipv6 ? SocketErrorQueue.ORIGIN_ICMP6 : SocketErrorQueue.ORIGIN_ICMP);
            assertThat(queue.errno()).isEqualTo(Errno.ECONNREFUSED);
            assertThat(queue.type()).isEqualTo(ipv6 ? 1 : 3);
            assertThat(queue.code()).isEqualTo(ipv6 ? 4 : 3);
            assertThat(queue.destination()).isEqualTo(IpAddress.parse(loopback));
            assertThat(queue.destinationPort()).isEqualTo(closed);
            assertThat(queue.offender()).isEqualTo(IpAddress.parse(loopback));
            assertThat(StandardCharsets.US_ASCII.decode(queue.payload()).toString()).isEqualTo("lost");
            assertThat(queue.read(fd)).as("drained").isFalse();
            selector.selectedKeys().clear();
            assertThat(selector.selectNow()).as("no longer readable once drained").isZero();
        }
    }
}
