package io.vnet4j.usernet.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Golden bytes, written at an offset into a 0xa5-filled buffer so stray and skipped bytes show. */
class TftpWriterTest {
    private static final int AT = 3;

    private static byte[] expected(int bufferLength, byte[] packet) {
        byte[] bytes = Packets.poisoned(bufferLength).array();
        System.arraycopy(packet, 0, bytes, AT, packet.length);
        return bytes;
    }

    @Test
    void writesADataHeaderWithTheBlockNumberCutTo16Bits() {
        ByteBuffer buf = Packets.poisoned(10);
        assertThat(TftpWriter.dataHeader(buf, AT, 0x1_0102)).isEqualTo(4);
        assertThat(buf.array()).isEqualTo(expected(10, Packets.hex("00 03 01 02")));
    }

    @Test
    void writesAnOackWithTheOptionsPresentInFixedOrder() {
        byte[] golden = Packets.hex(
                "00 06 62 6c 6b 73 69 7a 65 00 31 34 33 32 00 74",
                "73 69 7a 65 00 31 32 33 34 35 36 37 38 39 30 00",
                "74 69 6d 65 6f 75 74 00 32 35 35 00");
        ByteBuffer buf = Packets.poisoned(60);
        assertThat(TftpWriter.oack(buf, AT, new TftpOptions(1432, 1234567890L, 255))).isEqualTo(golden.length);
        assertThat(buf.array()).isEqualTo(expected(60, golden));
    }

    @Test
    void leavesAbsentOptionsOutOfTheOack() {
        byte[] golden = Packets.hex("00 06 74 73 69 7a 65 00 30 00");
        ByteBuffer buf = Packets.poisoned(20);
        assertThat(TftpWriter.oack(buf, AT, new TftpOptions(TftpOptions.ABSENT, 0, TftpOptions.ABSENT)))
                .isEqualTo(golden.length);
        assertThat(buf.array()).isEqualTo(expected(20, golden));
    }

    @Test
    void writesAnErrorWithATerminatedMessage() {
        byte[] golden = Packets.hex("00 05 00 01 46 69 6c 65 20 6e 6f 74 20 66 6f 75 6e 64 00");
        ByteBuffer buf = Packets.poisoned(30);
        assertThat(TftpWriter.error(buf, AT, TftpErrorCode.FILE_NOT_FOUND, "File not found"))
                .isEqualTo(golden.length);
        assertThat(buf.array()).isEqualTo(expected(30, golden));
        assertThat(Arrays.copyOfRange(buf.array(), AT + golden.length, 30)).containsOnly((byte) 0xa5);
    }
}
