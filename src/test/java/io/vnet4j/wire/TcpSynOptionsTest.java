package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TcpSynOptionsTest {
    private final TcpSegment tcp = new TcpSegment();

    @Test
    void readsTheNegotiatedOptionsOfASyn() {
        tcp.wrap(Golden.buffer(Golden.TCP_SYN), Golden.L4, 40);
        assertThat(TcpSynOptions.parse(tcp)).isEqualTo(new TcpSynOptions(1460, 7, true));
    }

    @Test
    void emitsAllThreeInAWordAlignedLayout() {
        TcpSynOptions options = new TcpSynOptions(1460, 7, true);
        ByteBuffer buf = Golden.poisoned(32);
        new TcpHeader(80, 43512, 1, 0x6c2f9a02, 20 + options.length(), TcpFlags.SYN | TcpFlags.ACK, 65535, 0, 0)
                .emit(tcp.wrap(buf, 0, 32));
        options.emit(tcp);
        assertThat(Golden.slice(Golden.bytes(buf), 20, 32))
                .isEqualTo(Golden.hex("02 04 05 b4 01 03 03 07 01 01 04 02"));
        assertThat(tcp.check()).isEqualTo(WireError.NONE);
        assertThat(TcpSynOptions.parse(tcp)).isEqualTo(options);
    }

    @Test
    void emitsOnlyThePresentOptions() {
        TcpSynOptions options = new TcpSynOptions(-1, 0, false);
        assertThat(options.length()).isEqualTo(4);
        ByteBuffer buf = Golden.poisoned(24);
        new TcpHeader(1, 2, 3, 4, 24, TcpFlags.SYN, 5, 0, 0).emit(tcp.wrap(buf, 0, 24));
        options.emit(tcp);
        assertThat(Golden.slice(Golden.bytes(buf), 20, 24)).isEqualTo(Golden.hex("01 03 03 00"));
        assertThat(TcpSynOptions.parse(tcp)).isEqualTo(options);
        assertThat(new TcpSynOptions(-1, -1, false).length()).isZero();
    }
}
