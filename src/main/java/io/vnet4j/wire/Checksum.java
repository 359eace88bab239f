package io.vnet4j.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * The Internet checksum (RFC 1071): partial sums over buffer ranges and IPv4 and IPv6 pseudo-headers,
 * folding, and incremental update after a field change (RFC 1624, equation 3).
 */
public final class Checksum {
    private Checksum() {}

    /** Big-endian ints at byte indexes of an array. */
    private static final VarHandle ARRAY_INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /** Big-endian ints at absolute byte indexes of a buffer, whatever the buffer's own order. */
    private static final VarHandle BUFFER_INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);

    /** Bytes summed into a pair of int sums: 65536 words of at most 0xFFFF each fit an unsigned int. */
    private static final int CHUNK = 4 * 65536;

    /**
     * Sums a range as big-endian 16-bit words, an odd last byte padded with zero, without folding.
     * Sums of several ranges may be added as long as only the last range has an odd length.
     * The offset is an absolute index; the buffer's position and byte order do not matter, and a range past
     * its limit throws {@link IndexOutOfBoundsException}.
     */
    public static long sum(ByteBuffer buf, int offset, int length) {
        if (length < 80) { // measured: the scalar loop wins up to 72 bytes, the vector loops from 80
            return sumScalar(buf, offset, length);
        }
        Objects.checkFromIndexSize(offset, length, buf.limit());
        int ints = length & ~3;
        // Separate loops for arrays and other buffers: measured with ChecksumBenchmark's mixed case, a single
        // loop that had seen both ran over ten times slower than either of these.
        long sum = buf.hasArray()
                ? sumInts(buf.array(), buf.arrayOffset() + offset, ints)
                : sumInts(buf, offset, ints);
        return sum + sumScalar(buf, offset + ints, length - ints);
    }

    /** {@link #sum} a long at a time, in the buffer's byte order swapped if need be; a negative length sums nothing. */
    private static long sumScalar(ByteBuffer buf, int offset, int length) {
        boolean swap = buf.order() != ByteOrder.BIG_ENDIAN;
        long sum = 0;
        int i = offset;
        int end = offset + length;
        for (; i + 8 <= end; i += 8) {
            long v = buf.getLong(i);
            if (swap) {
                v = Long.reverseBytes(v);
            }
            sum += (v >>> 32) + (v & 0xFFFF_FFFFL);
        }
        for (; i + 2 <= end; i += 2) {
            sum += (buf.get(i) & 0xFF) << 8 | buf.get(i + 1) & 0xFF;
        }
        if (i < end) {
            sum += (buf.get(i) & 0xFF) << 8;
        }
        return sum;
    }

    /**
     * Sum of the 16-bit words in {@code length} bytes (a multiple of 4) from {@code from}. The inner loop adds
     * the two words of each int into two int sums, which C2 vectorizes: about 60 GB/s against 4 for adding the
     * 32-bit halves of longs into one long as {@link #sumScalar} does.
     */
    private static long sumInts(byte[] array, int from, int length) {
        long sum = 0;
        int end = from + length;
        for (int i = from; i < end; ) {
            int chunkEnd = i + Math.min(end - i, CHUNK);
            int high = 0;
            int low = 0;
            for (; i < chunkEnd; i += 4) {
                int v = (int) ARRAY_INT.get(array, i);
                high += v >>> 16;
                low += v & 0xFFFF;
            }
            sum += Integer.toUnsignedLong(high) + Integer.toUnsignedLong(low);
        }
        return sum;
    }

    /** {@link #sumInts(byte[], int, int)} for a buffer without an accessible array (direct or read-only). */
    private static long sumInts(ByteBuffer buf, int from, int length) {
        long sum = 0;
        int end = from + length;
        for (int i = from; i < end; ) {
            int chunkEnd = i + Math.min(end - i, CHUNK);
            int high = 0;
            int low = 0;
            for (; i < chunkEnd; i += 4) {
                int v = (int) BUFFER_INT.get(buf, i);
                high += v >>> 16;
                low += v & 0xFFFF;
            }
            sum += Integer.toUnsignedLong(high) + Integer.toUnsignedLong(low);
        }
        return sum;
    }

    /** Sum of the IPv4 pseudo-header that TCP and UDP checksums cover. */
    public static long pseudoHeaderSum(int source, int destination, int protocol, int length) {
        return (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF)
                + protocol + length;
    }

    /**
     * Sum of the pseudo-header of either family, allocation-free: for two IPv4 addresses the 12-byte IPv4
     * one ({@link #pseudoHeaderSum(int, int, int, int)}, {@code length} at most 0xffff); for two IPv6
     * addresses the 40-byte one of RFC 8200 section 8.1: source, destination, the 32-bit upper-layer packet
     * length ({@code length}, taken unsigned) and the Next Header value {@code protocol} (the upper-layer
     * protocol, not that of an extension header before it).
     *
     * @throws IllegalArgumentException when one address is IPv4 and the other IPv6
     */
    public static long pseudoHeaderSum(IpAddress source, IpAddress destination, int protocol, int length) {
        boolean ipv4 = source.isIpv4();
        if (ipv4 != destination.isIpv4()) {
            throw new IllegalArgumentException("pseudo-header of mixed families: " + source + ", " + destination);
        }
        if (ipv4) {
            return pseudoHeaderSum(source.ipv4(), destination.ipv4(), protocol, length);
        }
        return words(source.high()) + words(source.low()) + words(destination.high()) + words(destination.low())
                + (length >>> 16) + (length & 0xFFFF) + protocol;
    }

    /**
     * Sum of the IPv6 pseudo-header (RFC 8200 section 8.1) whose 16-byte addresses lie at absolute
     * {@code sourceOffset} and {@code destinationOffset} of {@code buf} (an IPv6 header's), allocation-free;
     * {@code length} is the upper-layer packet length in bytes, taken unsigned.
     */
    public static long ipv6PseudoHeaderSum(ByteBuffer buf, int sourceOffset, int destinationOffset, int protocol,
                                           int length) {
        return sum(buf, sourceOffset, 16) + sum(buf, destinationOffset, 16) + (length >>> 16) + (length & 0xFFFF)
                + protocol;
    }

    /** Sum of the four 16-bit words of a long. */
    private static long words(long v) {
        return (v >>> 48) + (v >>> 32 & 0xFFFF) + (v >>> 16 & 0xFFFF) + (v & 0xFFFF);
    }

    /** Folds a sum to 16 bits with end-around carry. */
    public static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** The checksum to store for a sum: the complement of its fold. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * {@link #finish}, with a result of 0 stored as 0xFFFF, the same value in ones' complement: UDP must (RFC 768,
     * 0 there means "no checksum"), and a completed NEEDS_CSUM checksum (ChecksumCompletion) always did so. Without
     * a branch: a sum that comes to 0, about one frame in 65,536, met a branch the warm-up never took, which C2
     * had compiled as a trap ({@code -Xlog:deoptimization}: {@code unstable_if} in
     * {@code ChecksumCompletion.complete} after the warm-up, docs/benchmarks.md, twenty-third pass).
     */
    public static int finishNonZero(long sum) {
        int checksum = finish(sum);
        return checksum | (checksum - 1) >> 31 & 0xFFFF; // 0 - 1 is negative: its sign fills the low 16 bits
    }

    /** Checksum of a range: {@code finish(sum(buf, offset, length))}. */
    public static int compute(ByteBuffer buf, int offset, int length) {
        return finish(sum(buf, offset, length));
    }

    /** New checksum after a 16-bit field covered by {@code checksum} changes from {@code oldValue} to {@code newValue}. */
    public static int update16(int checksum, int oldValue, int newValue) {
        return ~fold((~checksum & 0xFFFF) + (~oldValue & 0xFFFF) + (newValue & 0xFFFF)) & 0xFFFF;
    }

    /** New checksum after a 32-bit field (e.g. an address) changes; both halves must be 16-bit aligned in the sum. */
    public static int update32(int checksum, int oldValue, int newValue) {
        long sum = (~checksum & 0xFFFF)
                + (~oldValue >>> 16) + (~oldValue & 0xFFFF)
                + (newValue >>> 16) + (newValue & 0xFFFF);
        return ~fold(sum) & 0xFFFF;
    }
}
