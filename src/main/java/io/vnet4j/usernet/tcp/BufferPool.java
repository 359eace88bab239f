package io.vnet4j.usernet.tcp;

import java.nio.ByteBuffer;

/**
 * The smallest byte-queue buffers ({@value ByteQueue#MIN_ARRAY} bytes of direct memory) of one NAT's
 * connections, kept for reuse when a connection closes or a queue goes idle, up to a number given.
 * Every connection takes two; allocating them was a malloc, a zeroing and a Cleaner each, and a buffer that
 * outlived a young collection (a connection's TIME-WAIT is 2 s) kept its direct memory until a full
 * collection, which an idle daemon never makes: the warm-up left 25 MB that way (docs/benchmarks.md,
 * twelfth pass). Not thread-safe: its NAT's users hold the gateway lock. A taken buffer's bytes are
 * whatever its last queue left (a queue reads only bytes it wrote).
 */
final class BufferPool {
    /** A pool that keeps nothing: every buffer is allocated, and given back to the collector. */
    static final BufferPool NONE = new BufferPool(0);

    private final ByteBuffer[] free;
    private int count;

    /** @param max how many buffers it keeps at most ({@code max * MIN_ARRAY} bytes) */
    BufferPool(int max) {
        this.free = new ByteBuffer[max];
    }

    /** A direct buffer of {@value ByteQueue#MIN_ARRAY} bytes, position 0, limit at capacity. */
    ByteBuffer take() {
        if (count > 0) {
            ByteBuffer b = free[--count];
            free[count] = null;
            return b;
        }
        return ByteBuffer.allocateDirect(ByteQueue.MIN_ARRAY);
    }

    /** Keeps {@code buffer} for a later {@link #take} if it has the pool's size and there is room. */
    void give(ByteBuffer buffer) {
        if (buffer.capacity() == ByteQueue.MIN_ARRAY && count < free.length) {
            free[count++] = buffer;
        }
    }

    /** How many buffers it holds now (tests). */
    int held() {
        return count;
    }
}
