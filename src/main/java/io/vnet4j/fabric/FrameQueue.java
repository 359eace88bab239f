package io.vnet4j.fabric;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded queue of frames in one preallocated byte ring: many producers (the hubs' reader threads),
 * one consumer (the port's writer). Nothing is allocated per frame; a frame that does not fit is refused
 * and the caller counts the drop, as a switch with a full output buffer would.
 *
 * <p>Each record is a 4-byte length followed by the frame. A record never wraps: when the space left at
 * the end of the ring is too small, the producer marks it as padding (length {@value #PADDING}, or an end
 * shorter than a length field) and starts again at offset 0.
 */
public final class FrameQueue {

    /** What a consumer does with each frame; it runs under the queue's lock, so it must only copy. */
    @FunctionalInterface
    public interface FrameHandler {
        void frame(byte[] ring, int offset, int length);
    }

    private static final int HEADER = 4;
    private static final int PADDING = -1;
    private static final long FOREVER = TimeUnit.DAYS.toNanos(365);

    private final byte[] ring;
    private final ByteBuffer lengths;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private int head;
    private int tail;
    private int used;
    private boolean consumerWaiting;
    private boolean closed;

    public FrameQueue(int capacityBytes) {
        if (capacityBytes < 2048) {
            throw new IllegalArgumentException("queue capacity must be at least 2048 bytes: " + capacityBytes);
        }
        ring = new byte[capacityBytes];
        lengths = ByteBuffer.wrap(ring);
    }

    public int capacity() {
        return ring.length;
    }

    /** Copies the frame into the queue; false when it does not fit (or the queue is closed). */
    public boolean offer(ByteBuffer src, int offset, int length) {
        int need = HEADER + length;
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            int atEnd = ring.length - tail;
            if (atEnd < need) {
                if (used + atEnd + need > ring.length) {
                    return false;
                }
                if (atEnd >= HEADER) {
                    lengths.putInt(tail, PADDING);
                }
                used += atEnd;
                tail = 0;
            } else if (used + need > ring.length) {
                return false;
            }
            lengths.putInt(tail, length);
            src.get(offset, ring, tail + HEADER, length);
            tail += need;
            if (tail == ring.length) {
                tail = 0;
            }
            used += need;
            if (consumerWaiting) {
                notEmpty.signal();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Hands up to {@code maxFrames} queued frames to {@code handler}, oldest first, while their lengths plus
     * 4 bytes each fit in {@code maxBytes}; waits up to {@code timeoutNanos} for a first frame.
     *
     * @return the number of frames handed over, or -1 when the queue is closed and empty
     */
    public int drain(FrameHandler handler, int maxBytes, int maxFrames, long timeoutNanos)
            throws InterruptedException {
        lock.lock();
        try {
            long remaining = timeoutNanos;
            while (used == 0) {
                if (closed) {
                    return -1;
                }
                if (remaining <= 0) {
                    return 0;
                }
                consumerWaiting = true;
                try {
                    remaining = notEmpty.awaitNanos(remaining);
                } finally {
                    consumerWaiting = false;
                }
            }
            int frames = 0;
            int budget = maxBytes;
            while (used > 0 && frames < maxFrames) {
                int atEnd = ring.length - head;
                if (atEnd < HEADER || lengths.getInt(head) == PADDING) {
                    used -= atEnd;
                    head = 0;
                    continue;
                }
                int length = lengths.getInt(head);
                if (HEADER + length > budget) {
                    break;
                }
                handler.frame(ring, head + HEADER, length);
                budget -= HEADER + length;
                head += HEADER + length;
                used -= HEADER + length;
                if (head == ring.length) {
                    head = 0;
                }
                frames++;
            }
            if (used == 0) {
                head = 0;
                tail = 0;
            }
            return frames;
        } finally {
            lock.unlock();
        }
    }

    /** Waits without a time limit for frames, and takes as many as fit; see the full form. */
    public int drain(FrameHandler handler, int maxBytes) throws InterruptedException {
        return drain(handler, maxBytes, Integer.MAX_VALUE, FOREVER);
    }

    public boolean isEmpty() {
        lock.lock();
        try {
            return used == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses further frames and wakes the consumer; frames already queued can still be drained. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
