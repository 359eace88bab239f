package io.vnet4j.usernet.tcp;

import java.nio.ByteBuffer;

/**
 * A bounded FIFO of bytes in one array: appended at the end, consumed from the front, read at any offset
 * from the front (for retransmission). Compacts when the tail runs out of room.
 */
final class ByteQueue {
    private final byte[] data;
    private int start;
    private int end;

    ByteQueue(int capacity) {
        data = new byte[capacity];
    }

    int length() {
        return end - start;
    }

    int free() {
        return data.length - length();
    }

    int capacity() {
        return data.length;
    }

    /** Appends up to {@link #free()} bytes of {@code src[offset, offset+length)}; returns how many. */
    int append(ByteBuffer src, int offset, int length) {
        int n = Math.min(length, free());
        makeRoom(n);
        src.get(offset, data, end, n);
        end += n;
        return n;
    }

    /** A buffer to read into directly: its position..limit is the free tail. Call {@link #appended} after. */
    ByteBuffer tailForReading(ByteBuffer wrapper) {
        makeRoom(free());
        return wrapper.limit(data.length).position(end);
    }

    void appended(int n) {
        end += n;
    }

    /** A buffer over the queued bytes (position..limit), to write from; call {@link #consume} after. */
    ByteBuffer headForWriting(ByteBuffer wrapper) {
        return wrapper.limit(end).position(start);
    }

    /** Wraps the backing array; reuse the wrapper with {@link #tailForReading} and {@link #headForWriting}. */
    ByteBuffer wrapper() {
        return ByteBuffer.wrap(data);
    }

    void consume(int n) {
        start += n;
        if (start == end) {
            start = 0;
            end = 0;
        }
    }

    /** Copies {@code length} bytes starting {@code fromFront} bytes after the front into {@code dst} at {@code at}. */
    void copy(int fromFront, ByteBuffer dst, int at, int length) {
        dst.put(at, data, start + fromFront, length);
    }

    private void makeRoom(int n) {
        if (data.length - end < n && start > 0) {
            System.arraycopy(data, start, data, 0, end - start);
            end -= start;
            start = 0;
        }
    }
}
