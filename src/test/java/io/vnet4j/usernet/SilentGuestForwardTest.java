package io.vnet4j.usernet;

import static io.vnet4j.usernet.GuestFrames6.ETH;
import static io.vnet4j.usernet.GuestFrames6.GUEST;
import static io.vnet4j.usernet.GuestFrames6.HOST;
import static io.vnet4j.usernet.GuestFrames6.HOST_MAC;
import static io.vnet4j.usernet.GuestFrames6.IP6;
import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.base.LogCapture;
import io.vnet4j.config.UserConfig;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.wire.Icmpv6Type;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv6Frames;
import io.vnet4j.wire.TcpFlags;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An IPv6 host forward without a guest address, to a guest that has not spoken since the gateway started (a
 * namespace's persistent TAP after a restart of vnet4j: the guest keeps its SLAAC address and repeats no duplicate
 * address detection). Before, every client was refused until the guest happened to send something, which a server
 * may never do; now the gateway asks all nodes for their addresses and holds the client meanwhile.
 */
@Timeout(30)
class SilentGuestForwardTest {
    private static final IpAddress ALL_NODES = IpAddress.parse("ff02::1");
    /** info network's line on the asks and the clients refused. */
    static final String REPORT = "hostfwd to a learnt IPv6 guest: guests asked %d times, clients refused for want of a "
            + "guest's IPv6 address %d";

    @Test
    void aClientWaitsWhileTheGatewayAsksAllNodesAndReachesTheGuestThatAnswers() throws Exception {
        try (Network network = new Network()) {
            VirtualNic vm = network.attachNic("vm", 0);
            UsernetNetdev user = user(network, "user,id=u,hostfwd=tcp:[::1]:0-:22");
            int port = user.hostForwards().get(0).hostPort();
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress("::1", port))) {
                byte[] ask = await(vm, f -> icmpv6(f) == Icmpv6Type.ECHO_REQUEST);
                ByteBuffer b = ByteBuffer.wrap(ask);
                assertThat(IpAddress.ofIpv6(b.getLong(ETH + 8), b.getLong(ETH + 16))).as("from").isEqualTo(HOST);
                assertThat(IpAddress.ofIpv6(b.getLong(ETH + 24), b.getLong(ETH + 32))).as("to").isEqualTo(ALL_NODES);
                assertThat(b.getLong(0) >>> 16).as("to all nodes' MAC").isEqualTo(Ipv6Frames.multicastMac(ALL_NODES));

                byte[] identifierAndSequence = new byte[4];
                b.get(ETH + IP6 + 4, identifierAndSequence);
                vm.send(GuestFrames6.icmpv6(HOST_MAC, GUEST, HOST, 64, Icmpv6Type.ECHO_REPLY, identifierAndSequence));

                byte[] syn = await(vm, f -> tcpFlags(f) == TcpFlags.SYN);
                ByteBuffer s = ByteBuffer.wrap(syn);
                assertThat(IpAddress.ofIpv6(s.getLong(ETH + 24), s.getLong(ETH + 32))).as("to the guest that answered")
                        .isEqualTo(GUEST);
                assertThat(s.getShort(ETH + IP6 + 2) & 0xFFFF).isEqualTo(22);
                assertThat(user.details()).contains("hostfwd tcp [::1]:" + port + " -> [" + GUEST + "]:22 (learnt)");
            }
        }
    }

    @Test
    void aClientIsClosedWhenNoGuestAnswersWithinTheHoldAndTheAsksAreSpaced() throws Exception {
        try (Network network = new Network()) {
            VirtualNic vm = network.attachNic("vm", 0);
            UsernetNetdev user = user(network, "user,id=u,hostfwd=tcp:[::1]:0-:22");
            int port = user.hostForwards().get(0).hostPort();
            try (SocketChannel first = SocketChannel.open(new InetSocketAddress("::1", port));
                 SocketChannel second = SocketChannel.open(new InetSocketAddress("::1", port))) {
                await(vm, f -> icmpv6(f) == Icmpv6Type.ECHO_REQUEST);
                assertThat(first.read(ByteBuffer.allocate(1))).as("closed at the hold's end: nowhere to go").isEqualTo(-1);
                assertThat(second.read(ByteBuffer.allocate(1))).isEqualTo(-1);
            }
            assertThat(user.details()).contains(REPORT.formatted(1, 2));
            byte[] again = vm.receive(200, TimeUnit.MILLISECONDS);
            while (again != null && icmpv6(again) != Icmpv6Type.ECHO_REQUEST) {
                again = vm.receive(200, TimeUnit.MILLISECONDS);
            }
            assertThat(again).as("one ask for both clients").isNull();
        }
    }

    /**
     * A UDP datagram is not held: it is lost while the guests are asked, and the log said so as "refused a client:
     * no guest has shown an IPv6 address, not even when asked", before the ask had even gone out.
     */
    @Test
    void aDatagramBeforeAnyGuestIsSaidToBeLostWhileTheGuestsAreAsked() throws Exception {
        List<String> said = LogCapture.during(java.util.logging.Level.ALL, () -> {
            try (Network network = new Network()) {
                VirtualNic vm = network.attachNic("vm", 0);
                UsernetNetdev user = user(network, "user,id=u,hostfwd=udp:[::1]:0-:53");
                int port = user.hostForwards().get(0).hostPort();
                try (DatagramChannel client = DatagramChannel.open()) {
                    client.send(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress("::1", port));
                    await(vm, f -> icmpv6(f) == Icmpv6Type.ECHO_REQUEST);
                }
            }
        });
        assertThat(said).filteredOn(line -> line.contains("hostfwd udp")).singleElement().asString()
                .contains("lost a datagram: no guest has shown an IPv6 address yet; the guests are asked")
                .doesNotContain("not even when asked");
    }

    /**
     * Two silent guests answer the ask; the machine at 10.0.2.15 (dhcpstart, where the IPv4 rules without a guest
     * address go) answers second. The client went to whichever answered first, and the IPv4 rules of the same port
     * to the other machine (a helper's replay with two persistent TAPs after a restart). Now it waits, up to
     * {@link HostForwardGuests#SETTLE_NANOS} after the ask, for the machine at the IPv4 rules' address, which the
     * gateway asks for by ARP beside the echo; the loop's steps are driven here on a clock of the test's own.
     */
    @Test
    void withTwoSilentGuestsTheClientWaitsForTheMachineTheIpv4RulesReachNotTheFirstToAnswer() throws Exception {
        IpAddress other = IpAddress.parse("fec0::5054:ff:fe12:3457");
        long otherMac = GuestFrames6.GUEST_MAC + 1;
        for (boolean ipv4MachineAnswers : new boolean[] {true, false}) {
            List<byte[]> sent = new CopyOnWriteArrayList<>();
            NeighborTable neighbors = new NeighborTable();
            UserConfig config = TestGateways.config("");
            GuestOutput out = new GuestOutput("u", (frame, offset, length, segmentSize) ->
                    {
                byte[] copy = new byte[length];
                frame.get(offset, copy);
                sent.add(copy);
            }, neighbors, config.mtu(), () -> 0);
            try (Selector jdk = Selector.open()) {
                LoopSelector selector = LoopSelector.of(jdk);
                GatewayParts parts = TestGateways.build(config, out, neighbors, selector);
                TcpHostForwards forwards = parts.tcpForwards();
                int port = forwards.listen(UserConfig.HostForward.parse("tcp:[::1]:0-:22", config)).hostPort();
                long now = TimeUnit.SECONDS.toNanos(10);
                try (SocketChannel client = SocketChannel.open(new InetSocketAddress("::1", port))) {
                    assertThat(selector.select(2000)).isTrue();
                    selector.forEachReady(key -> forwards.acceptable((TcpHostForwards.Rule) key.attachment(), now));
                    assertThat(sent).as("the ask: an echo to all nodes and an ARP request for 10.0.2.15")
                            .anyMatch(f -> icmpv6(f) == Icmpv6Type.ECHO_REQUEST)
                            .anyMatch(f -> isArpRequestFor(f, GuestFrames.GUEST));
                    sent.clear();
                    byte[] reply = GuestFrames6.icmpv6(HOST_MAC, other, HOST, 64, Icmpv6Type.ECHO_REPLY, new byte[4]);
                    frame(parts, fromMac(reply, otherMac), now + 1_000_000);
                    forwards.openHeld(now + 1_000_000);
                    assertThat(parts.tcp().connectionCount()).as("held: the machine at 10.0.2.15 may answer yet").isZero();
                    long opened;
                    if (ipv4MachineAnswers) {
                        frame(parts, GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST), now + 2_000_000);
                        frame(parts, GuestFrames6.icmpv6(HOST_MAC, GUEST, HOST, 64, Icmpv6Type.ECHO_REPLY, new byte[4]),
                                now + 2_000_000);
                        opened = now + 2_000_000;
                    } else {
                        forwards.openHeld(now + HostForwardGuests.SETTLE_NANOS - 1);
                        assertThat(parts.tcp().connectionCount()).isZero();
                        opened = now + HostForwardGuests.SETTLE_NANOS;
                    }
                    forwards.openHeld(opened);
                    assertThat(parts.tcp().connectionCount()).isOne();
                    byte[] syn = sent.stream().filter(f -> tcpFlags(f) == TcpFlags.SYN).findFirst().orElseThrow();
                    ByteBuffer b = ByteBuffer.wrap(syn);
                    assertThat(IpAddress.ofIpv6(b.getLong(ETH + 24), b.getLong(ETH + 32)))
                            .as(ipv4MachineAnswers ? "to the machine at 10.0.2.15" : "no answer from it: the guest seen last")
                            .isEqualTo(ipv4MachineAnswers ? GUEST : other);
                }
                parts.tcp().closeAll();
                forwards.close();
            }
        }
    }

    private static void frame(GatewayParts parts, byte[] frame, long now) {
        parts.gateway().frame(ByteBuffer.wrap(frame), 0, frame.length, false, now);
    }

    /** {@code frame} sent from {@code mac} instead of the frame builders' guest MAC. */
    private static byte[] fromMac(byte[] frame, long mac) {
        for (int i = 0; i < 6; i++) {
            frame[6 + i] = (byte) (mac >>> (8 * (5 - i)));
        }
        return frame;
    }

    private static boolean isArpRequestFor(byte[] f, int address) {
        ByteBuffer b = ByteBuffer.wrap(f);
        return f.length >= ETH + 28 && (b.getShort(12) & 0xFFFF) == 0x0806 && b.getShort(ETH + 6) == 1
                && b.getInt(ETH + 24) == address;
    }

    private static UsernetNetdev user(Network network, String options) throws Exception {
        network.addNetdev(options);
        return (UsernetNetdev) network.netdevs().stream().filter(n -> n.id().equals("u")).findFirst().orElseThrow();
    }

    /** The first frame to {@code vm} within 5 s that {@code wanted} accepts; the others (router advertisements) pass. */
    private static byte[] await(VirtualNic vm, Predicate<byte[]> wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            byte[] f = vm.receive(100, TimeUnit.MILLISECONDS);
            if (f != null && wanted.test(f)) {
                return f;
            }
        }
        throw new AssertionError("no such frame within 5 s");
    }

    private static int nextHeader(byte[] f) {
        return f.length > ETH + IP6 && (f[12] & 0xFF) == 0x86 && (f[13] & 0xFF) == 0xDD ? f[ETH + 6] & 0xFF : -1;
    }

    private static int icmpv6(byte[] f) {
        return nextHeader(f) == IpProtocol.ICMPV6 ? f[ETH + IP6] & 0xFF : -1;
    }

    private static int tcpFlags(byte[] f) {
        return nextHeader(f) == IpProtocol.TCP ? f[ETH + IP6 + 13] & 0xFF : -1;
    }
}
