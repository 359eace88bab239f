package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.dns.DnsMessage;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.IpProtocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Queries a DNS upstream refuses over UDP, asked of the next one ({@link DnsUpstreams#askAgain}), on a gateway whose
 * loop the test drives: frames handled in one batch, then the flows' sockets read, as the user network's loop does.
 */
@Timeout(30)
class RefusedDnsQueriesTest {
    private static final long DNS_MAC = 0x5255_0a00_0203L;

    /** The frames the gateway sent the guest. */
    private final List<byte[]> toGuest = new ArrayList<>();

    /**
     * A resolver's A and AAAA queries leave together and the first upstream, IPv4, refuses both; the next is IPv6, so
     * the first query asked again gives the flow a socket of that family. The second refusal, still queued on the
     * closed IPv4 socket, was lost with it: that query was asked of no one and the guest heard nothing (glibc waits
     * 5 s for its retry).
     */
    @Test
    void queriesRefusedTogetherAreAllAskedOfANextUpstreamOfTheOtherFamily() throws Exception {
        int closed = TestGateways.closedUdpPort("127.0.0.1");
        try (Selector jdk = Selector.open(); DatagramChannel next = DatagramChannel.open().bind(new InetSocketAddress("::1", 0))) {
            LoopSelector selector = LoopSelector.of(jdk);
            UserConfig config = TestGateways.config("ipv6=off,dns-upstream=127.0.0.1:" + closed + ",dns-upstream=[::1]:"
                    + ((InetSocketAddress) next.getLocalAddress()).getPort());
            GatewayParts parts = gateway(config, selector);
            query(parts, query(1, 20));
            query(parts, query(2, 20)); // in the same batch: both leave for the first before its refusals are read
            next.configureBlocking(false);
            Set<Integer> ids = new HashSet<>();
            ByteBuffer asked = ByteBuffer.allocate(2048);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (ids.size() < 2 && System.nanoTime() < deadline) {
                readFlows(parts, selector);
                while (next.receive(asked.clear()) != null) {
                    ids.add((int) asked.getShort(0));
                }
            }
            assertThat(ids).containsExactlyInAnyOrder(1, 2);
            assertThat(toGuest).as("no error for the guest").isEmpty();
            parts.udp().closeAll();
        }
    }

    /**
     * An ICMP error quotes at most 576 bytes of IPv4 (520 of a UDP payload), an ICMPv6 one 1280 bytes of IPv6 (1184);
     * the copy of a longer query that the error queue holds is cut short, and was asked of the next upstream so (520
     * bytes of 600, 1184 of 1300), a message it cannot read. It is not asked again: the guest hears the refusal, as
     * it did before refused queries were asked again.
     */
    @ParameterizedTest
    @CsvSource({"127.0.0.1, 127.0.0.1:%d, 600", "::1, [::1]:%d, 1300"})
    void aQueryLongerThanAnErrorQuotesIsNotAskedAgainCutShort(String loopback, String upstream, int length) throws Exception {
        int closed = TestGateways.closedUdpPort(loopback);
        try (Selector jdk = Selector.open();
             DatagramChannel next = DatagramChannel.open().bind(new InetSocketAddress(loopback, 0))) {
            LoopSelector selector = LoopSelector.of(jdk);
            UserConfig config = TestGateways.config("ipv6=off,dns-upstream=" + upstream.formatted(closed) + ",dns-upstream="
                    + upstream.formatted(((InetSocketAddress) next.getLocalAddress()).getPort()));
            GatewayParts parts = gateway(config, selector);
            query(parts, query(7, length));
            next.configureBlocking(false);
            List<Integer> lengths = new ArrayList<>();
            ByteBuffer asked = ByteBuffer.allocate(2048);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (toGuest.isEmpty() && lengths.isEmpty() && System.nanoTime() < deadline) {
                readFlows(parts, selector);
                while (next.receive(asked.clear()) != null) {
                    lengths.add(asked.position());
                }
            }
            assertThat(lengths).as("the lengths of what the next upstream was asked").allMatch(l -> l == length);
            if (lengths.isEmpty()) {
                assertThat(toGuest).singleElement().satisfies(frame -> {
                    Ipv4Packet ip = GuestFrames.ipv4(ByteBuffer.wrap(frame));
                    assertThat(ip.protocol()).isEqualTo(IpProtocol.ICMP);
                    assertThat(frame[ip.payloadOffset()]).isEqualTo((byte) IcmpType.DESTINATION_UNREACHABLE);
                });
            }
            parts.udp().closeAll();
        }
    }

    private GatewayParts gateway(UserConfig config, LoopSelector selector) throws IOException {
        NeighborTable neighbors = new NeighborTable();
        return TestGateways.build(config, TestGateways.recording(config, neighbors, toGuest), neighbors, selector);
    }

    /** A DNS message of this id, {@code length} bytes long (a header and zeros). */
    private static byte[] query(int id, int length) {
        byte[] query = new byte[Math.max(length, DnsMessage.HEADER_LENGTH)];
        query[0] = (byte) (id >>> 8);
        query[1] = (byte) id;
        return query;
    }

    /** The guest's query from port 5362 to the DNS address. */
    private static void query(GatewayParts parts, byte[] query) {
        byte[] frame = GuestFrames.udp(DNS_MAC, GuestFrames.GUEST, 5362, GuestFrames.DNS, 53, query);
        parts.gateway().frame(ByteBuffer.wrap(frame), 0, frame.length, false, System.nanoTime());
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
