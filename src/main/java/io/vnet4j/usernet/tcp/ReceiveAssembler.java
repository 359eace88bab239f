package io.vnet4j.usernet.tcp;

/**
 * The ranges of out-of-order bytes a TCP receiver holds beyond its in-order data, as smoltcp's
 * {@code Assembler} (BSD's tcp_reass, without a list of segments): the bytes themselves sit in the receive
 * queue's free space at their future place, this only remembers which of them arrived.
 *
 * <p>Theory of operation. Offsets count from the queue's end, the next byte expected (rcvNxt). Range
 * {@code i} is {@code [starts[i], ends[i])}; ranges are sorted, disjoint and never touch (an added range
 * merges with every range it overlaps or touches), and none starts at 0: such bytes are in order and go
 * to the queue instead. At most {@value #MAX_RANGES} ranges are held; a segment that would need one more
 * is refused (the sender retransmits it). When in-order bytes arrive, {@link #advance} moves the origin
 * past them: ranges they cover go, and a range they reach is now contiguous with the queue's end and
 * leaves whole. Each range also keeps when it last grew, so {@link #byRecency} can list them as RFC 2018
 * wants SACK blocks: the one holding the latest segment first. Fixed arrays: nothing is allocated per
 * segment.
 */
final class ReceiveAssembler {
    static final int MAX_RANGES = 8;

    private final int[] starts = new int[MAX_RANGES];
    private final int[] ends = new int[MAX_RANGES];
    /** When each range last grew, in adds: higher is more recent. */
    private final long[] stamps = new long[MAX_RANGES];
    private long adds;
    private int count;

    boolean isEmpty() {
        return count == 0;
    }

    /** How many ranges are held. */
    int ranges() {
        return count;
    }

    /** The offset of range {@code i}'s first byte, {@code i} below {@link #ranges()}. */
    int start(int i) {
        return starts[i];
    }

    /** The offset after range {@code i}'s last byte. */
    int end(int i) {
        return ends[i];
    }

    /** The index of the range that grew {@code rank}-th most recently (0: the latest add landed in it). */
    int byRecency(int rank) {
        for (int i = 0; i < count; i++) {
            int newer = 0;
            for (int j = 0; j < count; j++) {
                if (stamps[j] > stamps[i]) {
                    newer++;
                }
            }
            if (newer == rank) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Records that bytes {@code [offset, offset + length)} arrived. False, and nothing changes, for a range
     * that is empty, starts at or before the origin, overflows, or would need more than {@value #MAX_RANGES}
     * ranges.
     */
    boolean add(int offset, int length) {
        if (offset <= 0 || length <= 0 || offset > Integer.MAX_VALUE - length) {
            return false;
        }
        int end = offset + length;
        int first = 0;
        while (first < count && ends[first] < offset) {
            first++;
        }
        int last = first; // ranges [first, last) overlap or touch the new one
        while (last < count && starts[last] <= end) {
            last++;
        }
        if (first == last) {
            if (count == MAX_RANGES) {
                return false;
            }
            System.arraycopy(starts, first, starts, first + 1, count - first);
            System.arraycopy(ends, first, ends, first + 1, count - first);
            System.arraycopy(stamps, first, stamps, first + 1, count - first);
            starts[first] = offset;
            ends[first] = end;
            stamps[first] = ++adds;
            count++;
            return true;
        }
        starts[first] = Math.min(starts[first], offset);
        ends[first] = Math.max(ends[last - 1], end);
        stamps[first] = ++adds;
        System.arraycopy(starts, last, starts, first + 1, count - last);
        System.arraycopy(ends, last, ends, first + 1, count - last);
        System.arraycopy(stamps, last, stamps, first + 1, count - last);
        count -= last - first - 1;
        return true;
    }

    /**
     * {@code n} in-order bytes arrived, so the origin moves {@code n} further: returns how many held bytes
     * now follow them without a gap (they leave the assembler; the caller moves the queue's end over them),
     * and the offsets of the ranges left shift by both. A count below 1 changes nothing.
     */
    int advance(int n) {
        if (n <= 0 || count == 0) {
            return 0;
        }
        int reached = 0;
        while (reached < count && starts[reached] <= n) {
            reached++;
        }
        int contiguous = reached == 0 ? 0 : Math.max(0, ends[reached - 1] - n);
        int shift = n + contiguous;
        for (int i = reached; i < count; i++) {
            starts[i - reached] = starts[i] - shift;
            ends[i - reached] = ends[i] - shift;
            stamps[i - reached] = stamps[i];
        }
        count -= reached;
        return contiguous;
    }

    /** Forgets every range. */
    void clear() {
        count = 0;
    }
}
