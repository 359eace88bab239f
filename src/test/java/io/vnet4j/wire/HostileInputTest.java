package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Truncated, lying and corrupted frames through the whole parse chain: errors are reported, never thrown. */
class HostileInputTest {
    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final IcmpPacket icmp = new IcmpPacket();
    private final UdpPacket udp = new UdpPacket();
    private final TcpSegment tcp = new TcpSegment();

    /** Parses as a receive path would, reading every field of each layer that checks out. */
    private WireError parse(ByteBuffer buf, int offset, int length) {
        WireError error = eth.wrap(buf, offset, length).check();
        if (error != WireError.NONE) {
            return error;
        }
        EthernetHeader.parse(eth);
        int payload = eth.payloadOffset();
        int payloadLength = eth.payloadLength();
        if (eth.etherType() == EtherType.ARP) {
            error = arp.wrap(buf, payload, payloadLength).check();
            if (error == WireError.NONE) {
                ArpHeader.parse(arp);
            }
            return error;
        }
        if (eth.etherType() != EtherType.IPV4) {
            return WireError.UNSUPPORTED;
        }
        error = ip.wrap(buf, payload, payloadLength).check();
        if (error != WireError.NONE) {
            return error;
        }
        Ipv4Header header = Ipv4Header.parse(ip);
        int l4 = ip.payloadOffset();
        int l4Length = ip.payloadLength();
        return switch (ip.protocol()) {
            case IpProtocol.ICMP -> {
                error = icmp.wrap(buf, l4, l4Length).check();
                if (error == WireError.NONE) {
                    IcmpHeader.parse(icmp);
                    icmp.checksumValid();
                }
                yield error;
            }
            case IpProtocol.UDP -> {
                error = udp.wrap(buf, l4, l4Length).check();
                if (error == WireError.NONE) {
                    UdpHeader.parse(udp);
                    udp.checksumValid(header.source(), header.destination());
                }
                yield error;
            }
            case IpProtocol.TCP -> {
                tcp.wrap(buf, l4, l4Length);
                tcp.mss();
                tcp.windowScale();
                tcp.sackPermitted();
                error = tcp.check();
                if (error == WireError.NONE) {
                    TcpHeader.parse(tcp);
                    tcp.checksumValid(header.source(), header.destination());
                }
                yield error;
            }
            default -> WireError.UNSUPPORTED;
        };
    }

    @Test
    void acceptsEveryGoldenFrameWhole() {
        for (byte[] golden : Golden.ALL) {
            assertThat(parse(Golden.buffer(golden), 0, golden.length)).isEqualTo(WireError.NONE);
        }
    }

    @Test
    void reportsEveryTruncationOfEveryGoldenFrame() {
        for (byte[] golden : Golden.ALL) {
            int lastNeeded = golden == Golden.ARP_REQUEST ? 14 + ArpPacket.LENGTH : golden.length;
            for (int length = 0; length < lastNeeded; length++) {
                ByteBuffer exact = ByteBuffer.wrap(Golden.slice(golden, 0, length));
                assertThat(parse(exact, 0, length)).as("length %d", length).isNotEqualTo(WireError.NONE);
                ByteBuffer inLarger = ByteBuffer.allocateDirect(golden.length + 8).put(4, golden);
                assertThat(parse(inLarger, 4, length)).as("length %d", length).isNotEqualTo(WireError.NONE);
            }
        }
    }

    @Test
    void rejectsIhlFifteenOnAMinimalPacket() {
        ByteBuffer buf = ByteBuffer.wrap(Golden.slice(Golden.UDP_DNS_QUERY, 0, 34));
        buf.put(14, (byte) 0x4f);
        buf.putShort(16, (short) 20);
        assertThat(parse(buf, 0, 34)).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void rejectsAUdpLengthLargerThanTheIpPayloadEvenWhenTheFrameIsLonger() {
        ByteBuffer buf = ByteBuffer.allocate(Golden.UDP_DNS_QUERY.length + 20).put(0, Golden.UDP_DNS_QUERY);
        buf.putShort(Golden.L4 + 4, (short) 45);
        assertThat(parse(buf, 0, buf.capacity())).isEqualTo(WireError.BAD_LENGTH);
    }

    /** Repairs the IPv4 header checksum of an untagged frame, when the header fits, so corruption reaches layer 4. */
    private void refillIpv4Checksum(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (bytes.length >= Golden.L4 && buf.getShort(12) == EtherType.IPV4
                && Golden.IP + (bytes[Golden.IP] & 0x0f) * 4 <= bytes.length) {
            ip.wrap(buf, Golden.IP, bytes.length - Golden.IP).fillChecksum();
        }
    }

    @Test
    void neverThrowsOnRandomlyCorruptedAndTruncatedFrames() {
        Random random = new Random(2019_6888);
        Set<WireError> outcomes = EnumSet.noneOf(WireError.class);
        for (int iteration = 0; iteration < 50_000; iteration++) {
            byte[] golden = Golden.ALL[random.nextInt(Golden.ALL.length)];
            byte[] bytes = golden.clone();
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            if (random.nextBoolean()) {
                refillIpv4Checksum(bytes);
            }
            int length = random.nextInt(bytes.length + 1);
            assertThatCode(() -> outcomes.add(parse(ByteBuffer.wrap(bytes), 0, length))).doesNotThrowAnyException();
        }
        assertThat(outcomes).as("the corruption reaches every check").containsAll(EnumSet.of(WireError.NONE,
                WireError.TRUNCATED, WireError.BAD_LENGTH, WireError.BAD_CHECKSUM, WireError.BAD_OPTION));
    }
}
