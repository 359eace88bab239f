package io.vnet4j.usernet.tcp;

import java.nio.ByteBuffer;

/**
 * A bounded FIFO of bytes: appended at the end, consumed from the front, read at any offset from the front
 * (for retransmission). It holds at most {@code capacity} bytes, but its array grows only as bytes arrive
 * (doubling from {@value #MIN_ARRAY}). A busy queue keeps its array when it drains (a bulk transfer drains
 * it after every segment, and allocating it again each time costs more than the copy); {@link
 * #releaseIfIdle} gives it back once the queue stayed empty, so a thousand idle connections cost almost
 * nothing.
 */
final class ByteQueue {
    static final int MIN_ARRAY = 4096;
    private static final byte[] EMPTY = {};

    private final int capacity;
    private byte[] data = EMPTY;
    private ByteBuffer wrapper = ByteBuffer.wrap(EMPTY);
    private int start;
    private int end;
    /** Bytes were added since the last {@link #releaseIfIdle}. */
    private boolean used;

    ByteQueue(int capacity) {
        this.capacity = capacity;
    }

    int length() {
        return end - start;
    }

    /** Room left under the capacity (not the current array's). */
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
        src.get(offset, data, end, n);
        end += n;
        used = true;
        return n;
    }

    /**
     * A buffer whose position..limit is free tail room for up to {@code want} bytes, then call
     * {@link #appended}. It offers what the array has (at least {@value #MIN_ARRAY} bytes, doubling it
     * when full), so a small read does not grow the array to {@code want}.
     */
    ByteBuffer tailForReading(int want) {
        int n = Math.min(want, free());
        int room = Math.max(data.length - length(), Math.min(n, Math.max(MIN_ARRAY, data.length)));
        n = Math.min(n, room);
        makeRoom(n);
        return wrapper.limit(end + n).position(end);
    }

    void appended(int n) {
        end += n;
        used = true;
    }

    /** A buffer over the queued bytes (position..limit), to write from; then call {@link #consume}. */
    ByteBuffer headForWriting() {
        return wrapper.limit(end).position(start);
    }

    void consume(int n) {
        start += n;
        if (start == end) {
            start = 0;
            end = 0;
        }
    }

    /**
     * Gives the array back when the queue is empty and nothing was added since the last call: called
     * periodically, it frees the memory of connections that went quiet and keeps that of busy ones.
     */
    void releaseIfIdle() {
        if (length() == 0 && !used && data.length > 0) {
            data = EMPTY;
            wrapper = ByteBuffer.wrap(EMPTY);
        }
        used = false;
    }

    /** The size of the array now held (memory accounting and tests). */
    int arrayLength() {
        return data.length;
    }

    /** Copies {@code length} bytes starting {@code fromFront} bytes after the front into {@code dst} at {@code at}. */
    void copy(int fromFront, ByteBuffer dst, int at, int length) {
        dst.put(at, data, start + fromFront, length);
    }

    /** Makes room for {@code n} more bytes after the end: compacts, or grows the array. */
    private void makeRoom(int n) {
        if (data.length - end >= n) {
            return;
        }
        int needed = length() + n;
        if (needed <= data.length) {
            System.arraycopy(data, start, data, 0, length());
        } else {
            int size = Math.max(MIN_ARRAY, data.length);
            while (size < needed) {
                size *= 2;
            }
            byte[] grown = new byte[Math.min(size, Math.max(capacity, needed))];
            System.arraycopy(data, start, grown, 0, length());
            data = grown;
            wrapper = ByteBuffer.wrap(data);
        }
        end -= start;
        start = 0;
    }
}
