package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.wire.IpAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@link Gateway#poll} says about the next timed work: the user network's loop sleeps without a time
 * limit when nothing waits on time, and wakes when the earliest timer is due.
 */
@Timeout(30)
class GatewayTimersTest {
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final long BUSY = UsernetNetdev.POLL_INTERVAL_NANOS;

    private Selector selector;
    private UdpNat nat;
    private UdpHostForwards udpForwards;

    private Gateway gateway(String options) throws Exception {
        UserConfig config = TestGateways.config(options);
        NeighborTable neighbors = new NeighborTable();
        GuestOutput out = new GuestOutput("u", (frame, offset, length, segmentSize) -> { }, neighbors, config.mtu(), () -> 0);
        selector = Selector.open();
        GatewayParts parts = TestGateways.build(config, out, neighbors, LoopSelector.of(selector));
        nat = parts.udp();
        udpForwards = parts.udpForwards();
        TestGateways.listenUdp(parts, config);
        return parts.gateway();
    }

    @AfterEach
    void close() throws Exception {
        if (udpForwards != null) {
            udpForwards.close();
        }
        if (nat != null) {
            nat.closeAll();
        }
        selector.close();
    }

    @Test
    void anIdleIpv4NetworkHasNoTimerAtAll() throws Exception {
        Gateway gateway = gateway("ipv6=off");
        assertThat(gateway.poll(0, BUSY)).isEqualTo(Long.MAX_VALUE);
        assertThat(gateway.poll(3600 * SECOND, BUSY)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void withIpv6TheNextRouterAdvertisementIsTheOnlyTimer() throws Exception {
        Gateway gateway = gateway("ipv6=on");
        long next = gateway.poll(0, BUSY);
        assertThat(next).isPositive().isLessThan(3600 * SECOND);
        assertThat(gateway.poll(next - 1, BUSY)).isEqualTo(1); // not sent yet
    }

    /**
     * RFC 4861 section 6.2.4: the first three unsolicited advertisements come at most 16 s apart, then 200-600 s. The
     * first came after 200-600 s, so a guest whose solicitations went unanswered (started before vnet4j) had no IPv6
     * for up to ten minutes.
     */
    @Test
    void theFirstThreeRouterAdvertisementsComeWithin16SecondsEach() throws Exception {
        Gateway gateway = gateway("ipv6=on");
        long now = 0;
        for (int i = 0; i < NeighborDiscovery.MAX_INITIAL_ADVERTISEMENTS; i++) {
            long next = gateway.poll(now, BUSY);
            assertThat(next).as("before advertisement %d", i + 1).isEqualTo(16 * SECOND);
            now += next;
        }
        assertThat(gateway.poll(now, BUSY)).as("after the third").isBetween(200 * SECOND, 600 * SECOND);
    }

    @Test
    void aUdpFlowIsATimerUntilItExpires() throws Exception {
        Gateway gateway = gateway("ipv6=off");
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            byte[] frame = GuestFrames.udp(GuestFrames.HOST_MAC, GuestFrames.GUEST, 40000, GuestFrames.HOST, port, new byte[] {1});
            gateway.frame(ByteBuffer.wrap(frame), 0, frame.length, false, 0);
            assertThat(nat.flowCount()).isOne();

            long next = gateway.poll(SECOND, BUSY);
            assertThat(next).isEqualTo((UdpNat.IDLE_SECONDS - 1) * SECOND + 1);
            assertThat(gateway.poll(SECOND + next, BUSY)).isEqualTo(Long.MAX_VALUE);
            assertThat(nat.flowCount()).isZero();
        }
    }

    /**
     * gvisor-tap-vsock PR #393 (lima#2585), replayed: its UDP forwarder never closed the endpoint of a flow
     * whose proxy had timed out, so every later datagram from the same guest address and port was dropped. A
     * guest resolver bound to a fixed port is that case. Here the datagram after the expiry opens a new flow
     * and reaches the host's server.
     */
    @Test
    void theSameGuestPortSendsAgainAfterItsFlowExpired() throws Exception {
        Gateway gateway = gateway("ipv6=off");
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            server.configureBlocking(false);
            ByteBuffer got = ByteBuffer.allocate(16);
            long now = 0;
            for (byte n = 1; n <= 2; n++) {
                byte[] frame = GuestFrames.udp(GuestFrames.HOST_MAC, GuestFrames.GUEST, 40002, GuestFrames.HOST, port, new byte[] {n});
                gateway.frame(ByteBuffer.wrap(frame), 0, frame.length, false, now);
                assertThat(nat.flowCount()).isOne();
                got.clear();
                long deadline = System.nanoTime() + 5 * SECOND;
                while (server.receive(got) == null && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                assertThat(got.position()).as("datagram %d", n).isOne();
                assertThat(got.get(0)).isEqualTo(n);
                now += UdpNat.IDLE_SECONDS * SECOND + 1;
                assertThat(gateway.poll(now, BUSY)).isEqualTo(Long.MAX_VALUE);
                assertThat(nat.flowCount()).isZero();
            }
        }
    }

    /** A guest that asks a resolver of its own choosing kept each lookup's socket for 240 s; libslirp 10 s. */
    @Test
    void aFlowWhoseLastDatagramWentToPort53EndsAfterTenSecondsIdle() throws Exception {
        Gateway gateway = gateway("ipv6=off");
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            byte[] lookup = GuestFrames.udp(GuestFrames.HOST_MAC, GuestFrames.GUEST, 40001, GuestFrames.HOST, 53, new byte[] {1});
            gateway.frame(ByteBuffer.wrap(lookup), 0, lookup.length, false, 0);
            assertThat(nat.flowCount()).isOne();
            assertThat(nat.flows(0).getFirst().dns()).isTrue();
            assertThat(nat.flows(SECOND).getFirst().secondsLeft()).isEqualTo(UdpNat.DNS_IDLE_SECONDS - 1);
            assertThat(gateway.poll(SECOND, BUSY)).isEqualTo((UdpNat.DNS_IDLE_SECONDS - 1) * SECOND + 1);

            // the same socket then talks to another port: an ordinary flow again
            byte[] other = GuestFrames.udp(GuestFrames.HOST_MAC, GuestFrames.GUEST, 40001, GuestFrames.HOST, port, new byte[] {2});
            gateway.frame(ByteBuffer.wrap(other), 0, other.length, false, 2 * SECOND);
            UdpNat.FlowInfo flow = nat.flows(2 * SECOND).getFirst();
            assertThat(flow.dns()).isFalse();
            // the flow shows where its last datagram went, as libslirp's so_faddr
            assertThat(flow.remote()).isEqualTo(IpAddress.ofIpv4(GuestFrames.HOST));
            assertThat(flow.remotePort()).isEqualTo(port);
            assertThat(flow.secondsLeft()).isEqualTo(UdpNat.IDLE_SECONDS);
            assertThat(gateway.poll(3 * SECOND, BUSY)).isEqualTo((UdpNat.IDLE_SECONDS - 1) * SECOND + 1);

            gateway.frame(ByteBuffer.wrap(lookup), 0, lookup.length, false, 4 * SECOND);
            assertThat(gateway.poll(4 * SECOND + UdpNat.DNS_IDLE_SECONDS * SECOND + 1, BUSY)).isEqualTo(Long.MAX_VALUE);
            assertThat(nat.flowCount()).isZero();
        }
    }

    /** The pairing of a host client with a port used to stay for ever: nothing polled the forwards. */
    @Test
    void aSilentUdpHostForwardClientIsForgotten() throws Exception {
        int hostPort = HostForwardFamiliesTest.freeUdpPort("127.0.0.1").getPort();
        Gateway gateway = gateway("ipv6=off,hostfwd=udp:127.0.0.1:" + hostPort + "-10.0.2.15:5000");
        byte[] arp = GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST); // the gateway learns the guest's MAC
        gateway.frame(ByteBuffer.wrap(arp), 0, arp.length, false, 0);
        try (DatagramChannel client = DatagramChannel.open()) {
            client.send(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress("127.0.0.1", hostPort));
            selector.select(5000);
            selector.selectedKeys().clear();
            udpForwards.readable(udpForwards.rules().getFirst(), 0);
            assertThat(udpForwards.clientCount()).isOne();

            assertThat(gateway.poll(0, BUSY)).isEqualTo(UdpNat.IDLE_SECONDS * SECOND + 1);
            assertThat(gateway.poll(UdpNat.IDLE_SECONDS * SECOND, BUSY)).isEqualTo(1);
            assertThat(udpForwards.clientCount()).isOne();
            assertThat(gateway.poll(UdpNat.IDLE_SECONDS * SECOND + 1, BUSY)).isEqualTo(Long.MAX_VALUE);
            assertThat(udpForwards.clientCount()).isZero();
        }
    }

    /** Nor was their number bounded: a flood from many ports grew the table for the 240 s each is kept. */
    @Test
    void udpHostForwardClientsAreBoundedTheOneSilentLongestGivingWay() throws Exception {
        int hostPort = HostForwardFamiliesTest.freeUdpPort("127.0.0.1").getPort();
        Gateway gateway = gateway("ipv6=off,hostfwd=udp:127.0.0.1:" + hostPort + "-10.0.2.15:5000");
        byte[] arp = GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST);
        gateway.frame(ByteBuffer.wrap(arp), 0, arp.length, false, 0);
        InetSocketAddress rule = new InetSocketAddress("127.0.0.1", hostPort);
        int clients = 0;
        int port = 20000; // a port of its own for each client (an ephemeral one could come back), taken ones skipped
        while (clients < UdpHostForwards.MAX_CLIENTS + 64) {
            for (int batch = 0; batch < 64 && port < 65536; port++) { // a batch the rule's socket holds, then read
                try (DatagramChannel client = DatagramChannel.open()) {
                    client.bind(new InetSocketAddress("127.0.0.1", port));
                    client.send(ByteBuffer.wrap(new byte[] {1}), rule);
                    batch++;
                    clients++;
                } catch (java.net.BindException taken) {
                    // in use by someone else
                }
            }
            udpForwards.readable(udpForwards.rules().getFirst(), clients);
            assertThat(udpForwards.clientCount()).isLessThanOrEqualTo(UdpHostForwards.MAX_CLIENTS);
        }
        assertThat(udpForwards.clientCount()).isEqualTo(UdpHostForwards.MAX_CLIENTS);
    }
}
