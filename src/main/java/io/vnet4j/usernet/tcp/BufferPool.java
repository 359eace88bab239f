package io.vnet4j.usernet.tcp;

import java.nio.ByteBuffer;

/**
 * The smallest byte-queue buffers ({@value ByteQueue#MIN_ARRAY} bytes of direct memory) of TCP connections,
 * kept for reuse when a connection closes or a queue goes idle, up to a number given. Every connection takes
 * two; allocating them was a malloc, a zeroing and a Cleaner each, and a buffer that outlived a young
 * collection (a connection's TIME-WAIT is 2 s) kept its direct memory until a full collection, which an idle
 * daemon never makes: the warm-up left 25 MB that way (docs/benchmarks.md, twelfth pass).
 *
 * <p>The NATs of every user network in the process share {@link #SHARED} (its methods take its lock, a few
 * nanoseconds uncontended, four times per connection). So the buffers the warm-up's connections leave serve
 * the guests' first connections, which take a pooled buffer as the warm-up's compiled code did: with a pool
 * per NAT, a fresh network's empty pool sent its first connection down a branch the warm-up had not taken
 * since its start, and the JIT threw that compiled code away (docs/benchmarks.md, thirteenth pass). A taken
 * buffer's bytes are whatever its last queue left (a queue reads only bytes it wrote).
 */
final class BufferPool {
    /** A pool that keeps nothing: every buffer is allocated, and given back to the collector. */
    static final BufferPool NONE = new BufferPool(0);
    /** The pool of every NAT in the process: up to 256 buffers (1 MiB). */
    static final BufferPool SHARED = new BufferPool(256);

    private final ByteBuffer[] free;
    private int count;

    /** @param max how many buffers it keeps at most ({@code max * MIN_ARRAY} bytes) */
    BufferPool(int max) {
        this.free = new ByteBuffer[max];
    }

    /** A direct buffer of {@value ByteQueue#MIN_ARRAY} bytes, position 0, limit at capacity. */
    synchronized ByteBuffer take() {
        if (count > 0) {
            ByteBuffer b = free[--count];
            free[count] = null;
            return b;
        }
        return ByteBuffer.allocateDirect(ByteQueue.MIN_ARRAY);
    }

    /**
     * Keeps {@code buffer} for a later {@link #take} if it has the pool's size and there is room.
     *
     * @return whether it was kept (otherwise it is the collector's)
     */
    synchronized boolean give(ByteBuffer buffer) {
        if (buffer.capacity() == ByteQueue.MIN_ARRAY && count < free.length) {
            free[count++] = buffer;
            return true;
        }
        return false;
    }

    /** How many buffers it holds now (tests). */
    synchronized int held() {
        return count;
    }
}
