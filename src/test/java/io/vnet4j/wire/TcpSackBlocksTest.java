package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TcpSackBlocksTest {
    private final TcpSegment tcp = new TcpSegment();

    @Test
    void emitsTwoNopsThenTheOptionWithItsBlocksInTheOrderAdded() {
        TcpSackBlocks sack = new TcpSackBlocks();
        sack.add(0x00002000, 0x00003000);
        sack.add(0xFFFFFF00, 0x00000100); // across the wrap
        assertThat(sack.length()).isEqualTo(20);
        ByteBuffer buf = Golden.poisoned(40);
        new TcpHeader(80, 43512, 1, 0x1000, 40, TcpFlags.ACK, 65535, 0, 0).emit(tcp.wrap(buf, 0, 40));
        sack.emit(tcp, 20);
        assertThat(Golden.slice(Golden.bytes(buf), 20, 40)).isEqualTo(
                Golden.hex("01 01 05 12 00 00 20 00 00 00 30 00 ff ff ff 00 00 00 01 00"));
        assertThat(tcp.check()).isEqualTo(WireError.NONE);
    }

    @Test
    void holdsAtMostFourBlocksAndNoneEmitsNothing() {
        TcpSackBlocks sack = new TcpSackBlocks();
        assertThat(sack.length()).isZero();
        ByteBuffer buf = Golden.poisoned(20);
        tcp.wrap(buf, 0, 20);
        sack.emit(tcp, 20); // nothing to write, so nothing past the header is touched
        for (int i = 0; i < TcpSackBlocks.MAX_BLOCKS; i++) {
            assertThat(sack.add(i * 100, i * 100 + 10)).isTrue();
        }
        assertThat(sack.add(1000, 1010)).isFalse();
        assertThat(sack.count()).isEqualTo(4);
        assertThat(sack.length()).isEqualTo(36);
        assertThat(sack.left(3)).isEqualTo(300);
        assertThat(sack.right(3)).isEqualTo(310);
        sack.clear();
        assertThat(sack.count()).isZero();
    }
}
