package io.vnet4j.usernet.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.WireError;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Names in wire form after a 12-byte header; offsets are relative to the message, as pointers are. */
class DnsNameReaderTest {
    private final DnsNameReader reader = new DnsNameReader();

    private static DnsMessage message(byte[] afterHeader) {
        byte[] bytes = new byte[DnsMessage.HEADER_LENGTH + afterHeader.length];
        System.arraycopy(afterHeader, 0, bytes, DnsMessage.HEADER_LENGTH, afterHeader.length);
        return new DnsMessage().wrap(ByteBuffer.wrap(bytes), 0, bytes.length);
    }

    private static DnsMessage message(String... hexAfterHeader) {
        return message(DnsGolden.bytes(hexAfterHeader));
    }

    /** A label of {@code length} copies of 'x' in wire form. */
    private static byte[] label(int length) {
        byte[] bytes = new byte[1 + length];
        bytes[0] = (byte) length;
        Arrays.fill(bytes, 1, bytes.length, (byte) 'x');
        return bytes;
    }

    @Test
    void readsAnUncompressedNameAndEndsAfterItsZeroByte() {
        assertThat(reader.read(message(DnsGolden.VM1_EXAMPLE_TEST), 12)).isEqualTo(WireError.NONE);
        assertThat(reader.name()).isEqualTo("vm1.example.test");
        assertThat(reader.end()).isEqualTo(30);
    }

    @Test
    void followsABackwardPointerAndEndsAfterThePointer() {
        DnsMessage m = message("07 65 78 61 6d 70 6c 65 04 74 65 73 74 00", "03 76 6d 31 c0 0c");

        assertThat(reader.read(m, 26)).isEqualTo(WireError.NONE);
        assertThat(reader.name()).isEqualTo("vm1.example.test");
        assertThat(reader.end()).isEqualTo(32);
    }

    @Test
    void followsAChainOfPointers() {
        DnsMessage m = message("04 74 65 73 74 00", "07 65 78 61 6d 70 6c 65 c0 0c", "03 76 6d 31 c0 12");

        assertThat(reader.read(m, 28)).isEqualTo(WireError.NONE);
        assertThat(reader.name()).isEqualTo("vm1.example.test");
        assertThat(reader.end()).isEqualTo(34);
    }

    @Test
    void readsTheRootNameAsADot() {
        assertThat(reader.read(message("00"), 12)).isEqualTo(WireError.NONE);
        assertThat(reader.name()).isEqualTo(".");
        assertThat(reader.end()).isEqualTo(13);
    }

    @Test
    void escapesEveryByteOutsideLettersDigitsHyphenAndUnderscoreAsDecimal() {
        DnsMessage m = message("05 61 2e 62 5c 00", "06 41 2d 5f 20 ff 39", "00");

        assertThat(reader.read(m, 12)).isEqualTo(WireError.NONE);
        assertThat(reader.name()).isEqualTo("a\\046b\\092\\000.A-_\\032\\2559");
    }

    @Test
    void rejectsAPointerToItself() {
        assertThat(reader.read(message("00 00 00 00 c0 10"), 16)).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void rejectsAPointerBackToTheStartOfItsOwnName() {
        assertThat(reader.read(message("01 61 c0 0c"), 12)).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void rejectsACycleOfTwoPointers() {
        DnsMessage m = message("01 61 c0 10", "01 62 c0 0c");

        assertThat(reader.read(m, 16)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(reader.read(m, 12)).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void rejectsAForwardPointer() {
        assertThat(reader.read(message("c0 0e 00"), 12)).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void rejectsAPointerIntoTheHeader() {
        assertThat(reader.read(message("00 00 00 00 c0 04"), 16)).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void rejectsAPointerBeyondTheMessage() {
        assertThat(reader.read(message("00 00 00 00 ff ff"), 16)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(reader.read(message("c1 00"), 12)).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void followsAtMostSixteenPointers() {
        ByteArrayOutputStream chain = new ByteArrayOutputStream();
        chain.write(0);
        for (int i = 0; i <= DnsNameReader.MAX_POINTERS; i++) {
            int target = i == 0 ? 12 : 13 + 2 * (i - 1);
            chain.write(0xc0);
            chain.write(target);
        }
        DnsMessage m = message(chain.toByteArray());
        int sixteenthPointer = 13 + 2 * (DnsNameReader.MAX_POINTERS - 1);

        assertThat(reader.read(m, sixteenthPointer)).isEqualTo(WireError.NONE);
        assertThat(reader.read(m, sixteenthPointer + 2)).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void rejectsALabelLengthOf64AsAReservedLabelKind() {
        ByteArrayOutputStream name = new ByteArrayOutputStream();
        name.writeBytes(label(64));
        name.write(0);

        assertThat(reader.read(message(name.toByteArray()), 12)).isEqualTo(WireError.UNSUPPORTED);
        assertThat(reader.read(message("80 00"), 12)).isEqualTo(WireError.UNSUPPORTED);
    }

    @Test
    void acceptsALabelOf63() {
        ByteArrayOutputStream name = new ByteArrayOutputStream();
        name.writeBytes(label(63));
        name.write(0);

        assertThat(reader.read(message(name.toByteArray()), 12)).isEqualTo(WireError.NONE);
        assertThat(reader.name()).hasSize(63);
    }

    @Test
    void acceptsANameOf255BytesAndRejectsOneOf256() {
        assertThat(reader.read(message(nameOfWireLength(255)), 12)).isEqualTo(WireError.NONE);
        assertThat(reader.name()).hasSize(253);
        assertThat(reader.read(message(nameOfWireLength(256)), 12)).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void countsLabelsReachedThroughPointersTowardsTheLimit() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            bytes.writeBytes(label(63));
        }
        bytes.write(0);
        int second = DnsMessage.HEADER_LENGTH + bytes.size();
        bytes.writeBytes(label(63));
        bytes.writeBytes(DnsGolden.bytes("c0 0c"));

        assertThat(reader.read(message(bytes.toByteArray()), 12)).isEqualTo(WireError.NONE);
        assertThat(reader.read(message(bytes.toByteArray()), second)).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void reportsNamesRunningPastTheMessageAsTruncated() {
        assertThat(reader.read(message("03 76 6d"), 12)).isEqualTo(WireError.TRUNCATED);
        assertThat(reader.read(message("03 76 6d 31"), 12)).isEqualTo(WireError.TRUNCATED);
        assertThat(reader.read(message("00 c0"), 13)).isEqualTo(WireError.TRUNCATED);
        assertThat(reader.read(message(""), 12)).isEqualTo(WireError.TRUNCATED);
    }

    /** Three 63-byte labels and one that brings the wire length, zero byte included, to {@code length}. */
    private static byte[] nameOfWireLength(int length) {
        ByteArrayOutputStream name = new ByteArrayOutputStream();
        for (int i = 0; i < 3; i++) {
            name.writeBytes(label(63));
        }
        name.writeBytes(label(length - 3 * 64 - 2));
        name.write(0);
        return name.toByteArray();
    }
}
