package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class Icmpv6PacketTest {
    private static final int L4 = Golden6.L4;
    private static final int LENGTH = 56;
    private final Icmpv6Packet icmp = new Icmpv6Packet();

    @Test
    void parsesAnEchoRequest() {
        ByteBuffer buf = Golden6.buffer(Golden6.ICMPV6_ECHO);
        assertThat(icmp.wrap(buf, L4, LENGTH).check()).isEqualTo(WireError.NONE);
        assertThat(icmp.type()).isEqualTo(Icmpv6Type.ECHO_REQUEST);
        assertThat(icmp.code()).isZero();
        assertThat(icmp.checksum()).isEqualTo(0x1f5e);
        assertThat(icmp.identifier()).isEqualTo(0x3c4e);
        assertThat(icmp.sequence()).isZero();
        assertThat(icmp.payloadOffset()).isEqualTo(L4 + 8);
        assertThat(icmp.payloadLength()).isEqualTo(48);
        assertThat(icmp.checksumValid(Golden6.GUEST, Golden6.ROUTER)).isTrue();
        assertThat(icmp.checksumValid(Golden6.ROUTER, Golden6.GUEST)).isTrue(); // the sum does not see the order
        assertThat(icmp.checksumValid(Golden6.GUEST, Golden6.GUEST_LINK_LOCAL)).isFalse();
        Ipv6Packet ip = new Ipv6Packet().wrap(buf, Golden6.IP, buf.capacity() - Golden6.IP);
        assertThat(ip.check()).isEqualTo(WireError.NONE);
        assertThat(icmp.checksumValid(ip)).isTrue();
    }

    @Test
    void emitsTheHeaderAndFillsTheChecksumOverThePseudoHeader() {
        ByteBuffer buf = Golden6.buffer(Golden6.ICMPV6_ECHO);
        Icmpv6Header header = Icmpv6Header.parse(icmp.wrap(buf, L4, LENGTH));
        for (int i = 0; i < Icmpv6Packet.HEADER_LENGTH; i++) {
            buf.put(L4 + i, (byte) 0xa5);
        }
        header.emit(icmp);
        assertThat(Golden.bytes(buf)).isEqualTo(Golden6.ICMPV6_ECHO);

        new Icmpv6Header(Icmpv6Type.ECHO_REQUEST, 0, 0xa5a5, 0x3c4e, 0).emit(icmp);
        icmp.fillChecksum(Golden6.GUEST, Golden6.ROUTER);
        assertThat(Golden.bytes(buf)).isEqualTo(Golden6.ICMPV6_ECHO);
        icmp.setChecksum(0xa5a5);
        icmp.fillChecksum(new Ipv6Packet().wrap(buf, Golden6.IP, buf.capacity() - Golden6.IP));
        assertThat(Golden.bytes(buf)).isEqualTo(Golden6.ICMPV6_ECHO);
    }

    @Test
    void writesAndReadsThePacketTooBigMtuAndTheParameterProblemPointer() {
        ByteBuffer buf = Golden.poisoned(8);
        icmp.wrap(buf, 0, 8);
        icmp.setType(Icmpv6Type.PACKET_TOO_BIG);
        icmp.setCode(0);
        icmp.setChecksum(0);
        icmp.setMtu(1280);
        assertThat(Golden.bytes(buf)).isEqualTo(Golden.hex("02 00 00 00 00 00 05 00"));
        assertThat(icmp.mtu()).isEqualTo(1280);
        icmp.setPointer(0xffff_fffeL);
        assertThat(icmp.pointer()).isEqualTo(0xffff_fffeL);
        assertThat(icmp.mtu()).isEqualTo(0xffff_fffeL);
    }

    @Test
    void refusesMessagesShorterThanTheirTypesFixedPart() {
        ByteBuffer buf = ByteBuffer.allocate(40);
        int[][] typeAndMinimum = {{1, 8}, {2, 8}, {3, 8}, {4, 8}, {128, 8}, {129, 8}, {133, 8}, {134, 16}, {135, 24},
                {136, 24}, {137, 40}, {200, 4}, {0, 4}};
        for (int[] pair : typeAndMinimum) {
            buf.put(0, (byte) pair[0]);
            assertThat(icmp.wrap(buf, 0, pair[1] - 1).check()).as("type %d", pair[0]).isEqualTo(WireError.TRUNCATED);
            assertThat(icmp.wrap(buf, 0, pair[1]).check()).as("type %d", pair[0]).isEqualTo(WireError.NONE);
        }
        assertThat(Icmpv6Type.isError(Icmpv6Type.PARAMETER_PROBLEM)).isTrue();
        assertThat(Icmpv6Type.isError(Icmpv6Type.ECHO_REQUEST)).isFalse();
    }

    @Test
    void refusesIpv4AddressesForItsChecksum() {
        icmp.wrap(Golden6.buffer(Golden6.ICMPV6_ECHO), L4, LENGTH);
        IpAddress v4 = IpAddress.parse("10.0.2.15");
        assertThatThrownBy(() -> icmp.checksumValid(v4, v4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> icmp.fillChecksum(Golden6.GUEST, v4)).isInstanceOf(IllegalArgumentException.class);
    }
}
