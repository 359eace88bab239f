package io.vnet4j.usernet.tcp;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded FIFO of bytes: appended at the end, consumed from the front, read at any offset from the front
 * (for retransmission). It holds at most {@code capacity} bytes, but its buffer grows only as bytes arrive
 * (doubling from {@value #MIN_ARRAY}). A busy queue keeps its buffer when it drains (a bulk transfer drains
 * it after every segment, and allocating it again each time costs more than the copy); {@link
 * #releaseIfIdle} gives it back once the queue stayed empty, so a thousand idle connections cost almost
 * nothing. The buffer is direct memory, so the host socket reads into it and writes from it without the
 * JDK's copy through a temporary direct buffer; the smallest ones come from and go back to a
 * {@link BufferPool}.
 *
 * <p>A receiver may also keep bytes that arrived ahead of their turn in the free space after the end, at
 * their future place ({@link #writeAhead}); they are no part of the queue until {@link #appended} moves
 * the end over them, but compaction, growth, draining and {@link #releaseIfIdle} keep them.
 */
final class ByteQueue {
    static final int MIN_ARRAY = 4096;
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0);
    /**
     * The bytes of the direct buffers every queue has left to the collector (grown out of, or given back and not
     * pooled): their native memory stays taken until a collection finds them, which for buffers that lived into
     * the old generation only a full one does ({@link io.vnet4j.HeapTrim} asks for it by this count).
     */
    private static final LongAdder DROPPED = new LongAdder();

    private final int capacity;
    /** Where buffers of {@link #MIN_ARRAY} bytes come from and go back to. */
    private final BufferPool pool;
    /** The bytes, always with position 0 and limit at capacity (absolute access only). */
    private ByteBuffer data = EMPTY;
    /** A view of {@code data} whose position and limit are set for a channel read or write. */
    private ByteBuffer io = EMPTY.duplicate();
    private int start;
    private int end;
    /** Bytes after the end that {@link #writeAhead} wrote (the furthest reach): kept until appended or forgotten. */
    private int ahead;
    /** Bytes were added since the last {@link #releaseIfIdle}. */
    private boolean used;

    ByteQueue(int capacity) {
        this(capacity, BufferPool.NONE);
    }

    ByteQueue(int capacity, BufferPool pool) {
        this.capacity = capacity;
        this.pool = pool;
    }

    int length() {
        return end - start;
    }

    /** Room left under the capacity (not the current buffer's). */
    int free() {
        return capacity - length();
    }

    int capacity() {
        return capacity;
    }

    /** Appends up to {@link #free()} bytes of {@code src[offset, offset+length)}; returns how many. */
    int append(ByteBuffer src, int offset, int length) {
        int n = Math.min(length, free());
        makeRoom(n);
        data.put(end, src, offset, n);
        advanceEnd(n);
        return n;
    }

    /**
     * Writes {@code src[offset, offset+length)} {@code distance} bytes after the end, leaving the end where
     * it is: bytes that arrived early, kept until {@link #appended} reaches them. The caller keeps
     * {@code distance + length} within {@link #free()}.
     */
    void writeAhead(int distance, ByteBuffer src, int offset, int length) {
        makeRoom(distance + length);
        data.put(end + distance, src, offset, length);
        ahead = Math.max(ahead, distance + length);
        used = true;
    }

    /** The bytes written ahead are no longer wanted: growth and compaction need not keep them. */
    void forgetAhead() {
        ahead = 0;
    }

    /**
     * A buffer whose position..limit is free tail room for up to {@code want} bytes, then call
     * {@link #appended}. It offers what the buffer has (at least {@value #MIN_ARRAY} bytes, doubling it
     * when full), so a small read does not grow the buffer to {@code want}.
     */
    ByteBuffer tailForReading(int want) {
        int n = Math.min(want, free());
        int room = Math.max(data.capacity() - length(), Math.min(n, Math.max(MIN_ARRAY, data.capacity())));
        n = Math.min(n, room);
        makeRoom(n);
        return io.limit(end + n).position(end);
    }

    /** Moves the end over {@code n} bytes written after it, by a channel read or {@link #writeAhead}. */
    void appended(int n) {
        advanceEnd(n);
    }

    private void advanceEnd(int n) {
        end += n;
        ahead = Math.max(0, ahead - n);
        used = true;
    }

    /** A buffer over the queued bytes (position..limit), to write from; then call {@link #consume}. */
    ByteBuffer headForWriting() {
        return io.limit(end).position(start);
    }

    void consume(int n) {
        start += n;
        if (start == end && ahead == 0) {
            start = 0;
            end = 0;
        }
    }

    /**
     * Gives the buffer back when the queue is empty, holds nothing ahead and nothing was added since the
     * last call: called periodically, it frees the memory of connections that went quiet and keeps that of
     * busy ones.
     */
    void releaseIfIdle() {
        if (length() == 0 && ahead == 0 && !used && data.capacity() > 0) {
            giveBack();
        }
        used = false;
    }

    /** Gives the buffer back and empties the queue, bytes written ahead too: its connection has closed. */
    void release() {
        start = 0;
        end = 0;
        ahead = 0;
        if (data.capacity() > 0) {
            giveBack();
        }
    }

    private void giveBack() {
        ByteBuffer old = data;
        use(EMPTY);
        drop(old);
    }

    /** Gives {@code old} to the pool, or to the collector, counted in {@link #dropped}. */
    private void drop(ByteBuffer old) {
        if (!pool.give(old) && old.capacity() > 0) {
            DROPPED.add(old.capacity());
        }
    }

    /** The bytes of direct buffers all queues have left to the collector so far. */
    static long dropped() {
        return DROPPED.sum();
    }

    /** The size of the buffer now held (memory accounting and tests). */
    int bufferLength() {
        return data.capacity();
    }

    /** Copies {@code length} bytes starting {@code fromFront} bytes after the front into {@code dst} at {@code at}. */
    void copy(int fromFront, ByteBuffer dst, int at, int length) {
        dst.put(at, data, start + fromFront, length);
    }

    /** Makes room for {@code n} more bytes after the end, keeping the bytes written ahead: compacts or grows. */
    private void makeRoom(int n) {
        int reach = Math.max(n, ahead);
        if (data.capacity() - end >= reach) {
            return;
        }
        int kept = length() + ahead;
        int needed = length() + reach;
        if (needed <= data.capacity()) {
            MemorySegment segment = MemorySegment.ofBuffer(data);
            MemorySegment.copy(segment, start, segment, 0, kept); // overlapping: copied as if through a temporary
        } else {
            int size = Math.max(MIN_ARRAY, data.capacity());
            while (size < needed) {
                size *= 2;
            }
            int grownSize = Math.min(size, Math.max(capacity, needed));
            ByteBuffer grown = grownSize == MIN_ARRAY ? pool.take() : ByteBuffer.allocateDirect(grownSize);
            grown.put(0, data, start, kept);
            ByteBuffer old = data;
            use(grown);
            drop(old);
        }
        end -= start;
        start = 0;
    }

    private void use(ByteBuffer buffer) {
        data = buffer;
        io = buffer.duplicate();
    }
}
