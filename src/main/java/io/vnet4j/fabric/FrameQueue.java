package io.vnet4j.fabric;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded queue of frames in one byte ring: many producers (the hubs' reader threads), one consumer (the
 * port's writer). Nothing is allocated per frame; a frame that does not fit is refused and the caller counts
 * the drop, as a switch with a full output buffer would. The ring starts small ({@value #INITIAL_BYTES}
 * bytes) and doubles, up to the bound, only when a frame finds it full, so an idle port costs little memory
 * however large its bound.
 *
 * <p>Each record is an 8-byte header (the frame's length, and its segment size: see
 * {@link Port#deliver(ByteBuffer, int, int, int)}) followed by the frame. A record never wraps: when the
 * space left at the end of the ring is too small, the producer marks it as padding (length
 * {@value #PADDING}, or an end shorter than a header) and starts again at offset 0. Producers copy in under
 * the lock. The consumer copies its frames out under the lock ({@link #drain}) or, with
 * {@link #drainInPlace}, handles them in place without it (producers never write the space between head
 * and tail) and frees that space under the lock once its handler returned. A ring that grows while the
 * consumer handles a batch in place is copied, records in order from the head, padding left out; the
 * consumer finishes on the old ring (no producer writes there any more) and then frees its batch by count
 * of records, which the copy kept.
 */
public final class FrameQueue {

    /**
     * What the consumer does with each frame, in place in the ring (valid only during the call; the
     * handler may change the bytes). {@code segmentSize} > 0 marks a large TCP segment. The handler may move
     * the view's position and limit (the queue does not use them), but must not keep it past the call.
     */
    @FunctionalInterface
    public interface FrameHandler {
        void frame(ByteBuffer ring, int offset, int length, int segmentSize);
    }

    private static final int HEADER = 8;
    /** What a frame costs in a drain's byte budget: its length plus this. */
    private static final int BUDGET_OVERHEAD = 4;
    private static final int PADDING = -1;
    /** A wait without a time limit, in nanoseconds. */
    public static final long FOREVER = TimeUnit.DAYS.toNanos(365);
    /** The ring's first size: a few ordinary frames, or one large segment after a doubling. */
    static final int INITIAL_BYTES = 32 * 1024;

    private ByteBuffer ring;
    /** What handlers get: the same memory, with a position and limit of their own. */
    private ByteBuffer handlerView;
    /** The ring's current size. */
    private int capacity;
    /** The bound: the ring never grows past it. */
    private final int maxCapacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private int head;
    private int tail;
    private int used;
    private boolean consumerWaiting;
    /** The records an in-place handler holds now ({@link #drainInPlace}), freed when it returns; else 0. */
    private int handling;
    /** {@link #wakeConsumer} asked the consumer's wait to end. */
    private boolean woken;
    private boolean closed;

    public FrameQueue(int capacityBytes) {
        if (capacityBytes < 2048) {
            throw new IllegalArgumentException("queue capacity must be at least 2048 bytes: " + capacityBytes);
        }
        // heap memory: a direct ring was measured twice (docs/benchmarks.md). In issue 4 a TCG guest's upload
        // through the user network was 15 to 20% slower with it and a namespace's about 10% faster; at issue
        // 12's seventeenth pass neither moved beyond the runs' spread (a TAP's frames no longer pass here),
        // and a TCG guest's upload time followed the ACKs it got, not the ring
        maxCapacity = capacityBytes;
        capacity = Math.min(capacityBytes, INITIAL_BYTES);
        ring = ByteBuffer.allocate(capacity);
        handlerView = ring.duplicate();
    }

    /** The bound in bytes: what the queue may hold at most (its ring may be smaller until it is needed). */
    public int capacity() {
        return maxCapacity;
    }

    /** The ring's current size in bytes (for tests and memory accounting). */
    int ringBytes() {
        lock.lock();
        try {
            return capacity;
        } finally {
            lock.unlock();
        }
    }

    /** Copies a frame and its segment size into the queue; false when it does not fit (or the queue is closed). */
    public boolean offer(ByteBuffer src, int offset, int length, int segmentSize) {
        int need = HEADER + length;
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            if (!fits(need) && !grow(need)) {
                return false;
            }
            int atEnd = capacity - tail;
            if (atEnd < need) {
                if (used + atEnd + need > capacity) {
                    return false;
                }
                if (atEnd >= HEADER) {
                    ring.putInt(tail, PADDING);
                }
                used += atEnd;
                tail = 0;
            } else if (used + need > capacity) {
                return false;
            }
            ring.putInt(tail, length);
            ring.putInt(tail + 4, segmentSize);
            ring.put(tail + HEADER, src, offset, length);
            tail += need;
            if (tail == capacity) {
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

    /** Whether a record of {@code need} bytes fits the ring as it is (at the tail, or at 0 after padding). */
    private boolean fits(int need) {
        int atEnd = capacity - tail;
        return atEnd < need ? used + atEnd + need <= capacity : used + need <= capacity;
    }

    /**
     * Replaces the ring by one at least twice as large, up to the bound, with room for {@code need} more
     * bytes: the records are copied in order from the head to offset 0, padding left out. False when even
     * the bound has no room.
     */
    private boolean grow(int need) {
        int[] live = {0};
        walk(Integer.MAX_VALUE, (at, record) -> live[0] += record);
        if (capacity == maxCapacity || live[0] + need > maxCapacity) {
            return false;
        }
        int size = capacity;
        while (size < live[0] + need && size < maxCapacity) {
            size = (int) Math.min((long) size * 2, maxCapacity);
        }
        size = (int) Math.min(Math.max((long) size, 2L * capacity), maxCapacity);
        ByteBuffer bigger = ByteBuffer.allocate(size);
        ByteBuffer old = ring;
        int[] to = {0};
        walk(Integer.MAX_VALUE, (at, record) -> {
            bigger.put(to[0], old, at, record);
            to[0] += record;
        });
        ring = bigger;
        handlerView = bigger.duplicate();
        capacity = size;
        head = 0;
        tail = to[0] == size ? 0 : to[0];
        used = to[0];
        return true;
    }

    /** What {@link #walk} hands each record to: its offset in the ring and its length, header included. */
    @FunctionalInterface
    private interface RecordVisitor {
        void record(int at, int length);
    }

    /**
     * Walks up to {@code records} queued records from the head (all of them when more are asked for),
     * skipping padding, handing each to {@code visitor} (null: none); returns the bytes passed, padding
     * included. With the lock held.
     */
    private int walk(int records, RecordVisitor visitor) {
        int bytes = 0;
        int at = head;
        for (int i = 0; i < records && bytes < used; ) {
            int atEnd = capacity - at;
            if (atEnd < HEADER || ring.getInt(at) == PADDING) {
                bytes += atEnd;
                at = 0;
                continue;
            }
            int record = HEADER + ring.getInt(at);
            if (visitor != null) {
                visitor.record(at, record);
            }
            bytes += record;
            at = wrap(at + record);
            i++;
        }
        return bytes;
    }

    /**
     * Hands up to {@code maxFrames} queued frames to {@code handler}, oldest first, while their lengths plus
     * 4 bytes each fit in {@code maxBytes}; waits up to {@code timeoutNanos} for a first frame. The handler
     * runs under the queue's lock, so it must only copy (the cheapest way for a consumer that copies
     * anyway: one lock round per batch). Only one thread at a time may drain a queue (a lock of the
     * caller's may hand that role between threads, as a TAP's write lock does).
     *
     * @return the number of frames handed over, or -1 when the queue is closed and empty
     */
    public int drain(FrameHandler handler, int maxBytes, int maxFrames, long timeoutNanos)
            throws InterruptedException {
        return drain(handler, maxBytes, maxFrames, timeoutNanos, false);
    }

    /**
     * Like {@link #drain(FrameHandler, int, int, long)}, but the handler runs without the lock, in place in
     * the ring, and may take its time (parse, write to a device) while producers go on queueing; the space
     * is freed when it returns.
     */
    public int drainInPlace(FrameHandler handler, int maxBytes, int maxFrames, long timeoutNanos)
            throws InterruptedException {
        return drain(handler, maxBytes, maxFrames, timeoutNanos, true);
    }

    private int drain(FrameHandler handler, int maxBytes, int maxFrames, long timeoutNanos, boolean inPlace)
            throws InterruptedException {
        int start;
        int frames = 0;
        int taken = 0;
        ByteBuffer batchRing;
        ByteBuffer batchView;
        int batchCapacity;
        lock.lock();
        try {
            int ready = awaitFramesLocked(timeoutNanos);
            if (ready <= 0) {
                return ready;
            }
            start = head;
            int at = head;
            int budget = maxBytes;
            while (taken < used && frames < maxFrames) {
                int atEnd = capacity - at;
                if (atEnd < HEADER || ring.getInt(at) == PADDING) {
                    taken += atEnd;
                    at = 0;
                    continue;
                }
                int length = ring.getInt(at);
                if (BUDGET_OVERHEAD + length > budget) {
                    break;
                }
                budget -= BUDGET_OVERHEAD + length;
                taken += HEADER + length;
                at = wrap(at + HEADER + length);
                frames++;
            }
            if (!inPlace) {
                try {
                    handle(handler, ring, handlerView, capacity, start, frames);
                } finally {
                    free(taken);
                }
                return frames;
            }
            batchRing = ring;
            batchView = handlerView;
            batchCapacity = capacity;
            handling = frames;
        } finally {
            lock.unlock();
        }
        try {
            handle(handler, batchRing, batchView, batchCapacity, start, frames);
        } finally {
            release(frames);
        }
        return frames;
    }

    /** An offset that may have passed the ring's end (by less than its length), as an offset in the ring. */
    private int wrap(int offset) {
        return offset >= capacity ? offset - capacity : offset;
    }

    /**
     * Hands {@code frames} records from {@code at} of {@code ring} (of {@code size} bytes; the queue's ring
     * when the batch was taken) to the handler, skipping padding.
     */
    private static void handle(FrameHandler handler, ByteBuffer ring, ByteBuffer view, int size, int at, int frames) {
        for (int i = 0; i < frames; ) {
            if (size - at < HEADER || ring.getInt(at) == PADDING) {
                at = 0;
                continue;
            }
            int length = ring.getInt(at);
            handler.frame(view, at + HEADER, length, ring.getInt(at + 4));
            at += HEADER + length;
            if (at >= size) {
                at -= size;
            }
            i++;
        }
    }

    /**
     * Gives the space of the {@code frames} oldest records (and the padding before them) back to the
     * producers; counted in records, because the ring may have grown, and lost its padding, meanwhile.
     */
    private void release(int frames) {
        lock.lock();
        try {
            handling = 0;
            free(walk(frames, null));
        } finally {
            lock.unlock();
        }
    }

    /** {@link #release} with the lock held. */
    private void free(int bytes) {
        used -= bytes;
        head = wrap(head + bytes);
        if (used == 0) {
            head = 0;
            tail = 0;
        }
    }

    /**
     * Waits up to {@code timeoutNanos} until a frame is queued, without taking it.
     *
     * @return 1 when frames are queued, 0 after the timeout or {@link #wakeConsumer}, -1 when the queue is
     *     closed and empty
     */
    public int awaitFrames(long timeoutNanos) throws InterruptedException {
        lock.lock();
        try {
            return awaitFramesLocked(timeoutNanos);
        } finally {
            lock.unlock();
        }
    }

    private int awaitFramesLocked(long timeoutNanos) throws InterruptedException {
        long remaining = timeoutNanos;
        while (used == 0) {
            if (closed) {
                return -1;
            }
            if (remaining <= 0 || woken) {
                woken = false;
                return 0;
            }
            consumerWaiting = true;
            try {
                remaining = notEmpty.awaitNanos(remaining);
            } finally {
                consumerWaiting = false;
            }
        }
        return 1;
    }

    /** Waits without a time limit for frames, and takes as many as fit; see the full form. */
    public int drain(FrameHandler handler, int maxBytes) throws InterruptedException {
        return drain(handler, maxBytes, Integer.MAX_VALUE, FOREVER);
    }

    /** The bytes the queued frames take now, headers included (for metrics: takes the lock). */
    public int usedBytes() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    public boolean isEmpty() {
        lock.lock();
        try {
            return used == 0;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Wakes the consumer from a wait for frames without giving it one: the wait returns 0, as after its
     * timeout. A consumer not waiting now has its next wait on an empty queue return 0 at once (one empty
     * pass). For a backend whose writer has more to do than the queue (StreamPort's remainder of a frame
     * sent in part).
     */
    public void wakeConsumer() {
        lock.lock();
        try {
            woken = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops every queued frame that no consumer holds yet (an in-place handler's batch stays, and is freed when
     * it returns): a link taken down, a connection ended. Producers may go on queueing.
     *
     * @return the frames dropped, for the caller to count
     */
    public int purge() {
        lock.lock();
        try {
            int[] records = {0};
            walk(Integer.MAX_VALUE, (at, record) -> records[0]++);
            int kept = walk(handling, null);
            used = kept;
            tail = wrap(head + kept);
            if (used == 0) {
                head = 0;
                tail = 0;
            }
            return records[0] - handling;
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
