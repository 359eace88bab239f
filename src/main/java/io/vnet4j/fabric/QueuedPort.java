package io.vnet4j.fabric;

import java.nio.ByteBuffer;

/**
 * A port whose frames wait in a bounded {@link FrameQueue} until the backend's writer takes them: the
 * hub's {@link #enqueue} only copies, and the backend drains the queue from its own thread.
 */
public abstract class QueuedPort extends Port {
    /** Default send queue: room for a burst of full-size frames per port, bounded. */
    public static final int DEFAULT_QUEUE_BYTES = 1 << 20;

    protected final FrameQueue queue;

    protected QueuedPort(String id, String type, int queueBytes) {
        super(id, type);
        this.queue = new FrameQueue(queueBytes);
    }

    @Override
    protected final boolean enqueue(ByteBuffer frame, int offset, int length, int segmentSize) {
        int through = writeThrough(frame, offset, length, segmentSize);
        if (through != NOT_WRITTEN) {
            return through == WRITTEN;
        }
        if (!queue.offer(frame, offset, length, segmentSize)) {
            return false;
        }
        frameQueued();
        return true;
    }

    @Override
    protected final int dropQueued() {
        return queue.purge();
    }

    @Override
    public int queuedBytes() {
        return queue.usedBytes();
    }

    /** {@link #writeThrough} results. */
    protected static final int WRITTEN = 1;
    protected static final int NOT_WRITTEN = 0;
    protected static final int WRITE_FAILED = -1;

    /**
     * A backend whose wire takes a frame without blocking may write it at once on the hub's thread when
     * its queue is empty and its writer idle, saving a thread hand-off (latency); it must keep the frames'
     * order. By default nothing is written through.
     *
     * @return {@link #WRITTEN}, {@link #WRITE_FAILED} (the frame is lost and counted as a drop), or
     *     {@link #NOT_WRITTEN} to queue it
     */
    protected int writeThrough(ByteBuffer frame, int offset, int length, int segmentSize) {
        return NOT_WRITTEN;
    }

    /** Called after a frame was queued, on the hub's thread; a backend with its own loop wakes it here. */
    protected void frameQueued() {
    }

    @Override
    public void close() {
        super.close();
        queue.close();
    }
}
