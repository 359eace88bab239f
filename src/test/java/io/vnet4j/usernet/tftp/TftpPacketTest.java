package io.vnet4j.usernet.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TftpPacketTest {
    /** RRQ for pxelinux.0, octet, blksize 1432, tsize 0: what a PXE ROM sends. */
    static final byte[] PXE_RRQ = Packets.hex(
            "00 01 70 78 65 6c 69 6e 75 78 2e 30 00 6f 63 74",
            "65 74 00 62 6c 6b 73 69 7a 65 00 31 34 33 32 00",
            "74 73 69 7a 65 00 30 00");

    private final TftpPacket packet = new TftpPacket();

    private TftpFault check(byte[] bytes) {
        return packet.wrap(ByteBuffer.wrap(bytes), 0, bytes.length).check();
    }

    @Test
    void parsesTheGoldenPxeReadRequest() {
        assertThat(check(PXE_RRQ)).isEqualTo(TftpFault.NONE);
        assertThat(packet.opcode()).isEqualTo(TftpOpcode.RRQ);
        assertThat(packet.request()).isEqualTo(
                new ReadRequest("pxelinux.0", "octet", new TftpOptions(1432, 0, TftpOptions.ABSENT)));
    }

    @Test
    void parsesARequestAtAnOffsetInALargerDirectBuffer() {
        ByteBuffer buf = ByteBuffer.allocateDirect(PXE_RRQ.length + 10).put(7, PXE_RRQ);
        assertThat(packet.wrap(buf, 7, PXE_RRQ.length).check()).isEqualTo(TftpFault.NONE);
        assertThat(packet.request().filename()).isEqualTo("pxelinux.0");
    }

    @Test
    void matchesOptionNamesInAnyCaseAndSkipsUnknownOptions() {
        assertThat(check(Packets.rrq("f", "OCTET", "BlkSize", "1024", "windowsize", "x", "TIMEOUT", "3")))
                .isEqualTo(TftpFault.NONE);
        ReadRequest request = packet.request();
        assertThat(request.octet()).isTrue();
        assertThat(request.options()).isEqualTo(new TftpOptions(1024, TftpOptions.ABSENT, 3));
    }

    @Test
    void readsARequestWithoutOptionsAsHavingNone() {
        assertThat(check(Packets.rrq("a/b.bin", "netascii"))).isEqualTo(TftpFault.NONE);
        assertThat(packet.request()).isEqualTo(new ReadRequest("a/b.bin", "netascii", TftpOptions.NONE));
        assertThat(packet.request().octet()).isFalse();
    }

    @Test
    void reportsANameWithoutTerminator() {
        assertThat(check(Packets.hex("00 01 61 62 63"))).isEqualTo(TftpFault.UNTERMINATED);
    }

    @Test
    void reportsAModeWithoutTerminator() {
        assertThat(check(Packets.hex("00 01 61 00 6f 63 74 65 74"))).isEqualTo(TftpFault.UNTERMINATED);
        assertThat(check(Packets.hex("00 01 61 00"))).isEqualTo(TftpFault.UNTERMINATED);
    }

    @Test
    void reportsAnEmptyName() {
        assertThat(check(Packets.rrq("", "octet"))).isEqualTo(TftpFault.EMPTY_NAME);
    }

    @Test
    void reportsANameLongerThanTheLimit() {
        assertThat(check(Packets.rrq("a".repeat(TftpPacket.MAX_NAME_LENGTH), "octet"))).isEqualTo(TftpFault.NONE);
        assertThat(check(Packets.rrq("a".repeat(TftpPacket.MAX_NAME_LENGTH + 1), "octet")))
                .isEqualTo(TftpFault.NAME_TOO_LONG);
    }

    @Test
    void reportsAnOptionWithoutValueOrWithAnEmptyName() {
        assertThat(check(Packets.rrq("f", "octet", "blksize"))).isEqualTo(TftpFault.BAD_OPTION);
        assertThat(check(Packets.rrq("f", "octet", "", "5"))).isEqualTo(TftpFault.BAD_OPTION);
        assertThat(check(Packets.hex("00 01 66 00 6f 00 74 00 31"))).isEqualTo(TftpFault.UNTERMINATED);
    }

    @Test
    void reportsAKnownOptionWhoseValueIsNotADecimalNumber() {
        for (String value : new String[] {"", "x", "-1", "+8", "1e3", " 8", "0x10", "1234567890123456789"}) {
            assertThat(check(Packets.rrq("f", "octet", "blksize", value))).as(value).isEqualTo(TftpFault.BAD_OPTION);
        }
        assertThat(check(Packets.rrq("f", "octet", "tsize", "abc"))).isEqualTo(TftpFault.BAD_OPTION);
        assertThat(check(Packets.rrq("f", "octet", "timeout", "1.5"))).isEqualTo(TftpFault.BAD_OPTION);
        assertThat(check(Packets.rrq("f", "octet", "tsize", "123456789012345678"))).isEqualTo(TftpFault.NONE);
    }

    @Test
    void reportsMoreOptionsThanTheLimit() {
        String[] options = new String[2 * (TftpPacket.MAX_OPTIONS + 1)];
        for (int i = 0; i < options.length; i += 2) {
            options[i] = "x" + i;
            options[i + 1] = "1";
        }
        assertThat(check(Packets.rrq("f", "octet", java.util.Arrays.copyOf(options, options.length - 2))))
                .isEqualTo(TftpFault.NONE);
        assertThat(check(Packets.rrq("f", "octet", options))).isEqualTo(TftpFault.TOO_MANY_OPTIONS);
    }

    @Test
    void parsesAckAndError() {
        assertThat(check(Packets.ack(0xfffe))).isEqualTo(TftpFault.NONE);
        assertThat(packet.opcode()).isEqualTo(TftpOpcode.ACK);
        assertThat(packet.block()).isEqualTo(0xfffe);
        assertThat(check(Packets.error(8, "no options"))).isEqualTo(TftpFault.NONE);
        assertThat(packet.errorCode()).isEqualTo(8);
        assertThat(packet.errorMessage()).isEqualTo("no options");
    }

    @Test
    void reportsShortAckDataAndErrorAndAnUnterminatedErrorMessage() {
        assertThat(check(Packets.hex("00 04 00"))).isEqualTo(TftpFault.TRUNCATED);
        assertThat(check(Packets.hex("00 03 00"))).isEqualTo(TftpFault.TRUNCATED);
        assertThat(check(Packets.hex("00 05 00 01"))).isEqualTo(TftpFault.UNTERMINATED);
        assertThat(check(Packets.hex("00 05 00"))).isEqualTo(TftpFault.TRUNCATED);
    }

    @Test
    void reportsEmptyAndOneBytePacketsAsTruncatedWithNoOpcode() {
        assertThat(check(new byte[0])).isEqualTo(TftpFault.TRUNCATED);
        assertThat(packet.opcode()).isEqualTo(-1);
        assertThat(check(new byte[] {1})).isEqualTo(TftpFault.TRUNCATED);
        assertThat(packet.opcode()).isEqualTo(-1);
    }

    @Test
    void reportsOackAndUnassignedOpcodesAsUnknown() {
        for (int opcode : new int[] {0, TftpOpcode.OACK, 7, 0xffff}) {
            assertThat(check(new byte[] {(byte) (opcode >>> 8), (byte) opcode, 0, 0}))
                    .isEqualTo(TftpFault.UNKNOWN_OPCODE);
        }
    }
}
