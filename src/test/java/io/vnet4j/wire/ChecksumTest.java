package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumTest {
    /** The IPv4 header example from Wikipedia's "Internet checksum" article; its checksum is 0xb861. */
    private static final byte[] WIKIPEDIA_HEADER = Golden.hex(
            "45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7");

    @Test
    void computesTheChecksumOfAKnownHeader() {
        ByteBuffer buf = Golden.buffer(WIKIPEDIA_HEADER);
        buf.putShort(10, (short) 0);
        assertThat(Checksum.compute(buf, 0, 20)).isEqualTo(0xb861);
    }

    @Test
    void sumOfAValidHeaderFoldsToAllOnes() {
        assertThat(Checksum.fold(Checksum.sum(Golden.buffer(WIKIPEDIA_HEADER), 0, 20))).isEqualTo(0xffff);
    }

    @Test
    void padsAnOddLastByteWithZeroAsInRfc1071() {
        ByteBuffer buf = ByteBuffer.wrap(Golden.hex("00 01 f2 03 f4 f5 f6 f7 ab"));
        assertThat(Checksum.fold(Checksum.sum(buf, 0, 8))).isEqualTo(0xddf2);
        assertThat(Checksum.fold(Checksum.sum(buf, 0, 9))).isEqualTo(Checksum.fold(0xddf2 + 0xab00));
    }

    @Test
    void givesTheSameSumForHeapDirectLittleEndianAndUnalignedRanges() {
        Random random = new Random(1071);
        for (int iteration = 0; iteration < 500; iteration++) {
            int length = random.nextInt(200);
            int offset = random.nextInt(9);
            byte[] bytes = new byte[offset + length];
            random.nextBytes(bytes);
            long expected = naiveSum(bytes, offset, length);
            ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(0, bytes);
            ByteBuffer little = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            assertThat(Checksum.fold(Checksum.sum(ByteBuffer.wrap(bytes), offset, length))).isEqualTo(Checksum.fold(expected));
            assertThat(Checksum.fold(Checksum.sum(direct, offset, length))).isEqualTo(Checksum.fold(expected));
            assertThat(Checksum.fold(Checksum.sum(little, offset, length))).isEqualTo(Checksum.fold(expected));
        }
    }

    @Test
    void matchesByteByByteSumsForEveryLengthUpTo2000() {
        Random random = new Random(791);
        for (int length = 0; length <= 2000; length++) {
            assertSumsMatchInEveryKindOfBuffer(random, random.nextInt(8), length);
        }
    }

    @Test
    void matchesByteByByteSumsForLengthsNear64KiB() {
        Random random = new Random(65535);
        for (int length = 65_400; length <= 65_600; length += 1 + random.nextInt(7)) {
            assertSumsMatchInEveryKindOfBuffer(random, random.nextInt(8), length);
        }
    }

    @Test
    void matchesByteByByteSumsForRangesOfMoreThanAMegabyte() {
        Random random = new Random(1 << 20);
        assertSumsMatchInEveryKindOfBuffer(random, 1, 1_234_567);
        byte[] ones = new byte[3_000_001];
        Arrays.fill(ones, (byte) 0xff);
        for (ByteBuffer buf : everyKindOfBuffer(ones, 0)) {
            assertThat(Checksum.fold(Checksum.sum(buf, 1, ones.length - 1)))
                    .as(describe(buf)).isEqualTo(Checksum.fold(naiveSum(ones, 1, ones.length - 1)));
        }
    }

    @Test
    void sumsOfRangesAddUpToTheSumOfTheWhole() {
        Random random = new Random(1071_2);
        for (int iteration = 0; iteration < 300; iteration++) {
            int length = random.nextInt(random.nextBoolean() ? 200 : 70_000);
            int offset = random.nextInt(8);
            byte[] bytes = new byte[offset + length + random.nextInt(8)];
            random.nextBytes(bytes);
            int expected = Checksum.fold(naiveSum(bytes, offset, length));
            for (ByteBuffer buf : everyKindOfBuffer(bytes, 0)) {
                long sum = 0;
                int start = offset;
                int end = offset + length;
                while (start < end) {
                    // every range but the last has an even length
                    int size = Math.min(end - start, 2 * random.nextInt(1 + length / 4));
                    if (size == 0) {
                        size = end - start;
                    }
                    sum += Checksum.sum(buf, start, size);
                    start += size;
                }
                assertThat(Checksum.fold(sum)).as(describe(buf) + " length " + length).isEqualTo(expected);
            }
        }
    }

    @Test
    void refusesRangesPastTheLimit() {
        ByteBuffer heap = ByteBuffer.allocate(100).limit(60);
        ByteBuffer direct = ByteBuffer.allocateDirect(100).limit(60);
        for (ByteBuffer buf : new ByteBuffer[] {heap, direct}) {
            assertThatThrownBy(() -> Checksum.sum(buf, 0, 61)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> Checksum.sum(buf, 59, 2)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> Checksum.sum(buf, -1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(Checksum.sum(buf, 0, 60)).isZero();
        }
    }

    /**
     * Fills {@code offset + length} random bytes (plus a few after) and checks {@code sum(buf, offset, length)}
     * after folding against {@link #naiveSum} in heap, sliced heap, read-only, direct and little-endian buffers.
     */
    private static void assertSumsMatchInEveryKindOfBuffer(Random random, int offset, int length) {
        byte[] bytes = new byte[offset + length + random.nextInt(8)];
        random.nextBytes(bytes);
        int expected = Checksum.fold(naiveSum(bytes, offset, length));
        for (ByteBuffer buf : everyKindOfBuffer(bytes, random.nextInt(1, 8))) {
            assertThat(Checksum.fold(Checksum.sum(buf, offset, length)))
                    .as("%s offset %d length %d", describe(buf), offset, length).isEqualTo(expected);
        }
    }

    /** Buffers whose indexes 0 to {@code bytes.length} hold {@code bytes}; {@code shift} places a slice within its array. */
    private static ByteBuffer[] everyKindOfBuffer(byte[] bytes, int shift) {
        byte[] shifted = new byte[shift + bytes.length];
        System.arraycopy(bytes, 0, shifted, shift, bytes.length);
        return new ByteBuffer[] {
            ByteBuffer.wrap(bytes),
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN),
            ByteBuffer.wrap(shifted).slice(shift, bytes.length),
            ByteBuffer.wrap(bytes).asReadOnlyBuffer(),
            ByteBuffer.allocateDirect(bytes.length).put(0, bytes),
            ByteBuffer.allocateDirect(bytes.length).put(0, bytes).order(ByteOrder.LITTLE_ENDIAN),
        };
    }

    private static String describe(ByteBuffer buf) {
        return (buf.isDirect() ? "direct" : buf.isReadOnly() ? "read-only heap" : "heap")
                + (buf.hasArray() && buf.arrayOffset() != 0 ? " at array offset " + buf.arrayOffset() : "")
                + ", " + buf.order();
    }

    @Test
    void leavesPositionAndLimitAlone() {
        ByteBuffer buf = ByteBuffer.allocate(64).position(5).limit(40);
        Checksum.sum(buf, 0, 40);
        assertThat(buf.position()).isEqualTo(5);
        assertThat(buf.limit()).isEqualTo(40);
    }

    @Test
    void pseudoHeaderSumAddsAddressesProtocolAndLength() {
        long sum = Checksum.pseudoHeaderSum(0x0a00_020f, 0x0a00_0203, IpProtocol.UDP, 37);
        assertThat(sum).isEqualTo(0x0a00 + 0x020f + 0x0a00 + 0x0203 + 17 + 37);
    }

    @Test
    void incrementalUpdateOf16BitFieldEqualsFullRecomputation() {
        Random random = new Random(1624);
        for (int iteration = 0; iteration < 20_000; iteration++) {
            ByteBuffer buf = randomPacket(random);
            int field = 2 * random.nextInt(buf.capacity() / 2 - 1) + 2;
            int before = Checksum.compute(buf, 2, buf.capacity() - 2);
            int oldValue = buf.getShort(field) & 0xffff;
            int newValue = random.nextInt(0x10000);
            buf.putShort(field, (short) newValue);
            assertThat(Checksum.update16(before, oldValue, newValue))
                    .isEqualTo(Checksum.compute(buf, 2, buf.capacity() - 2));
        }
    }

    @Test
    void incrementalUpdateOf32BitFieldEqualsFullRecomputation() {
        Random random = new Random(3022);
        for (int iteration = 0; iteration < 20_000; iteration++) {
            ByteBuffer buf = randomPacket(random);
            int field = 2 * random.nextInt(buf.capacity() / 2 - 2) + 2;
            int before = Checksum.compute(buf, 2, buf.capacity() - 2);
            int oldValue = buf.getInt(field);
            int newValue = random.nextInt();
            buf.putInt(field, newValue);
            assertThat(Checksum.update32(before, oldValue, newValue))
                    .isEqualTo(Checksum.compute(buf, 2, buf.capacity() - 2));
        }
    }

    @Test
    void incrementalUpdateHandlesAllOnesAndZeroFields() {
        ByteBuffer buf = ByteBuffer.wrap(Golden.hex("ff ff 00 00 12 34"));
        int before = Checksum.compute(buf, 0, 6);
        buf.putShort(0, (short) 0);
        assertThat(Checksum.update16(before, 0xffff, 0)).isEqualTo(Checksum.compute(buf, 0, 6));
        int middle = Checksum.compute(buf, 0, 6);
        buf.putInt(0, 0xffff_ffff);
        assertThat(Checksum.update32(middle, 0, 0xffff_ffff)).isEqualTo(Checksum.compute(buf, 0, 6));
    }

    /** Even length of 6 to 64 bytes; the first word is left for a stored checksum. */
    private static ByteBuffer randomPacket(Random random) {
        byte[] bytes = new byte[6 + 2 * random.nextInt(30)];
        random.nextBytes(bytes);
        return ByteBuffer.wrap(bytes);
    }

    private static long naiveSum(byte[] bytes, int offset, int length) {
        long sum = 0;
        for (int i = 0; i < length; i++) {
            int value = bytes[offset + i] & 0xff;
            sum += i % 2 == 0 ? value << 8 : value;
        }
        return sum;
    }

    @Test
    void sumsTheIpv4PseudoHeaderOfIpAddressesAsOfInts() {
        int source = Ipv4Address.parse("10.0.2.15");
        int destination = Ipv4Address.parse("10.0.2.3");
        assertThat(Checksum.pseudoHeaderSum(IpAddress.ofIpv4(source), IpAddress.ofIpv4(destination), IpProtocol.UDP, 37))
                .isEqualTo(Checksum.pseudoHeaderSum(source, destination, IpProtocol.UDP, 37));
    }

    @Test
    void sumsTheIpv6PseudoHeaderAsItsFortyBytes() {
        Random random = new Random(8200);
        for (int i = 0; i < 1000; i++) {
            IpAddress source = IpAddress.ofIpv6(random.nextLong() | 1L << 62, random.nextLong());
            IpAddress destination = IpAddress.ofIpv6(random.nextLong() | 1L << 62, random.nextLong());
            int length = random.nextInt();
            int protocol = random.nextInt(256);
            // RFC 8200 section 8.1: source, destination, upper-layer packet length (32 bits), three zero bytes, next header
            ByteBuffer header = ByteBuffer.allocate(40);
            source.write(header, 0);
            destination.write(header, 16);
            header.putInt(32, length);
            header.put(39, (byte) protocol);
            int expected = Checksum.fold(Checksum.sum(header, 0, 40));
            assertThat(Checksum.fold(Checksum.pseudoHeaderSum(source, destination, protocol, length))).isEqualTo(expected);
            assertThat(Checksum.fold(Checksum.ipv6PseudoHeaderSum(header, 0, 16, protocol, length))).isEqualTo(expected);
        }
    }

    @Test
    void refusesAPseudoHeaderOfMixedFamilies() {
        assertThatThrownBy(() -> Checksum.pseudoHeaderSum(IpAddress.parse("10.0.2.15"), IpAddress.parse("fec0::3"),
                IpProtocol.UDP, 8)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void finishNonZeroIsFinishWithZeroAsAllOnesForEverySum() {
        for (long sum = 0; sum <= 0xFFFF; sum++) {
            int finished = Checksum.finish(sum);
            assertThat(Checksum.finishNonZero(sum)).as("sum %x", sum).isEqualTo(finished == 0 ? 0xFFFF : finished);
        }
        assertThat(Checksum.finishNonZero(0xFFFFL)).isEqualTo(0xFFFF); // finish gives 0 here
        assertThat(Checksum.finishNonZero(0x1FFFEL)).isEqualTo(0xFFFF); // folds to 0xFFFF
    }
}
