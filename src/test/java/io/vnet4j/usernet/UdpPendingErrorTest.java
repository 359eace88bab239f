package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Packet;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An error a router sends back for a guest's datagram (here a host unreachable, made with a raw socket to loopback:
 * {@link TestGateways#hostUnreachable}),
 * which the kernel queues on the flow's socket (IP_RECVERR) and sets as its pending error too: the flow's next
 * datagram to the same destination failed with it, unsent ({@code sock_alloc_send_pskb}), and the guest was told a
 * made-up host unreachable besides the queued one.
 */
@Timeout(30)
class UdpPendingErrorTest {
    /** The frames the gateway sent the guest. */
    private final List<byte[]> toGuest = new ArrayList<>();

    @Test
    void aDatagramAfterAnotherDrewAHostUnreachableIsSentAndTheGuestHearsOneError() throws Exception {
        try (Selector jdk = Selector.open();
             DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            LoopSelector selector = LoopSelector.of(jdk);
            UserConfig config = TestGateways.config("ipv6=off");
            NeighborTable neighbors = new NeighborTable();
            GatewayParts parts = TestGateways.build(config, TestGateways.recording(config, neighbors, toGuest), neighbors,
                    selector);
            int serverPort = ((InetSocketAddress) server.getLocalAddress()).getPort();
            ByteBuffer received = ByteBuffer.allocate(2048);

            send(parts, serverPort, "first");
            InetSocketAddress flowSocket = (InetSocketAddress) server.receive(received.clear());
            assertThat(text(received)).isEqualTo("first");

            TestGateways.hostUnreachable(flowSocket.getPort(), serverPort);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!selector.select(10) && System.nanoTime() < deadline) {
                // the error arrives: the flow's socket reads as ready (its error queue)
            }
            send(parts, serverPort, "second"); // before the loop reads the flow: the error is still pending

            server.configureBlocking(false);
            String second = null;
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < deadline && (second == null || toGuest.isEmpty())) {
                readFlows(parts, selector);
                if (second == null && server.receive(received.clear()) != null) {
                    second = text(received);
                }
            }
            readFlows(parts, selector);
            assertThat(second).as("the datagram after the error").isEqualTo("second");
            assertThat(toGuest).as("the guest hears the one error the router sent").singleElement().satisfies(frame -> {
                Ipv4Packet ip = GuestFrames.ipv4(ByteBuffer.wrap(frame));
                assertThat(ip.protocol()).isEqualTo(IpProtocol.ICMP);
                assertThat(frame[ip.payloadOffset()]).isEqualTo((byte) IcmpType.DESTINATION_UNREACHABLE);
                assertThat(frame[ip.payloadOffset() + 1]).as("host unreachable").isEqualTo((byte) 1);
            });
            parts.udp().closeAll();
        }
    }

    /** The guest's datagram from port 40000 to the host's loopback (10.0.2.2) at {@code port}. */
    private static void send(GatewayParts parts, int port, String text) {
        byte[] frame = GuestFrames.udp(GuestFrames.HOST_MAC, GuestFrames.GUEST, 40000, GuestFrames.HOST, port,
                text.getBytes(StandardCharsets.US_ASCII));
        parts.gateway().frame(ByteBuffer.wrap(frame), 0, frame.length, false, System.nanoTime());
    }

    private static String text(ByteBuffer received) {
        return new String(received.array(), 0, received.position(), StandardCharsets.US_ASCII);
    }

    /** What the loop does once: waits up to 10 ms for the flows' sockets and reads those that are ready. */
    private static void readFlows(GatewayParts parts, LoopSelector selector) throws IOException {
        selector.select(10);
        selector.forEachReady(key -> {
            if (key.attachment() instanceof UdpNat.Flow flow) {
                parts.udp().readable(flow, System.nanoTime());
            }
        });
    }
}
