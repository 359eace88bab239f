package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class Ipv4PacketTest {
    private static final int IP = Golden.IP;
    private final Ipv4Packet ip = new Ipv4Packet();

    private Ipv4Packet wrap(ByteBuffer buf) {
        return ip.wrap(buf, IP, buf.capacity() - IP);
    }

    @Test
    void parsesTheHeaderOfAnEchoRequest() {
        assertThat(wrap(Golden.buffer(Golden.ICMP_ECHO)).check()).isEqualTo(WireError.NONE);
        assertThat(ip.version()).isEqualTo(4);
        assertThat(ip.headerLength()).isEqualTo(20);
        assertThat(ip.tos()).isZero();
        assertThat(ip.totalLength()).isEqualTo(76);
        assertThat(ip.identification()).isEqualTo(0x4a7d);
        assertThat(ip.dontFragment()).isTrue();
        assertThat(ip.moreFragments()).isFalse();
        assertThat(ip.fragmentOffset()).isZero();
        assertThat(ip.ttl()).isEqualTo(64);
        assertThat(ip.protocol()).isEqualTo(IpProtocol.ICMP);
        assertThat(ip.checksum()).isEqualTo(0xd415);
        assertThat(ip.source()).isEqualTo(Golden.GUEST_IP);
        assertThat(ip.destination()).isEqualTo(Ipv4Address.parse("8.8.8.8"));
        assertThat(ip.optionsLength()).isZero();
        assertThat(ip.payloadOffset()).isEqualTo(Golden.L4);
        assertThat(ip.payloadLength()).isEqualTo(56);
    }

    @Test
    void emitsEveryHeaderByteAndFillsTheChecksum() {
        for (byte[] golden : new byte[][] {Golden.ICMP_ECHO, Golden.UDP_DNS_QUERY, Golden.TCP_SYN}) {
            Ipv4Header header = Ipv4Header.parse(wrap(Golden.buffer(golden)));
            ByteBuffer buf = Golden.poisoned(20);
            header.emit(ip.wrap(buf, 0, 20));
            assertThat(Golden.bytes(buf)).isEqualTo(Golden.slice(golden, IP, IP + 20));

            ByteBuffer refilled = Golden.poisoned(20);
            new Ipv4Header(header.headerLength(), header.tos(), header.totalLength(), header.identification(),
                    header.dontFragment(), header.moreFragments(), header.fragmentOffset(), header.ttl(),
                    header.protocol(), 0, header.source(), header.destination()).emit(ip.wrap(refilled, 0, 20));
            ip.fillChecksum();
            assertThat(Golden.bytes(refilled)).isEqualTo(Golden.slice(golden, IP, IP + 20));
        }
    }

    @Test
    void exposesOptionsAndPayloadOfAHeaderWithOptions() {
        ByteBuffer buf = ByteBuffer.wrap(Golden.hex(
                "46 00 00 20 00 01 00 00 40 11 00 00 0a 00 02 0f 0a 00 02 03",
                "94 04 00 00",
                "01 02 03 04 05 06 07 08"));
        ip.wrap(buf, 0, 32).fillChecksum();
        assertThat(ip.check()).isEqualTo(WireError.NONE);
        assertThat(ip.headerLength()).isEqualTo(24);
        assertThat(ip.optionsOffset()).isEqualTo(20);
        assertThat(ip.optionsLength()).isEqualTo(4);
        assertThat(ip.payloadOffset()).isEqualTo(24);
        assertThat(ip.payloadLength()).isEqualTo(8);
    }

    @Test
    void acceptsEthernetPaddingAfterTheTotalLength() {
        ByteBuffer buf = ByteBuffer.allocate(IP + Golden.UDP_DNS_QUERY.length + 10).put(0, Golden.UDP_DNS_QUERY);
        assertThat(wrap(buf).check()).isEqualTo(WireError.NONE);
        assertThat(ip.payloadLength()).isEqualTo(37);
    }

    @Test
    void rejectsIpv4ShorterThanTwentyBytes() {
        ByteBuffer buf = Golden.buffer(Golden.ICMP_ECHO);
        assertThat(ip.wrap(buf, IP, 19).check()).isEqualTo(WireError.TRUNCATED);
    }

    @Test
    void rejectsOtherVersions() {
        ByteBuffer buf = Golden.buffer(Golden.ICMP_ECHO);
        buf.put(IP, (byte) 0x65);
        assertThat(wrap(buf).check()).isEqualTo(WireError.BAD_VERSION);
    }

    @Test
    void rejectsIpv4WhoseIhlIsBelowFive() {
        ByteBuffer buf = Golden.buffer(Golden.ICMP_ECHO);
        buf.put(IP, (byte) 0x44);
        assertThat(wrap(buf).check()).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void rejectsIpv4WhoseIhlRunsPastTheTotalLength() {
        ByteBuffer buf = ByteBuffer.allocate(IP + 40).put(0, Golden.ICMP_ECHO, 0, IP + 40);
        buf.put(IP, (byte) 0x4f);
        buf.putShort(IP + 2, (short) 40);
        assertThat(wrap(buf).check()).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void rejectsIpv4WhoseTotalLengthExceedsFrame() {
        ByteBuffer buf = Golden.buffer(Golden.ICMP_ECHO);
        buf.putShort(IP + 2, (short) 65535);
        assertThat(wrap(buf).check()).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void rejectsIpv4WhoseTotalLengthIsShorterThanItsHeader() {
        ByteBuffer buf = Golden.buffer(Golden.ICMP_ECHO);
        buf.putShort(IP + 2, (short) 19);
        assertThat(wrap(buf).check()).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void rejectsAHeaderWithABadChecksum() {
        ByteBuffer buf = Golden.buffer(Golden.ICMP_ECHO);
        buf.put(IP + 8, (byte) 63);
        assertThat(wrap(buf).check()).isEqualTo(WireError.BAD_CHECKSUM);
    }

    @Test
    void staysValidAfterIncrementalUpdatesOfTtlAndAddress() {
        ByteBuffer buf = Golden.buffer(Golden.ICMP_ECHO);
        wrap(buf);
        int oldWord = buf.getShort(IP + 8) & 0xffff;
        ip.setTtl(ip.ttl() - 1);
        ip.setChecksum(Checksum.update16(ip.checksum(), oldWord, buf.getShort(IP + 8) & 0xffff));
        int translated = Ipv4Address.parse("192.168.1.20");
        ip.setChecksum(Checksum.update32(ip.checksum(), ip.source(), translated));
        ip.setSource(translated);
        assertThat(ip.check()).isEqualTo(WireError.NONE);
    }
}
