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

    private final Ipv6Packet ip6 = new Ipv6Packet();
    private final Icmpv6Packet icmp6 = new Icmpv6Packet();
    private final RouterSolicitation rs = new RouterSolicitation();
    private final RouterAdvertisement ra = new RouterAdvertisement();
    private final NeighborSolicitation ns = new NeighborSolicitation();
    private final NeighborAdvertisement na = new NeighborAdvertisement();
    private final NdpOptions ndpOptions = new NdpOptions();

    /** Parses an IPv6 frame as a receive path would: header and walk, ICMPv6 and NDP with every option, UDP, TCP. */
    private WireError parse6(ByteBuffer buf, int offset, int length) {
        WireError error = eth.wrap(buf, offset, length).check();
        if (error != WireError.NONE) {
            return error;
        }
        if (eth.etherType() != EtherType.IPV6) {
            return WireError.UNSUPPORTED;
        }
        error = ip6.wrap(buf, eth.payloadOffset(), eth.payloadLength()).check();
        if (error != WireError.NONE) {
            return error;
        }
        Ipv6Header.parse(ip6);
        if (ip6.fragmented()) {
            return WireError.NONE;
        }
        int l4 = ip6.upperOffset();
        int l4Length = ip6.upperLength();
        return switch (ip6.upperProtocol()) {
            case IpProtocol.ICMPV6 -> icmpv6(buf, l4, l4Length);
            case IpProtocol.UDP -> {
                error = udp.wrap(buf, l4, l4Length).check();
                if (error == WireError.NONE) {
                    UdpHeader.parse(udp);
                    error = udp.checksumValid(ip6) ? WireError.NONE : WireError.BAD_CHECKSUM;
                }
                yield error;
            }
            case IpProtocol.TCP -> {
                tcp.wrap(buf, l4, l4Length);
                tcp.mss();
                error = tcp.check();
                if (error == WireError.NONE) {
                    TcpHeader.parse(tcp);
                    error = tcp.checksumValid(ip6) ? WireError.NONE : WireError.BAD_CHECKSUM;
                }
                yield error;
            }
            default -> WireError.UNSUPPORTED;
        };
    }

    private WireError icmpv6(ByteBuffer buf, int offset, int length) {
        WireError error = icmp6.wrap(buf, offset, length).check();
        if (error != WireError.NONE) {
            return error;
        }
        if (!icmp6.checksumValid(ip6)) {
            return WireError.BAD_CHECKSUM;
        }
        NdpMessage ndp = switch (icmp6.type()) {
            case Icmpv6Type.ROUTER_SOLICITATION -> rs.wrap(buf, offset, length);
            case Icmpv6Type.ROUTER_ADVERTISEMENT -> ra.wrap(buf, offset, length);
            case Icmpv6Type.NEIGHBOR_SOLICITATION -> ns.wrap(buf, offset, length);
            case Icmpv6Type.NEIGHBOR_ADVERTISEMENT -> na.wrap(buf, offset, length);
            default -> null;
        };
        if (ndp == null) {
            if (length >= Icmpv6Packet.HEADER_LENGTH) {
                Icmpv6Header.parse(icmp6);
            }
            return WireError.NONE;
        }
        error = ndp.check();
        if (error != WireError.NONE) {
            return error;
        }
        ndp.options(ndpOptions);
        while (ndpOptions.next()) {
            if (!ndpOptions.wellFormed()) {
                continue;
            }
            switch (ndpOptions.type()) {
                case NdpOptionType.SOURCE_LINK_LAYER_ADDRESS, NdpOptionType.TARGET_LINK_LAYER_ADDRESS ->
                        ndpOptions.linkLayerAddress();
                case NdpOptionType.PREFIX_INFORMATION -> ndpOptions.prefixInformation();
                case NdpOptionType.MTU -> ndpOptions.mtu();
                case NdpOptionType.RDNSS -> ndpOptions.rdnssAddress(ndpOptions.rdnssCount() - 1);
                case NdpOptionType.DNSSL -> ndpOptions.dnsslNames();
                default -> { }
            }
        }
        return ndpOptions.error();
    }

    @Test
    void acceptsEveryGoldenIpv6FrameWhole() {
        for (byte[] golden : Golden6.ALL) {
            assertThat(parse6(Golden.buffer(golden), 0, golden.length)).isEqualTo(WireError.NONE);
        }
    }

    @Test
    void reportsEveryTruncationOfEveryGoldenIpv6Frame() {
        for (byte[] golden : Golden6.ALL) {
            for (int length = 0; length < golden.length; length++) {
                ByteBuffer exact = ByteBuffer.wrap(Golden.slice(golden, 0, length));
                assertThat(parse6(exact, 0, length)).as("length %d", length).isNotEqualTo(WireError.NONE);
                ByteBuffer inLarger = ByteBuffer.allocateDirect(golden.length + 8).put(4, golden);
                assertThat(parse6(inLarger, 4, length)).as("length %d", length).isNotEqualTo(WireError.NONE);
            }
        }
    }

    /** The echo request with its payload replaced by {@code payload} and the fixed header's Next Header by {@code first}. */
    private static ByteBuffer echoWith(int first, byte[] payload) {
        ByteBuffer buf = ByteBuffer.allocate(Golden6.L4 + payload.length).put(0, Golden6.ICMPV6_ECHO, 0, Golden6.L4);
        buf.put(Golden6.L4, payload);
        buf.putShort(Golden6.IP + 4, (short) payload.length);
        buf.put(Golden6.IP + 6, (byte) first);
        return buf;
    }

    @Test
    void refusesHostileIpv6Frames() {
        ByteBuffer lying = Golden.buffer(Golden6.ICMPV6_ECHO);
        lying.putShort(Golden6.IP + 4, (short) 57);
        assertThat(parse6(lying, 0, lying.capacity())).as("payload length past the frame").isEqualTo(WireError.BAD_LENGTH);

        byte[] chain = new byte[9 * 8 + 8];
        for (int i = 0; i < 9; i++) {
            chain[8 * i] = (byte) (i < 8 ? IpProtocol.DESTINATION_OPTIONS : IpProtocol.ICMPV6);
            chain[8 * i + 2] = 1;
            chain[8 * i + 3] = 4;
        }
        assertThat(parse6(echoWith(IpProtocol.DESTINATION_OPTIONS, chain), 0, Golden6.L4 + chain.length))
                .as("nine extension headers").isEqualTo(WireError.BAD_HEADER_CHAIN);

        byte[] hopByHopSecond = Golden.hex("00 00 01 04 00 00 00 00 3a 00 01 04 00 00 00 00 80 00 00 00 00 00 00 00");
        assertThat(parse6(echoWith(IpProtocol.ROUTING, hopByHopSecond), 0, Golden6.L4 + 24))
                .as("hop-by-hop second").isEqualTo(WireError.BAD_HEADER_CHAIN);

        byte[] pastTheEnd = Golden.hex("3a 03 01 04 00 00 00 00 80 00 00 00 00 00 00 00");
        assertThat(parse6(echoWith(IpProtocol.HOP_BY_HOP, pastTheEnd), 0, Golden6.L4 + 16))
                .as("an extension header past the payload").isEqualTo(WireError.BAD_LENGTH);

        ByteBuffer zeroLengthOption = Golden.buffer(Golden6.ROUTER_SOLICITATION);
        zeroLengthOption.put(Golden6.L4 + 9, (byte) 0);
        assertThat(parse6(zeroLengthOption, 0, zeroLengthOption.capacity())).as("NDP option of length 0")
                .isIn(WireError.BAD_OPTION, WireError.BAD_CHECKSUM);
        new Icmpv6Packet().wrap(zeroLengthOption, Golden6.L4, 16).fillChecksum(Golden6.ROUTER_LINK_LOCAL,
                IpAddress.parse("ff02::2"));
        assertThat(parse6(zeroLengthOption, 0, zeroLengthOption.capacity())).isEqualTo(WireError.BAD_OPTION);

        ByteBuffer truncatedOption = ByteBuffer.allocate(Golden6.ROUTER_SOLICITATION.length - 2)
                .put(0, Golden6.ROUTER_SOLICITATION, 0, Golden6.ROUTER_SOLICITATION.length - 2);
        truncatedOption.putShort(Golden6.IP + 4, (short) 14);
        new Icmpv6Packet().wrap(truncatedOption, Golden6.L4, 14).fillChecksum(Golden6.ROUTER_LINK_LOCAL,
                IpAddress.parse("ff02::2"));
        assertThat(parse6(truncatedOption, 0, truncatedOption.capacity())).as("NDP option cut short")
                .isEqualTo(WireError.BAD_OPTION);
    }

    @Test
    void neverThrowsOnRandomlyCorruptedAndTruncatedIpv6Frames() {
        Random random = new Random(8200_4861);
        Set<WireError> outcomes = EnumSet.noneOf(WireError.class);
        for (int iteration = 0; iteration < 50_000; iteration++) {
            byte[] golden = Golden6.ALL[random.nextInt(Golden6.ALL.length)];
            byte[] bytes = golden.clone();
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++) {
                int at = random.nextInt(bytes.length);
                bytes[at] = (byte) (random.nextBoolean() ? random.nextInt(256) : bytes[at] ^ 1 << random.nextInt(8));
            }
            int length = random.nextBoolean() ? bytes.length : random.nextInt(bytes.length + 1);
            assertThatCode(() -> outcomes.add(parse6(ByteBuffer.wrap(bytes), 0, length))).doesNotThrowAnyException();
        }
        assertThat(outcomes).as("the corruption reaches every check").containsAll(EnumSet.of(WireError.NONE,
                WireError.TRUNCATED, WireError.BAD_LENGTH, WireError.BAD_VERSION, WireError.BAD_CHECKSUM,
                WireError.UNSUPPORTED));
    }
}
