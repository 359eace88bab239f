package io.vnet4j.usernet.tcp;

import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSackBlocks;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * The host-to-guest direction of one {@link TcpConnection} (RFC 9293's send sequence space): the queue of
 * host bytes the guest has not acknowledged, SND.UNA, SND.NXT and SND.MAX, the guest's window and MSS, and
 * the repair of losses, and congestion control. Its segments go out through {@link TcpConnection#sendFromSender},
 * which adds the receiving side's acknowledgment and window.
 *
 * <p>Theory of operation. Host bytes are read into {@code toGuest} while it has room and stay there until
 * acknowledged; {@link #transmit} sends what both the guest's window and the congestion window (cwnd)
 * allow, in MSS-sized segments (up to 64 KiB with large segments), then our FIN once the host's EOF was read
 * and every byte sent. The congestion window (RFC 5681, in bytes, SMSS being the guest's MSS) starts at RFC
 * 6928's initial window, grows by the bytes acknowledged in slow start (up to ssthresh) and by one SMSS per cwnd
 * acknowledged above it, grows only while it limits the sending (RFC 7661's concern: an application-limited
 * connection must not earn a window it never used), and falls back to the initial window after an RTO of
 * idleness (RFC 5681 section 4.1). A guest on this machine rarely loses a segment, but one behind a
 * {@code dgram} or VXLAN link, or a queue of ours that overflows, does, and without a congestion window every
 * loss met a whole receive window sent at once. Losses are repaired from SND.UNA: after three duplicate ACKs
 * (the first two each let one new segment go beyond cwnd, RFC 3042's Limited Transmit, so that a small flight
 * still draws the third; fast retransmit: ssthresh to half the flight, cwnd to ssthresh plus three SMSS and one
 * more per further duplicate) and then at each partial ACK until the guest acknowledges what was in flight when it began
 * (NewReno, RFC 6582). With SACK the guest's blocks fill a {@link SackScoreboard}: recovery may start at the
 * first duplicate whose blocks show SND.UNA's segment lost (a duplicate then being an ACK that SACKs bytes not
 * SACKed before, RFC 6675 section 2, whatever its window: one that repeats its blocks counts for nothing), and
 * resends every hole the scoreboard shows lost,
 * each once (from HighRxt up) and exactly its bytes, paid for by the bytes each ACK newly SACKed (RFC 6675's
 * loss detection, with NewReno's cwnd arithmetic instead of its pipe). After the RTO the sender goes back
 * to SND.UNA (go-back-N), forgetting the scoreboard, with cwnd at one SMSS, so
 * slow start paces the resending, with exponential back-off. Before the RTO, a flight that no ACK answered for
 * about two round trips draws one loss probe (RFC 8985 section 7's Tail Loss Probe; SACK only, outside recovery):
 * one new segment, or the last one sent again, so that the guest's ACK shows a lost tail or a lost lone delayed
 * ACK within milliseconds rather than at the RTO's 200 ms (on a TAP dropping 2% of frames, captures showed flights
 * the guest held whole left unanswered until the RTO). The RTO follows the measured round trips (RFC 6298,
 * {@link RttEstimator}), one segment timed at a time and never a resent one (Karn). A zero window is probed
 * with one byte at the RTO. A window short of a segment is not filled while more waits (RFC 1122 4.2.3.4, silly
 * window avoidance) unless it is half the largest the guest offered, or the RTO ran out with nothing in flight.
 * Sequence numbers compare modulo 2^32.
 */
final class TcpSender {
    private final TcpConnection connection;
    private final ByteQueue toGuest;

    private int iss;
    private int sndUna;
    private int sndNxt;
    /** The highest sequence number sent so far: after a go-back-N retransmission sndNxt is below it. */
    private int sndMax;
    private int sndWnd;
    /**
     * RFC 9293's SND.WL1 and SND.WL2: the sequence and acknowledgment numbers of the segment SND.WND was last taken
     * from, so that an older segment, reordered on its way, does not set it back (section 3.10.7.4).
     */
    private int sndWl1;
    private int sndWl2;
    /** The largest window the guest offered, RFC 1122's Max(SND.WND): silly window avoidance measures against it. */
    private int maxSndWnd;
    /** The guest's window scale (at most 14), or -1 when either SYN lacked the option. */
    private int sndWindowScale;
    private int sendMss = TcpConnection.DEFAULT_MSS;
    private boolean largeSegments;

    private boolean hostEof;
    private boolean finAcked;
    private boolean hostReadShort;

    /** RFC 5681 section 3.1: the congestion window and slow-start threshold, in bytes. */
    private int cwnd;
    private int ssthresh = MAX_CWND;
    /** Bytes acknowledged since cwnd last grew above ssthresh (RFC 5681 section 3.1's byte counting). */
    private int ackedSinceGrowth;
    /** The last {@link #transmit} left cwnd full: the flight is as large as cwnd lets it be. */
    private boolean cwndLimited;
    /** When data last went out (0: never), for the restart after idleness. */
    private long lastSentAt;

    private int dupAcks;
    /**
     * RFC 3042's Limited Transmit: bytes of new data beyond cwnd that the first two duplicate ACKs outside recovery
     * let go, one SMSS each, so that a loss in a small flight still draws the third duplicate (or the SACKed
     * bytes) fast retransmit needs instead of waiting out the RTO; cwnd itself does not change.
     */
    private int limitedTransmit;
    /** FlightSize at the first duplicate ACK: ssthresh is half of it, not counting Limited Transmit's segments. */
    private int flightBeforeLimitedTransmit;
    /** RFC 6582 (NewReno): in fast recovery until the guest acknowledges {@code recover}, the SND.MAX it began at. */
    private boolean inRecovery;
    private int recover;
    /**
     * A go-back-N sent again what the guest may hold: its duplicate ACKs of those segments start no fast
     * retransmit until an ACK covers more than {@code recover}, SND.MAX at the time-out (RFC 6582 section 3.2
     * steps 2 and 4).
     */
    private boolean wentBack;
    /**
     * Bytes the last resending in recovery carried: a partial ACK that ends where they ended finds the hole
     * goes on (a TAP dropped a large segment whole), and the next resending carries twice as much.
     */
    private int resentPiece;
    /** Both SYNs said SACK-permitted: the guest's SACK blocks fill {@code scoreboard}. */
    private boolean sackPermitted;
    private final SackScoreboard scoreboard = new SackScoreboard();
    /** RFC 6675's HighRxt: the end of the last hole resent in this recovery; holes below it are not resent again. */
    private int highRxt;
    /**
     * The holes resent in this recovery, {@code [start, end)}, each with SND.MAX when it last went: one still not
     * acknowledged nor SACKed once the guest SACKed more than two SMSS sent after it was lost again (Linux's
     * tcp_mark_lost_retrans, before RACK), and goes once more, where only the RTO resent it.
     */
    private final int[] resentStarts = new int[SackScoreboard.CAPACITY];
    private final int[] resentEnds = new int[SackScoreboard.CAPACITY];
    private final int[] resentMarks = new int[SackScoreboard.CAPACITY];
    private int resentHoles;
    private final RttEstimator rtt = new RttEstimator();
    /** Karn's algorithm: the segment being timed ends at {@code timedEnd}, sent at {@code timedAt}; never a resent one. */
    private boolean timing;
    private int timedEnd;
    private long timedAt;
    private long rto = TcpConnection.INITIAL_RTO;
    private long rtoDeadline;
    /** When the loss probe is due (0: none armed); {@code probing}: one went, and no ACK has moved SND.UNA since. */
    private long probeDeadline;
    private boolean probing;
    private int retries;
    /** Segments sent again to repair a loss: all of them, and those of them sent at an RTO (go-back-N). */
    private long resent;
    private long resentAtTimeout;

    /** Bounds cwnd and ssthresh well inside an int, whatever the ACKs add up to. */
    static final int MAX_CWND = 1 << 30;

    TcpSender(TcpConnection connection, ByteQueue toGuest, int initialSequence) {
        this.connection = connection;
        this.toGuest = toGuest;
        this.iss = initialSequence;
        this.sndUna = initialSequence;
        this.sndNxt = initialSequence;
        this.cwnd = initialWindow();
    }

    // ---- the handshake ------------------------------------------------------------------------------

    int iss() {
        return iss;
    }

    /** Our SYN went out (first or again): it takes sequence number ISS. */
    void synSent(long now) {
        sndNxt = iss + 1;
        sndMax = sndNxt;
        armRto(now);
    }

    /**
     * The guest's SYN (sequence number {@code sequence}, IRS, acknowledging {@code acknowledgment}: ISS + 1 in its
     * SYN-ACK, else anything, as SND.UNA is ISS then) told its MSS (at least {@link TcpConnection#MIN_SEND_MSS}, at
     * most {@code ourMss}), window scale and window, and whether both SYNs said SACK-permitted.
     */
    void takeSynOptions(int sequence, int acknowledgment, int window, int mss, int windowScale, int ourMss,
                        boolean sackPermitted) {
        sendMss = Math.min(mss > 0 ? Math.max(mss, TcpConnection.MIN_SEND_MSS) : TcpConnection.DEFAULT_MSS, ourMss);
        sndWindowScale = windowScale >= 0 ? Math.min(windowScale, 14) : -1;
        offered(window);
        sndWl1 = sequence;
        sndWl2 = acknowledgment;
        cwnd = initialWindow();
        this.sackPermitted = sackPermitted;
    }

    /**
     * Takes SEG.WND from a segment whose acknowledgment is acceptable (not below SND.UNA) when it is no older than
     * the one it was last taken from (RFC 9293 section 3.10.7.4: SND.WL1 < SEG.SEQ, or SND.WL1 = SEG.SEQ and
     * SND.WL2 =< SEG.ACK), or when its ACK moved SND.UNA, as Linux's tcp_may_update_window: a guest that resends
     * old data acknowledges with it its newest window.
     */
    private void updateWindow(int sequence, int ack, boolean moved, int window) {
        if (moved || after(sequence, sndWl1) || sequence == sndWl1 && !after(sndWl2, ack)) {
            offered(window);
            sndWl1 = sequence;
            sndWl2 = ack;
        }
    }

    private void offered(int window) {
        sndWnd = window;
        maxSndWnd = Math.max(maxSndWnd, window);
    }

    /** RFC 6928: min(10 * SMSS, max(2 * SMSS, 14,600 bytes)). */
    private int initialWindow() {
        return Math.min(10 * sendMss, Math.max(2 * sendMss, 14_600));
    }

    /** True unless the guest's SYN came without a window scale. */
    boolean guestScales() {
        return sndWindowScale >= 0;
    }

    /**
     * The guest acknowledged our SYN with {@code ack}: the connection is established; the RTO is 3 s if the SYN
     * had to be resent (RFC 6298 section 5.7).
     */
    void established(int ack) {
        sndUna = ack;
        rtoDeadline = 0;
        if (retries > 0) {
            rtt.synRetransmitted();
        }
        retries = 0;
        rto = rtt.rto();
    }

    // ---- acknowledgments ----------------------------------------------------------------------------

    /** A window field from the guest, in bytes. */
    int scaledWindow(int window) {
        return sndWindowScale > 0 ? window << sndWindowScale : window;
    }

    /** True when {@code ack} acknowledges something never sent (beyond SND.MAX). */
    boolean acknowledgesUnsent(int ack) {
        return after(ack, sndMax);
    }

    /**
     * True when {@code ack} is below SND.UNA - MAX.SND.WND, MAX.SND.WND being the largest window the guest offered
     * (RFC 5961 section 5.2): not acceptable, its segment is dropped and answered with a challenge ACK.
     */
    boolean acknowledgesTooOld(int ack) {
        return after(sndUna - maxSndWnd, ack);
    }

    /**
     * Takes an acceptable acknowledgment (not beyond SND.MAX) of a segment starting at {@code sequence} (SEG.SEQ),
     * the window it carries (in bytes, taken as {@link #updateWindow} says) and its SACK
     * blocks (null or none when absent); a pure ACK that moves nothing (without SACK), or that SACKs something new
     * (with SACK: RFC 6675 section 2's duplicate ACK), counts towards fast retransmit.
     */
    void acknowledge(int sequence, int ack, int window, boolean pureAck, TcpSackBlocks sack, long now) {
        int newlySacked = 0;
        if (sackPermitted) {
            int una = after(ack, sndUna) ? ack : sndUna;
            scoreboard.acknowledged(una);
            if (sack != null) {
                newlySacked = scoreboard.add(sack, una, sndMax);
            }
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
            if (wentBack && after(ack, recover)) {
                wentBack = false;
            }
            dupAcks = 0;
            limitedTransmit = 0;
            retries = 0;
            if (timing && !after(timedEnd, ack)) {
                rtt.sample(now - timedAt);
                timing = false;
            }
            rto = rtt.rto(); // progress ends any back-off (RFC 6298 5.7)
            rtoDeadline = sndUna == sndNxt ? 0 : now + rto;
            probing = false;
            armProbe(now);
            updateWindow(sequence, ack, true, window);
            if (!inRecovery) {
                grow(acked);
            } else if (after(recover, ack)) {
                // a partial ACK (RFC 6582 3.2 step 5): deflate cwnd by what it acknowledged, add back one SMSS,
                // and the next hole goes at once, not at the RTO
                cwnd = Math.max(cwnd - acked + (acked >= sendMss ? sendMss : 0), sendMss);
                if (!scoreboard.isEmpty()) { // else nothing SACKed above SND.UNA: NewReno, whatever HighRxt says
                    resendHoles(Math.max(acked, sendMss), !after(highRxt, sndUna));
                } else {
                    retransmitOne(largeSegments && acked == resentPiece
                            ? Math.min(2 * resentPiece, Math.min(cwnd, TcpConnection.LARGE_SEGMENT)) : sendMss);
                }
            } else {
                cwnd = ssthresh; // the full ACK (step 3, option 2: the burst it may send stays on this machine's link)
                inRecovery = false;
            }
        } else if (ack == sndUna) {
            if (sndNxt == sndUna) {
                retries = 0; // nothing in flight: this answers a window probe, so the guest is alive
            }
            // a duplicate: without SACK, a pure ACK that moves neither SND.UNA nor the window (RFC 5681 section 2);
            // with SACK, one that SACKs bytes not SACKed before (RFC 6675 section 2), whatever its window
            if (pureAck && sndNxt != sndUna && (sackPermitted ? newlySacked > 0 : window == sndWnd)) {
                dupAcks++;
                if (dupAcks == 1) {
                    flightBeforeLimitedTransmit = flightSize();
                }
                if (!inRecovery && !wentBack
                        && (dupAcks == 3 || newlySacked > 0 && scoreboard.isLost(sndUna, sendMss))) {
                    enterRecovery(newlySacked);
                } else if (!inRecovery && !wentBack && dupAcks <= 2) {
                    // new data only (transmit sends from SND.NXT = SND.MAX; google/packetdrill
                    // limited-transmit-sack.pkt)
                    limitedTransmit = dupAcks * sendMss;
                } else if (inRecovery) {
                    // step 4: each duplicate is a segment that left, or with SACK the bytes it newly SACKed; they
                    // pay for resending lost holes first, and what they do not pay for opens cwnd to new data
                    int left = newlySacked > 0 ? newlySacked : sendMss;
                    int resentNow = scoreboard.isEmpty() ? 0 : resendHoles(left, false);
                    cwnd = Math.min(cwnd + Math.max(left - resentNow, 0), MAX_CWND);
                }
            }
            updateWindow(sequence, ack, false, window);
        }
        if (inRecovery && !scoreboard.isEmpty()) {
            resendLostRetransmissions();
        }
    }

    /**
     * Resends each hole resent in this recovery that the guest's SACK blocks show lost again: not acknowledged nor
     * SACKed, while more than two SMSS sent after it (beyond SND.MAX at its resending) were SACKed, as a third
     * duplicate shows a first loss (RFC 6675's DupThresh). A local link does not reorder, and without this a lost
     * resending waited out the RTO (on a TAP dropping 2% of frames, half the time-outs a capture showed after
     * Limited Transmit and the loss probe).
     */
    private void resendLostRetransmissions() {
        int highestSacked = scoreboard.right(scoreboard.ranges() - 1);
        for (int i = 0; i < resentHoles; i++) {
            int from = after(sndUna, resentStarts[i]) ? sndUna : resentStarts[i];
            int held = toGuest.length() - (from - sndUna);
            if (!after(resentEnds[i], from) || scoreboard.skipSacked(from) != from || held <= 0
                    || highestSacked - resentMarks[i] <= 2 * sendMss) {
                continue;
            }
            int hole = scoreboard.holeLength(from);
            int n = Math.min(Math.min(resentEnds[i] - from, hole > 0 ? hole : Integer.MAX_VALUE), held);
            resend(from, n);
            resentMarks[i] = sndMax;
        }
    }

    /**
     * Three duplicate ACKs, or SACK blocks that say SND.UNA's segment is lost (RFC 6675 section 5 step 3):
     * fast retransmit (RFC 5681 section 3.2 steps 2 and 3) and fast recovery until {@code recover}. Without
     * SACK one SMSS is resent, with large segments too (see {@link #retransmitOne}); with SACK the hole at
     * SND.UNA, which the guest tells exactly, for as many bytes as the last ACK newly SACKed (they left the
     * network: a guest with GRO SACKs a large segment at once) but at least one SMSS.
     */
    private void enterRecovery(int newlySacked) {
        inRecovery = true;
        probeDeadline = 0;
        recover = sndMax;
        // RFC 5681 section 3.2 step 2: what Limited Transmit sent is not part of the flight halved
        ssthresh = Math.max(Math.min(flightSize(), flightBeforeLimitedTransmit) / 2, 2 * sendMss);
        limitedTransmit = 0;
        cwnd = ssthresh + 3 * sendMss;
        highRxt = sndUna;
        resentHoles = 0;
        if (scoreboard.isEmpty()) {
            retransmitOne(sendMss);
        } else {
            resendHoles(Math.max(newlySacked, sendMss), true);
        }
    }

    /**
     * Resends holes the scoreboard shows lost (RFC 6675 section 4's IsLost), from HighRxt upwards, for at
     * least {@code allowance} bytes, each hole once per recovery: a hole at most a segment at a time, and
     * whole segments, not less than one SMSS, where the allowance ends. {@code unaLost}: the hole at SND.UNA
     * counts as lost whatever the scoreboard says (a partial ACK's or fast retransmit's). Returns the bytes
     * resent.
     */
    private int resendHoles(int allowance, boolean unaLost) {
        int sentBytes = 0;
        int seq = after(highRxt, sndUna) ? highRxt : sndUna;
        while (sentBytes < allowance) {
            seq = scoreboard.skipSacked(seq);
            int hole = scoreboard.holeLength(seq);
            boolean lost = seq == sndUna && unaLost || hole > 0 && scoreboard.isLost(seq, sendMss);
            int held = toGuest.length() - (seq - sndUna); // bytes from seq on that the queue still has
            if (!lost || held <= 0) {
                break;
            }
            int want = Math.max(allowance - sentBytes, sendMss);
            want += (sendMss - want % sendMss) % sendMss; // whole segments where the allowance ends
            int n = Math.min(Math.min(hole > 0 ? hole : sendMss, held),
                    Math.min(largeSegments ? TcpConnection.LARGE_SEGMENT : sendMss, want));
            resend(seq, n);
            if (resentHoles < resentStarts.length) {
                resentStarts[resentHoles] = seq;
                resentEnds[resentHoles] = seq + n;
                resentMarks[resentHoles++] = sndMax;
            }
            resentPiece = n;
            sentBytes += n;
            seq += n;
            highRxt = seq;
        }
        return sentBytes;
    }

    /** The guest acknowledged our FIN. */
    boolean finAcked() {
        return finAcked;
    }

    /** True when our FIN has gone out (it takes the number after the last byte). */
    boolean finSent() {
        return hostEof && sndMax == dataEnd() + 1;
    }

    // ---- sending ------------------------------------------------------------------------------------

    /**
     * Sends what the guest's window and cwnd allow of the queue, then our FIN when due; call only while
     * established.
     */
    void transmit(long now) {
        send(now, false);
    }

    /**
     * As {@link #transmit}; {@code override}: RFC 1122's override time-out ran out, so a window short of a segment
     * is filled as it is.
     */
    private void send(long now, boolean override) {
        if (sndNxt == sndUna && lastSentAt != 0 && now - lastSentAt > rto) {
            cwnd = Math.min(cwnd, initialWindow()); // RFC 5681 section 4.1: idle longer than an RTO
        }
        while (true) {
            int inFlight = dataInFlight();
            int unsent = toGuest.length() - inFlight;
            int room = Math.min(sndWnd, cwnd + limitedTransmit) - inFlight;
            if (unsent <= 0 || room <= 0) {
                cwndLimited = inFlight >= cwnd; // full: what stopped the sending, or would have
                break;
            }
            int n = Math.min(Math.min(unsent, largeSegments ? TcpConnection.LARGE_SEGMENT : sendMss), room);
            if (n == room && n < unsent && cwnd + limitedTransmit <= sndWnd) {
                // cwnd, in bytes, cut the segment short while more waits: whole segments only, the rest when
                // the next ACK opens cwnd (a short segment a window after every loss, as ssthresh is half a
                // flight of any size; Linux counts cwnd in segments and never sends one)
                n -= n % sendMss;
                if (n == 0) {
                    cwndLimited = true;
                    break;
                }
            } else if (n == room && n < unsent && !override) {
                // the guest's window cut it short while more waits: whole segments only, and less than one only
                // when that is half the largest window it offered (RFC 1122 4.2.3.4, silly window avoidance; Linux's
                // tcp_snd_wnd_test); else the rest waits for the next ACK or, with nothing in flight to bring
                // one, for the RTO (the RFC's override time-out)
                int whole = n - n % sendMss;
                if (whole > 0) {
                    n = whole;
                } else if (n < maxSndWnd / 2) {
                    if (inFlight == 0 && rtoDeadline == 0) {
                        armRto(now);
                    }
                    break;
                }
            }
            sendNew(n, inFlight, unsent, now);
            armProbe(now);
        }
        if (hostEof && !finAcked && sndNxt == dataEnd()) {
            connection.sendFromSender(TcpFlags.FIN | TcpFlags.ACK, sndNxt, 0, 0, false);
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

    /** RFC 5681's FlightSize: bytes sent and not acknowledged, those sent before a go-back-N too. */
    private int flightSize() {
        return Math.min(sndMax - sndUna, toGuest.length());
    }

    /** RFC 5681 equation (4): ssthresh after a loss, max(FlightSize / 2, 2 * SMSS). */
    private int halfTheFlight() {
        return Math.max(flightSize() / 2, 2 * sendMss);
    }

    /**
     * An ACK outside recovery acknowledged {@code acked} bytes: slow start below ssthresh (cwnd grows by them,
     * unlike RFC 3465's limit of 2 SMSS per ACK, as a guest with GRO acknowledges 64 KiB at a time, but not past
     * ssthresh, where slow start ends: after a time-out the ACK of the resent segment covers all the guest held
     * beyond the hole, and would otherwise open cwnd to a burst of it, as Linux's tcp_slow_start bounds it too),
     * congestion avoidance above it (one SMSS per cwnd acknowledged); only while cwnd limited the sending.
     */
    private void grow(int acked) {
        if (!cwndLimited) {
            return;
        }
        if (cwnd < ssthresh) {
            cwnd += Math.min(acked, ssthresh - cwnd); // ssthresh is at most MAX_CWND
            return;
        }
        ackedSinceGrowth += acked;
        if (ackedSinceGrowth >= cwnd) {
            ackedSinceGrowth -= cwnd;
            cwnd = Math.min(cwnd + sendMss, MAX_CWND);
        }
    }

    /**
     * Sends at most {@code piece} bytes from the oldest unacknowledged one again: one SMSS at a fast retransmit,
     * with large segments too, as one cut to the MSS on its way (by a VXLAN port, or by the hub for a port that
     * cannot take it whole) lost one frame, and resending it whole sent the guest frames it held, each earning a
     * duplicate ACK; twice the last piece (within cwnd) while partial ACKs find a hole that goes on, as a large
     * segment a TAP dropped whole leaves, so that its repair takes a few round trips, not one per SMSS.
     */
    private void retransmitOne(int piece) {
        timing = false;
        int outstanding = dataInFlight();
        if (outstanding > 0) {
            resentPiece = Math.min(outstanding, piece);
            resend(sndUna, resentPiece);
            if (sackPermitted) {
                highRxt = sndUna + resentPiece; // resendHoles must not send these bytes again in this recovery
            }
        } else if (hostEof && !finAcked && sndNxt == dataEnd() + 1) {
            resent++;
            connection.sendFromSender(TcpFlags.FIN | TcpFlags.ACK, dataEnd(), 0, 0, false);
        }
    }

    /** Sends {@code n} bytes from {@code seq} (at or above SND.UNA, below SND.MAX) again, untimed (Karn). */
    private void resend(int seq, int n) {
        timing = false;
        resent++;
        connection.sendFromSender(TcpFlags.ACK, seq, seq - sndUna, n, false);
    }

    /** Sends {@code n} new bytes at SND.NXT, {@code inFlight} bytes past SND.UNA; PSH when they are all of the {@code unsent}. */
    private void sendNew(int n, int inFlight, int unsent, long now) {
        connection.sendFromSender(TcpFlags.ACK | (n == unsent ? TcpFlags.PSH : 0), sndNxt, inFlight, n, true);
        advanceSndNxt(n, now);
        lastSentAt = now;
    }

    /** SND.NXT: the number a pure ACK carries. */
    int sndNxt() {
        return sndNxt;
    }

    /** SND.UNA: the number a keepalive probe carries, less one. */
    int sndUna() {
        return sndUna;
    }

    void sendLargeSegments(boolean on) {
        largeSegments = on;
    }

    /** The guest's MSS: what a large segment must be cut to on its way to the guest. */
    int segmentSize() {
        return sendMss;
    }

    // ---- time ---------------------------------------------------------------------------------------

    private void armRto(long now) {
        rtoDeadline = now + rto;
    }

    /**
     * Arms the loss probe's timer (RFC 8985 section 7.2) after new data went or an ACK moved SND.UNA, while data is
     * in flight, SACK is on, no recovery runs and no probe is outstanding: PTO = 2 SRTT, plus 2 ms (Linux's
     * TCP_TIMEOUT_MIN: the loop's timer is about a millisecond), or plus the worst-case delayed ACK (200 ms) for a
     * flight of one segment, which a guest may answer that late without any loss; never past the RTO.
     */
    private void armProbe(long now) {
        long srtt = rtt.srtt();
        if (!sackPermitted || inRecovery || wentBack || probing || srtt < 0 || dataInFlight() == 0 || sndWnd == 0) {
            probeDeadline = 0;
            return;
        }
        long pto = 2 * srtt + (flightSize() <= sendMss ? WORST_CASE_DELAYED_ACK : PROBE_SLACK);
        probeDeadline = rtoDeadline != 0 && pto >= rtoDeadline - now ? 0 : now + pto;
    }

    /** RFC 8985's WCDelAckT: the longest a guest may delay the ACK of a lone segment. */
    static final long WORST_CASE_DELAYED_ACK = 200_000_000;
    /** Added to 2 SRTT for a loss probe's timer: Linux's TCP_TIMEOUT_MIN, 2 ms. */
    static final long PROBE_SLACK = 2_000_000;

    /** When a timer runs out next, the RTO or the loss probe (0: neither armed). */
    long timerDeadline() {
        if (probeDeadline == 0) {
            return rtoDeadline;
        }
        return rtoDeadline == 0 || probeDeadline - rtoDeadline < 0 ? probeDeadline : rtoDeadline;
    }

    /**
     * Sends the loss probe if its time came at {@code now} (RFC 8985 section 7.3): one new segment when the guest's
     * window takes one, else the last segment sent, again; then the RTO runs from now. Returns true when it was due.
     */
    boolean probeIfDue(long now) {
        if (probeDeadline == 0 || now - probeDeadline < 0) {
            return false;
        }
        probeDeadline = 0;
        probing = true;
        int inFlight = dataInFlight();
        int unsent = toGuest.length() - inFlight;
        if (unsent > 0 && sndWnd - inFlight >= Math.min(unsent, sendMss) && sndNxt == sndMax) {
            sendNew(Math.min(unsent, sendMss), inFlight, unsent, now);
        } else if (inFlight > 0) {
            int n = Math.min(inFlight, sendMss);
            resend(sndUna + inFlight - n, n);
        }
        armRto(now);
        return true;
    }

    /** When the RTO runs out (0: not armed). */
    long rtoDeadline() {
        return rtoDeadline;
    }

    /** True when the RTO is armed and ran out at {@code now}. */
    boolean rtoExpired(long now) {
        return rtoDeadline != 0 && now - rtoDeadline >= 0;
    }

    /** The RTO ran out: doubles it (at most MAX_RTO) and re-arms it; false when the tries are used up. */
    boolean backOff(long now) {
        if (++retries > TcpConnection.MAX_RETRIES) {
            return false;
        }
        rto = Math.min(rto * 2, TcpConnection.MAX_RTO);
        rtoDeadline = now + rto;
        return true;
    }

    /**
     * The RTO ran out (after {@link #backOff}) while established or in TIME-WAIT: probes a zero window with
     * one byte, or goes back to SND.UNA and sends again what the window allows (only while {@code established}),
     * or, with nothing in flight, fills a window that stayed short of a segment, or disarms.
     */
    void timedOut(long now, boolean established) {
        if (sndWnd == 0 && toGuest.length() > 0 && sndNxt == sndUna) {
            timing = false;
            connection.sendFromSender(TcpFlags.ACK, sndUna, 0, 1, false);
            if (after(sndUna + 1, sndMax)) {
                sndMax = sndUna + 1; // the guest may take the byte: its ACK is then for data we sent
            }
        } else if (sndMax != sndUna) {
            goBackN(now, established);
        } else if (established && sndWnd > 0 && toGuest.length() > 0) {
            send(now, true); // the window stayed short of a segment: what it allows goes now
        } else {
            rtoDeadline = 0;
        }
    }

    /**
     * After a time-out: send everything unacknowledged again, from the oldest byte, one SMSS at first (RFC 5681
     * section 3.1's loss window; ssthresh is set at the first time-out of a run only, equation (4)).
     */
    private void goBackN(long now, boolean established) {
        timing = false;
        probeDeadline = 0;
        inRecovery = false;
        scoreboard.clear(); // RFC 2018 section 8: the guest may have dropped what it SACKed
        wentBack = true;
        recover = sndMax;
        if (retries <= 1) {
            ssthresh = halfTheFlight();
        }
        cwnd = sendMss;
        limitedTransmit = 0;
        ackedSinceGrowth = 0;
        sndNxt = sndUna;
        long before = resent;
        if (established) {
            transmit(now);
        }
        resentAtTimeout += resent - before;
        if (rtoDeadline == 0) {
            armRto(now);
        }
    }

    void disarmRto() {
        rtoDeadline = 0;
    }

    long resent() {
        return resent;
    }

    long resentAtTimeout() {
        return resentAtTimeout;
    }

    // ---- the host side ------------------------------------------------------------------------------

    /** How many bytes may be read from the host now: the queue's room until the host's EOF. */
    int hostReadRoom() {
        return hostEof ? 0 : toGuest.free();
    }

    /** Reads at most {@code room} host bytes straight into the queue; returns the count or -1. */
    int readFromHost(ReadableByteChannel channel, int room) throws IOException {
        ByteBuffer tail = toGuest.tailForReading(Math.min(room, TcpConnection.HOST_READ_CHUNK));
        int asked = tail.remaining();
        int n = channel.read(tail);
        hostReadShort = n < asked;
        if (n > 0) {
            toGuest.appended(n);
        }
        return n;
    }

    boolean hostReadShort() {
        return hostReadShort;
    }

    /** The host closed its sending side: our FIN follows the last byte. */
    void hostEof() {
        hostEof = true;
    }

    private static boolean after(int a, int b) {
        return a - b > 0;
    }
}
