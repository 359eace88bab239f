package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class Ipv6PacketTest {
    private static final int IP = Golden6.IP;
    private final Ipv6Packet ip = new Ipv6Packet();

    private Ipv6Packet wrap(ByteBuffer buf) {
        return ip.wrap(buf, IP, buf.capacity() - IP);
    }

    /** An IPv6 header from the echo request's addresses with {@code nextHeader}, then {@code payload}. */
    private static ByteBuffer packet(int nextHeader, byte[] payload) {
        ByteBuffer buf = ByteBuffer.allocate(Ipv6Packet.HEADER_LENGTH + payload.length);
        Ipv6Packet view = new Ipv6Packet().wrap(buf, 0, buf.capacity());
        new Ipv6Header(0, 0, payload.length, nextHeader, 64, Golden6.GUEST, Golden6.ROUTER).emit(view);
        buf.put(Ipv6Packet.HEADER_LENGTH, payload);
        return buf;
    }

    private WireError check(ByteBuffer buf) {
        return ip.wrap(buf, 0, buf.capacity()).check();
    }

    @Test
    void parsesTheHeaderOfAnEchoRequest() {
        assertThat(wrap(Golden6.buffer(Golden6.ICMPV6_ECHO)).check()).isEqualTo(WireError.NONE);
        assertThat(ip.version()).isEqualTo(6);
        assertThat(ip.trafficClass()).isZero();
        assertThat(ip.flowLabel()).isEqualTo(0x66b23);
        assertThat(ip.payloadLength()).isEqualTo(56);
        assertThat(ip.nextHeader()).isEqualTo(IpProtocol.ICMPV6);
        assertThat(ip.hopLimit()).isEqualTo(64);
        assertThat(ip.source()).isEqualTo(Golden6.GUEST);
        assertThat(ip.destination()).isEqualTo(Golden6.ROUTER);
        assertThat(ip.sourceHigh()).isEqualTo(Golden6.GUEST.high());
        assertThat(ip.sourceLow()).isEqualTo(Golden6.GUEST.low());
        assertThat(ip.destinationHigh()).isEqualTo(Golden6.ROUTER.high());
        assertThat(ip.destinationLow()).isEqualTo(Golden6.ROUTER.low());
        assertThat(Golden6.GUEST.equalsAt(ip.buffer(), ip.sourceOffset())).isTrue();
        assertThat(Golden6.ROUTER.equalsAt(ip.buffer(), ip.destinationOffset())).isTrue();
        assertThat(ip.payloadOffset()).isEqualTo(Golden6.L4);
        assertThat(ip.upperProtocol()).isEqualTo(IpProtocol.ICMPV6);
        assertThat(ip.upperOffset()).isEqualTo(Golden6.L4);
        assertThat(ip.upperLength()).isEqualTo(56);
        assertThat(ip.extensionHeaderCount()).isZero();
        assertThat(ip.hasFragmentHeader()).isFalse();
        assertThat(ip.fragmented()).isFalse();
        assertThat(ip.routingSegmentsLeft()).isEqualTo(Ipv6Packet.NONE);
    }

    @Test
    void readsTrafficClassAndFlowLabelApart() {
        assertThat(wrap(Golden6.buffer(Golden6.ROUTER_ADVERTISEMENT)).check()).isEqualTo(WireError.NONE);
        assertThat(ip.trafficClass()).isEqualTo(0xc0);
        assertThat(ip.flowLabel()).isEqualTo(0x01d51);
        ip.setTrafficClass(0x2e);
        assertThat(ip.version()).isEqualTo(6);
        assertThat(ip.trafficClass()).isEqualTo(0x2e);
        assertThat(ip.flowLabel()).isEqualTo(0x01d51);
        ip.setFlowLabel(0xfffff);
        assertThat(ip.trafficClass()).isEqualTo(0x2e);
        assertThat(ip.flowLabel()).isEqualTo(0xfffff);
        assertThat(ip.version()).isEqualTo(6);
    }

    @Test
    void emitsEveryHeaderByte() {
        for (byte[] golden : Golden6.ALL) {
            Ipv6Header header = Ipv6Header.parse(wrap(Golden6.buffer(golden)));
            ByteBuffer buf = Golden.poisoned(Ipv6Packet.HEADER_LENGTH);
            header.emit(ip.wrap(buf, 0, Ipv6Packet.HEADER_LENGTH));
            assertThat(Golden.bytes(buf)).isEqualTo(Golden.slice(golden, IP, IP + Ipv6Packet.HEADER_LENGTH));
        }
    }

    @Test
    void writesAddressesFromTheirHalves() {
        ByteBuffer buf = Golden.poisoned(Ipv6Packet.HEADER_LENGTH);
        Ipv6Header.parse(wrap(Golden6.buffer(Golden6.ICMPV6_ECHO))).emit(ip.wrap(buf, 0, Ipv6Packet.HEADER_LENGTH));
        ip.setSource(Golden6.ROUTER.high(), Golden6.ROUTER.low());
        ip.setDestination(Golden6.GUEST.high(), Golden6.GUEST.low());
        assertThat(ip.source()).isEqualTo(Golden6.ROUTER);
        assertThat(ip.destination()).isEqualTo(Golden6.GUEST);
    }

    @Test
    void refusesToWriteAnIpv4Address() {
        ip.wrap(ByteBuffer.allocate(40), 0, 40);
        assertThatThrownBy(() -> ip.setSource(IpAddress.parse("10.0.2.15"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ip.setDestination(IpAddress.parse("10.0.2.2"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void walksAHopByHopHeaderToTheMldReport() {
        assertThat(wrap(Golden6.buffer(Golden6.MLD_REPORT)).check()).isEqualTo(WireError.NONE);
        assertThat(ip.nextHeader()).isEqualTo(IpProtocol.HOP_BY_HOP);
        assertThat(ip.extensionHeaderCount()).isEqualTo(1);
        assertThat(ip.upperProtocol()).isEqualTo(IpProtocol.ICMPV6);
        assertThat(ip.upperOffset()).isEqualTo(Golden6.L4 + 8);
        assertThat(ip.upperLength()).isEqualTo(28);
    }

    @Test
    void stopsAtTheFragmentHeaderOfALastFragment() {
        assertThat(wrap(Golden6.buffer(Golden6.LAST_FRAGMENT)).check()).isEqualTo(WireError.NONE);
        assertThat(ip.hasFragmentHeader()).isTrue();
        assertThat(ip.fragmented()).isTrue();
        assertThat(ip.fragmentOffset()).isEqualTo(2896);
        assertThat(ip.moreFragments()).isFalse();
        assertThat(ip.fragmentIdentification()).isEqualTo(0xbf865645);
        assertThat(ip.fragmentHeaderOffset()).isEqualTo(Golden6.L4);
        assertThat(ip.fragmentableOffset()).isEqualTo(Golden6.L4 + 8);
        assertThat(ip.perFragmentNextHeaderOffset()).isEqualTo(IP + 6);
        assertThat(ip.upperProtocol()).isEqualTo(IpProtocol.ICMPV6);
        assertThat(ip.upperOffset()).isEqualTo(Golden6.L4 + 8);
        assertThat(ip.upperLength()).isEqualTo(112);
    }

    @Test
    void stopsAtTheFragmentHeaderOfAFirstFragmentWhoseDataBeginsWithAnExtensionHeader() {
        // Destination Options, then a first fragment (offset 0, M set) whose data starts with a routing header
        ByteBuffer buf = packet(IpProtocol.DESTINATION_OPTIONS, Golden.hex(
                "2c 00 01 04 00 00 00 00",
                "2b 00 00 01 12 34 56 78",
                "11 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00"));
        assertThat(check(buf)).isEqualTo(WireError.NONE);
        assertThat(ip.fragmented()).isTrue();
        assertThat(ip.moreFragments()).isTrue();
        assertThat(ip.fragmentOffset()).isZero();
        assertThat(ip.fragmentIdentification()).isEqualTo(0x12345678);
        assertThat(ip.perFragmentNextHeaderOffset()).isEqualTo(40);
        assertThat(ip.fragmentHeaderOffset()).isEqualTo(48);
        assertThat(ip.upperProtocol()).isEqualTo(IpProtocol.ROUTING);
        assertThat(ip.upperOffset()).isEqualTo(56);
        assertThat(ip.upperLength()).isEqualTo(16);
        assertThat(ip.routingSegmentsLeft()).isEqualTo(Ipv6Packet.NONE);
    }

    /** Found by Ipv6FuzzTest: the fragment data keeps its length when the Fragment header names No Next Header. */
    @Test
    void keepsTheDataLengthOfAFragmentWhoseNextHeaderIsNoNextHeader() {
        ByteBuffer buf = Golden6.buffer(Golden6.LAST_FRAGMENT);
        buf.put(Golden6.L4, (byte) IpProtocol.NO_NEXT_HEADER);
        assertThat(wrap(buf).check()).isEqualTo(WireError.NONE);
        assertThat(ip.fragmented()).isTrue();
        assertThat(ip.upperProtocol()).isEqualTo(IpProtocol.NO_NEXT_HEADER);
        assertThat(ip.upperLength()).isEqualTo(112);
    }

    @Test
    void walksThroughAnAtomicFragment() {
        ByteBuffer buf = packet(IpProtocol.FRAGMENT, Golden.hex(
                "11 00 00 00 00 00 00 07",
                "04 00 00 35 00 0c 00 00 01 02 03 04"));
        assertThat(check(buf)).isEqualTo(WireError.NONE);
        assertThat(ip.hasFragmentHeader()).isTrue();
        assertThat(ip.fragmented()).isFalse();
        assertThat(ip.fragmentIdentification()).isEqualTo(7);
        assertThat(ip.upperProtocol()).isEqualTo(IpProtocol.UDP);
        assertThat(ip.upperOffset()).isEqualTo(48);
        assertThat(ip.upperLength()).isEqualTo(12);
    }

    @Test
    void walksRoutingAndDestinationOptionsHeadersAndRecordsSegmentsLeft() {
        ByteBuffer buf = packet(IpProtocol.ROUTING, Golden.hex(
                "3c 04 04 03 00 00 00 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01",
                "20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02",
                "06 00 01 04 00 00 00 00",
                "04 00 00 50 00 00 00 01 00 00 00 00 50 02 ff ff 00 00 00 00"));
        assertThat(check(buf)).isEqualTo(WireError.NONE);
        assertThat(ip.extensionHeaderCount()).isEqualTo(2);
        assertThat(ip.routingSegmentsLeft()).isEqualTo(3);
        assertThat(ip.upperProtocol()).isEqualTo(IpProtocol.TCP);
        assertThat(ip.upperOffset()).isEqualTo(40 + 40 + 8);
        assertThat(ip.upperLength()).isEqualTo(20);
    }

    @Test
    void endsTheWalkAtNoNextHeaderWithLengthZeroIgnoringWhatFollows() {
        ByteBuffer buf = packet(IpProtocol.DESTINATION_OPTIONS, Golden.hex(
                "3b 00 01 04 00 00 00 00",
                "de ad be ef"));
        assertThat(check(buf)).isEqualTo(WireError.NONE);
        assertThat(ip.upperProtocol()).isEqualTo(IpProtocol.NO_NEXT_HEADER);
        assertThat(ip.upperOffset()).isEqualTo(48);
        assertThat(ip.upperLength()).isZero();
    }

    @Test
    void endsTheWalkAtEspAndAtUnknownProtocols() {
        assertThat(check(packet(IpProtocol.ESP, new byte[12]))).isEqualTo(WireError.NONE);
        assertThat(ip.upperProtocol()).isEqualTo(IpProtocol.ESP);
        assertThat(ip.upperLength()).isEqualTo(12);
        assertThat(check(packet(253, new byte[3]))).isEqualTo(WireError.NONE);
        assertThat(ip.upperProtocol()).isEqualTo(253);
    }

    @Test
    void acceptsEthernetPaddingAfterThePayload() {
        ByteBuffer buf = ByteBuffer.allocate(Golden6.ICMPV6_ECHO.length + 10).put(0, Golden6.ICMPV6_ECHO);
        assertThat(wrap(buf).check()).isEqualTo(WireError.NONE);
        assertThat(ip.upperLength()).isEqualTo(56);
    }

    @Test
    void allowsEightExtensionHeadersAndRefusesNine() {
        for (int headers = 1; headers <= 10; headers++) {
            byte[] payload = new byte[8 * headers + 8];
            for (int i = 0; i < headers; i++) {
                payload[8 * i] = (byte) (i == headers - 1 ? IpProtocol.UDP : IpProtocol.DESTINATION_OPTIONS);
                payload[8 * i + 2] = 1; // PadN over the six option bytes
                payload[8 * i + 3] = 4;
            }
            WireError expected = headers <= Ipv6Packet.MAX_EXTENSION_HEADERS ? WireError.NONE : WireError.BAD_HEADER_CHAIN;
            assertThat(check(packet(IpProtocol.DESTINATION_OPTIONS, payload))).as("%d headers", headers)
                    .isEqualTo(expected);
        }
        assertThat(ip.upperProtocol()).as("forgotten after an error").isEqualTo(Ipv6Packet.NONE);
        assertThat(ip.upperOffset()).isEqualTo(Ipv6Packet.NONE);
    }

    @Test
    void refusesHopByHopAnywhereButFirst() {
        ByteBuffer buf = packet(IpProtocol.DESTINATION_OPTIONS, Golden.hex(
                "00 00 01 04 00 00 00 00",
                "11 00 01 04 00 00 00 00"));
        assertThat(check(buf)).isEqualTo(WireError.BAD_HEADER_CHAIN);
        ByteBuffer twice = packet(IpProtocol.HOP_BY_HOP, Golden.hex(
                "00 00 01 04 00 00 00 00",
                "11 00 01 04 00 00 00 00"));
        assertThat(check(twice)).isEqualTo(WireError.BAD_HEADER_CHAIN);
    }

    @Test
    void refusesASecondFragmentHeader() {
        ByteBuffer buf = packet(IpProtocol.FRAGMENT, Golden.hex(
                "2c 00 00 00 00 00 00 01",
                "11 00 00 00 00 00 00 02",
                "00 00 00 00 00 00 00 00"));
        assertThat(check(buf)).isEqualTo(WireError.BAD_HEADER_CHAIN);
    }

    @Test
    void refusesExtensionHeadersRunningPastThePayload() {
        // Hdr Ext Len 1 says 16 bytes; 8 are there
        assertThat(check(packet(IpProtocol.DESTINATION_OPTIONS, Golden.hex("11 01 01 04 00 00 00 00"))))
                .isEqualTo(WireError.BAD_LENGTH);
        // fewer than the 8 bytes every extension header has
        assertThat(check(packet(IpProtocol.ROUTING, Golden.hex("11 00 00 00")))).isEqualTo(WireError.BAD_LENGTH);
        assertThat(check(packet(IpProtocol.FRAGMENT, Golden.hex("11 00 00 00 00 00 00")))).isEqualTo(WireError.BAD_LENGTH);
        // the frame holds the bytes, the payload length does not cover them
        ByteBuffer buf = packet(IpProtocol.DESTINATION_OPTIONS, Golden.hex("11 01 01 0c 00 00 00 00 00 00 00 00 00 00 00 00"));
        buf.putShort(4, (short) 8);
        assertThat(check(buf)).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void refusesAPayloadLengthPastTheView() {
        ByteBuffer buf = Golden6.buffer(Golden6.ICMPV6_ECHO);
        buf.putShort(IP + 4, (short) 57);
        assertThat(wrap(buf).check()).isEqualTo(WireError.BAD_LENGTH);
        buf.putShort(IP + 4, (short) 0xffff);
        assertThat(wrap(buf).check()).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void refusesJumbogramsPayloadLengthZero() {
        ByteBuffer buf = Golden6.buffer(Golden6.MLD_REPORT);
        buf.putShort(IP + 4, (short) 0);
        assertThat(wrap(buf).check()).isEqualTo(WireError.UNSUPPORTED);
    }

    @Test
    void refusesIpv4MappedAddresses() {
        ByteBuffer buf = Golden6.buffer(Golden6.ICMPV6_ECHO);
        IpAddress.parse("10.0.2.15").write(buf, IP + 8);
        assertThat(wrap(buf).check()).isEqualTo(WireError.UNSUPPORTED);
        buf = Golden6.buffer(Golden6.ICMPV6_ECHO);
        IpAddress.parse("10.0.2.2").write(buf, IP + 24);
        assertThat(wrap(buf).check()).isEqualTo(WireError.UNSUPPORTED);
    }

    @Test
    void refusesOtherVersionsAndShortViews() {
        ByteBuffer buf = Golden6.buffer(Golden6.ICMPV6_ECHO);
        assertThat(ip.wrap(buf, IP, 39).check()).isEqualTo(WireError.TRUNCATED);
        buf.put(IP, (byte) 0x45);
        assertThat(wrap(buf).check()).isEqualTo(WireError.BAD_VERSION);
    }

    @Test
    void sumsThePseudoHeaderOfItsOwnAddresses() {
        wrap(Golden6.buffer(Golden6.ICMPV6_ECHO)).check();
        assertThat(Checksum.fold(ip.pseudoHeaderSum(IpProtocol.ICMPV6, 56))).isEqualTo(
                Checksum.fold(Checksum.pseudoHeaderSum(Golden6.GUEST, Golden6.ROUTER, IpProtocol.ICMPV6, 56)));
    }
}
