package io.vnet4j.port.nic;

import io.vnet4j.fabric.FrameQueue;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.Netdev;
import io.vnet4j.fabric.Port;
import io.vnet4j.fabric.QueuedPort;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network card inside the JVM: a Java program sends frames into its hub with {@link #send} and takes
 * the frames the hub forwards to it with {@link #receive}. Frames wait in a bounded queue; when the program
 * does not keep up, the oldest stay and new ones are dropped and counted.
 */
public final class VirtualNic extends QueuedPort implements Netdev {
    /** The largest frame a port carries (QEMU's NET_BUFSIZE). */
    public static final int MAX_FRAME = 65536 + 4096;

    private final byte[] scratch = new byte[MAX_FRAME];
    private int received;
    private ByteBuffer target;
    private final FrameQueue.FrameHandler toScratch = (ring, offset, length, segmentSize) -> {
        ring.get(offset, scratch, 0, length);
        received = length;
    };
    private final FrameQueue.FrameHandler toTarget = (ring, offset, length, segmentSize) -> {
        target.put(target.position(), ring, offset, length).position(target.position() + length);
        received = length;
    };

    private final Hub hub;

    public VirtualNic(String id, Hub hub) {
        super(id, "nic", DEFAULT_QUEUE_BYTES);
        this.hub = hub;
    }

    @Override
    public String describe() {
        return "in-JVM";
    }

    @Override
    public List<Port> ports() {
        return List.of(this);
    }

    @Override
    public void start() {
        hub.attach(this);
    }

    /** Sends one frame into the hub, to every other port. */
    public void send(ByteBuffer frame, int offset, int length) {
        deliver(frame, offset, length);
    }

    /** Sends one frame into the hub, to every other port. */
    public void send(byte[] frame) {
        deliver(ByteBuffer.wrap(frame), 0, frame.length);
    }

    /**
     * Takes the next frame the hub sent to this NIC, waiting up to {@code timeout}.
     *
     * @return the frame, or null when none arrived in time
     */
    public synchronized byte[] receive(long timeout, TimeUnit unit) throws InterruptedException {
        int n = queue.drain(toScratch, MAX_FRAME + 4, 1, unit.toNanos(timeout));
        if (n <= 0) {
            return null;
        }
        byte[] frame = new byte[received];
        System.arraycopy(scratch, 0, frame, 0, received);
        return frame;
    }

    /**
     * Takes the next frame into {@code dst} at its position without allocating, waiting up to
     * {@code timeout}; returns its length, or -1 when none arrived in time. {@code dst} must have room for
     * the largest frame, {@value #MAX_FRAME} bytes.
     */
    public synchronized int receive(ByteBuffer dst, long timeout, TimeUnit unit) throws InterruptedException {
        if (dst.remaining() < MAX_FRAME) {
            throw new IllegalArgumentException("receive buffer needs " + MAX_FRAME + " bytes free: " + dst.remaining());
        }
        target = dst;
        try {
            return queue.drain(toTarget, MAX_FRAME + 4, 1, unit.toNanos(timeout)) <= 0 ? -1 : received;
        } finally {
            target = null;
        }
    }
}
