package io.vnet4j.usernet.tcp;

import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSackBlocks;
import io.vnet4j.wire.TcpSynOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;

/**
 * The guest-facing half of one proxied TCP connection: a small TCP endpoint that the guest talks to, while
 * its bytes go to and come from a host socket (handled by the caller). It opens no socket and reads no
 * clock: segments, host events and the time come in, segments go out through a {@link SegmentSink}, bytes
 * go to and come from channels the caller hands it, and the caller asks what the host side should do next.
 *
 * <p>Theory of operation.
 * <ul>
 * <li>Opening. A guest SYN creates the connection in {@code CONNECTING} while the caller connects to the
 * host; only when that succeeds does the guest get its SYN-ACK ({@link #hostConnected}); a refused connect
 * answers with RST ({@link #hostRefused}); an unreachable one with nothing. For a host-forwarded connection
 * we are the opener: {@link #openToGuest} sends the SYN and the guest's SYN-ACK establishes it.</li>
 * <li>Guest to host. In-order data is appended to {@code toHost} (bounded) and acknowledged, at once or,
 * with {@link #coalesceAcks}, when the caller's batch of frames ends; the window we advertise is its free
 * space, so a slow host socket slows the guest. While {@code toHost} is empty, in-order data goes straight
 * from the guest's frame to the host channel ({@link #writeThrough}) and only what the socket refused is
 * buffered. A segment that starts beyond {@code rcvNxt} within the window is kept, as BSD's tcp_reass
 * does: its bytes go into {@code toHost}'s free space at their future place, a {@link ReceiveAssembler}
 * remembers which ranges arrived (a few; a segment needing more is dropped), and a duplicate ACK answers
 * it at once. Held bytes do not shrink the window (it stays the free space after {@code rcvNxt}). The
 * in-order segment that fills a gap moves {@code rcvNxt} and the queue's end over everything now
 * contiguous and is acknowledged at once; while ranges are held, in-order data is queued, not written
 * through. A FIN counts only in order (an early one is ignored until the guest sends it again), and held
 * bytes beyond it are forgotten. The guest's FIN becomes a host shutdown(SHUT_WR) once {@code toHost} is
 * drained.</li>
 * <li>Host to guest. The caller reads the host socket only while {@code toGuest} has room; those bytes stay
 * there until the guest acknowledges them, and go out in MSS-sized segments within the guest's window.
 * Retransmission from the oldest unacknowledged byte after the RTO (exponential back-off, at most
 * {@value #MAX_RETRIES} tries, then RST) and after three duplicate ACKs (fast retransmit), and then, until
 * everything sent before it is acknowledged, at each partial ACK (NewReno, RFC 6582): several segments lost
 * from one window cost one round trip each, not an RTO. The RTO follows the measured round trips (RFC
 * 6298, {@link RttEstimator}; Karn's algorithm: one segment timed at a time, never a resent one): on a
 * local link it is the 200 ms floor, where a fixed 1 s stalled a download for a second at each second loss
 * in a window. A zero window is probed with one byte at the RTO. Host EOF becomes our FIN after the last byte.</li>
 * <li>Closing. When both FINs are acknowledged the connection is {@code CLOSED}, after {@code TIME_WAIT}
 * (2 s, enough to re-ACK a retransmitted FIN on a virtual link) only if our FIN went out before the
 * guest's arrived: a guest that closed first waits in TIME-WAIT itself, and we close as RFC 9293's
 * LAST-ACK does (3.10.7.4). A connection also waits while the guest's last bytes have not all reached the
 * host. A guest RST, a host reset, or a handshake that does not complete within {@code HANDSHAKE_TIMEOUT}
 * closes it at once. An established
 * connection may stay idle as long as both ends live: after 2 h of silence from the guest it is probed
 * (keepalive, as libslirp does), and reset when the guest no longer answers.</li>
 * </ul>
 * Sequence numbers compare modulo 2^32. SACK (RFC 2018) is negotiated when the guest offers it, and then
 * our pure ACKs report the held ranges; the guest's own SACK blocks are ignored (our retransmission is
 * go-back-N or one segment). Timestamps are not negotiated.
 */
public final class TcpConnection {
    public enum State { CONNECTING, SYN_SENT, SYN_RECEIVED, ESTABLISHED, TIME_WAIT, CLOSED }

    static final int MAX_RETRIES = 12;
    static final int OUR_WINDOW_SCALE = 7;
    static final long INITIAL_RTO = TimeUnit.MILLISECONDS.toNanos(1000);
    static final long MIN_RTO = TimeUnit.MILLISECONDS.toNanos(200);
    static final long MAX_RTO = TimeUnit.SECONDS.toNanos(60);
    static final long TIME_WAIT = TimeUnit.SECONDS.toNanos(2);
    static final long HANDSHAKE_TIMEOUT = TimeUnit.SECONDS.toNanos(75);
    /** Keepalive, BSD's defaults as in libslirp: after 2 h of silence, 8 probes 75 s apart, then reset. */
    static final long KEEPALIVE_IDLE = TimeUnit.HOURS.toNanos(2);
    static final long KEEPALIVE_INTERVAL = TimeUnit.SECONDS.toNanos(75);
    static final int KEEPALIVE_PROBES = 8;
    static final int DEFAULT_MSS = 536;
    /** The most one host read takes, so the send queue grows in steps, not to its whole capacity at once. */
    static final int HOST_READ_CHUNK = 64 * 1024;
    /** The payload of the largest segment sent when large segments are allowed (64 KiB IPv4, no options). */
    static final int LARGE_SEGMENT = 65535 - 40;
    /**
     * With coalesced ACKs, at most this much in-order data waits for one, or two segments' worth if that is
     * more: RFC 5681's "every second full-sized segment" for a guest that sends 64 KiB segments. Each ACK
     * costs the guest's kernel a pass through its TCP stack: an ACK per 64 KiB segment cost an upload from
     * a namespace a sixth of its speed, while a TCG guest sending 1460-byte segments uploads faster with an
     * ACK per 32 KiB than with one per 128 KiB.
     */
    static final int COALESCED_ACK_BYTES = 32 * 1024;

    private final SegmentSink sink;
    private WritableByteChannel host;
    /** {@link #hostView}'s buffer: a guest payload's bytes, handed to the host channel where they lie. */
    private ByteBuffer hostViewOf;
    private ByteBuffer hostView;
    private final ByteQueue toHost;
    /** Which bytes beyond {@code rcvNxt} arrived early; they wait in {@code toHost}'s free space. */
    private final ReceiveAssembler held = new ReceiveAssembler();
    /** Out-of-order segments dropped because the assembler had no range left for them. */
    private long outOfOrderDropped;
    /** Segments sent again to repair a loss: all of them, and those of them sent at an RTO (go-back-N). */
    private long resent;
    private long resentAtTimeout;
    /** Both SYNs said SACK-permitted: our ACKs tell the guest which held ranges arrived (RFC 2018). */
    private boolean sackPermitted;
    private final TcpSackBlocks sack = new TcpSackBlocks();
    private final ByteQueue toGuest;
    /** The most window we offer, whatever the buffer's room: see {@link #capWindow}. */
    private int windowCap = Integer.MAX_VALUE;
    private long lastGuestData = Long.MIN_VALUE;
    private final int ourMss;
    private State state;

    private int iss;
    private int sndUna;
    private int sndNxt;
    /** The highest sequence number sent so far: after a go-back-N retransmission sndNxt is below it. */
    private int sndMax;
    private int sndWnd;
    private int sndWindowScale;
    private int sendMss = DEFAULT_MSS;
    private int irs;
    private int rcvNxt;
    private int rcvWindowScale;
    private int lastAdvertised;

    private boolean finFromGuest;
    private boolean hostEof;
    private boolean finAcked;
    /** The guest's FIN arrived before ours was sent: RFC 9293's LAST-ACK, closed without TIME-WAIT. */
    private boolean passiveClose;
    private boolean hostShutdownDone;
    private boolean abortHost;

    private boolean coalesceAcks;
    private boolean largeSegments;
    private boolean ackOwed;
    private boolean hostReadShort;
    private int unackedBytes;

    private int dupAcks;
    /** RFC 6582 (NewReno): in fast recovery until the guest acknowledges {@code recover}, the SND.MAX it began at. */
    private boolean inRecovery;
    private int recover;
    private final RttEstimator rtt = new RttEstimator();
    /** Karn's algorithm: the segment being timed ends at {@code timedEnd}, sent at {@code timedAt}; never a resent one. */
    private boolean timing;
    private int timedEnd;
    private long timedAt;
    private long rto = INITIAL_RTO;
    private long rtoDeadline;
    private int retries;
    private long stateDeadline;
    private long keepaliveAt;
    private int keepaliveProbes;

    /**
     * @param ourMss the largest segment the guest may send us (the MTU less 40)
     * @param bufferBytes the size of each direction's buffer
     */
    public TcpConnection(SegmentSink sink, int ourMss, int bufferBytes, int initialSequence) {
        this(sink, ourMss, bufferBytes, initialSequence, BufferPool.NONE);
    }

    /** As the other constructor, with its buffers' smallest size taken from and given back to {@code pool}. */
    TcpConnection(SegmentSink sink, int ourMss, int bufferBytes, int initialSequence, BufferPool pool) {
        this.sink = sink;
        this.ourMss = ourMss;
        this.toHost = new ByteQueue(bufferBytes, pool);
        this.toGuest = new ByteQueue(bufferBytes, pool);
        this.iss = initialSequence;
        this.sndUna = initialSequence;
        this.sndNxt = initialSequence;
    }

    public State state() {
        return state;
    }

    // ---- opening ------------------------------------------------------------------------------------

    /** A guest SYN arrived: remember it; the caller connects to the host and then calls back. */
    public void guestSyn(int sequence, int window, TcpSynOptions options, long now) {
        irs = sequence;
        rcvNxt = sequence + 1;
        takeSynOptions(window, options);
        state = State.CONNECTING;
        stateDeadline = now + HANDSHAKE_TIMEOUT;
    }

    /** The host accepted the connection: answer the guest's SYN. */
    public void hostConnected(long now) {
        if (state != State.CONNECTING) {
            return;
        }
        state = State.SYN_RECEIVED;
        sendSyn(TcpFlags.SYN | TcpFlags.ACK);
        sndNxt = iss + 1;
        sndMax = sndNxt;
        armRto(now);
    }

    /** The sequence number of the guest's SYN (IRS). */
    public int initialReceiveSequence() {
        return irs;
    }

    /** The host refused the connection: reset the guest's attempt. */
    public void hostRefused() {
        if (state == State.CONNECTING) {
            sink.segment(this, TcpFlags.RST | TcpFlags.ACK, 0, rcvNxt, 0, 0, 0, null, null);
        }
        state = State.CLOSED;
    }

    /** The host could not be reached: the guest hears nothing, as on a real network, and retries or gives up. */
    public void hostUnreachable() {
        state = State.CLOSED;
    }

    /** We open towards the guest (host forwarding): send the SYN. */
    public void openToGuest(long now) {
        state = State.SYN_SENT;
        sendSyn(TcpFlags.SYN);
        sndNxt = iss + 1;
        sndMax = sndNxt;
        armRto(now);
        stateDeadline = now + HANDSHAKE_TIMEOUT;
    }

    private void sendSyn(int flags) {
        boolean opening = state == State.SYN_SENT; // we offer; the guest's SYN-ACK decides
        TcpSynOptions options = new TcpSynOptions(ourMss, sndWindowScale >= 0 || opening ? OUR_WINDOW_SCALE : -1,
                sackPermitted || opening);
        int window = Math.min(toHost.free(), 65535);
        lastAdvertised = window;
        sink.segment(this, flags, iss, (flags & TcpFlags.ACK) != 0 ? rcvNxt : 0, window, 0, 0, options, null);
    }

    private void takeSynOptions(int window, TcpSynOptions options) {
        sendMss = options.mss() > 0 ? Math.min(options.mss(), ourMss) : Math.min(DEFAULT_MSS, ourMss);
        if (options.windowScale() >= 0) {
            sndWindowScale = Math.min(options.windowScale(), 14);
            rcvWindowScale = OUR_WINDOW_SCALE;
        } else {
            sndWindowScale = -1;
            rcvWindowScale = 0;
        }
        sndWnd = window;
        sackPermitted = options.sackPermitted();
    }

    // ---- segments from the guest --------------------------------------------------------------------

    /** A segment from the guest for this connection; {@code payload[offset, offset+length)} is its data. */
    public void guestSegment(int flags, int sequence, int acknowledgment, int window, TcpSynOptions synOptions,
                             ByteBuffer payload, int offset, int length, long now) {
        if ((flags & TcpFlags.RST) != 0) {
            if (state == State.SYN_SENT ? acknowledgment == sndNxt : inReceiveWindow(sequence)) {
                abortHost = true;
                state = State.CLOSED;
            }
            return;
        }
        if (keepaliveAt != 0) {
            keepaliveAt = now + KEEPALIVE_IDLE;
            keepaliveProbes = 0;
        }
        switch (state) {
            case CONNECTING, CLOSED -> {
                return;
            }
            case SYN_SENT -> {
                if ((flags & (TcpFlags.SYN | TcpFlags.ACK)) == (TcpFlags.SYN | TcpFlags.ACK) && acknowledgment == iss + 1) {
                    irs = sequence;
                    rcvNxt = sequence + 1;
                    takeSynOptions(window, synOptions);
                    sndUna = acknowledgment;
                    established(now);
                    sendAck();
                } else if ((flags & TcpFlags.ACK) != 0) {
                    sink.segment(this, TcpFlags.RST, acknowledgment, 0, 0, 0, 0, null, null);
                }
                return;
            }
            case SYN_RECEIVED -> {
                if ((flags & TcpFlags.SYN) != 0) {
                    if (sequence == irs) {
                        sendSyn(TcpFlags.SYN | TcpFlags.ACK);
                    }
                    return;
                }
                if ((flags & TcpFlags.ACK) == 0 || acknowledgment != iss + 1) {
                    return;
                }
                sndUna = acknowledgment;
                established(now);
            }
            default -> {
                if ((flags & TcpFlags.SYN) != 0) {
                    sendAck();
                    return;
                }
            }
        }
        // RFC 9293 3.10.7.4: without ACK, or acknowledging what was never sent, the segment is dropped
        if ((flags & TcpFlags.ACK) == 0
                || !acknowledge(acknowledgment, scaledWindow(window), length == 0 && (flags & TcpFlags.FIN) == 0, now)) {
            return;
        }
        receive(flags, sequence, payload, offset, length, now);
        transmit(now);
    }

    private void established(long now) {
        state = State.ESTABLISHED;
        keepaliveAt = now + KEEPALIVE_IDLE;
        rtoDeadline = 0;
        retries = 0;
        rto = rtt.rto();
        stateDeadline = 0;
    }

    private int scaledWindow(int window) {
        return sndWindowScale > 0 ? window << sndWindowScale : window;
    }

    /** Takes an acknowledgment; false (after answering with an ACK) when it acknowledges unsent data. */
    private boolean acknowledge(int ack, int window, boolean pureAck, long now) {
        if (after(ack, sndMax)) {
            sendAck();
            return false;
        }
        if (after(ack, sndUna)) {
            if (after(ack, sndNxt)) {
                sndNxt = ack;
            }
            int acked = ack - sndUna;
            if (hostEof && ack == dataEnd() + 1) {
                finAcked = true;
                acked--;
            }
            toGuest.consume(Math.min(acked, toGuest.length()));
            sndUna = ack;
            dupAcks = 0;
            retries = 0;
            if (timing && !after(timedEnd, ack)) {
                rtt.sample(now - timedAt);
                timing = false;
            }
            rto = rtt.rto(); // progress ends any back-off (RFC 6298 5.7)
            rtoDeadline = sndUna == sndNxt ? 0 : now + rto;
            sndWnd = window;
            if (inRecovery) {
                if (after(recover, ack)) {
                    retransmitOne(); // a partial ACK: the next hole goes at once, not at the RTO (RFC 6582 3.2)
                } else {
                    inRecovery = false;
                }
            }
        } else if (ack == sndUna) {
            if (sndNxt == sndUna) {
                retries = 0; // nothing in flight: this answers a window probe, so the guest is alive
            }
            if (pureAck && sndNxt != sndUna && window == sndWnd) {
                if (++dupAcks == 3 && !inRecovery) {
                    inRecovery = true;
                    recover = sndMax;
                    retransmitOne();
                }
            }
            sndWnd = window;
        }
        if (finFromGuest && finAcked && state == State.ESTABLISHED) {
            if (passiveClose && toHost.length() == 0) {
                state = State.CLOSED;
            } else {
                state = State.TIME_WAIT;
                stateDeadline = now + TIME_WAIT;
            }
        }
        return true;
    }

    private void receive(int flags, int sequence, ByteBuffer payload, int offset, int length, long now) {
        boolean fin = (flags & TcpFlags.FIN) != 0;
        if (length == 0 && !fin) {
            return;
        }
        lastGuestData = now;
        if (finFromGuest) {
            sendAck();
            return;
        }
        int skip = rcvNxt - sequence;
        if (skip < 0) {
            hold(-skip, payload, offset, length);
            sendAck(); // a duplicate ACK, at once (RFC 5681 4.2)
            return;
        }
        if (skip > length) {
            sendAck();
            return;
        }
        boolean gap = !held.isEmpty();
        int fresh = length - skip;
        int through = writeToHostDirectly(payload, offset + skip, fresh);
        int accepted = through + toHost.append(payload, offset + skip + through, fresh - through);
        rcvNxt += accepted;
        if (fin && accepted == fresh) {
            held.clear(); // bytes held beyond the guest's FIN are no data
            toHost.forgetAhead();
            rcvNxt++;
            finFromGuest = true;
            passiveClose = !(hostEof && sndMax == dataEnd() + 1); // our FIN not sent yet
            if (finAcked) {
                state = State.TIME_WAIT;
                stateDeadline = now + TIME_WAIT;
            }
        } else {
            int assembled = held.advance(accepted);
            toHost.appended(assembled);
            rcvNxt += assembled;
        }
        // a segment that fills all or part of a gap is acknowledged at once (RFC 5681 4.2)
        if (coalesceAcks && !fin && !gap && accepted == fresh && skip == 0
                && (unackedBytes += accepted) < Math.max(COALESCED_ACK_BYTES, 2 * length)) {
            ackOwed = true; // the caller sends it with flushAck() once its batch of frames is done
            return;
        }
        sendAck();
    }

    /**
     * Keeps the bytes of a segment that starts {@code distance} bytes beyond {@code rcvNxt}, as far as the
     * window reaches, in {@code toHost}'s free space until the gap before them fills. Its FIN, if any, is
     * not kept: the guest sends it again after the gap.
     */
    private void hold(int distance, ByteBuffer payload, int offset, int length) {
        int n = Math.min(length, toHost.free() - distance);
        if (n <= 0) {
            return; // beyond the window, or no data
        }
        if (!held.add(distance, n)) {
            outOfOrderDropped++;
            return;
        }
        toHost.writeAhead(distance, payload, offset, n);
    }

    /** Out-of-order segments dropped because too many ranges were held already. */
    public long outOfOrderDropped() {
        return outOfOrderDropped;
    }

    /** Segments (data or FIN) sent again to repair a loss: by fast retransmit, at a partial ACK or at an RTO. */
    public long resent() {
        return resent;
    }

    /** Of {@link #resent()}, those sent at an RTO: each cost the connection a timeout's wait. */
    public long resentAtTimeout() {
        return resentAtTimeout;
    }

    /**
     * Lets in-order data wait for {@link #flushAck()} instead of acknowledging each segment, up to
     * {@value #COALESCED_ACK_BYTES} bytes: the caller flushes after each batch of frames, so a burst of
     * segments costs the guest one ACK, not one per segment (like a delayed ACK, without a timer).
     */
    public void coalesceAcks(boolean on) {
        coalesceAcks = on;
    }

    /**
     * Lets segments to the guest grow past its MSS, up to 64 KiB: the caller then cuts them to
     * {@link #segmentSize()} for every port that cannot take them whole (a TAP with offloads can).
     */
    public void sendLargeSegments(boolean on) {
        largeSegments = on;
    }

    /** The guest's segment size: what a large segment must be cut to on its way to the guest. */
    public int segmentSize() {
        return sendMss;
    }

    /** True when an acknowledgment waits for {@link #flushAck()}. */
    public boolean ackOwed() {
        return ackOwed;
    }

    /** Sends the acknowledgment that in-order data left owing, if any. */
    public void flushAck() {
        if (ackOwed && state != State.CLOSED) {
            sendAck();
        }
    }

    private boolean inReceiveWindow(int sequence) {
        int offset = sequence - rcvNxt;
        return offset >= 0 && offset < Math.max(1, toHost.free());
    }

    // ---- sending to the guest -----------------------------------------------------------------------

    private void transmit(long now) {
        if (state != State.ESTABLISHED) {
            return;
        }
        while (true) {
            int inFlight = dataInFlight();
            int unsent = toGuest.length() - inFlight;
            int room = sndWnd - inFlight;
            if (unsent <= 0 || room <= 0) {
                break;
            }
            int n = Math.min(Math.min(unsent, largeSegments ? LARGE_SEGMENT : sendMss), room);
            sink.segment(this, TcpFlags.ACK | (n == unsent ? TcpFlags.PSH : 0), sndNxt, rcvNxt, advertise(),
                    inFlight, n, null, null);
            acknowledged();
            advanceSndNxt(n, now);
        }
        if (hostEof && !finAcked && sndNxt == dataEnd()) {
            sink.segment(this, TcpFlags.FIN | TcpFlags.ACK, sndNxt, rcvNxt, advertise(), 0, 0, null, null);
            advanceSndNxt(1, now);
        }
        if (sndWnd == 0 && toGuest.length() > 0 && rtoDeadline == 0) {
            armRto(now);
        }
    }

    private void advanceSndNxt(int n, long now) {
        if (sndNxt != sndMax) {
            resent++; // after a go-back-N
        } else if (!timing) { // new data, never a retransmission, is timed (Karn)
            timing = true;
            timedEnd = sndNxt + n;
            timedAt = now;
        }
        sndNxt += n;
        if (after(sndNxt, sndMax)) {
            sndMax = sndNxt;
        }
        if (rtoDeadline == 0) {
            armRto(now);
        }
    }

    /** The sequence number after the last byte queued for the guest; our FIN, once due, takes this number. */
    private int dataEnd() {
        return sndUna + toGuest.length();
    }

    /** Bytes sent and not yet acknowledged, not counting our FIN. */
    private int dataInFlight() {
        return Math.min(sndNxt - sndUna, toGuest.length());
    }

    private void armRto(long now) {
        rtoDeadline = now + rto;
    }

    /** After a time-out: send everything unacknowledged again, from the oldest byte. */
    private void goBackN(long now) {
        timing = false;
        inRecovery = false;
        sndNxt = sndUna;
        long before = resent;
        transmit(now);
        resentAtTimeout += resent - before;
        if (rtoDeadline == 0) {
            armRto(now);
        }
    }

    /** Sends the oldest unacknowledged segment again: a whole large segment when those are sent. */
    private void retransmitOne() {
        timing = false;
        int outstanding = dataInFlight();
        if (outstanding > 0) {
            resent++;
            sink.segment(this, TcpFlags.ACK, sndUna, rcvNxt, advertise(), 0,
                    Math.min(outstanding, largeSegments ? LARGE_SEGMENT : sendMss), null, null);
        } else if (hostEof && !finAcked && sndNxt == dataEnd() + 1) {
            resent++;
            sink.segment(this, TcpFlags.FIN | TcpFlags.ACK, dataEnd(), rcvNxt, advertise(), 0, 0, null, null);
        }
    }

    private void sendAck() {
        sink.segment(this, TcpFlags.ACK, sndNxt, rcvNxt, advertise(), 0, 0, null, sackBlocks());
        acknowledged();
    }

    /**
     * The SACK blocks for a pure ACK, or null: the held ranges, the one holding the latest segment first
     * (RFC 2018), as many as fit. Segments with data carry none, so they need no room for options.
     */
    private TcpSackBlocks sackBlocks() {
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

    /** Every segment we send carries our acknowledgment: nothing is owed any more. */
    private void acknowledged() {
        ackOwed = false;
        unackedBytes = 0;
    }

    private int advertise() {
        int window = offerableWindow();
        lastAdvertised = window;
        return window >>> rcvWindowScale;
    }

    /** The window we could advertise now: the buffer's room, within the cap and what the scale can say. */
    private int offerableWindow() {
        return Math.min(Math.min(toHost.free(), windowCap), 65535 << rcvWindowScale);
    }

    /**
     * Caps the window we offer the guest. The caller shares the room of the queue in front of the gateway
     * among the connections that are sending, so their windows together cannot overflow it. Data that
     * arrives beyond the cap but fits the buffer is still taken (a cap that just went down may leave the
     * guest with a larger window for a moment).
     */
    public void capWindow(int bytes) {
        windowCap = bytes;
    }

    /** True when the guest sent data (or a FIN) within {@code nanos} before {@code now}. */
    public boolean guestSentWithin(long nanos, long now) {
        return lastGuestData != Long.MIN_VALUE && now - lastGuestData < nanos;
    }

    /** Copies queued host bytes into a segment being built. */
    public void copyPayload(int fromFront, ByteBuffer dst, int at, int length) {
        toGuest.copy(fromFront, dst, at, length);
    }

    // ---- the host side ------------------------------------------------------------------------------

    /** How many bytes the caller may read from the host socket now. */
    public int hostReadRoom() {
        return state == State.ESTABLISHED && !hostEof ? toGuest.free() : 0;
    }

    /**
     * Reads host bytes straight into the guest queue, at most {@link #hostReadRoom()}; returns the count or -1.
     * See {@link #hostReadShort()}.
     */
    public int readFromHost(java.nio.channels.ReadableByteChannel channel) throws java.io.IOException {
        ByteBuffer tail = toGuest.tailForReading(Math.min(hostReadRoom(), HOST_READ_CHUNK));
        int asked = tail.remaining();
        int n = channel.read(tail);
        hostReadShort = n < asked;
        if (n > 0) {
            toGuest.appended(n);
        }
        return n;
    }

    /** True when the last {@link #readFromHost} got less than it had room for: the socket held no more then. */
    public boolean hostReadShort() {
        return hostReadShort;
    }

    /** Writes queued guest bytes to the host; returns how many the socket took. */
    public int writeToHost(java.nio.channels.WritableByteChannel channel) throws java.io.IOException {
        if (toHost.length() == 0) {
            return 0;
        }
        int n = channel.write(toHost.headForWriting());
        hostWrote(n);
        return n;
    }

    /**
     * Lets in-order guest data go straight from its frame to {@code channel} (the connected host socket)
     * while nothing waits in the buffer before it, so a connection whose host keeps up never fills (or even
     * allocates) its buffer towards the host. Only what the socket does not take is buffered, for
     * {@link #writeToHost}.
     */
    public void writeThrough(WritableByteChannel channel) {
        host = channel;
    }

    /**
     * Writes what the host socket takes of a payload now, when nothing is buffered before it and nothing
     * held after it (held bytes sit at their place after the queue's end); returns the count.
     */
    private int writeToHostDirectly(ByteBuffer payload, int offset, int length) {
        if (host == null || length == 0 || toHost.length() > 0 || !held.isEmpty() || state != State.ESTABLISHED) {
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

    /** Bytes from the guest still waiting for the host socket. */
    public int pendingToHost() {
        return toHost.length();
    }

    /** Bytes from the host not yet acknowledged by the guest (sent or waiting to be). */
    public int pendingToGuest() {
        return toGuest.length();
    }

    /** Bytes from the host were appended to the guest queue: send what the window allows. */
    public void hostDataAdded(long now) {
        transmit(now);
    }

    /** The host closed its sending side: our FIN follows the last byte. */
    public void hostEof(long now) {
        hostEof = true;
        transmit(now);
    }

    /** The host connection broke: reset the guest's. */
    public void hostReset() {
        if (state != State.CLOSED && state != State.CONNECTING) {
            sink.segment(this, TcpFlags.RST | TcpFlags.ACK, sndNxt, rcvNxt, 0, 0, 0, null, null);
        }
        state = State.CLOSED;
    }

    /** {@code n} bytes went to the host: free them, and tell the guest when the window opened. */
    private void hostWrote(int n) {
        toHost.consume(n);
        int free = offerableWindow();
        if (state == State.ESTABLISHED && !finFromGuest
                && (lastAdvertised < sendMss || lastAdvertised * 2 <= free) && free - lastAdvertised >= sendMss) {
            sendAck();
        }
    }

    /** True when the guest finished sending and everything reached the host: shut the host's write side. */
    public boolean hostShouldShutdownOutput() {
        if (finFromGuest && toHost.length() == 0 && !hostShutdownDone) {
            hostShutdownDone = true;
            return true;
        }
        return false;
    }

    /** True when the connection ended by a reset, so the host socket should be reset too (SO_LINGER 0). */
    public boolean abortsHost() {
        return abortHost;
    }

    // ---- time ---------------------------------------------------------------------------------------

    /** When {@link #poll} has work next (0: nothing pending). */
    public long pollAt() {
        return earliest(earliest(rtoDeadline, stateDeadline), state == State.ESTABLISHED ? keepaliveAt : 0);
    }

    /** The earlier of two deadlines, where 0 means none. */
    private static long earliest(long a, long b) {
        if (a == 0) {
            return b;
        }
        return b == 0 || a - b < 0 ? a : b;
    }

    /** Gives both directions' buffers back to the pool: the connection is closed and its flow gone. */
    void releaseBuffers() {
        toHost.release();
        toGuest.release();
    }

    /** Frees the buffers of a direction that stayed empty since the last call (see ByteQueue#releaseIfIdle). */
    public void releaseIdleBuffers() {
        toHost.releaseIfIdle();
        toGuest.releaseIfIdle();
    }

    /** The bytes of buffer memory this connection holds now. */
    public int bufferMemory() {
        return toHost.bufferLength() + toGuest.bufferLength();
    }

    /** Retransmits, probes or closes as the time requires. */
    public void poll(long now) {
        if (stateDeadline != 0 && now - stateDeadline >= 0) {
            if (state == State.TIME_WAIT && toHost.length() > 0) {
                stateDeadline = now + TIME_WAIT; // the guest's last bytes (acknowledged) still wait for the host
            } else {
                if (state != State.TIME_WAIT && state != State.CLOSED) {
                    hostReset();
                    abortHost = true;
                }
                state = State.CLOSED;
                return;
            }
        }
        if (rtoDeadline == 0 && state == State.ESTABLISHED && keepaliveAt != 0 && now - keepaliveAt >= 0) {
            keepalive(now);
            return;
        }
        if (rtoDeadline == 0 || now - rtoDeadline < 0) {
            return;
        }
        if (++retries > MAX_RETRIES) {
            hostReset();
            abortHost = true;
            return;
        }
        rto = Math.min(rto * 2, MAX_RTO);
        rtoDeadline = now + rto;
        switch (state) {
            case SYN_RECEIVED -> sendSyn(TcpFlags.SYN | TcpFlags.ACK);
            case SYN_SENT -> sendSyn(TcpFlags.SYN);
            case ESTABLISHED, TIME_WAIT -> {
                if (sndWnd == 0 && toGuest.length() > 0 && sndNxt == sndUna) {
                    timing = false;
                    sink.segment(this, TcpFlags.ACK, sndUna, rcvNxt, advertise(), 0, 1, null, null);
                    if (after(sndUna + 1, sndMax)) {
                        sndMax = sndUna + 1; // the guest may take the byte: its ACK is then for data we sent
                    }
                } else if (sndMax != sndUna) {
                    goBackN(now);
                } else {
                    rtoDeadline = 0;
                }
            }
            default -> rtoDeadline = 0;
        }
    }

    /** A silent guest gets a probe (an old sequence number makes it answer with an ACK); too many, and it is gone. */
    private void keepalive(long now) {
        if (++keepaliveProbes > KEEPALIVE_PROBES) {
            hostReset();
            abortHost = true;
            return;
        }
        sink.segment(this, TcpFlags.ACK, sndUna - 1, rcvNxt, advertise(), 0, 0, null, null);
        keepaliveAt = now + KEEPALIVE_INTERVAL;
    }

    public boolean isClosed() {
        return state == State.CLOSED;
    }

    private static boolean after(int a, int b) {
        return a - b > 0;
    }
}
