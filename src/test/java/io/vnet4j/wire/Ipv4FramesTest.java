package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The frames {@link Ipv4Frames} builds read back as RFC 791 and RFC 9293 say, checksums valid. */
class Ipv4FramesTest {
    static final long MAC = 0x0200_0000_0001L;
    static final int GUEST = Ipv4Address.parse("10.0.2.15");
    static final int GATEWAY = Ipv4Address.parse("10.0.2.2");

    private final ByteBuffer b = ByteBuffer.allocate(1514);

    @Test
    void aTcpSegmentCarriesItsOptionsInItsHeaderAndThenItsData() {
        int n = Ipv4Frames.tcp(b, MAC, 0x5255_0a00_0202L, GUEST, 40001, GATEWAY, 8080, TcpFlags.SYN | TcpFlags.ACK, 1000,
                2000, 64240, FrameSegments.OPTIONS, FrameSegments.DATA);
        assertThat(n).isEqualTo(14 + 20 + 24 + 2);
        Ipv4Packet ip = new Ipv4Packet().wrap(b, EthernetFrame.HEADER_LENGTH, n - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.check()).isEqualTo(WireError.NONE);
        assertThat(ip.protocol()).isEqualTo(IpProtocol.TCP);
        TcpSegment tcp = new TcpSegment().wrap(b, ip.payloadOffset(), ip.payloadLength());
        FrameSegments.assertIsTheSegment(tcp);
        assertThat(tcp.checksumValid(GUEST, GATEWAY)).isTrue();
    }

    @Test
    void aShortSegmentIsPaddedTo60Bytes() {
        b.put(54, (byte) 0x55); // what an earlier frame left
        int n = Ipv4Frames.tcp(b, MAC, 0x5255_0a00_0202L, GUEST, 40001, GATEWAY, 8080, TcpFlags.ACK, 1, 1, 502,
                new byte[0], new byte[0]);
        assertThat(n).isEqualTo(EthernetFrame.MIN_LENGTH);
        assertThat(b.get(54)).isZero();
    }

    @Test
    void optionsMustBeWhole32BitWords() {
        assertThatThrownBy(() -> Ipv4Frames.tcp(b, MAC, 0, GUEST, 1, GATEWAY, 2, TcpFlags.SYN, 0, 0, 0, new byte[3],
                new byte[0])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 bytes");
    }
}
