package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class UdpPacketTest {
    private static final int UDP = Golden.L4;
    private static final int LENGTH = 37;
    private static final int DNS_SERVER = Ipv4Address.parse("10.0.2.3");
    private final UdpPacket udp = new UdpPacket();

    @Test
    void parsesADnsQuery() {
        assertThat(udp.wrap(Golden.buffer(Golden.UDP_DNS_QUERY), UDP, LENGTH).check()).isEqualTo(WireError.NONE);
        assertThat(udp.sourcePort()).isEqualTo(53124);
        assertThat(udp.destinationPort()).isEqualTo(53);
        assertThat(udp.datagramLength()).isEqualTo(LENGTH);
        assertThat(udp.checksum()).isEqualTo(0x9c9d);
        assertThat(udp.payloadOffset()).isEqualTo(UDP + 8);
        assertThat(udp.payloadLength()).isEqualTo(29);
        assertThat(udp.checksumValid(Golden.GUEST_IP, DNS_SERVER)).isTrue();
    }

    @Test
    void emitsTheHeaderAndFillsTheChecksumOverPseudoHeaderAndData() {
        UdpHeader header = UdpHeader.parse(udp.wrap(Golden.buffer(Golden.UDP_DNS_QUERY), UDP, LENGTH));
        ByteBuffer buf = Golden.poisoned(8);
        header.emit(udp.wrap(buf, 0, 8));
        assertThat(Golden.bytes(buf)).isEqualTo(Golden.slice(Golden.UDP_DNS_QUERY, UDP, UDP + 8));

        ByteBuffer datagram = Golden.poisoned(LENGTH).put(8, Golden.UDP_DNS_QUERY, UDP + 8, 29);
        new UdpHeader(53124, 53, LENGTH, 0).emit(udp.wrap(datagram, 0, LENGTH));
        udp.fillChecksum(Golden.GUEST_IP, DNS_SERVER);
        assertThat(Golden.bytes(datagram)).isEqualTo(Golden.slice(Golden.UDP_DNS_QUERY, UDP, UDP + LENGTH));
    }

    @Test
    void sendsAComputedZeroChecksumAsAllOnes() {
        ByteBuffer buf = ByteBuffer.allocate(10);
        udp.wrap(buf, 0, 10);
        new UdpHeader(0, 0, 10, 0).emit(udp);
        buf.putShort(8, (short) ~(Checksum.pseudoHeaderSum(0, 0, IpProtocol.UDP, 10) + 10));
        udp.fillChecksum(0, 0);
        assertThat(udp.checksum()).isEqualTo(0xffff);
        assertThat(udp.checksumValid(0, 0)).isTrue();
    }

    @Test
    void acceptsAnAbsentChecksumAndRejectsAWrongOne() {
        ByteBuffer buf = Golden.buffer(Golden.UDP_DNS_QUERY);
        udp.wrap(buf, UDP, LENGTH);
        assertThat(udp.checksumValid(Golden.GUEST_IP, Ipv4Address.parse("10.0.2.4"))).isFalse();
        udp.setChecksum(0);
        assertThat(udp.checksumValid(Golden.GUEST_IP, Ipv4Address.parse("10.0.2.4"))).isTrue();
    }

    @Test
    void rejectsUdpShorterThanItsHeader() {
        assertThat(udp.wrap(Golden.buffer(Golden.UDP_DNS_QUERY), UDP, 7).check()).isEqualTo(WireError.TRUNCATED);
    }

    @Test
    void rejectsUdpWhoseLengthIsBelowTheHeaderLength() {
        ByteBuffer buf = Golden.buffer(Golden.UDP_DNS_QUERY);
        buf.putShort(UDP + 4, (short) 3);
        assertThat(udp.wrap(buf, UDP, LENGTH).check()).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void rejectsUdpWhoseLengthExceedsTheDatagram() {
        ByteBuffer buf = Golden.buffer(Golden.UDP_DNS_QUERY);
        buf.putShort(UDP + 4, (short) 60000);
        assertThat(udp.wrap(buf, UDP, LENGTH).check()).isEqualTo(WireError.BAD_LENGTH);
        buf.putShort(UDP + 4, (short) (LENGTH + 1));
        assertThat(udp.wrap(buf, UDP, LENGTH).check()).isEqualTo(WireError.BAD_LENGTH);
    }

    private static final int UDP6 = Golden6.L4;
    private static final int LENGTH6 = 44;

    @Test
    void verifiesTheChecksumOfADhcpv6InformationRequestOverIpv6() {
        ByteBuffer buf = Golden6.buffer(Golden6.DHCPV6_INFORMATION_REQUEST);
        Ipv6Packet ip = new Ipv6Packet().wrap(buf, Golden6.IP, buf.capacity() - Golden6.IP);
        assertThat(ip.check()).isEqualTo(WireError.NONE);
        assertThat(udp.wrap(buf, ip.upperOffset(), ip.upperLength()).check()).isEqualTo(WireError.NONE);
        assertThat(udp.sourcePort()).isEqualTo(546);
        assertThat(udp.destinationPort()).isEqualTo(547);
        assertThat(udp.checksum()).isEqualTo(0xc374);
        assertThat(udp.checksumValid(Golden6.GUEST_LINK_LOCAL, IpAddress.parse("ff02::1:2"))).isTrue();
        assertThat(udp.checksumValid(ip)).isTrue();
        assertThat(udp.checksumValid(Golden6.GUEST_LINK_LOCAL, IpAddress.parse("ff02::1:3"))).isFalse();
    }

    @Test
    void fillsTheIpv6ChecksumIntoAPoisonedHeader() {
        ByteBuffer buf = Golden6.buffer(Golden6.DHCPV6_INFORMATION_REQUEST);
        Ipv6Packet ip = new Ipv6Packet().wrap(buf, Golden6.IP, buf.capacity() - Golden6.IP);
        ip.check();
        for (int way = 0; way < 2; way++) {
            for (int i = 0; i < UdpPacket.HEADER_LENGTH; i++) {
                buf.put(UDP6 + i, (byte) 0xa5);
            }
            udp.wrap(buf, UDP6, LENGTH6);
            new UdpHeader(546, 547, LENGTH6, 0).emit(udp);
            if (way == 0) {
                udp.fillChecksum(Golden6.GUEST_LINK_LOCAL, IpAddress.parse("ff02::1:2"));
            } else {
                udp.fillChecksum(ip);
            }
            assertThat(Golden.bytes(buf)).isEqualTo(Golden6.DHCPV6_INFORMATION_REQUEST);
        }
    }

    @Test
    void takesAZeroChecksumAsNoneOverIpv4ButAsInvalidOverIpv6() {
        ByteBuffer buf = Golden6.buffer(Golden6.DHCPV6_INFORMATION_REQUEST);
        Ipv6Packet ip = new Ipv6Packet().wrap(buf, Golden6.IP, buf.capacity() - Golden6.IP);
        ip.check();
        udp.wrap(buf, UDP6, LENGTH6).setChecksum(0);
        assertThat(udp.checksumValid(Golden6.GUEST_LINK_LOCAL, IpAddress.parse("ff02::1:2"))).isFalse();
        assertThat(udp.checksumValid(ip)).isFalse();
        assertThat(udp.checksumValid(IpAddress.ofIpv4(Golden.GUEST_IP), IpAddress.ofIpv4(DNS_SERVER))).isTrue();
    }

    @Test
    void sendsAComputedZeroAsAllOnesOverIpv6() {
        ByteBuffer buf = Golden6.buffer(Golden6.DHCPV6_INFORMATION_REQUEST);
        IpAddress source = Golden6.GUEST_LINK_LOCAL;
        IpAddress destination = IpAddress.parse("ff02::1:2");
        udp.wrap(buf, UDP6, LENGTH6);
        int checksum = udp.checksum();
        // adding the checksum to a data word (one's complement) makes the computed checksum zero
        int word = buf.getShort(UDP6 + 8) & 0xffff;
        buf.putShort(UDP6 + 8, (short) Checksum.fold(word + checksum));
        udp.fillChecksum(source, destination);
        assertThat(udp.checksum()).isEqualTo(0xffff);
        assertThat(udp.checksumValid(source, destination)).isTrue();
    }
}
