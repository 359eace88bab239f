package io.vnet4j.fabric;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One attachment to a hub: a frame the port receives from its wire goes to {@link #deliver}, which hands
 * it to the hub; a frame the hub forwards comes in through {@link #transmit} and leaves on the wire.
 *
 * <p>A backend implements {@link #enqueue} (queue the frame for its wire, never block) and
 * {@link #describe()}. Counting, link state and taps (capture) live here, so no backend repeats them.
 */
public abstract class Port implements AutoCloseable {
    private static final FrameTap[] NO_TAPS = {};
    /** 1500 bytes of payload, the Ethernet header and a VLAN tag. */
    public static final int STANDARD_MAX_FRAME = 1500 + 14 + 4;

    private final String id;
    private final String type;
    private final PortCounters counters = new PortCounters();
    private volatile Hub hub;
    private volatile boolean linkUp = true;
    private volatile FrameTap[] taps = NO_TAPS;

    protected Port(String id, String type) {
        this.id = id;
        this.type = type;
    }

    /** The port's name, as in {@code -netdev ...,id=NAME}; a connection accepted by a listener is NAME.N. */
    public final String id() {
        return id;
    }

    /** The QEMU netdev type this port speaks: socket, stream, dgram, nic, ... */
    public final String type() {
        return type;
    }

    /** The peer and settings in QEMU's {@code info network} style, e.g. {@code connect=127.0.0.1:5555}. */
    public abstract String describe();

    public final PortCounters counters() {
        return counters;
    }

    public final Hub hub() {
        return hub;
    }

    final void attached(Hub hub) {
        this.hub = hub;
    }

    public final boolean linkUp() {
        return linkUp;
    }

    /** A port whose link is down neither sends nor receives; frames for it are dropped and counted. */
    protected final void setLinkUp(boolean up) {
        linkUp = up;
    }

    /** Adds a tap that sees every frame this port receives and transmits. */
    public final synchronized void addTap(FrameTap tap) {
        FrameTap[] grown = Arrays.copyOf(taps, taps.length + 1);
        grown[taps.length] = tap;
        taps = grown;
    }

    /** Called by the hub: the frame leaves through this port, or is dropped and counted. */
    public final void transmit(ByteBuffer frame, int offset, int length) {
        if (linkUp && enqueue(frame, offset, length)) {
            counters.countTx(length);
            for (FrameTap tap : taps) {
                tap.frame(frame, offset, length);
            }
        } else {
            counters.countTxDrop();
        }
    }

    /** Called by the backend with a frame from its wire: counted, tapped and forwarded by the hub. */
    protected final void deliver(ByteBuffer frame, int offset, int length) {
        deliver(frame, offset, length, 0);
    }

    /**
     * Like {@link #deliver(ByteBuffer, int, int)} for a TCP segment larger than one frame (a TSO segment
     * with complete checksums): ports that take frames that large get it whole, the others get it cut into
     * segments of {@code segmentSize} payload bytes.
     */
    protected final void deliver(ByteBuffer frame, int offset, int length, int segmentSize) {
        if (!linkUp) {
            return;
        }
        counters.countRx(length);
        for (FrameTap tap : taps) {
            tap.frame(frame, offset, length);
        }
        Hub h = hub;
        if (h != null) {
            h.forward(this, frame, offset, length, segmentSize);
        }
    }

    /**
     * The largest frame this port takes whole; a larger TCP segment is cut for it (see
     * {@link #deliver(ByteBuffer, int, int, int)}). A standard Ethernet frame with a VLAN tag by default.
     */
    public int maxFrameLength() {
        return STANDARD_MAX_FRAME;
    }

    /** Queues a frame for the wire without blocking; false when it cannot be taken (queue full, closed). */
    protected abstract boolean enqueue(ByteBuffer frame, int offset, int length);

    /** Detaches from the hub and releases the port's resources. */
    @Override
    public void close() {
        Hub h = hub;
        if (h != null) {
            h.detach(this);
        }
    }
}
