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
        if (!queue.offer(frame, offset, length, segmentSize)) {
            return false;
        }
        frameQueued();
        return true;
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
