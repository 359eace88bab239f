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

    /**
     * A NIC for {@code hub}, not attached yet: {@link io.vnet4j.Network#add} (or {@link #start}) attaches it;
     * {@link io.vnet4j.Network#attachNic} does both.
     *
     * @param id the netdev's id
     * @param hub the hub it is to be a port of
     */
    public VirtualNic(String id, Hub hub) {
        super(id, "nic", DEFAULT_QUEUE_BYTES);
        this.hub = hub;
    }

    /** The hub this netdev was made for: it stays when the port is detached (see {@link #attachedHub}). */
    @Override
    public Hub hub() {
        return hub;
    }

    /**
     * What {@code info network} says of it.
     *
     * @return {@code in-JVM}
     */
    @Override
    public String describe() {
        return "in-JVM";
    }

    /**
     * Its ports on the hub.
     *
     * @return this NIC, its one port
     */
    @Override
    public List<Port> ports() {
        return List.of(this);
    }

    /** Attaches it to its hub. */
    @Override
    public void start() {
        hub.attach(this);
    }

    /**
     * Sends one frame into the hub, to every other port.
     *
     * @param frame a buffer holding the Ethernet frame (destination MAC first, no FCS); read, not changed
     * @param offset where the frame starts in {@code frame} (an absolute index)
     * @param length the frame's length in bytes
     */
    public void send(ByteBuffer frame, int offset, int length) {
        deliver(frame, offset, length);
    }

    /**
     * Sends one frame into the hub, to every other port.
     *
     * @param frame the Ethernet frame (destination MAC first, no FCS)
     */
    public void send(byte[] frame) {
        deliver(ByteBuffer.wrap(frame), 0, frame.length);
    }

    /**
     * Takes the next frame the hub sent to this NIC, waiting up to {@code timeout}.
     *
     * @param timeout how long to wait for one
     * @param unit the unit of {@code timeout}
     * @return the frame, or null when none arrived in time
     * @throws InterruptedException when the thread is interrupted while it waits
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
     * {@code timeout}. {@code dst} must have room for the largest frame, {@value #MAX_FRAME} bytes.
     *
     * @param dst where the frame is written, from its position on; its position moves past the frame
     * @param timeout how long to wait for one
     * @param unit the unit of {@code timeout}
     * @return the frame's length, or -1 when none arrived in time
     * @throws InterruptedException when the thread is interrupted while it waits
     * @throws IllegalArgumentException when {@code dst} has less than {@value #MAX_FRAME} bytes free
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
