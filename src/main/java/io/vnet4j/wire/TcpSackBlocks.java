package io.vnet4j.wire;

/**
 * The SACK option (RFC 2018) a receiver puts in its ACKs: up to {@value #MAX_BLOCKS} blocks of sequence
 * numbers it holds beyond the acknowledgment, in the order added (the first should hold the latest
 * segment). Mutable and reused, so an ACK costs no allocation, whether ours ({@link #emit}: NOP, NOP, then
 * the option, which keeps the blocks word-aligned) or the guest's ({@link TcpSegment#sackBlocks}).
 */
public final class TcpSackBlocks {
    /** What fits in 40 bytes of options beside two NOPs (no timestamps). */
    public static final int MAX_BLOCKS = 4;

    private final int[] lefts = new int[MAX_BLOCKS];
    private final int[] rights = new int[MAX_BLOCKS];
    private int count;

    public void clear() {
        count = 0;
    }

    /** Adds the block {@code [left, right)}; false, adding nothing, once {@value #MAX_BLOCKS} are held. */
    public boolean add(int left, int right) {
        if (count == MAX_BLOCKS) {
            return false;
        }
        lefts[count] = left;
        rights[count] = right;
        count++;
        return true;
    }

    public int count() {
        return count;
    }

    /** The first sequence number of block {@code i}. */
    public int left(int i) {
        return lefts[i];
    }

    /** The sequence number after block {@code i}. */
    public int right(int i) {
        return rights[i];
    }

    /** Bytes {@link #emit} writes, a multiple of four; 0 without blocks. */
    public int length() {
        return count == 0 ? 0 : 4 + 8 * count;
    }

    /** Writes the option at {@code at} (relative to the segment); the caller counts {@link #length()} in the header. */
    public void emit(TcpSegment tcp, int at) {
        if (count == 0) {
            return;
        }
        tcp.put8(at, TcpOption.NOP);
        tcp.put8(at + 1, TcpOption.NOP);
        tcp.put8(at + 2, TcpOption.SACK);
        tcp.put8(at + 3, 2 + 8 * count);
        for (int i = 0; i < count; i++) {
            tcp.put32(at + 4 + 8 * i, lefts[i]);
            tcp.put32(at + 8 + 8 * i, rights[i]);
        }
    }
}
