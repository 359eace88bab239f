package io.vnet4j.usernet.tcp;

import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSackBlocks;
import io.vnet4j.wire.TcpSynOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;

/**
 * The guest-facing half of one proxied TCP connection: a small TCP endpoint that the guest talks to, while
 * its bytes go to and come from a host socket (handled by the caller). It opens no socket and reads no
 * clock: segments, host events and the time come in, segments go out through a {@link SegmentSink}, bytes
 * go to and come from channels the caller hands it, and the caller asks what the host side should do next.
 *
 * <p>Theory of operation. This class is the façade and the state machine (as gVisor splits its TCP
 * endpoint): the handshake, the close, keepalive and the timers' dispatch. Each direction lives in its own
 * class: {@link TcpReceiver} takes the guest's data towards the host (RCV.NXT, the window we offer, early
 * segments held until the gap before them fills, SACK blocks, coalesced ACKs) and {@link TcpSender} the
 * host's bytes towards the guest (SND.UNA/NXT/MAX, the guest's window, RTO, fast retransmit and NewReno).
 * Every segment we send is built here, from the sender's sequence number and the receiver's
 * acknowledgment and window.
 * <ul>
 * <li>Opening. A guest SYN creates the connection in {@code CONNECTING} while the caller connects to the
 * host; only when that succeeds does the guest get its SYN-ACK ({@link #hostConnected}); a refused connect
 * answers with RST ({@link #hostRefused}); an unreachable one with nothing. For a host-forwarded connection
 * we are the opener: {@link #openToGuest} sends the SYN and the guest's SYN-ACK establishes it; while no
 * guest answers ARP or neighbour discovery for its address, it gives up after {@code UNRESOLVED_TIMEOUT}
 * ({@link #guestUnresolved}); the host's client is read meanwhile, and one that closes before writing anything
 * deletes the connection (RFC 9293's CLOSE in SYN-SENT), so the guest's SYN-ACK is reset. A SYN is resent at the
 * RTO, at most {@value #MAX_RETRIES} times.</li>
 * <li>Data. A segment's acknowledgment goes to the sender first (which may resend at once), then its data
 * and FIN to the receiver, then the sender sends what the window now allows. The guest's FIN becomes a host
 * shutdown(SHUT_WR) once everything before it reached the host; the host's EOF becomes our FIN after the
 * last byte.</li>
 * <li>Closing. When both FINs are acknowledged the connection is {@code CLOSED}, after {@code TIME_WAIT}
 * (2 s, enough to re-ACK a retransmitted FIN on a virtual link) only if our FIN went out before the
 * guest's arrived: a guest that closed first waits in TIME-WAIT itself, and we close as RFC 9293's
 * LAST-ACK does (3.10.7.4). A connection also waits while the guest's last bytes have not all reached the
 * host. A guest RST, a host reset, too many retransmissions, or a handshake that does not complete within
 * {@code HANDSHAKE_TIMEOUT} closes it at once. An established connection may stay idle as long as both
 * ends live: after 2 h of silence from the guest it is probed (keepalive, with the BSD timers libslirp has
 * but leaves off: its slirp_do_keepalive is false), and reset when the guest no longer answers. A
 * connection the guest has closed while the host has not waits on a guest that usually forgets it within
 * a minute (an application's close leaves the socket in FIN-WAIT-2 for Linux's tcp_fin_timeout, 60 s), so
 * it is probed after {@code HALF_CLOSED_IDLE} of silence instead: a guest that still has the socket (it
 * only shut down its sending side) answers with an ACK, one that forgot it with a RST, which closes ours
 * and resets the host's. Otherwise such connections stayed until the host closed, and a host that never
 * does filled the table (slirp4netns#350, libslirp#86).</li>
 * </ul>
 * Sequence numbers compare modulo 2^32. SACK (RFC 2018) is negotiated when the guest offers it, and then
 * our pure ACKs report the held ranges and the guest's SACK blocks tell {@link TcpSender}'s loss recovery
 * which holes to resend. Timestamps are not negotiated.
 */
public final class TcpConnection {
    public enum State { CONNECTING, SYN_SENT, SYN_RECEIVED, ESTABLISHED, TIME_WAIT, CLOSED }

    static final int MAX_RETRIES = 12;
    static final int OUR_WINDOW_SCALE = 7;
    static final long INITIAL_RTO = TimeUnit.MILLISECONDS.toNanos(1000);
    /** RFC 6298 section 5.7: the RTO when data transmission begins after a SYN was resent, until an RTT sample. */
    static final long FALLBACK_RTO = TimeUnit.SECONDS.toNanos(3);
    static final long MIN_RTO = TimeUnit.MILLISECONDS.toNanos(200);
    static final long MAX_RTO = TimeUnit.SECONDS.toNanos(60);
    static final long TIME_WAIT_SECONDS = 2;
    static final long TIME_WAIT = TimeUnit.SECONDS.toNanos(TIME_WAIT_SECONDS);
    static final long HANDSHAKE_TIMEOUT = TimeUnit.SECONDS.toNanos(75);
    /**
     * How long our SYN to a guest whose MAC cannot be learnt waits before the host's client is reset
     * ({@link #guestUnresolved}): Linux's neighbour entry fails after three unanswered probes a second apart
     * (mcast_probes 3, retrans_time 1 s), and a connect() to such a host then fails with EHOSTUNREACH.
     */
    static final long UNRESOLVED_TIMEOUT = TimeUnit.SECONDS.toNanos(3);
    /** Keepalive, BSD's defaults as in libslirp: after 2 h of silence, 8 probes 75 s apart, then reset. */
    static final long KEEPALIVE_IDLE = TimeUnit.HOURS.toNanos(2);
    static final long KEEPALIVE_INTERVAL = TimeUnit.SECONDS.toNanos(75);
    static final int KEEPALIVE_PROBES = 8;
    /** Silence after which a connection the guest closed first is probed: past Linux's tcp_fin_timeout (60 s). */
    static final long HALF_CLOSED_IDLE = TimeUnit.SECONDS.toNanos(75);
    static final int DEFAULT_MSS = 536;
    /**
     * The least MSS taken from a guest's SYN: Linux's net.ipv4.tcp_min_snd_mss (TCP_MIN_SND_MSS, 48 bytes, added
     * for CVE-2019-11479), where a guest offering 1 had each byte of a download sent as a frame of its own.
     */
    static final int MIN_SEND_MSS = 48;
    /**
     * The least time between two challenge ACKs of one connection: Linux's tcp_invalid_ratelimit (500 ms,
     * net/ipv4/tcp_input.c __tcp_oow_rate_limited), the throttle RFC 5961 section 7 asks for, so a flood of
     * forged RSTs or SYNs costs the guest at most two ACKs a second per connection.
     */
    static final long CHALLENGE_ACK_INTERVAL = TimeUnit.MILLISECONDS.toNanos(500);
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
    /** Each of this connection's segments in turn (see {@link #between}). */
    private final OutgoingSegment out = new OutgoingSegment();
    private final int ourMss;
    /** The host-to-guest direction: SND.*, the queue of host bytes, retransmission. */
    private final TcpSender sender;
    /** The guest-to-host direction: RCV.*, the bytes on their way to the host, held segments, ACKs due. */
    private final TcpReceiver receiver;
    private final ByteQueue toHost;
    private final ByteQueue toGuest;
    private State state;

    /** The guest's FIN arrived before ours was sent: RFC 9293's LAST-ACK, closed without TIME-WAIT. */
    private boolean passiveClose;
    private boolean abortHost;
    private long stateDeadline;
    /** When the handshake's last step went unanswered (see {@link #unansweredSince}). */
    private long waitingSince;
    private long keepaliveAt;
    private int keepaliveProbes;
    /** When the last challenge ACK went (ns), if {@code challenged}. */
    private long lastChallengeAt;
    private boolean challenged;

    /**
     * @param ourMss the largest segment the guest may send us (the MTU less 40)
     * @param bufferBytes the size of each direction's buffer
     */
    public TcpConnection(SegmentSink sink, int ourMss, int bufferBytes, int initialSequence) {
        this(sink, ourMss, bufferBytes, initialSequence, BufferPool.NONE, new WindowCap());
    }

    /**
     * As the other constructor, with its buffers' smallest size taken from and given back to {@code pool},
     * and the window it offers capped by {@code cap}, which its NAT shares among its connections.
     */
    TcpConnection(SegmentSink sink, int ourMss, int bufferBytes, int initialSequence, BufferPool pool, WindowCap cap) {
        this.sink = sink;
        this.ourMss = ourMss;
        this.toHost = new ByteQueue(bufferBytes, pool);
        this.toGuest = new ByteQueue(bufferBytes, pool);
        this.sender = new TcpSender(this, toGuest, initialSequence);
        this.receiver = new TcpReceiver(toHost, cap);
    }

    public State state() {
        return state;
    }

    /**
     * The state as RFC 9293 section 3.3.2 names it, for people ({@code info network}, {@code info usernet},
     * {@code query-network}; libslirp's {@code info usernet} names the same), on the gateway's side of the guest's
     * connection. {@link State#ESTABLISHED} covers the closing states, which this tells apart: CLOSE_WAIT (the
     * guest's FIN came, ours is not sent: the guest half-closed), LAST_ACK (ours sent after it), FIN_WAIT_1
     * and FIN_WAIT_2 (ours sent first, not yet and then acknowledged: the host closed first), CLOSING (both
     * sent, ours first and not yet acknowledged).
     */
    public String stateName() {
        if (state != State.ESTABLISHED || !sender.finSent() && !sender.finAcked()) {
            return state == State.ESTABLISHED && receiver.finReceived() ? "CLOSE_WAIT" : state.name();
        }
        if (!receiver.finReceived()) {
            return sender.finAcked() ? "FIN_WAIT_2" : "FIN_WAIT_1";
        }
        return passiveClose ? "LAST_ACK" : "CLOSING";
    }

    /** The addresses and ports this connection's segments carry: the host's side is the source. */
    public void between(IpAddress remote, int remotePort, IpAddress guest, int guestPort) {
        out.between(remote, remotePort, guest, guestPort);
    }

    // ---- opening ------------------------------------------------------------------------------------

    /** A guest SYN arrived: remember it; the caller connects to the host and then calls back. */
    public void guestSyn(int sequence, int window, TcpSynOptions options, long now) {
        receiver.synReceived(sequence);
        takeSynOptions(sequence, sender.iss(), window, options);
        state = State.CONNECTING;
        stateDeadline = now + HANDSHAKE_TIMEOUT;
        waitingSince = now;
    }

    /** The host accepted the connection: answer the guest's SYN. */
    public void hostConnected(long now) {
        if (state != State.CONNECTING) {
            return;
        }
        state = State.SYN_RECEIVED;
        sendSyn(TcpFlags.SYN | TcpFlags.ACK);
        sender.synSent(now);
        waitingSince = now;
    }

    /**
     * The guest's MAC could not be learnt (its ARP request or neighbour solicitation went unanswered): a host
     * forward's SYN that has waited {@code UNRESOLVED_TIMEOUT} or more gives up, and the host's client is reset,
     * where it waited for the SYN's 75 s (QEMU 7.2's libslirp, its VM paused, still held it after 120 s).
     *
     * @return true when the connection gave up (it is then closed, {@link #abortsHost})
     */
    public boolean guestUnresolved(long now) {
        if (state != State.SYN_SENT || now - waitingSince < UNRESOLVED_TIMEOUT) {
            return false;
        }
        state = State.CLOSED;
        abortHost = true;
        return true;
    }

    /**
     * Whether a guest's SYN on this connection's four-tuple opens a new connection in its place: in TIME_WAIT,
     * nothing left for the host, and its sequence number beyond all this connection received (RFC 1122 section
     * 4.2.2.13, as Linux's tcp_timewait_state_process): a guest that binds its port again at once. Any other
     * SYN once synchronized gets a challenge ACK.
     */
    public boolean reopensBy(int synSequence) {
        return state == State.TIME_WAIT && receiver.pendingToHost() == 0 && synSequence - receiver.rcvNxt() > 0;
    }

    /** The sequence number of the guest's SYN (IRS). */
    public int initialReceiveSequence() {
        return receiver.irs();
    }

    /** The host refused the connection: reset the guest's attempt. */
    public void hostRefused() {
        if (state == State.CONNECTING) {
            sink.segment(out.header(TcpFlags.RST | TcpFlags.ACK, 0, receiver.rcvNxt(), 0));
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
        sender.synSent(now);
        stateDeadline = now + HANDSHAKE_TIMEOUT;
        waitingSince = now;
    }

    private void sendSyn(int flags) {
        boolean opening = state == State.SYN_SENT; // we offer; the guest's SYN-ACK decides
        TcpSynOptions options = new TcpSynOptions(ourMss, sender.guestScales() || opening ? OUR_WINDOW_SCALE : -1,
                receiver.sackPermitted() || opening);
        int window = receiver.synWindow();
        sink.segment(out.header(flags, sender.iss(), (flags & TcpFlags.ACK) != 0 ? receiver.rcvNxt() : 0, window)
                .synOptions(options));
    }

    /**
     * A guest's RST (RFC 9293 section 3.10.7.4 with RFC 5961 section 3.2's mitigation, as Linux): in SYN-SENT
     * it counts when its ACK bit is set and it acknowledges our SYN (section 3.10.7.3; one without ACK is
     * dropped, as Linux's tcp_rcv_synsent_state_process does, whatever its acknowledgment field holds); else
     * when its sequence number is RCV.NXT exactly. One elsewhere in the window gets a challenge ACK, to which a
     * guest that did reset answers with an exact RST; one outside the window is dropped. So another guest on the
     * hub cannot end a connection by guessing near its sequence numbers.
     */
    private void guestReset(int flags, int sequence, int acknowledgment, long now) {
        if (state == State.CLOSED) {
            return;
        }
        boolean counts = state == State.SYN_SENT ? (flags & TcpFlags.ACK) != 0 && acknowledgment == sender.sndNxt()
                : sequence == receiver.rcvNxt();
        if (counts) {
            abortHost = true;
            state = State.CLOSED;
        } else if (state != State.SYN_SENT && state != State.CONNECTING && receiver.inWindow(sequence)) {
            challengeAck(now);
        }
    }

    /**
     * Whether the segment is a pure ACK whose sequence number lies beyond the window's right edge, which is not
     * acceptable (RFC 9293 section 3.10.7.4, in SYN-RECEIVED too, as Linux's tcp_check_req): it then got an ACK in
     * reply, paced as Linux's tcp_oow_rate_limited, and is to be dropped.
     */
    private boolean answeredBeyondWindow(int flags, int sequence, int length, long now) {
        if (length != 0 || (flags & TcpFlags.FIN) != 0 || !receiver.beyondWindow(sequence)) {
            return false;
        }
        challengeAck(now);
        return true;
    }

    /**
     * The ACK RFC 5961 asks for in answer to an RST in the window but not at RCV.NXT (section 3.2), a SYN
     * once synchronized (section 4.2) and an ACK of data never sent or below SND.UNA - MAX.SND.WND (section 5.2),
     * and the ACK RFC 9293 section
     * 3.10.7.4 asks for in answer to a pure ACK beyond the window's right edge; at most one per
     * {@link #CHALLENGE_ACK_INTERVAL}.
     */
    private void challengeAck(long now) {
        if (challenged && now - lastChallengeAt < CHALLENGE_ACK_INTERVAL) {
            return;
        }
        challenged = true;
        lastChallengeAt = now;
        sendAck();
    }

    private void takeSynOptions(int sequence, int acknowledgment, int window, TcpSynOptions options) {
        sender.takeSynOptions(sequence, acknowledgment, window, options.mss(), options.windowScale(), ourMss,
                options.sackPermitted());
        receiver.takeSynOptions(options.windowScale() >= 0, OUR_WINDOW_SCALE, options.sackPermitted());
    }

    // ---- segments from the guest --------------------------------------------------------------------

    /**
     * A segment from the guest for this connection; {@code payload[offset, offset+length)} is its data,
     * {@code synOptions} its SYN's options (null unless SYN), {@code sack} its SACK blocks (null or none
     * when absent).
     */
    public void guestSegment(int flags, int sequence, int acknowledgment, int window, TcpSynOptions synOptions,
                             TcpSackBlocks sack, ByteBuffer payload, int offset, int length, long now) {
        if ((flags & TcpFlags.RST) != 0) {
            guestReset(flags, sequence, acknowledgment, now);
            return;
        }
        if (keepaliveAt != 0) {
            keepaliveAt = now + keepaliveIdle();
            keepaliveProbes = 0;
        }
        switch (state) {
            case CONNECTING, CLOSED -> {
                return;
            }
            case SYN_SENT -> {
                if ((flags & (TcpFlags.SYN | TcpFlags.ACK)) == (TcpFlags.SYN | TcpFlags.ACK)
                        && acknowledgment == sender.iss() + 1) {
                    receiver.synReceived(sequence);
                    takeSynOptions(sequence, acknowledgment, window, synOptions);
                    established(acknowledgment, now);
                    sendAck();
                    sender.transmit(now); // what the host sent meanwhile, and its FIN
                } else if ((flags & TcpFlags.ACK) != 0 && acknowledgment != sender.iss() + 1) {
                    // RFC 9293 3.10.7.3: only an unacceptable ACK gets <SEQ=SEG.ACK><CTL=RST>; an acceptable one
                    // without SYN is dropped, as Linux's tcp_rcv_synsent_state_process and FreeBSD do
                    sink.segment(out.header(TcpFlags.RST, acknowledgment, 0, 0));
                }
                return;
            }
            case SYN_RECEIVED -> {
                if ((flags & TcpFlags.SYN) != 0) {
                    if (sequence == receiver.irs()) {
                        sendSyn(TcpFlags.SYN | TcpFlags.ACK);
                    }
                    return;
                }
                if ((flags & TcpFlags.ACK) == 0 || answeredBeyondWindow(flags, sequence, length, now)) {
                    return;
                }
                if (acknowledgment != sender.iss() + 1) {
                    // RFC 9293 3.10.7.4, SYN-RECEIVED: an unacceptable ACK gets <SEQ=SEG.ACK><CTL=RST>, as Linux's
                    // tcp_check_req; the handshake goes on
                    sink.segment(out.header(TcpFlags.RST, acknowledgment, 0, 0));
                    return;
                }
                established(acknowledgment, now);
            }
            default -> {
                if ((flags & TcpFlags.SYN) != 0) {
                    challengeAck(now);
                    return;
                }
            }
        }
        // RFC 9293 3.10.7.4: without ACK, or acknowledging what was never sent, the segment is dropped
        if ((flags & TcpFlags.ACK) == 0) {
            return;
        }
        if (answeredBeyondWindow(flags, sequence, length, now)) {
            return;
        }
        if (sender.acknowledgesUnsent(acknowledgment) || sender.acknowledgesTooOld(acknowledgment)) {
            challengeAck(now); // RFC 5961 section 5.2, both ends: the segment, with any data, is dropped
            return;
        }
        sender.acknowledge(sequence, acknowledgment, sender.scaledWindow(window),
                length == 0 && (flags & TcpFlags.FIN) == 0, sack, now);
        if (receiver.finReceived() && sender.finAcked() && state == State.ESTABLISHED) {
            if (passiveClose && receiver.pendingToHost() == 0) {
                state = State.CLOSED;
            } else {
                enterTimeWait(now);
            }
        }
        receive(flags, sequence, payload, offset, length, now);
        if (state == State.ESTABLISHED) {
            sender.transmit(now);
        }
    }

    private void established(int acknowledgment, long now) {
        state = State.ESTABLISHED;
        keepaliveAt = now + KEEPALIVE_IDLE;
        sender.established(acknowledgment);
        stateDeadline = 0;
    }

    private void enterTimeWait(long now) {
        state = State.TIME_WAIT;
        stateDeadline = now + TIME_WAIT;
    }

    private void receive(int flags, int sequence, ByteBuffer payload, int offset, int length, long now) {
        boolean finBefore = receiver.finReceived();
        boolean ackNow = receiver.receive(flags, sequence, payload, offset, length, now, state == State.ESTABLISHED);
        if (!finBefore && receiver.finReceived()) {
            passiveClose = !sender.finSent();
            if (keepaliveAt != 0) {
                keepaliveAt = now + keepaliveIdle();
            }
            if (sender.finAcked()) {
                enterTimeWait(now);
            }
        }
        if (ackNow) {
            sendAck();
        }
    }

    /** Out-of-order segments dropped because too many ranges were held already. */
    public long outOfOrderDropped() {
        return receiver.outOfOrderDropped();
    }

    /** Segments (data or FIN) sent again to repair a loss: by fast retransmit, at a partial ACK or at an RTO. */
    public long resent() {
        return sender.resent();
    }

    /** Of {@link #resent()}, those sent at an RTO: each cost the connection a timeout's wait. */
    public long resentAtTimeout() {
        return sender.resentAtTimeout();
    }

    /**
     * Lets in-order data wait for {@link #flushAck()} instead of acknowledging each segment, up to
     * {@value #COALESCED_ACK_BYTES} bytes: the caller flushes after each batch of frames, so a burst of
     * segments costs the guest one ACK, not one per segment (like a delayed ACK, without a timer).
     */
    public void coalesceAcks(boolean on) {
        receiver.coalesceAcks(on);
    }

    /**
     * Lets segments to the guest grow past its MSS, up to 64 KiB: they are then cut to the guest's MSS
     * ({@link OutgoingSegment#segmentSize()}) for every port that cannot take them whole (a TAP with offloads can).
     */
    public void sendLargeSegments(boolean on) {
        sender.sendLargeSegments(on);
    }

    /** True when an acknowledgment waits for {@link #flushAck()}. */
    public boolean ackOwed() {
        return receiver.ackOwed();
    }

    /** Sends the acknowledgment that in-order data left owing, if any. */
    public void flushAck() {
        if (receiver.ackOwed() && state != State.CLOSED) {
            sendAck();
        }
    }

    // ---- sending to the guest -----------------------------------------------------------------------

    /**
     * A segment of the sender's: {@code length} bytes of the send queue from {@code fromFront} (or none), with
     * our acknowledgment and window; {@code carriesAck} ends an owed ACK (data segments only).
     */
    void sendFromSender(int flags, int sequence, int fromFront, int length, boolean carriesAck) {
        out.header(flags, sequence, receiver.rcvNxt(), receiver.advertise());
        if (length > 0) {
            out.payload(toGuest, fromFront, length, sender.segmentSize());
        }
        sink.segment(out);
        if (carriesAck) {
            receiver.acknowledged();
        }
    }

    private void sendAck() {
        sink.segment(out.header(TcpFlags.ACK, sender.sndNxt(), receiver.rcvNxt(), receiver.advertise())
                .sack(receiver.sackBlocks()));
        receiver.acknowledged();
    }

    /**
     * Caps the window we offer the guest (bytes). A NAT's connections share one cap ({@link WindowCap}): the
     * NAT divides the room of the queue in front of the gateway among the connections that are sending, so
     * their windows together cannot overflow it. Data that arrives beyond the cap but fits the buffer is still
     * taken (a cap that just went down may leave the guest with a larger window for a moment).
     */
    public void capWindow(int bytes) {
        receiver.capWindow(bytes);
    }

    /** True when the guest sent data (or a FIN) within {@code nanos} before {@code now}. */
    public boolean guestSentWithin(long nanos, long now) {
        return receiver.guestSentWithin(nanos, now);
    }

    // ---- the host side ------------------------------------------------------------------------------

    /**
     * How many bytes the caller may read from the host socket now: once established, and in SYN-SENT (a host
     * forward's client may write, or close, before the guest answers our SYN; see {@link #hostEof}).
     */
    public int hostReadRoom() {
        return state == State.ESTABLISHED || state == State.SYN_SENT ? sender.hostReadRoom() : 0;
    }

    /**
     * Reads host bytes straight into the guest queue, at most {@link #hostReadRoom()}; returns the count or -1.
     * See {@link #hostReadShort()}.
     */
    public int readFromHost(ReadableByteChannel channel) throws IOException {
        return sender.readFromHost(channel, hostReadRoom());
    }

    /** True when the last {@link #readFromHost} got less than it had room for: the socket held no more then. */
    public boolean hostReadShort() {
        return sender.hostReadShort();
    }

    /** Writes queued guest bytes to the host; returns how many the socket took. */
    public int writeToHost(WritableByteChannel channel) throws IOException {
        if (receiver.pendingToHost() == 0) {
            return 0;
        }
        int n = receiver.writeToHost(channel);
        if (state == State.ESTABLISHED && receiver.windowOpened(sender.segmentSize())) {
            sendAck(); // the window opened: tell the guest
        }
        return n;
    }

    /**
     * Lets in-order guest data go straight from its frame to {@code channel} (the connected host socket)
     * while nothing waits in the buffer before it, so a connection whose host keeps up never fills (or even
     * allocates) its buffer towards the host. Only what the socket does not take is buffered, for
     * {@link #writeToHost}.
     */
    public void writeThrough(WritableByteChannel channel) {
        receiver.writeThrough(channel);
    }

    /** RCV.NXT: the next sequence number expected from the guest (RFC 9293 section 3.3.1). */
    int rcvNxt() {
        return receiver.rcvNxt();
    }

    /** Bytes from the guest still waiting for the host socket. */
    public int pendingToHost() {
        return receiver.pendingToHost();
    }

    /** Bytes from the host not yet acknowledged by the guest (sent or waiting to be). */
    public int pendingToGuest() {
        return toGuest.length();
    }

    /** Bytes from the host were appended to the guest queue: send what the window allows. */
    public void hostDataAdded(long now) {
        if (state == State.ESTABLISHED) {
            sender.transmit(now);
        }
    }

    /**
     * The host closed its sending side: our FIN follows the last byte. In SYN-SENT with nothing read from the host,
     * the connection is deleted instead, silently (RFC 9293 section 3.10.4, CLOSE in SYN-SENT; libslirp's
     * tcp_sockclosed closes a SYN_SENT tcpcb so): the guest's SYN-ACK then meets no connection and is reset.
     */
    public void hostEof(long now) {
        if (state == State.SYN_SENT && toGuest.length() == 0) {
            state = State.CLOSED;
            sender.disarmRto();
            stateDeadline = 0;
            return;
        }
        sender.hostEof();
        hostDataAdded(now);
    }

    /**
     * The host connection broke: reset the guest's. In SYN_SENT (a host forward whose client reset, or whose SYN went
     * unanswered) nothing is sent: RFC 9293 section 3.10.5, ABORT in SYN-SENT, deletes the TCB only, as Linux's
     * tcp_disconnect does; the guest's SYN-ACK, if it comes, meets the table's RST.
     */
    public void hostReset() {
        if (state != State.CLOSED && state != State.CONNECTING && state != State.SYN_SENT) {
            sink.segment(out.header(TcpFlags.RST | TcpFlags.ACK, sender.sndNxt(), receiver.rcvNxt(), 0));
        }
        state = State.CLOSED;
    }

    /** True when the guest finished sending and everything reached the host: shut the host's write side. */
    public boolean hostShouldShutdownOutput() {
        return receiver.hostShouldShutdownOutput();
    }

    /** True when the connection ended by a reset, so the host socket should be reset too (SO_LINGER 0). */
    public boolean abortsHost() {
        return abortHost;
    }

    // ---- time ---------------------------------------------------------------------------------------

    /** When {@link #poll} has work next (0: nothing pending). */
    public long pollAt() {
        boolean established = state == State.ESTABLISHED;
        return earliest(earliest(established ? sender.timerDeadline() : sender.rtoDeadline(), stateDeadline),
                established ? keepaliveAt : 0);
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
            if (state == State.TIME_WAIT && receiver.pendingToHost() > 0) {
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
        if (sender.rtoDeadline() == 0 && state == State.ESTABLISHED && keepaliveAt != 0 && now - keepaliveAt >= 0) {
            keepalive(now);
            return;
        }
        if (state == State.ESTABLISHED && sender.probeIfDue(now)) {
            return;
        }
        if (!sender.rtoExpired(now)) {
            return;
        }
        if (!sender.backOff(now)) {
            hostReset();
            abortHost = true;
            return;
        }
        switch (state) {
            case SYN_RECEIVED -> sendSyn(TcpFlags.SYN | TcpFlags.ACK);
            case SYN_SENT -> sendSyn(TcpFlags.SYN);
            case ESTABLISHED, TIME_WAIT -> sender.timedOut(now, state == State.ESTABLISHED);
            default -> sender.disarmRto();
        }
    }

    /** The silence before a probe: shorter once the guest closed its side while the host has not ({@link #guestHalfClosed}). */
    private long keepaliveIdle() {
        return guestHalfClosed() ? HALF_CLOSED_IDLE : KEEPALIVE_IDLE;
    }

    /**
     * Since when an attempt has waited for its answer: our connect to the host since the guest's SYN
     * (CONNECTING), our SYN-ACK to the guest since it first went (SYN_RECEIVED; the guest's connect has
     * succeeded, its ACK may be on its way), our SYN to the guest (SYN_SENT, a host forward); {@link
     * Long#MAX_VALUE} for a connection past that. The smallest is the attempt that has waited longest.
     */
    public long unansweredSince() {
        return state == State.CONNECTING || state == State.SYN_RECEIVED || state == State.SYN_SENT ? waitingSince
                : Long.MAX_VALUE;
    }

    /**
     * True when the guest closed its sending side (its FIN arrived) and the host has not closed its own: the
     * guest may have forgotten the connection since (see the class comment).
     */
    public boolean guestHalfClosed() {
        return state == State.ESTABLISHED && receiver.finReceived() && !sender.finSent();
    }

    /** When the next keepalive probe is due (0: none): the longer the guest has been silent, the earlier. */
    public long probeDue() {
        return keepaliveAt;
    }

    /**
     * Probes a {@link #guestHalfClosed} connection now, whatever its silence (the table is full): a guest that
     * forgot it answers with a RST, which closes it; one that did not, with an ACK. Counts as a keepalive probe.
     */
    public void probeGuest(long now) {
        if (guestHalfClosed() && sender.rtoDeadline() == 0) {
            keepalive(now);
        }
    }

    /**
     * A silent guest gets a probe (an old sequence number makes it answer with an ACK); too many, and it is gone. The
     * probe carries one garbage octet, the one before SND.UNA, which RFC 1122 section 4.2.3.6 allows "for
     * compatibility with erroneous TCP implementations": uIP (Contiki-NG's uip6.c) answers a segment off RCV.NXT
     * only when it has data, SYN or FIN, and without the octet its idle connections were reset after the last probe.
     * Any other stack acknowledges the octet as a duplicate.
     */
    private void keepalive(long now) {
        if (++keepaliveProbes > KEEPALIVE_PROBES) {
            hostReset();
            abortHost = true;
            return;
        }
        sink.segment(out.header(TcpFlags.ACK, sender.sndUna() - 1, receiver.rcvNxt(), receiver.advertise())
                .garbageOctet());
        keepaliveAt = now + KEEPALIVE_INTERVAL;
    }

    public boolean isClosed() {
        return state == State.CLOSED;
    }
}
