package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.LoopSelector;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A guest's datagram from a {@code hostfwd=udp} rule's guest port that answers no paired client leaves from the
 * rule's host port, as libslirp and pasta send it (replayed in namespaces: slirp4netns 1.2 and Debian's pasta sent
 * a namespace's datagram from a forwarded port 5702/5701 out of that port; vnet4j from an ephemeral one, which a
 * client's connected socket, or a WireGuard peer that knows the server's published port, drops: podman#26438's
 * WireGuard server behind PublishPort=51820/udp). Before any client spoke, and 240 s after one fell silent.
 */
@Timeout(30)
class UdpForwardedPortTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long BUSY = UsernetNetdev.POLL_INTERVAL_NANOS;

    private Selector selector;
    private UdpNat nat;
    private UdpHostForwards udpForwards;
    private final List<byte[]> toGuest = new ArrayList<>();

    private Gateway gateway(String options) throws Exception {
        UserConfig config = TestGateways.config(options);
        NeighborTable neighbors = new NeighborTable();
        selector = Selector.open();
        GatewayParts parts = TestGateways.build(config, TestGateways.recording(config, neighbors, toGuest), neighbors,
                LoopSelector.of(selector));
        nat = parts.udp();
        udpForwards = parts.udpForwards();
        TestGateways.listenUdp(parts, config);
        Gateway gateway = parts.gateway();
        byte[] arp = GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST); // the gateway learns the guest's MAC
        gateway.frame(ByteBuffer.wrap(arp), 0, arp.length, false, 0);
        return gateway;
    }

    @AfterEach
    void close() throws Exception {
        if (udpForwards != null) {
            udpForwards.close();
        }
        if (nat != null) {
            nat.closeAll();
        }
        if (selector != null) {
            selector.close();
        }
    }

    @Test
    void aDatagramFromTheForwardedGuestPortLeavesFromTheRulesHostPortAndItsAnswerComesBack() throws Exception {
        int hostPort = HostForwardFamiliesTest.freeUdpPort("127.0.0.1").getPort();
        Gateway gateway = gateway("ipv6=off,hostfwd=udp:127.0.0.1:" + hostPort + "-10.0.2.15:5000");
        try (DatagramChannel peer = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int peerPort = ((InetSocketAddress) peer.getLocalAddress()).getPort();
            guestSends(gateway, peerPort, (byte) 1, 0);
            InetSocketAddress from = received(peer, (byte) 1);
            assertThat(from.getPort()).as("the forwarded host port, not an ephemeral one").isEqualTo(hostPort);
            assertThat(nat.flowCount()).isZero();

            toGuest.clear();
            peer.send(ByteBuffer.wrap(new byte[] {7}), from); // the peer answers to the forwarded port
            selector.select(5000);
            selector.selectedKeys().clear();
            udpForwards.readable(udpForwards.rules().getFirst(), 0);
            assertThat(toGuest).hasSize(1);
            byte[] frame = toGuest.getFirst();
            ByteBuffer f = ByteBuffer.wrap(frame);
            int udp = GuestFrames.ETH + GuestFrames.IP;
            assertThat(f.getInt(GuestFrames.ETH + 12)).as("from the address the guest wrote to").isEqualTo(GuestFrames.HOST);
            assertThat(f.getShort(udp) & 0xffff).isEqualTo(peerPort);
            assertThat(f.getShort(udp + 2) & 0xffff).isEqualTo(5000);
            assertThat(frame[udp + 8]).isEqualTo((byte) 7);
        }
    }

    @Test
    void afterItsClientFellSilentTheGuestsNextDatagramStillLeavesFromTheRulesHostPort() throws Exception {
        int hostPort = HostForwardFamiliesTest.freeUdpPort("127.0.0.1").getPort();
        Gateway gateway = gateway("ipv6=off,hostfwd=udp:127.0.0.1:" + hostPort + "-10.0.2.15:5000");
        try (DatagramChannel client = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int clientPort = ((InetSocketAddress) client.getLocalAddress()).getPort();
            client.connect(new InetSocketAddress("127.0.0.1", hostPort)); // hears the forwarded port alone
            client.write(ByteBuffer.wrap(new byte[] {1}));
            selector.select(5000);
            selector.selectedKeys().clear();
            udpForwards.readable(udpForwards.rules().getFirst(), 0);
            assertThat(udpForwards.clientCount()).isOne();
            long now = UdpNat.IDLE_SECONDS * SECOND + 1;
            gateway.poll(now, BUSY);
            assertThat(udpForwards.clientCount()).isZero();

            guestSends(gateway, clientPort, (byte) 2, now); // the server in the guest speaks first after the idle spell
            assertThat(received(client, (byte) 2).getPort()).isEqualTo(hostPort);
        }
    }

    /** Through NAT the guest heard Port Unreachable (the flow's error queue); through the rule's socket too. */
    @Test
    void aDatagramFromTheForwardedPortToAClosedPortDrawsPortUnreachable() throws Exception {
        int hostPort = HostForwardFamiliesTest.freeUdpPort("127.0.0.1").getPort();
        Gateway gateway = gateway("ipv6=off,hostfwd=udp:127.0.0.1:" + hostPort + "-10.0.2.15:5000");
        int closedPort = HostForwardFamiliesTest.freeUdpPort("127.0.0.1").getPort();
        toGuest.clear();
        guestSends(gateway, closedPort, (byte) 1, 0);
        long deadline = System.nanoTime() + 5 * SECOND;
        while (toGuest.isEmpty() && System.nanoTime() < deadline) {
            selector.select(100);
            selector.selectedKeys().clear();
            udpForwards.readable(udpForwards.rules().getFirst(), 0);
        }
        assertThat(toGuest).as("an ICMP error to the guest").hasSize(1);
        ByteBuffer f = ByteBuffer.wrap(toGuest.getFirst());
        assertThat(f.get(GuestFrames.ETH + 9)).as("ICMP").isEqualTo((byte) 1);
        assertThat(f.getInt(GuestFrames.ETH + 12)).as("from the address the guest wrote to").isEqualTo(GuestFrames.HOST);
        int icmp = GuestFrames.ETH + GuestFrames.IP;
        assertThat(f.get(icmp)).as("Destination Unreachable").isEqualTo((byte) 3);
        assertThat(f.get(icmp + 1)).as("port unreachable").isEqualTo((byte) 3);
        int quoted = icmp + 8 + GuestFrames.IP;
        assertThat(f.getShort(quoted) & 0xffff).isEqualTo(5000);
        assertThat(f.getShort(quoted + 2) & 0xffff).isEqualTo(closedPort);
    }

    /**
     * A router's host unreachable for the rule's datagram to its client is queued on the rule's socket and set as its
     * pending error (IP_RECVERR): the next reply to the same client failed with it, unsent ({@link UdpPendingErrorTest}
     * for NAT). It is sent once more.
     */
    @Test
    void aReplyAfterAnotherDrewAHostUnreachableStillReachesTheClient() throws Exception {
        int hostPort = HostForwardFamiliesTest.freeUdpPort("127.0.0.1").getPort();
        Gateway gateway = gateway("ipv6=off,hostfwd=udp:127.0.0.1:" + hostPort + "-10.0.2.15:5000");
        try (DatagramChannel peer = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int peerPort = ((InetSocketAddress) peer.getLocalAddress()).getPort();
            guestSends(gateway, peerPort, (byte) 1, 0);
            received(peer, (byte) 1);
            TestGateways.hostUnreachable(hostPort, peerPort);
            selector.select(5000); // the error is queued: the rule's socket reads as ready
            selector.selectedKeys().clear();
            guestSends(gateway, peerPort, (byte) 2, 0); // before the rule's socket is read: the error still pending
            received(peer, (byte) 2);
        }
    }

    @Test
    void aRuleOnLoopbackLeavesADatagramForElsewhereToNat() throws Exception {
        InetSocketAddress elsewhere = new InetSocketAddress("192.0.2.7", 9);
        UserConfig.HostForward loopbackRule = TestGateways.config("hostfwd=udp:127.0.0.1:1-:5000").hostForwards().getFirst();
        UserConfig.HostForward wildcardRule = TestGateways.config("hostfwd=udp:0.0.0.0:1-:5000").hostForwards().getFirst();
        UserConfig.HostForward ipv6Rule = TestGateways.config("hostfwd=udp:[::1]:1-:5000").hostForwards().getFirst();
        assertThat(UdpHostForwards.reaches(loopbackRule, elsewhere)).isFalse();
        assertThat(UdpHostForwards.reaches(loopbackRule, new InetSocketAddress("127.0.0.1", 9))).isTrue();
        assertThat(UdpHostForwards.reaches(wildcardRule, elsewhere)).isTrue();
        assertThat(UdpHostForwards.reaches(ipv6Rule, new InetSocketAddress("127.0.0.1", 9))).isFalse();
    }

    private void guestSends(Gateway gateway, int port, byte data, long now) {
        byte[] frame = GuestFrames.udp(GuestFrames.HOST_MAC, GuestFrames.GUEST, 5000, GuestFrames.HOST, port, new byte[] {data});
        gateway.frame(ByteBuffer.wrap(frame), 0, frame.length, false, now);
    }

    private static InetSocketAddress received(DatagramChannel channel, byte expected) throws Exception {
        channel.configureBlocking(false);
        ByteBuffer got = ByteBuffer.allocate(16);
        InetSocketAddress from = null;
        long deadline = System.nanoTime() + 5 * SECOND;
        while (from == null && System.nanoTime() < deadline) {
            from = (InetSocketAddress) channel.receive(got);
            Thread.sleep(from == null ? 5 : 0);
        }
        assertThat(from).as("a datagram arrived").isNotNull();
        assertThat(got.get(0)).isEqualTo(expected);
        return from;
    }
}
