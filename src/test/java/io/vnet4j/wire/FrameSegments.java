package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

/** The TCP segment both families' frame builders are tested with, and what it must read back as. */
final class FrameSegments {
    /** Its options: MSS 1460. */
    static final byte[] OPTIONS = {2, 4, 0x05, (byte) 0xb4};
    static final byte[] DATA = {'x', 'y'};

    private FrameSegments() {
    }

    /** {@code tcp} is that segment: SYN-ACK from 40001 to 8080, 1000/2000, window 64240, the options, then the data. */
    static void assertIsTheSegment(TcpSegment tcp) {
        assertThat(tcp.check()).isEqualTo(WireError.NONE);
        assertThat(tcp.headerLength()).isEqualTo(24);
        assertThat(tcp.payloadLength()).isEqualTo(2);
        assertThat(tcp.flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
        assertThat(tcp.sourcePort()).isEqualTo(40001);
        assertThat(tcp.destinationPort()).isEqualTo(8080);
        assertThat(tcp.sequenceNumber()).isEqualTo(1000);
        assertThat(tcp.acknowledgmentNumber()).isEqualTo(2000);
        assertThat(tcp.window()).isEqualTo(64240);
        assertThat(tcp.buffer().get(tcp.offset() + 20)).isEqualTo(OPTIONS[0]);
        assertThat(tcp.buffer().get(tcp.payloadOffset())).isEqualTo(DATA[0]);
    }
}
