package io.vnet4j.usernet;

import static io.vnet4j.usernet.GuestFrames6.GUEST;
import static io.vnet4j.usernet.GuestFrames6.HOST;
import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.Ipv6Packet;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ICMP errors the gateway's IP layer answers for input it discards: frames in, frames out, a clock by hand. */
@Timeout(30)
class GatewayInputErrorsTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long HOST6_MAC = GuestOutput.gatewayMac(HOST);
    private final List<ByteBuffer> sent = new ArrayList<>();
    private Selector selector;
    private GatewayParts parts;
    private Gateway gateway;

    @BeforeEach
    void start() throws Exception {
        UserConfig config = TestGateways.config("ipv4=on,ipv6=on");
        NeighborTable neighbors = new NeighborTable();
        GuestOutput out = new GuestOutput("u", (frame, offset, length, segmentSize) -> {
            ByteBuffer copy = ByteBuffer.allocate(length);
            copy.put(0, frame, offset, length);
            sent.add(copy);
        }, neighbors, config.mtu(), () -> 0);
        selector = Selector.open();
        parts = TestGateways.build(config, out, neighbors, LoopSelector.of(selector));
        gateway = parts.gateway();
    }

    @AfterEach
    void stop() throws Exception {
        parts.udp().closeAll();
        selector.close();
    }

    private void frame(byte[] frame, long now) {
        gateway.frame(ByteBuffer.wrap(frame), 0, frame.length, false, now);
    }

    /** The IPv6 packets the gateway sent carrying ICMPv6 of {@code type}. */
    private List<Ipv6Packet> icmpv6(int type) {
        List<Ipv6Packet> found = new ArrayList<>();
        for (ByteBuffer f : sent) {
            if (new EthernetFrame().wrap(f, 0, f.limit()).etherType() == EtherType.IPV6) {
                Ipv6Packet ip = new Ipv6Packet().wrap(f, GuestFrames6.ETH, f.limit() - GuestFrames6.ETH);
                ip.check();
                if (ip.upperProtocol() == IpProtocol.ICMPV6 && (f.get(ip.upperOffset()) & 0xFF) == type) {
                    found.add(ip);
                }
            }
        }
        return found;
    }

    /** The IPv4 packets the gateway sent carrying ICMP of {@code type}. */
    private List<Ipv4Packet> icmp(int type) {
        List<Ipv4Packet> found = new ArrayList<>();
        for (ByteBuffer f : sent) {
            Ipv4Packet ip = GuestFrames.ipv4(f);
            if (ip != null && ip.protocol() == IpProtocol.ICMP && (f.get(ip.payloadOffset()) & 0xFF) == type) {
                found.add(ip);
            }
        }
        return found;
    }

    private static int code(Ipv6Packet ip) {
        return ip.buffer().get(ip.upperOffset() + 1) & 0xFF;
    }

    /** The quoted packet's first byte, as an offset in the error's buffer. */
    private static int quoted(Ipv6Packet ip) {
        return ip.upperOffset() + 8;
    }

    private static byte[] udpFragment(IpAddress destination, int offset, boolean more, byte[] data) {
        return GuestFrames6.fragment(HOST6_MAC, GUEST, destination, IpProtocol.UDP, 7, offset, more, data);
    }

    @Test
    void anIpv6DatagramTimesOutAfterSixtySecondsWithTimeExceededQuotingItsFirstFragment() {
        frame(udpFragment(HOST, 0, true, new byte[16]), 0);
        gateway.poll(60 * SECOND - 1, 0);
        assertThat(icmpv6(3)).isEmpty();
        gateway.poll(60 * SECOND, 0);
        List<Ipv6Packet> errors = icmpv6(3);
        assertThat(errors).hasSize(1);
        Ipv6Packet error = errors.getFirst();
        assertThat(code(error)).as("fragment reassembly time exceeded").isEqualTo(1);
        assertThat(error.source()).isEqualTo(HOST);
        assertThat(error.destination()).isEqualTo(GUEST);
        Ipv6Packet quote = new Ipv6Packet().wrap(error.buffer(), quoted(error), error.upperLength() - 8);
        assertThat(quote.nextHeader()).isEqualTo(IpProtocol.FRAGMENT);
        assertThat(quote.source()).isEqualTo(GUEST);
        assertThat(error.upperLength()).as("ICMPv6 header, IPv6 header, Fragment header, data").isEqualTo(8 + 40 + 8 + 16);
    }

    @Test
    void anIpv4DatagramTimesOutAfterThirtySecondsWithTimeExceeded() {
        frame(GuestFrames.rawIpv4(GuestFrames.HOST_MAC, GuestFrames.GUEST, GuestFrames.HOST, IpProtocol.UDP, 9, true, 0,
                new byte[16]), 0);
        gateway.poll(30 * SECOND, 0);
        List<Ipv4Packet> errors = icmp(IcmpType.TIME_EXCEEDED);
        assertThat(errors).hasSize(1);
        Ipv4Packet error = errors.getFirst();
        assertThat(error.source()).isEqualTo(GuestFrames.HOST);
        assertThat(error.buffer().get(error.payloadOffset() + 1)).isEqualTo((byte) 1);
        assertThat(error.buffer().getInt(error.payloadOffset() + 8 + 12)).as("quoted source").isEqualTo(GuestFrames.GUEST);
    }

    @Test
    void aTimeOutIsToldFromTheHostAddressForADatagramToBeyond() {
        IpAddress beyond = IpAddress.parse("2001:db8::1");
        frame(udpFragment(beyond, 0, true, new byte[16]), 0);
        gateway.poll(60 * SECOND, 0);
        assertThat(icmpv6(3)).singleElement().satisfies(e -> assertThat(e.source()).isEqualTo(HOST));
    }

    @Test
    void noTimeOutIsToldWithoutTheFirstFragmentForAGroupOrForAnIcmpError() {
        frame(udpFragment(HOST, 8, true, new byte[16]), 0);
        frame(udpFragment(IpAddress.parse("ff02::1"), 0, true, new byte[16]), 0);
        byte[] unreachable = new byte[16];
        unreachable[0] = 1; // ICMPv6 Destination Unreachable
        frame(GuestFrames6.fragment(HOST6_MAC, GUEST, HOST, IpProtocol.ICMPV6, 8, 0, true, unreachable), 0);
        frame(GuestFrames.rawIpv4(GuestFrames.HOST_MAC, GuestFrames.GUEST, Ipv4Address.parse("10.0.2.255"),
                IpProtocol.UDP, 9, true, 0, new byte[16]), 0);
        gateway.poll(60 * SECOND, 0);
        assertThat(gateway.reassemblyDrops()).isEqualTo(4);
        assertThat(icmpv6(3)).isEmpty();
        assertThat(icmp(IcmpType.TIME_EXCEEDED)).isEmpty();
    }

    /** The Parameter Problems sent: each as code and pointer, {@code code << 16 | pointer}. */
    private List<Integer> parameterProblems() {
        return icmpv6(4).stream().map(e -> code(e) << 16 | e.buffer().getInt(e.upperOffset() + 4)).toList();
    }

    @Test
    void aFragmentWithMoreToFollowWhoseLengthIsNotAMultipleOfEightGetsAParameterProblemAtPayloadLength() {
        frame(udpFragment(HOST, 0, true, new byte[13]), 0);
        assertThat(parameterProblems()).containsExactly(4);
        assertThat(gateway.drops.malformed).isEqualTo(1);
        Ipv6Packet error = icmpv6(4).getFirst();
        assertThat(error.upperLength()).as("the fragment quoted whole").isEqualTo(8 + 40 + 8 + 13);
    }

    @Test
    void aFragmentReachingPast65535BytesGetsAParameterProblemAtFragmentOffset() {
        frame(udpFragment(HOST, 65528, false, new byte[16]), 0);
        assertThat(parameterProblems()).containsExactly(40 + 2);
        assertThat(gateway.drops.malformed).isEqualTo(1);
    }

    @Test
    void aFirstFragmentWithoutItsWholeHeaderChainGetsParameterProblemCode3() {
        byte[] data = new byte[16]; // Destination Options (8 bytes) to TCP, then 8 of TCP's 20 header bytes
        data[0] = IpProtocol.TCP;
        frame(GuestFrames6.fragment(HOST6_MAC, GUEST, HOST, IpProtocol.DESTINATION_OPTIONS, 3, 0, true, data), 0);
        assertThat(parameterProblems()).containsExactly(3 << 16);
        assertThat(gateway.drops.malformed).isEqualTo(1);
    }

    @Test
    void aFragmentToAGroupIsDroppedUnanswered() {
        frame(udpFragment(IpAddress.parse("ff02::1"), 0, true, new byte[13]), 0);
        assertThat(sent).isEmpty();
        assertThat(gateway.drops.malformed).isEqualTo(1);
    }

    @Test
    void aFirstFragmentHoldingItsChainIsTakenAndTheDatagramCompletes() {
        fragmentedEchoWithDestinationOption(4, 0x01); // PadN; the first fragment: the header and ICMPv6's 8 bytes
        assertThat(icmpv6(129)).as("the echo reply").hasSize(1);
        assertThat(icmpv6(4)).as("no Parameter Problem").isEmpty();
        assertThat(gateway.drops.malformed).isZero();
    }

    /** An echo request to {@code destination} behind one 8-byte extension header of {@code type}: its next header, 0, then {@code rest}. */
    private static byte[] echoBehind(IpAddress destination, int type, int... rest) {
        byte[] echo = GuestFrames6.echoRequest(GUEST, destination, 1, new byte[8]);
        byte[] body = new byte[8 + echo.length];
        body[0] = IpProtocol.ICMPV6;
        for (int i = 0; i < rest.length; i++) {
            body[2 + i] = (byte) rest[i];
        }
        System.arraycopy(echo, 0, body, 8, echo.length);
        long mac = destination.isMulticastOrBroadcast() ? 0x3333_0000_0001L : HOST6_MAC;
        return GuestFrames6.packet(mac, GUEST, destination, type, 64, body).array();
    }

    @Test
    void anUnrecognizedOptionIsHandledByItsTwoHighestBits() {
        frame(echoBehind(HOST, IpProtocol.HOP_BY_HOP, 0x1E, 4), 0); // 00: skipped
        assertThat(icmpv6(129)).hasSize(1);
        frame(echoBehind(HOST, IpProtocol.HOP_BY_HOP, 0x5E, 4), 0); // 01: discarded
        assertThat(sent).hasSize(1);
        frame(echoBehind(HOST, IpProtocol.HOP_BY_HOP, 0x9E, 4), 0); // 10: discarded, told
        frame(echoBehind(HOST, IpProtocol.DESTINATION_OPTIONS, 1, 0, 0xDE, 2), 0); // PadN, then 11: told
        assertThat(parameterProblems()).containsExactly(2 << 16 | 42, 2 << 16 | 44);
        assertThat(icmpv6(129)).hasSize(1);
        assertThat(gateway.drops.unsupported).isEqualTo(3);
    }

    @Test
    void toAGroupOnlyAnOptionWhoseBitsAre10IsTold() {
        IpAddress allNodes = IpAddress.parse("ff02::1");
        frame(echoBehind(allNodes, IpProtocol.DESTINATION_OPTIONS, 0xDE, 4), 0);
        assertThat(sent).isEmpty();
        frame(echoBehind(allNodes, IpProtocol.DESTINATION_OPTIONS, 0x9E, 4), 0);
        assertThat(parameterProblems()).containsExactly(2 << 16 | 42);
        assertThat(icmpv6(4).getFirst().source()).isEqualTo(HOST);
    }

    @Test
    void anOptionRunningPastItsHeaderIsMalformed() {
        frame(echoBehind(HOST, IpProtocol.HOP_BY_HOP, 0x1E, 5), 0);
        assertThat(sent).isEmpty();
        assertThat(gateway.drops.malformed).isEqualTo(1);
    }

    @Test
    void aRoutingHeaderWithSegmentsLeftGetsAParameterProblemAtItsRoutingTypeAndWithNoneLeftIsIgnored() {
        frame(echoBehind(HOST, IpProtocol.ROUTING, 0, 1), 0);
        assertThat(parameterProblems()).containsExactly(42);
        frame(echoBehind(HOST, IpProtocol.ROUTING, 0, 0), 0);
        assertThat(icmpv6(129)).hasSize(1);
    }

    /** An IPv4 echo request to the gateway whose header carries the four option bytes {@code options}. */
    private static byte[] echoWithOptions(int... options) {
        byte[] plain = GuestFrames.echoRequest(GuestFrames.HOST_MAC, GuestFrames.GUEST, GuestFrames.HOST, 1, 1, new byte[8]);
        int ip = GuestFrames.ETH;
        int total = new Ipv4Packet().wrap(ByteBuffer.wrap(plain), ip, plain.length - ip).totalLength();
        ByteBuffer b = ByteBuffer.allocate(ip + total + 4);
        b.put(0, plain, 0, ip + 20).put(ip + 24, plain, ip + 20, total - 20);
        for (int i = 0; i < 4; i++) {
            b.put(ip + 20 + i, (byte) options[i]);
        }
        Ipv4Packet packet = new Ipv4Packet().wrap(b, ip, total + 4);
        packet.setHeaderLength(24);
        packet.setTotalLength(total + 4);
        packet.fillChecksum();
        return b.array();
    }

    @Test
    void anIpv4OptionOfBadLengthGetsAParameterProblemPointingToIt() {
        frame(echoWithOptions(1, 1, 1, 0), 0); // No Operation, End of Option List: well formed
        assertThat(icmp(IcmpType.ECHO_REPLY)).hasSize(1);
        frame(echoWithOptions(1, 0x44, 1, 0), 0); // a length under 2
        frame(echoWithOptions(0x07, 8, 4, 0), 0); // a length past the header
        frame(echoWithOptions(1, 1, 1, 0x44), 0); // no length octet
        List<Ipv4Packet> errors = icmp(IcmpType.PARAMETER_PROBLEM);
        assertThat(errors).extracting(e -> e.buffer().get(e.payloadOffset() + 4) & 0xFF).containsExactly(21, 20, 23);
        assertThat(errors.getFirst().source()).isEqualTo(GuestFrames.HOST);
        assertThat(gateway.drops.malformed).isEqualTo(3);
        assertThat(icmp(IcmpType.ECHO_REPLY)).hasSize(1);
    }

    /**
     * RFC 4443 section 2.4 (f), RFC 1812 section 4.3.2.8: the errors a flood of bad packets draws are limited,
     * as Linux's (1,000 a second after a burst of 50), and those left out are counted.
     */
    @Test
    void errorsAreRateLimited() {
        long frozen = System.nanoTime();
        parts.errors().clock(() -> frozen); // no token comes back meanwhile
        for (int i = 0; i < 1000; i++) {
            frame(echoWithOptions(1, 0x44, 1, 0), 0);
        }
        assertThat(gateway.drops.malformed).isEqualTo(1000);
        assertThat(icmp(IcmpType.PARAMETER_PROBLEM)).hasSize(IcmpErrors.BURST);
        assertThat(parts.errors().limited()).isEqualTo(1000 - IcmpErrors.BURST);
        // path MTU errors pass with the bucket empty, as Linux lets them: a lost one stalls a connection
        sent.clear();
        for (int error : new int[] {IcmpType.DESTINATION_UNREACHABLE << 8 | 4, IcmpType.DESTINATION_UNREACHABLE << 8 | 1}) {
            parts.errors().packet(IpAddress.ofIpv4(GuestFrames.HOST), IpAddress.ofIpv4(GuestFrames.GUEST),
                    IpAddress.parse("198.51.100.1"), IpProtocol.UDP, 64, error, ByteBuffer.allocate(8), 0, 8);
        }
        assertThat(icmp(IcmpType.DESTINATION_UNREACHABLE)).as("Fragmentation Needed, not Host Unreachable").singleElement()
                .satisfies(ip -> assertThat(ip.buffer().get(ip.payloadOffset() + 1)).isEqualTo((byte) 4));
        assertThat(parts.errors().limited()).isEqualTo(1000 - IcmpErrors.BURST + 1);
    }

    /** An echo request to the gateway in two fragments, a Destination Options header with {@code option} after the Fragment header. */
    private void fragmentedEchoWithDestinationOption(int id, int option) {
        byte[] echo = GuestFrames6.echoRequest(GUEST, HOST, 1, new byte[8]);
        byte[] whole = new byte[8 + echo.length];
        whole[0] = IpProtocol.ICMPV6;
        whole[2] = (byte) option;
        whole[3] = 4;
        System.arraycopy(echo, 0, whole, 8, echo.length);
        frame(GuestFrames6.fragment(HOST6_MAC, GUEST, HOST, IpProtocol.DESTINATION_OPTIONS, id, 0, true,
                java.util.Arrays.copyOfRange(whole, 0, 16)), 0);
        frame(GuestFrames6.fragment(HOST6_MAC, GUEST, HOST, IpProtocol.DESTINATION_OPTIONS, id, 16, false,
                java.util.Arrays.copyOfRange(whole, 16, whole.length)), 0);
    }

    @Test
    void aReassembledDatagramWithAnUnrecognizedDestinationOptionIsDropped() {
        fragmentedEchoWithDestinationOption(1, 0x1E);
        assertThat(icmpv6(129)).hasSize(1);
        fragmentedEchoWithDestinationOption(2, 0x9E);
        assertThat(icmpv6(129)).hasSize(1);
        assertThat(gateway.drops.unsupported).isEqualTo(1);
    }
}
