package io.vnet4j.fabric;

import io.vnet4j.wire.WireError;
import io.vnet4j.wire.offload.FrameSink;
import io.vnet4j.wire.offload.SoftwareOffload;
import io.vnet4j.wire.offload.TcpCoalescer;
import io.vnet4j.wire.offload.VirtioNetFrame;
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

    private final String id;
    private final String type;
    private final PortCounters counters = new PortCounters();
    /**
     * The source MAC of the last frame this port delivered (read by the hub on other threads when some
     * port's source changes, see Hub#sourceMacChanged); -1 before the first.
     */
    private volatile long lastSourceMac = -1;
    private volatile Hub hub;
    /** Whether frames pass: {@link #carrier} and not {@link #linkDown}; the one field the frame paths read. */
    private volatile boolean linkUp = true;
    /**
     * Guards the link state and the taps' changes; not the port's own monitor, which a backend may hold while
     * it waits (an in-JVM NIC's receive).
     */
    private final Object changes = new Object();
    /** The backend's own link (a stream connected, a guest's receive queue running); guarded by changes. */
    private boolean carrier = true;
    /** QEMU's {@code link_down}, set by {@code set_link NAME off}; written under changes. */
    private volatile boolean linkDown;
    private volatile FrameTap[] taps = NO_TAPS;
    private volatile VlanMembership vlans = VlanMembership.NONE;
    /** The reading thread's, made at its first {@link #deliverOffloaded} that must lower a frame (its 64 KiB buffer). */
    private SoftwareOffload offload;
    private FrameSink lowered;
    /** The reading thread's, made at its first {@link #deliverOfBatch} (69 KB: most ports never batch). */
    private TcpCoalescer coalescer;
    private TcpCoalescer.Sink toHub;

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

    /**
     * The peer and settings in QEMU's {@code info network} style.
     *
     * @return e.g. {@code connect=127.0.0.1:5555}
     */
    public abstract String describe();

    public final PortCounters counters() {
        return counters;
    }

    /** The source MAC of the last frame delivered, 48 bits in a long; -1 before the first. */
    public final long lastSourceMac() {
        return lastSourceMac;
    }

    /** The peer went away, the port stays (see {@link Hub#peerLeft}): the next peer's frames are news. */
    final void forgetSourceMac() {
        lastSourceMac = -1;
    }

    /**
     * The hub the port is attached to now; null before {@link Hub#attach} and once detached. A netdev that is a
     * port names its hub for good with {@link Netdev#hub}, which a report may read while it is removed.
     */
    public final Hub attachedHub() {
        return hub;
    }

    final void attached(Hub hub) {
        this.hub = hub;
    }

    /** Whether frames pass now: the backend has {@linkplain #setCarrier carrier} and no {@code set_link off} holds. */
    public final boolean linkUp() {
        return linkUp;
    }

    /**
     * The backend's own link state (a stream port has carrier while connected). A port whose link is down
     * neither sends nor receives: frames the hub offers it are dropped and counted, frames from its wire
     * discarded.
     */
    protected final void setCarrier(boolean up) {
        synchronized (changes) {
            carrier = up;
            linkUp = carrier && !linkDown;
        }
    }

    /** Whether {@code set_link NAME off} holds this port's link down (QEMU's {@code NetClientState.link_down}). */
    public final boolean linkDown() {
        return linkDown;
    }

    /**
     * QEMU's {@code set_link}: {@code true} takes the link down whatever the backend's carrier, as pulling the
     * cable; {@code false} gives the backend's state back. Then {@link #linkStatusChanged} tells the backend.
     */
    public final void setLinkDown(boolean down) {
        synchronized (changes) { // the backend hears the changes in the order they were made
            if (linkDown == down) {
                return;
            }
            linkDown = down;
            linkUp = carrier && !linkDown;
            if (down) { // as a pulled cable: what waited to leave does not leave later (QEMU drops it on delivery)
                counters.countTxDrops(dropQueued());
            }
            linkStatusChanged(down);
        }
    }

    /**
     * Drops the frames that wait in the port's send queue, which no writer has taken yet; for {@code set_link off},
     * after which nothing more may leave. None by default (a port without a queue).
     *
     * @return the frames dropped
     */
    protected int dropQueued() {
        return 0;
    }

    /**
     * Called after {@link #setLinkDown} changed the state, on the caller's thread under the port's lock of its
     * link state (a backend may take its own locks inside, never that one inside them) (QEMU's
     * {@code NetClientInfo.link_status_changed}): a backend whose wire can carry link state passes it on (a
     * TAP sets its carrier, so the namespace sees NO-CARRIER). Nothing by default.
     */
    protected void linkStatusChanged(boolean down) {
    }

    /** The port's 802.1Q membership ({@link VlanMembership#NONE} unless {@code vlan=} or {@code trunk=}). */
    public final VlanMembership vlans() {
        return vlans;
    }

    /** Sets the port's 802.1Q membership; before it is attached to its hub. */
    public final void joinVlans(VlanMembership membership) {
        vlans = membership;
    }

    /** Adds a tap that sees every frame this port receives and is offered to transmit, in order; once only. */
    public final void addTap(FrameTap tap) {
        synchronized (changes) {
            if (Arrays.asList(taps).contains(tap)) {
                return;
            }
            FrameTap[] grown = Arrays.copyOf(taps, taps.length + 1);
            grown[taps.length] = tap;
            taps = grown;
        }
    }

    /** Removes a tap {@link #addTap} added; frames in flight may still reach it once. */
    public final void removeTap(FrameTap tap) {
        synchronized (changes) {
            taps = Arrays.stream(taps).filter(t -> t != tap).toArray(FrameTap[]::new);
        }
    }

    /** Called by the hub: the frame leaves through this port, or is dropped and counted. */
    public final void transmit(ByteBuffer frame, int offset, int length) {
        transmit(frame, offset, length, 0);
    }

    /**
     * Called by the hub: the frame leaves through this port, or is dropped and counted; {@code segmentSize}
     * > 0 only for a port that {@linkplain #takesLargeSegments() takes large segments}.
     */
    public final void transmit(ByteBuffer frame, int offset, int length, int segmentSize) {
        if (!linkUp) {
            counters.countTxDrop();
            return;
        }
        // tapped before it is handed on: a port that answers within enqueue (the user network) would
        // otherwise have its reply captured before the request; a frame a full queue then drops is in the
        // capture too, as the frame this port was offered
        for (FrameTap tap : taps) {
            tap.frame(frame, offset, length);
        }
        if (enqueue(frame, offset, length, segmentSize)) {
            counters.countTx(length);
        } else {
            counters.countTxDrop();
        }
    }

    /** Called by the backend with a frame from its wire: counted, tapped and forwarded by the hub. */
    protected final void deliver(ByteBuffer frame, int offset, int length) {
        deliver(frame, offset, length, 0);
    }

    /**
     * Like {@link #deliver(ByteBuffer, int, int)} for a large TCP segment ({@code segmentSize} > 0), as
     * Linux's GSO: up to 64 KiB of payload, to be cut into segments of {@code segmentSize} payload bytes, its
     * TCP checksum field holding only the pseudo-header sum (the IPv4 header checksum may be stale too).
     * Ports that {@linkplain #takesLargeSegments() take large segments} get it whole; for the others the hub
     * cuts it, with every checksum complete.
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
            if (length >= 12) {
                long source = ((frame.getShort(offset + 6) & 0xFFFFL) << 32) | (frame.getInt(offset + 8) & 0xFFFF_FFFFL);
                if (source != lastSourceMac) {
                    lastSourceMac = source;
                    h.sourceMacChanged(this, source);
                }
            }
            h.forward(this, frame, offset, length, segmentSize);
        }
    }

    /**
     * Delivers a frame that came after its virtio-net header (a TAP with vnet_hdr, a vhost-user guest): a TCP
     * segment with a partial checksum (a TSO super-frame, or one segment) as a large segment, which ports
     * that take large segments get as it is, without a pass over its bytes (the hub cuts it, checksums
     * completed, for the others); anything else lowered here (checksum completed, a super-frame of another
     * kind refused). One thread at a time: the port's reading thread (or a loop that reads for it).
     *
     * @return {@link WireError#NONE}, or why the header did not check out (nothing was delivered)
     */
    protected final WireError deliverOffloaded(VirtioNetFrame vnet) {
        WireError error = vnet.check();
        if (error != WireError.NONE) {
            return error;
        }
        int segmentSize = vnet.largeSegmentSize();
        if (segmentSize > 0) {
            deliver(vnet.buffer(), vnet.frameOffset(), vnet.frameLength(), segmentSize);
            return WireError.NONE;
        }
        if (offload == null) {
            offload = new SoftwareOffload();
            lowered = this::deliver;
        }
        return offload.lower(vnet, lowered);
    }

    /**
     * Like {@link #deliver(ByteBuffer, int, int)} for one frame of several the backend read at once (the
     * datagrams of one recvmmsg): while another port of the hub takes large segments, a TCP flow's consecutive
     * segments of the batch go on as one ({@link TcpCoalescer}, software GRO). Call {@link #endBatch} after the
     * batch's last frame. Only the port's one reading thread may call these.
     */
    protected final void deliverOfBatch(ByteBuffer frame, int offset, int length) {
        Hub h = hub;
        if (h == null || !h.anotherPortTakesLargeSegments(this)) {
            endBatch(); // a segment held while the hub had such a port goes first, so the order stays
            deliver(frame, offset, length);
            return;
        }
        if (coalescer == null) {
            coalescer = new TcpCoalescer();
            toHub = this::deliver;
        }
        coalescer.offer(frame, offset, length, toHub);
    }

    /** The end of a batch of {@link #deliverOfBatch}: what was held for joining goes on. */
    protected final void endBatch() {
        if (coalescer != null) {
            coalescer.flush(toHub);
        }
    }

    /** TCP segments {@link #deliverOfBatch} joined to the one before, in all (read from any thread: a count for display). */
    protected final long segmentsJoined() {
        TcpCoalescer c = coalescer;
        return c == null ? 0 : c.joined();
    }

    /**
     * Whether this port takes large TCP segments whole, as they are described at
     * {@link #deliver(ByteBuffer, int, int, int)} (a TAP with offloads, the user network); other ports get
     * them cut to standard frames.
     */
    public boolean takesLargeSegments() {
        return false;
    }

    /** The bytes waiting in this port's send queue, for metrics; 0 for a port without one. */
    public int queuedBytes() {
        return 0;
    }

    /**
     * Queues a frame for the wire without blocking; false when it cannot be taken (queue full, closed).
     * {@code segmentSize} > 0 marks a large TCP segment (only for a port that takes them).
     */
    protected abstract boolean enqueue(ByteBuffer frame, int offset, int length, int segmentSize);

    /** Detaches from the hub and releases the port's resources. */
    @Override
    public void close() {
        Hub h = hub;
        if (h != null) {
            h.detach(this);
        }
    }
}
