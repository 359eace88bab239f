package io.vnet4j.usernet.tcp;

import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSackBlocks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * The guest-to-host direction of one {@link TcpConnection} (RFC 9293's receive sequence space): RCV.NXT,
 * the window we offer, the bytes on their way to the host socket, early segments held until the gap before
 * them fills, SACK blocks, and when an ACK is due. It sends nothing itself: {@link #receive} says whether
 * to acknowledge now, and the connection builds the segment from {@link #rcvNxt}, {@link #advertise} and
 * {@link #sackBlocks}.
 *
 * <p>Theory of operation. In-order data goes straight from the guest's frame to the host socket while
 * nothing waits before it ({@link #writeThrough}); what the socket refuses is appended to {@code toHost}
 * (bounded), and the window we advertise is its free space, so a slow host socket slows the guest. A
 * segment that starts beyond RCV.NXT within the window is kept, as BSD's tcp_reass does: its bytes go into
 * {@code toHost}'s free space at their future place, a {@link ReceiveAssembler} remembers which ranges
 * arrived (a few; a segment needing more is dropped), and a duplicate ACK answers it at once. Held bytes
 * do not shrink the window. The in-order segment that fills a gap moves RCV.NXT and the queue's end over
 * everything now contiguous and is acknowledged at once; while ranges are held, in-order data is queued,
 * not written through. A FIN beyond RCV.NXT is held with its segment's data and counts when RCV.NXT reaches it;
 * held bytes beyond a FIN are forgotten. With coalesced
 * ACKs, in-order data is acknowledged when the caller's batch of frames ends ({@link #ackOwed}), at the
 * latest every {@value TcpConnection#COALESCED_ACK_BYTES} bytes or two segments.
 */
final class TcpReceiver {
    private final ByteQueue toHost;
    /** Which bytes beyond {@code rcvNxt} arrived early; they wait in {@code toHost}'s free space. */
    private final ReceiveAssembler held = new ReceiveAssembler();
    /** Out-of-order segments dropped because the assembler had no range left for them. */
    private long outOfOrderDropped;
    /** Both SYNs said SACK-permitted: our ACKs tell the guest which held ranges arrived (RFC 2018). */
    private boolean sackPermitted;
    private final TcpSackBlocks sack = new TcpSackBlocks();
    private WritableByteChannel host;
    /** {@link #hostView}'s buffer: a guest payload's bytes, handed to the host channel where they lie. */
    private ByteBuffer hostViewOf;
    private ByteBuffer hostView;
    /** The most window we offer, whatever the buffer's room: see {@link TcpConnection#capWindow}. */
    private final WindowCap windowCap;
    private long lastGuestData = Long.MIN_VALUE;

    private int irs;
    private int rcvNxt;
    private int rcvWindowScale;
    private int lastAdvertised;
    private boolean finFromGuest;
    /** A FIN that came beyond RCV.NXT with all its segment's data held: its sequence number is {@code heldFinAt}. */
    private boolean finHeld;
    private int heldFinAt;
    private boolean hostShutdownDone;

    private boolean coalesceAcks;
    private boolean ackOwed;
    private int unackedBytes;

    TcpReceiver(ByteQueue toHost, WindowCap windowCap) {
        this.toHost = toHost;
        this.windowCap = windowCap;
    }

    // ---- the handshake ------------------------------------------------------------------------------

    /** The guest's SYN carried sequence number {@code sequence} (IRS): RCV.NXT is the one after it. */
    void synReceived(int sequence) {
        irs = sequence;
        rcvNxt = sequence + 1;
    }

    int irs() {
        return irs;
    }

    /** Whether the guest's SYN had a window scale (then ours is {@code ourScale}) and offered SACK. */
    void takeSynOptions(boolean guestScales, int ourScale, boolean sackPermitted) {
        rcvWindowScale = guestScales ? ourScale : 0;
        this.sackPermitted = sackPermitted;
    }

    boolean sackPermitted() {
        return sackPermitted;
    }

    /** The window a SYN offers (never scaled: RFC 7323 2.2), remembered as advertised. */
    int synWindow() {
        int window = Math.min(toHost.free(), 65535);
        lastAdvertised = window;
        return window;
    }

    // ---- segments from the guest --------------------------------------------------------------------

    /** True when {@code sequence} lies within the window (a window of 0 still takes RCV.NXT itself). */
    boolean inWindow(int sequence) {
        int offset = sequence - rcvNxt;
        return offset >= 0 && offset < Math.max(1, toHost.free());
    }

    /**
     * True when {@code sequence} lies beyond the window's right edge, RCV.NXT + RCV.WND: a segment of no data
     * there is not acceptable (RFC 9293 section 3.10.7.4). The edge itself is taken, as Linux's tcp_sequence
     * takes it. The edge never moves left: the buffer's room shrinks only by bytes that move RCV.NXT.
     */
    boolean beyondWindow(int sequence) {
        return sequence - rcvNxt > toHost.free();
    }

    /**
     * Takes a segment's data and FIN, {@code payload[offset, offset+length)}; returns true when an ACK must
     * go now, false when none is due (no data, no FIN) or one is owed ({@link #ackOwed}). Data is written
     * through to the host only while {@code established}; see {@link #finReceived} for whether this segment's
     * FIN was taken.
     */
    boolean receive(int flags, int sequence, ByteBuffer payload, int offset, int length, long now, boolean established) {
        boolean fin = (flags & TcpFlags.FIN) != 0;
        if (length == 0 && !fin) {
            // a pure ACK is not answered; one from before RCV.NXT is not acceptable (RFC 9293 3.10.7.4) and gets
            // an ACK at once: a guest's keepalive probe (SEG.SEQ = RCV.NXT - 1), which left unanswered made the
            // guest reset its own idle connection
            return sequence - rcvNxt < 0;
        }
        lastGuestData = now;
        if (finFromGuest) {
            return true;
        }
        int skip = rcvNxt - sequence;
        if (skip < 0) {
            if (hold(-skip, payload, offset, length) && fin && length - skip < toHost.free()) {
                // RFC 9293 3.10.7.4: a segment beyond RCV.NXT is held "for later processing", its FIN (within
                // the window) too, as BSD's tcp_reass and Linux's out-of-order queue keep it
                finHeld = true;
                heldFinAt = sequence + length;
            }
            return true; // a duplicate ACK, at once (RFC 5681 4.2)
        }
        if (skip > length) {
            return true;
        }
        boolean gap = !held.isEmpty();
        int fresh = length - skip;
        int through = established ? writeToHostDirectly(payload, offset + skip, fresh) : 0;
        int accepted = through + toHost.append(payload, offset + skip + through, fresh - through);
        rcvNxt += accepted;
        if (fin && accepted == fresh) {
            takeFin();
        } else {
            int assembled = held.advance(accepted);
            toHost.appended(assembled);
            rcvNxt += assembled;
            if (heldFinReached()) {
                takeFin();
                return true;
            }
        }
        // a segment that fills all or part of a gap is acknowledged at once (RFC 5681 4.2)
        if (coalesceAcks && !fin && !gap && accepted == fresh && skip == 0
                && (unackedBytes += accepted) < Math.max(TcpConnection.COALESCED_ACK_BYTES, 2 * length)) {
            ackOwed = true; // the connection sends it with flushAck() once the caller's batch of frames is done
            return false;
        }
        return true;
    }

    /** The guest's FIN, in order: RCV.NXT moves past it, and bytes held beyond it are no data. */
    private void takeFin() {
        held.clear();
        toHost.forgetAhead();
        finHeld = false;
        rcvNxt++;
        finFromGuest = true;
    }

    /** True when RCV.NXT reached a held FIN; one that in-order data went past ended nothing and is forgotten. */
    private boolean heldFinReached() {
        if (finHeld && rcvNxt - heldFinAt > 0) {
            finHeld = false;
        }
        return finHeld && rcvNxt == heldFinAt;
    }

    /**
     * Keeps the bytes of a segment that starts {@code distance} bytes beyond {@code rcvNxt}, as far as the
     * window reaches, in {@code toHost}'s free space until the gap before them fills; returns true when all of
     * them were kept (or there were none), so that its FIN may be.
     */
    private boolean hold(int distance, ByteBuffer payload, int offset, int length) {
        int n = Math.min(length, toHost.free() - distance);
        if (n <= 0) {
            return length == 0; // no data, or beyond the window
        }
        if (!held.add(distance, n)) {
            outOfOrderDropped++;
            return false;
        }
        toHost.writeAhead(distance, payload, offset, n);
        return n == length;
    }

    /** The guest's FIN arrived in order. */
    boolean finReceived() {
        return finFromGuest;
    }

    long outOfOrderDropped() {
        return outOfOrderDropped;
    }

    boolean guestSentWithin(long nanos, long now) {
        return lastGuestData != Long.MIN_VALUE && now - lastGuestData < nanos;
    }

    // ---- acknowledging ------------------------------------------------------------------------------

    /** RCV.NXT: what every segment we send acknowledges. */
    int rcvNxt() {
        return rcvNxt;
    }

    void coalesceAcks(boolean on) {
        coalesceAcks = on;
    }

    boolean ackOwed() {
        return ackOwed;
    }

    /** A segment carrying our acknowledgment went out: nothing is owed any more. */
    void acknowledged() {
        ackOwed = false;
        unackedBytes = 0;
    }

    /** The window field to send now (scaled), remembered as advertised. */
    int advertise() {
        int window = offerableWindow();
        lastAdvertised = window;
        return window >>> rcvWindowScale;
    }

    /** The window we could advertise now: the buffer's room, within the cap and what the scale can say. */
    private int offerableWindow() {
        return Math.min(Math.min(toHost.free(), windowCap.bytes), 65535 << rcvWindowScale);
    }

    void capWindow(int bytes) {
        windowCap.bytes = bytes;
    }

    /**
     * The SACK blocks for a pure ACK, or null: the held ranges, the one holding the latest segment first
     * (RFC 2018), as many as fit. Segments with data carry none, so they need no room for options.
     */
    TcpSackBlocks sackBlocks() {
        if (!sackPermitted || held.isEmpty()) {
            return null;
        }
        sack.clear();
        for (int rank = 0; rank < Math.min(held.ranges(), TcpSackBlocks.MAX_BLOCKS); rank++) {
            int i = held.byRecency(rank);
            sack.add(rcvNxt + held.start(i), rcvNxt + held.end(i));
        }
        return sack;
    }

    // ---- the host side ------------------------------------------------------------------------------

    void writeThrough(WritableByteChannel channel) {
        host = channel;
    }

    /**
     * Writes what the host socket takes of a payload now, when nothing is buffered before it and nothing
     * held after it (held bytes sit at their place after the queue's end); returns the count.
     */
    private int writeToHostDirectly(ByteBuffer payload, int offset, int length) {
        if (host == null || length == 0 || toHost.length() > 0 || !held.isEmpty()) {
            return 0;
        }
        if (hostViewOf != payload) {
            hostViewOf = payload;
            hostView = payload.duplicate();
        }
        hostView.limit(offset + length).position(offset);
        try {
            return host.write(hostView);
        } catch (IOException e) {
            return 0; // the bytes are buffered instead; the caller's next write meets the error and resets
        }
    }

    /** Writes queued guest bytes to the host (call only while some are queued); returns how many the socket took. */
    int writeToHost(WritableByteChannel channel) throws IOException {
        int n = channel.write(toHost.headForWriting());
        toHost.consume(n);
        return n;
    }

    /**
     * True when the window we could offer now grew enough since the last advertisement to tell the guest:
     * by at least one segment of {@code sendMss}, from a window below one segment or to at least twice the
     * last one advertised (in the spirit of RFC 9293 3.8.6.2.2's receiver-side silly window avoidance, which
     * waits for min(half the buffer, one MSS)). Never after the guest's FIN.
     */
    boolean windowOpened(int sendMss) {
        int free = offerableWindow();
        return !finFromGuest && (lastAdvertised < sendMss || lastAdvertised * 2 <= free) && free - lastAdvertised >= sendMss;
    }

    int pendingToHost() {
        return toHost.length();
    }

    /** True once, when the guest finished sending and everything reached the host: shut the host's write side. */
    boolean hostShouldShutdownOutput() {
        if (finFromGuest && toHost.length() == 0 && !hostShutdownDone) {
            hostShutdownDone = true;
            return true;
        }
        return false;
    }
}
