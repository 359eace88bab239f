package io.vnet4j.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): partial sums over buffer ranges and IPv4 pseudo-headers,
 * folding, and incremental update after a field change (RFC 1624, equation 3).
 */
public final class Checksum {
    private Checksum() {}

    /**
     * Sums a range as big-endian 16-bit words, an odd last byte padded with zero, without folding.
     * Sums of several ranges may be added as long as only the last range has an odd length.
     */
    public static long sum(ByteBuffer buf, int offset, int length) {
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

    /** Sum of the IPv4 pseudo-header that TCP and UDP checksums cover. */
    public static long pseudoHeaderSum(int source, int destination, int protocol, int length) {
        return (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF)
                + protocol + length;
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
