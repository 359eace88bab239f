package io.vnet4j.usernet.tcp;

import io.vnet4j.wire.TcpSackBlocks;

/**
 * The sender's SACK scoreboard (RFC 6675 section 3, in bytes): the ranges beyond SND.UNA the guest said it
 * holds (its SACK blocks, RFC 2018), merged into at most {@value #CAPACITY} disjoint ranges in sequence
 * order, so that loss recovery resends only the holes between them. Sequence numbers compare modulo 2^32;
 * every range lies in (SND.UNA, SND.MAX], well inside 2^31 of SND.UNA. A block outside that (a D-SACK
 * below SND.UNA, RFC 2883, or one beyond what was sent) is ignored; when the ranges are all in use, a new one
 * above them is forgotten (less known, nothing wrong). Fixed arrays: nothing is allocated per ACK.
 */
final class SackScoreboard {
    /** Ranges kept: each ACK carries at most four blocks, and the holes of one window are few. */
    static final int CAPACITY = 8;

    private final int[] lefts = new int[CAPACITY];
    private final int[] rights = new int[CAPACITY];
    private int count;

    /**
     * Takes an ACK's blocks, {@code una} being SND.UNA after the ACK's cumulative part and {@code max}
     * SND.MAX; returns the bytes they newly SACKed.
     */
    int add(TcpSackBlocks blocks, int una, int max) {
        int newly = 0;
        for (int i = 0; i < blocks.count(); i++) {
            newly += add(blocks.left(i), blocks.right(i), una, max);
        }
        return newly;
    }

    /** Takes the block {@code [left, right)} when it lies in (una, max]; returns the bytes it newly covers. */
    int add(int left, int right, int una, int max) {
        // offsets from SND.UNA: with each edge compared only with its neighbour, a block 2^31 or more beyond
        // SND.MAX passed, and counted up to 2^31 - 1 bytes as newly SACKed
        int from = left - una;
        int to = right - una;
        if (from <= 0 || to <= from || to > max - una) {
            return 0;
        }
        int first = 0;
        while (first < count && after(left, rights[first])) {
            first++; // ranges wholly below the block, not touching it
        }
        int last = first;
        int newly = right - left;
        int mergedLeft = left;
        int mergedRight = right;
        while (last < count && !after(lefts[last], right)) { // overlapping or touching: merged into one
            newly -= overlap(lefts[last], rights[last], left, right);
            mergedLeft = earlier(mergedLeft, lefts[last]);
            mergedRight = later(mergedRight, rights[last]);
            last++;
        }
        if (last == first) { // a range of its own, at index first
            if (count == CAPACITY) {
                if (first == CAPACITY) {
                    return 0;
                }
                count--; // the highest range is forgotten
            }
            System.arraycopy(lefts, first, lefts, first + 1, count - first);
            System.arraycopy(rights, first, rights, first + 1, count - first);
            count++;
        } else {
            int gone = last - first - 1;
            System.arraycopy(lefts, last, lefts, first + 1, count - last);
            System.arraycopy(rights, last, rights, first + 1, count - last);
            count -= gone;
        }
        lefts[first] = mergedLeft;
        rights[first] = mergedRight;
        return newly;
    }

    /**
     * SND.UNA moved to {@code una}: what it covers leaves the scoreboard, and so does a range it reaches into.
     * The guest that acknowledges up to {@code una} does not hold that byte, so it dropped what it had SACKed
     * there (reneging, RFC 2018 section 8); kept, the range would hide the hole until the RTO.
     */
    void acknowledged(int una) {
        int gone = 0;
        while (gone < count && !after(lefts[gone], una)) {
            gone++;
        }
        if (gone > 0) {
            System.arraycopy(lefts, gone, lefts, 0, count - gone);
            System.arraycopy(rights, gone, rights, 0, count - gone);
            count -= gone;
        }
    }

    void clear() {
        count = 0;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int ranges() {
        return count;
    }

    int left(int i) {
        return lefts[i];
    }

    int right(int i) {
        return rights[i];
    }

    /** {@code seq}, or the end of the range that holds it. */
    int skipSacked(int seq) {
        for (int i = 0; i < count; i++) {
            if (!after(lefts[i], seq) && after(rights[i], seq)) {
                return rights[i];
            }
        }
        return seq;
    }

    /** Bytes from {@code seq} (not SACKed) to the next SACKed range above it: 0 when no range lies above. */
    int holeLength(int seq) {
        for (int i = 0; i < count; i++) {
            if (after(lefts[i], seq)) {
                return lefts[i] - seq;
            }
        }
        return 0;
    }

    /**
     * RFC 6675 section 4's IsLost: true when at least three discontiguous ranges, or more than two SMSS
     * bytes, were SACKed above {@code seq} (DupThresh 3).
     */
    boolean isLost(int seq, int smss) {
        int rangesAbove = 0;
        long bytesAbove = 0;
        for (int i = 0; i < count; i++) {
            if (after(rights[i], seq)) {
                rangesAbove++;
                bytesAbove += rights[i] - (after(lefts[i], seq) ? lefts[i] : seq + 1);
            }
        }
        return rangesAbove >= 3 || bytesAbove > 2L * smss;
    }

    private static int overlap(int left, int right, int blockLeft, int blockRight) {
        int from = later(left, blockLeft);
        int to = earlier(right, blockRight);
        return after(to, from) ? to - from : 0;
    }

    private static int earlier(int a, int b) {
        return after(a, b) ? b : a;
    }

    private static int later(int a, int b) {
        return after(a, b) ? a : b;
    }

    private static boolean after(int a, int b) {
        return a - b > 0;
    }
}
