package io.vnet4j.wire.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class VirtioNetFrameTest {
    /** TSO4 from TAP on x86: NEEDS_CSUM, TCPV4, hdr_len 66, gso_size 1448, csum_start 34, csum_offset 16. */
    private static final byte[] TSO4_LE = hex("01 01 42 00 a8 05 22 00 10 00");
    private static final byte[] TSO4_BE = hex("01 01 00 42 05 a8 00 22 00 10");
    /** The same with num_buffers 1 (virtio_net_hdr_mrg_rxbuf). */
    private static final byte[] TSO4_MRG_LE = hex("01 01 42 00 a8 05 22 00 10 00 01 00");
    private static final VirtioNetHeader TSO4 = new VirtioNetHeader(
            VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 66, 1448, 34, 16, 0);

    private final VirtioNetFrame vnet = new VirtioNetFrame();

    @Test
    void parsesALittleEndianHeader() {
        vnet.wrap(frameAfter(TSO4_LE, 100), 0, 110);
        assertThat(vnet.check()).isEqualTo(WireError.NONE);
        assertThat(VirtioNetHeader.parse(vnet)).isEqualTo(TSO4);
        assertThat(vnet.needsCsum()).isTrue();
        assertThat(vnet.dataValid()).isFalse();
        assertThat(vnet.gsoKind()).isEqualTo(VirtioNetHeader.GSO_TCPV4);
        assertThat(vnet.headerLength()).isEqualTo(10);
        assertThat(vnet.frameOffset()).isEqualTo(10);
        assertThat(vnet.frameLength()).isEqualTo(100);
        assertThat(vnet.numBuffers()).isZero();
    }

    @Test
    void parsesABigEndianAndAMergeableHeader() {
        vnet.wrap(frameAfter(TSO4_BE, 100), 0, 110, 10, ByteOrder.BIG_ENDIAN);
        assertThat(VirtioNetHeader.parse(vnet)).isEqualTo(TSO4);
        vnet.wrap(frameAfter(TSO4_MRG_LE, 100), 0, 112, 12, ByteOrder.LITTLE_ENDIAN);
        assertThat(vnet.check()).isEqualTo(WireError.NONE);
        assertThat(VirtioNetHeader.parse(vnet)).isEqualTo(new VirtioNetHeader(1, 1, 66, 1448, 34, 16, 1));
        assertThat(vnet.frameOffset()).isEqualTo(12);
        assertThat(vnet.frameLength()).isEqualTo(100);
    }

    @Test
    void emitsGoldenBytesIntoAPoisonedBuffer() {
        ByteBuffer buf = poisoned(10);
        TSO4.emit(vnet.wrap(buf, 0, 10));
        assertThat(buf.array()).isEqualTo(TSO4_LE);

        buf = poisoned(10);
        TSO4.emit(vnet.wrap(buf, 0, 10, 10, ByteOrder.BIG_ENDIAN));
        assertThat(buf.array()).isEqualTo(TSO4_BE);

        buf = poisoned(12);
        new VirtioNetHeader(1, 1, 66, 1448, 34, 16, 1).emit(vnet.wrap(buf, 0, 12, 12, ByteOrder.LITTLE_ENDIAN));
        assertThat(buf.array()).isEqualTo(TSO4_MRG_LE);
    }

    @Test
    void emitsAtAnAbsoluteOffsetAndLeavesTheRestAlone() {
        ByteBuffer buf = poisoned(20);
        VirtioNetHeader.NONE.emit(vnet.wrap(buf, 5, 10));
        byte[] expected = poisoned(20).array();
        Arrays.fill(expected, 5, 15, (byte) 0);
        assertThat(buf.array()).isEqualTo(expected);
    }

    @Test
    void roundTripsEveryFieldValue() {
        ByteBuffer buf = poisoned(12);
        VirtioNetHeader header = new VirtioNetHeader(0xff, 0x84, 0xfedc, 0x1234, 0x8001, 0x7f02, 0xabcd);
        header.emit(vnet.wrap(buf, 0, 12, 12, ByteOrder.LITTLE_ENDIAN));
        assertThat(VirtioNetHeader.parse(vnet)).isEqualTo(header);
        header.emit(vnet.wrap(buf, 0, 12, 12, ByteOrder.BIG_ENDIAN));
        assertThat(VirtioNetHeader.parse(vnet)).isEqualTo(header);
        assertThat(header.gsoKind()).isEqualTo(VirtioNetHeader.GSO_TCPV6);
    }

    @Test
    void refusesAHeaderLengthOtherThanTenOrTwelve() {
        assertThatThrownBy(() -> vnet.wrap(poisoned(20), 0, 20, 11, ByteOrder.LITTLE_ENDIAN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> vnet.wrap(poisoned(10), 0, 10).setNumBuffers(1))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void acceptsAPlainFrameAndEachGsoType() {
        assertThat(check(VirtioNetHeader.NONE, 60)).isEqualTo(WireError.NONE);
        for (int type : new int[] {1, 3, 4, 0x81, 0x84}) {
            assertThat(check(new VirtioNetHeader(1, type, 54, 1, 34, 16, 0), 60)).isEqualTo(WireError.NONE);
        }
        assertThat(check(new VirtioNetHeader(VirtioNetHeader.F_DATA_VALID, 0, 0, 0, 0, 0, 0), 60))
                .isEqualTo(WireError.NONE);
    }

    @Test
    void reportsATruncatedHeader() {
        assertThat(vnet.wrap(poisoned(9), 0, 9).check()).isEqualTo(WireError.TRUNCATED);
        assertThat(vnet.wrap(poisoned(11), 0, 11, 12, ByteOrder.LITTLE_ENDIAN).check()).isEqualTo(WireError.TRUNCATED);
    }

    @Test
    void reportsAnUnknownGsoType() {
        for (int type : new int[] {2, 5, 0x80, 0x7f, 0xff}) {
            assertThat(check(new VirtioNetHeader(0, type, 0, 1448, 0, 0, 0), 60)).isEqualTo(WireError.UNSUPPORTED);
        }
    }

    @Test
    void reportsAGsoTypeWithGsoSizeZero() {
        assertThat(check(new VirtioNetHeader(1, 1, 54, 0, 34, 16, 0), 60)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(check(new VirtioNetHeader(1, 4, 74, 0, 54, 16, 0), 80)).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void reportsHdrLenBeyondTheFrame() {
        assertThat(check(new VirtioNetHeader(0, 0, 60, 0, 0, 0, 0), 60)).isEqualTo(WireError.NONE);
        assertThat(check(new VirtioNetHeader(0, 0, 61, 0, 0, 0, 0), 60)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(check(new VirtioNetHeader(1, 1, 0xffff, 1448, 34, 16, 0), 60)).isEqualTo(WireError.BAD_LENGTH);
    }

    @Test
    void reportsAChecksumFieldBeyondTheFrame() {
        assertThat(check(new VirtioNetHeader(1, 0, 0, 0, 34, 24, 0), 60)).isEqualTo(WireError.NONE);
        assertThat(check(new VirtioNetHeader(1, 0, 0, 0, 34, 25, 0), 60)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(check(new VirtioNetHeader(1, 0, 0, 0, 59, 0, 0), 60)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(check(new VirtioNetHeader(1, 0, 0, 0, 0xffff, 0xffff, 0), 60)).isEqualTo(WireError.BAD_LENGTH);
        // without NEEDS_CSUM the fields mean nothing
        assertThat(check(new VirtioNetHeader(0, 0, 0, 0, 0xffff, 0xffff, 0), 60)).isEqualTo(WireError.NONE);
    }

    @Test
    void randomHeadersNeverThrow() {
        Random random = new Random(0x5eed);
        byte[] bytes = new byte[64];
        for (int i = 0; i < 20_000; i++) {
            random.nextBytes(bytes);
            int length = random.nextInt(bytes.length + 1);
            int headerLength = random.nextBoolean() ? 10 : 12;
            ByteOrder order = random.nextBoolean() ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
            assertThatCode(() -> {
                vnet.wrap(ByteBuffer.wrap(bytes), 0, length, headerLength, order);
                if (vnet.check() == WireError.NONE) {
                    VirtioNetHeader.parse(vnet);
                }
            }).doesNotThrowAnyException();
        }
    }

    private WireError check(VirtioNetHeader header, int frameLength) {
        ByteBuffer buf = poisoned(10 + frameLength);
        header.emit(vnet.wrap(buf, 0, buf.capacity()));
        return vnet.check();
    }

    private static ByteBuffer frameAfter(byte[] header, int frameLength) {
        ByteBuffer buf = poisoned(header.length + frameLength);
        buf.put(0, header);
        return buf;
    }

    static ByteBuffer poisoned(int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 0xa5);
        return ByteBuffer.wrap(bytes);
    }

    static byte[] hex(String hex) {
        return HexFormat.ofDelimiter(" ").parseHex(hex);
    }
}
