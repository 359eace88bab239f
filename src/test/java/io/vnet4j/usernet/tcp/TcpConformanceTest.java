package io.vnet4j.usernet.tcp;

import static io.vnet4j.usernet.tcp.TcpConnection.State.CLOSED;
import static io.vnet4j.usernet.tcp.TcpConnection.State.ESTABLISHED;
import static io.vnet4j.usernet.tcp.TcpConnection.State.SYN_RECEIVED;
import static io.vnet4j.usernet.tcp.TcpConnection.State.SYN_SENT;
import static io.vnet4j.usernet.tcp.TcpConnection.State.TIME_WAIT;
import static io.vnet4j.usernet.tcp.TcpHarness.bytes;
import static io.vnet4j.wire.TcpFlags.ACK;
import static io.vnet4j.wire.TcpFlags.FIN;
import static io.vnet4j.wire.TcpFlags.PSH;
import static io.vnet4j.wire.TcpFlags.RST;
import static io.vnet4j.wire.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.usernet.tcp.TcpHarness.Seg;
import io.vnet4j.wire.TcpSynOptions;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * gVisor's packetimpact scenarios (test/packetimpact/tests), replayed against the gateway's side of a guest's
 * TCP connection: the guest sends crafted segments, and what the gateway sends back is compared with what
 * RFC 9293, RFC 5961 and RFC 1122 ask, and with Linux (packetimpact's expectations are Linux's behaviour). The
 * scenarios that need the connection table (a segment of a connection that closed is answered with RST) are
 * in {@link TcpNatConformanceTest}. Where the gateway differs on purpose, the test says so and asserts what it
 * does. No window scaling (windows are in bytes), guest MSS 1000, a buffer of {@value #BUF} bytes each way.
 */
class TcpConformanceTest {
    static final int ISS = 1000;
    static final int GISN = 5000;
    static final int BUF = 8192;
    static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    static final long CHALLENGE_INTERVAL = TcpConnection.CHALLENGE_ACK_INTERVAL;

    /** A connection the guest opened whose host connect succeeded: in SYN-RECEIVED, our SYN-ACK sent and taken. */
    static TcpHarness synReceived() {
        return synReceived(1000);
    }

    /** The same with the guest's SYN offering an MSS of {@code mss}. */
    static TcpHarness synReceived(int mss) {
        TcpHarness h = new TcpHarness(1460, BUF, ISS);
        h.guestSyn(GISN, 65535, new TcpSynOptions(mss, -1, false));
        h.c.hostConnected(h.now);
        h.take();
        return h;
    }

    /** A connection the guest opened and the host accepted (the DUT's listener, accepted). */
    static TcpHarness established() {
        return established(1000);
    }

    /** The same with the guest's SYN offering an MSS of {@code mss}. */
    static TcpHarness established(int mss) {
        TcpHarness h = synReceived(mss);
        h.guest(ACK, GISN + 1, ISS + 1, 65535);
        assertThat(h.c.state()).isEqualTo(ESTABLISHED);
        return h;
    }

    /** The window we last advertised: RCV.WND. */
    static int rcvWnd(TcpHarness h) {
        h.guest(ACK, GISN, ISS + 1, 65535); // SEG.SEQ = RCV.NXT - 1: answered at once (a keepalive probe's form)
        return h.one().window();
    }

    // ---- tcp_outside_the_window_test ------------------------------------------------------------------

    /**
     * packetimpact tcp_outside_the_window_test, SYN and SYN-ACK rows: a SYN at or beyond the right edge of
     * the window once synchronized gets a challenge ACK (RFC 5961 section 4.2, RFC 9293 section 3.10.7.4),
     * acknowledging RCV.NXT, and a second one within 500 ms gets none (RFC 5961 section 7; Linux's
     * tcp_invalid_ratelimit).
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void outsideTheWindowASynGetsOneChallengeAck(int offset) {
        for (int flags : new int[] {SYN, SYN | ACK}) {
            TcpHarness h = established();
            int wnd = rcvWnd(h);
            h.guest(flags, GISN + 1 + wnd + offset, ISS + 1, 65535);
            Seg ack = h.one();
            assertThat(ack.flags()).isEqualTo(ACK);
            assertThat(ack.ack()).isEqualTo(GISN + 1);
            h.guest(flags, GISN + 1 + wnd + offset, ISS + 1, 65535);
            h.nothingSent();
            assertThat(h.c.state()).isEqualTo(ESTABLISHED);
        }
    }

    /**
     * packetimpact tcp_outside_the_window_test, ACK rows: a pure ACK whose sequence number is the window's
     * right edge is taken without an answer (Linux's tcp_sequence takes SEG.SEQ = RCV.NXT + RCV.WND); one
     * beyond it is not acceptable and gets an ACK (RFC 9293 section 3.10.7.4: "If an incoming segment is not
     * acceptable, an acknowledgment should be sent in reply"), at most one per 500 ms, as Linux's
     * tcp_oow_rate_limited.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void outsideTheWindowAPureAckBeyondTheRightEdgeIsAnsweredOnce(int offset) {
        TcpHarness h = established();
        int wnd = rcvWnd(h);
        h.after(CHALLENGE_INTERVAL);
        h.guest(ACK, GISN + 1 + wnd + offset, ISS + 1, 65535);
        if (offset == 0) {
            h.nothingSent();
            return;
        }
        Seg ack = h.one();
        assertThat(ack.flags()).isEqualTo(ACK);
        assertThat(ack.ack()).isEqualTo(GISN + 1);
        h.guest(ACK, GISN + 1 + wnd + offset, ISS + 1, 65535);
        h.nothingSent();
    }

    /**
     * packetimpact tcp_outside_the_window_test, FIN rows: a FIN without ACK is dropped unanswered wherever it
     * lies (RFC 9293 section 3.10.7.4: "if the ACK bit is off, drop the segment"; Linux's tcp_rcv_established
     * drops it before the window check).
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void outsideTheWindowAFinWithoutAckIsDropped(int offset) {
        TcpHarness h = established();
        int wnd = rcvWnd(h);
        h.guest(FIN, GISN + 1 + wnd + offset, ISS + 1, 65535);
        h.nothingSent();
        assertThat(h.c.stateName()).isEqualTo("ESTABLISHED");
    }

    /**
     * packetimpact tcp_outside_the_window_test, data rows: data at or beyond the right edge is acknowledged
     * with RCV.NXT (RFC 9293 section 3.10.7.4) and none of it is kept.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void outsideTheWindowDataIsAcknowledgedAndNotKept(int offset) throws IOException {
        TcpHarness h = established();
        int wnd = rcvWnd(h);
        h.guest(ACK, GISN + 1 + wnd + offset, ISS + 1, 65535, "abc123".getBytes());
        Seg ack = h.one();
        assertThat(ack.flags()).isEqualTo(ACK);
        assertThat(ack.ack()).isEqualTo(GISN + 1);
        assertThat(h.c.pendingToHost()).isZero();
        assertThat(h.hostTakes(100)).isEmpty();
    }

    // ---- tcp_unacc_seq_ack_test, tcp_close_wait_ack_test -----------------------------------------------

    /**
     * packetimpact tcp_unacc_seq_ack_test (TestEstablishedUnaccSeqAck), out-of-window rows: data beyond the
     * window in ESTABLISHED is acknowledged with RCV.NXT (RFC 9293 section 3.10.7.4).
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void establishedDataBeyondTheWindowIsAcknowledged(int offset) {
        TcpHarness h = established();
        h.guest(ACK | PSH, GISN + 1, ISS + 1, 65535, "Sample Data".getBytes());
        int wnd = h.one().window();
        h.guest(ACK, GISN + 12 + wnd + offset, ISS + 1, 65535, "Sample Data".getBytes());
        assertThat(h.one().ack()).isEqualTo(GISN + 12);
    }

    /**
     * packetimpact tcp_unacc_seq_ack_test (TestEstablishedUnaccSeqAck), unacceptable-ACK rows: a segment
     * acknowledging SND.NXT + 1 or + 2 is dropped, its data untaken. Differs from Linux on purpose: Linux's
     * established path drops it silently (tcp_ack's "ack of unsent data"), and packetimpact expects that;
     * the gateway answers with an ACK as RFC 9293 section 3.10.7.4 ("If the ACK acks something not yet sent
     * (SEG.ACK > SND.NXT), then send an ACK, drop the segment") and RFC 5961 section 5.2 ask, as Linux itself
     * does in its other synchronized states (tcp_close_wait_ack_test's rows below). Rate limited as a
     * challenge ACK.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void establishedAckOfUnsentDataIsAnsweredAndItsDataDropped(int offset) throws IOException {
        TcpHarness h = established();
        h.guest(ACK | PSH, GISN + 1, ISS + 1, 65535, "Sample Data".getBytes());
        h.take();
        h.guest(ACK, GISN + 12, ISS + 1 + offset, 65535, "Sample Data".getBytes());
        Seg ack = h.one();
        assertThat(ack.ack()).isEqualTo(GISN + 12);
        assertThat(ack.seq()).isEqualTo(ISS + 1);
        assertThat(h.hostTakes(100)).hasSize(11);
    }

    /**
     * packetimpact tcp_close_wait_ack_test and tcp_unacc_seq_ack_test (TestPassiveCloseUnaccSeqAck): in
     * CLOSE_WAIT (the guest's FIN taken, the host's side still open) a segment beyond the window, or
     * acknowledging what was never sent, gets an ACK; the connection stays in CLOSE_WAIT and, once the host
     * closes, sends its FIN (RFC 9293 section 3.10.7.4). Rows with offset 0 (data just at the right edge, or
     * data after the FIN with an acceptable ACK) differ: Linux ignores the text of a segment after the FIN
     * silently, the gateway acknowledges it again (RFC 9293 says to ignore the text and asks no silence).
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void closeWaitUnacceptableSegmentsGetAnAck(int offset) {
        for (boolean beyondWindow : new boolean[] {true, false}) {
            TcpHarness h = established();
            h.guest(ACK | FIN, GISN + 1, ISS + 1, 65535);
            Seg finAck = h.one();
            assertThat(finAck.ack()).isEqualTo(GISN + 2);
            assertThat(h.c.stateName()).isEqualTo("CLOSE_WAIT");
            h.after(CHALLENGE_INTERVAL);
            if (beyondWindow) {
                h.guest(ACK, GISN + 2 + finAck.window() + offset, ISS + 1, 65535, "Sample Data".getBytes());
            } else {
                h.guest(ACK, GISN + 2, ISS + 1 + offset, 65535, "Sample Data".getBytes());
            }
            assertThat(h.one().ack()).isEqualTo(GISN + 2);
            assertThat(h.c.stateName()).isEqualTo("CLOSE_WAIT");
            h.c.hostEof(h.now);
            assertThat(h.one().flags()).isEqualTo(FIN | ACK);
            h.guest(ACK, GISN + 2, ISS + 2, 65535);
            assertThat(h.c.state()).isEqualTo(CLOSED);
        }
    }

    /**
     * packetimpact tcp_unacc_seq_ack_test (TestActiveCloseUnaccpSeqAck): with the host's side closed first,
     * in FIN_WAIT_2 and then in TIME_WAIT, a segment beyond the window or acknowledging beyond our FIN gets an
     * ACK (RFC 9293 section 3.10.7.4; RFC 5961 section 5.2).
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void activeCloseUnacceptableSegmentsGetAnAckInFinWait2AndTimeWait(int offset) {
        for (boolean beyondWindow : new boolean[] {true, false}) {
            TcpHarness h = established();
            h.c.hostEof(h.now);
            Seg fin = h.one();
            assertThat(fin.flags()).isEqualTo(FIN | ACK);
            h.guest(ACK, GISN + 1, ISS + 2, 65535);
            assertThat(h.c.stateName()).isEqualTo("FIN_WAIT_2");
            int rcvNxt = GISN + 1;
            for (String state : List.of("FIN_WAIT_2", "TIME_WAIT")) {
                h.after(CHALLENGE_INTERVAL);
                if (beyondWindow) {
                    h.guest(ACK, rcvNxt + fin.window() + offset, ISS + 2, 65535, "Sample Data".getBytes());
                } else if (offset > 0) {
                    h.guest(ACK, rcvNxt, ISS + 2 + offset, 65535, "Sample Data".getBytes());
                } else {
                    h.guest(ACK, rcvNxt, ISS + 2, 65535, "Sample Data".getBytes());
                    rcvNxt += state.equals("FIN_WAIT_2") ? 11 : 0; // taken while FIN_WAIT_2, ignored after the FIN
                }
                assertThat(h.one().ack()).as(state).isEqualTo(rcvNxt);
                if (state.equals("FIN_WAIT_2")) {
                    h.guest(ACK | FIN, rcvNxt, ISS + 2, 65535);
                    rcvNxt++;
                    assertThat(h.one().ack()).isEqualTo(rcvNxt);
                    assertThat(h.c.state()).isEqualTo(TIME_WAIT);
                }
            }
        }
    }

    // ---- tcp_acceptable_ack_syn_rcvd_test ------------------------------------------------------------

    /**
     * packetimpact tcp_acceptable_ack_syn_rcvd_test: in SYN-RECEIVED an ACK that does not acknowledge our SYN
     * exactly (ISS or ISS + 2) is answered with {@code <SEQ=SEG.ACK><CTL=RST>} and the handshake goes on (RFC
     * 9293 section 3.10.7.4, SYN-RECEIVED; Linux's tcp_check_req answers it with a RST from the listener);
     * ISS + 1 establishes the connection.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2})
    void synReceivedAnUnacceptableAckIsReset(int offset) {
        TcpHarness h = new TcpHarness(1460, BUF, ISS);
        h.guestSyn(GISN, 65535, new TcpSynOptions(1000, -1, false));
        h.c.hostConnected(h.now);
        assertThat(h.one().flags()).isEqualTo(SYN | ACK);
        h.guest(ACK, GISN + 1, ISS + offset, 65535);
        if (offset == 1) {
            h.nothingSent();
            assertThat(h.c.state()).isEqualTo(ESTABLISHED);
            return;
        }
        Seg rst = h.one();
        assertThat(rst.flags()).isEqualTo(RST);
        assertThat(rst.seq()).isEqualTo(ISS + offset);
        assertThat(h.c.state()).isEqualTo(SYN_RECEIVED);
        h.guest(ACK, GISN + 1, ISS + 1, 65535);
        assertThat(h.c.state()).isEqualTo(ESTABLISHED);
    }

    /**
     * In SYN-RECEIVED a segment is first checked against the window (RFC 9293 section 3.10.7.4, as Linux's
     * tcp_check_req): an ACK of our SYN whose sequence number lies beyond RCV.NXT + RCV.WND gets an ACK and is
     * dropped, and the handshake waits for an acceptable one. It completed the handshake (helper-160's review).
     */
    @Test
    void synReceivedAnAckBeyondTheWindowIsAnsweredAndDoesNotCompleteTheHandshake() {
        TcpHarness h = synReceived();
        h.guest(ACK, GISN + 1 + 10 * BUF, ISS + 1, 65535);
        Seg answer = h.one();
        assertThat(answer.flags()).isEqualTo(ACK);
        assertThat(answer.ack()).isEqualTo(GISN + 1);
        assertThat(h.c.state()).isEqualTo(SYN_RECEIVED);
        h.guest(ACK, GISN + 1, ISS + 1, 65535);
        assertThat(h.c.state()).isEqualTo(ESTABLISHED);
    }

    // ---- tcp_synrcvd_reset_test, tcp_synsent_reset_test, tcp_timewait_reset_test, fin_wait2_reset_test --

    /**
     * packetimpact tcp_synrcvd_reset_test: a RST at RCV.NXT in SYN-RECEIVED closes the connection (RFC 9293
     * section 3.10.7.4, "If the RST bit is set ... SYN-RECEIVED STATE"), and the host's side is reset too.
     */
    @Test
    void synReceivedARstCloses() {
        TcpHarness h = synReceived();
        h.guest(RST, GISN + 1, 0, 0);
        assertThat(h.c.state()).isEqualTo(CLOSED);
        assertThat(h.c.abortsHost()).isTrue();
        h.nothingSent();
    }

    /**
     * packetimpact tcp_synsent_reset_test (TestTCPSynSentReset): our SYN to the guest (a host forward) met by
     * a RST whose ACK acknowledges it closes the connection; a RST without the ACK bit, or acknowledging
     * something else, is dropped (RFC 9293 section 3.10.7.3, SYN-SENT: "If the ACK bit is set ... If the RST
     * bit is set ... If the ACK was acceptable ... enter CLOSED"; "Otherwise (no ACK), drop the segment").
     */
    @Test
    void synSentOnlyARstAcknowledgingOurSynCloses() {
        TcpHarness h = new TcpHarness(1460, BUF, ISS);
        h.c.openToGuest(h.now);
        assertThat(h.one().flags()).isEqualTo(SYN);
        h.guest(RST, GISN, ISS + 1, 0); // the ACK field holds ISS + 1, but the ACK bit is off
        assertThat(h.c.state()).isEqualTo(SYN_SENT);
        h.guest(RST | ACK, GISN, ISS + 2, 0);
        assertThat(h.c.state()).isEqualTo(SYN_SENT);
        h.guest(RST | ACK, GISN, ISS + 1, 0);
        assertThat(h.c.state()).isEqualTo(CLOSED);
        assertThat(h.c.abortsHost()).isTrue();
        h.nothingSent();
    }

    /**
     * packetimpact tcp_timewait_reset_test: a RST at RCV.NXT in TIME-WAIT closes the connection, as Linux does
     * by default (net.ipv4.tcp_rfc1337 = 0; RFC 1337 would have it ignored).
     */
    @Test
    void timeWaitARstCloses() {
        TcpHarness h = established();
        h.c.hostEof(h.now);
        h.take();
        h.guest(ACK, GISN + 1, ISS + 2, 65535);
        h.guest(ACK | FIN, GISN + 1, ISS + 2, 65535);
        assertThat(h.one().ack()).isEqualTo(GISN + 2);
        assertThat(h.c.state()).isEqualTo(TIME_WAIT);
        h.guest(RST, GISN + 2, 0, 0);
        assertThat(h.c.state()).isEqualTo(CLOSED);
    }

    /**
     * packetimpact fin_wait2_reset_test: a RST|ACK at RCV.NXT in FIN-WAIT-2 closes the connection at once
     * (RFC 9293 section 3.10.7.4), so that a new SYN on the four-tuple opens a new one ({@link
     * TcpNatConformanceTest}).
     */
    @Test
    void finWait2ARstCloses() {
        TcpHarness h = established();
        h.c.hostEof(h.now);
        h.take();
        h.guest(ACK, GISN + 1, ISS + 2, 65535);
        assertThat(h.c.stateName()).isEqualTo("FIN_WAIT_2");
        h.guest(RST | ACK, GISN + 1, ISS + 2, 0);
        assertThat(h.c.state()).isEqualTo(CLOSED);
        assertThat(h.c.abortsHost()).isTrue();
    }

    // ---- zero windows -----------------------------------------------------------------------------------

    /**
     * packetimpact tcp_zero_window_probe_test and tcp_window_shrink_test: a guest that closes its window is
     * not probed while nothing waits to be sent; once data waits, the first probe goes at the RTO, not at
     * once (RFC 1122 section 4.2.2.17); an ACK that opens the window brings the data from SND.UNA; and the
     * gateway answers the same kind of probe from the guest (SEG.SEQ = RCV.NXT - 1) with an ACK of RCV.NXT.
     * Differs in the probe's form, on purpose: Linux probes with a segment of no data at SND.UNA - 1
     * (tcp_xmit_probe_skb), which packetimpact expects; the gateway sends one byte of new data at SND.UNA, the
     * probe RFC 9293 section 3.8.6.1 and RFC 1122 describe, which a guest whose window reopened takes at once.
     */
    @Test
    void zeroWindowProbing() throws IOException {
        TcpHarness h = established();
        h.hostSends("Sample Data".getBytes());
        assertThat(h.one().data()).isEqualTo("Sample Data".getBytes());
        h.guest(ACK, GISN + 1, ISS + 12, 0); // the window closes
        h.after(10 * SECOND);
        h.nothingSent();

        h.hostSends("Sample Data".getBytes());
        h.nothingSent();
        long start = h.now;
        h.untilNextDeadline();
        assertThat(h.now - start).as("after an RTO").isGreaterThanOrEqualTo(TcpConnection.MIN_RTO);
        Seg probe = h.one();
        assertThat(probe.seq()).isEqualTo(ISS + 12);
        assertThat(probe.len()).isEqualTo(1);

        h.guest(ACK, GISN + 1, ISS + 12, 65535);
        Seg data = h.one();
        assertThat(data.seq()).isEqualTo(ISS + 12);
        assertThat(data.data()).isEqualTo("Sample Data".getBytes());

        h.guest(ACK, GISN, ISS + 23, 65535); // the guest's own probe, SEG.SEQ = RCV.NXT - 1
        Seg ack = h.one();
        assertThat(ack.flags()).isEqualTo(ACK);
        assertThat(ack.ack()).isEqualTo(GISN + 1);
    }

    /**
     * packetimpact tcp_zero_window_probe_retransmit_test: probes the guest answers (with its window still
     * closed) keep the connection, and go at exponentially growing intervals (RFC 6298 section 5.5, RFC 1122
     * section 4.2.2.17); the window's opening brings the data.
     */
    @Test
    void zeroWindowProbesBackOffExponentially() throws IOException {
        TcpHarness h = established();
        h.guest(ACK, GISN + 1, ISS + 1, 0);
        h.hostSends("Sample Data".getBytes());
        long last = h.now;
        long interval = 0;
        for (int i = 1; i <= 5; i++) {
            h.untilNextDeadline();
            Seg probe = h.one();
            assertThat(probe.seq()).isEqualTo(ISS + 1);
            if (i > 1) {
                assertThat(h.now - last).as("probe %d", i).isEqualTo(2 * interval);
            }
            interval = h.now - last;
            last = h.now;
            h.guest(ACK, GISN + 1, ISS + 1, 0);
            assertThat(h.c.state()).isEqualTo(ESTABLISHED);
        }
        h.guest(ACK, GISN + 1, ISS + 1, 65535);
        assertThat(h.one().data()).isEqualTo("Sample Data".getBytes());
    }

    /**
     * packetimpact tcp_zero_receive_window_test: a guest that keeps sending while the host reads nothing is
     * eventually offered a zero window (the buffer's room is the window, RFC 9293 section 3.8.6); while the host
     * reads what arrives, the window offered never falls to zero.
     */
    @ParameterizedTest
    @ValueSource(ints = {64, 512, 1000})
    void zeroReceiveWindow(int payload) throws IOException {
        TcpHarness full = established();
        int seq = GISN + 1;
        int window = -1;
        for (int i = 0; i < BUF / payload + 2 && window != 0; i++) {
            full.guest(ACK | PSH, seq, ISS + 1, 65535, bytes(payload, i));
            seq += payload;
            window = full.take().getLast().window();
        }
        assertThat(window).isZero();

        TcpHarness reading = established();
        seq = GISN + 1;
        for (int i = 0; i < 3 * BUF / payload; i++) {
            reading.guest(ACK | PSH, seq, ISS + 1, 65535, bytes(payload, i));
            seq += payload;
            assertThat(reading.take().getLast().window()).isNotZero();
            assertThat(reading.hostTakes(payload)).hasSize(payload);
            reading.take();
        }
    }

    // ---- the handshake's window, segment sizes, FIN retransmission ------------------------------------

    /**
     * packetimpact tcp_handshake_window_size_test and tcp_window_msb_set_test: a SYN offering a zero window
     * and an ACK completing the handshake with window 0x8000 (its top bit set, an unsigned 32,768 bytes, RFC
     * 9293 section 3.1): the host's data goes at once, with PSH, not as a zero-window probe.
     */
    @Test
    void theHandshakesLastWindowCountsAndIsUnsigned() throws IOException {
        TcpHarness h = new TcpHarness(1460, BUF, ISS);
        h.guestSyn(GISN, 0, new TcpSynOptions(1000, -1, false));
        h.c.hostConnected(h.now);
        h.take();
        h.guest(ACK, GISN + 1, ISS + 1, 0x8000);
        h.hostSends("Sample Data".getBytes());
        Seg data = h.one();
        assertThat(data.flags()).isEqualTo(ACK | PSH);
        assertThat(data.data()).isEqualTo("Sample Data".getBytes());
    }

    /**
     * packetimpact tcp_splitseg_mss_test: with the guest's MSS 536 (RFC 9293 section 3.7.1's default), host
     * data of MSS + 1 bytes goes as a segment of 536 and one of 1, the last with PSH, never one above the MSS
     * (Linux sends the large one first and splits on retransmission; the gateway splits at once).
     */
    @Test
    void segmentsAreCutToTheGuestsMss() throws IOException {
        TcpHarness h = established(536);
        for (int round = 0; round < 2; round++) {
            h.hostSends(new byte[537]);
            List<Seg> segs = h.take();
            assertThat(segs).extracting(Seg::len).containsExactly(536, 1);
            assertThat(segs.getLast().has(PSH)).isTrue();
            h.guest(ACK, GISN + 1, segs.getLast().seq() + 1, 65535);
        }
    }

    /**
     * A guest's SYN offering an MSS of 1 (or any below 48) is taken as 48, Linux's least (net.ipv4.tcp_min_snd_mss,
     * TCP_MIN_SND_MSS, added for CVE-2019-11479): at 1, each byte of a download went as a frame of its own, 58
     * bytes of headers for one of data, the gateway's loop and the guest's link spent on headers. libslirp's
     * tcp_mss takes at least 32.
     */
    @Test
    void anMssBelowFortyEightIsTakenAsFortyEight() throws IOException {
        TcpHarness h = established(1);
        h.hostSends(new byte[100]);
        assertThat(h.take()).extracting(Seg::len).containsExactly(48, 48, 4);
    }

    /**
     * packetimpact tcp_fin_retransmission_test: our FIN, unacknowledged, is sent again at the RTO with its
     * sequence number, in CLOSING (the guest's FIN crossed ours, and is acknowledged at once) and in
     * FIN-WAIT-1 (RFC 9293 section 3.8.1).
     */
    @Test
    void anUnacknowledgedFinIsRetransmittedInClosingAndFinWait1() throws IOException {
        for (boolean closing : new boolean[] {true, false}) {
            TcpHarness h = established();
            h.hostSends("Sample Data".getBytes());
            h.take();
            h.guest(ACK, GISN + 1, ISS + 12, 65535);
            h.c.hostEof(h.now);
            Seg fin = h.one();
            assertThat(fin.flags()).isEqualTo(FIN | ACK);
            h.guest(closing ? ACK | FIN : ACK, GISN + 1, fin.seq(), 65535);
            if (closing) {
                assertThat(h.one().ack()).isEqualTo(GISN + 2);
                assertThat(h.c.stateName()).isEqualTo("CLOSING");
            } else {
                h.nothingSent();
                assertThat(h.c.stateName()).isEqualTo("FIN_WAIT_1");
            }
            h.untilNextDeadline();
            Seg again = h.one();
            assertThat(again.flags()).isEqualTo(FIN | ACK);
            assertThat(again.seq()).isEqualTo(fin.seq());
        }
    }

    /**
     * RFC 9293 section 3.10.7.4's SND.WL1/SND.WL2: a segment older than the one the send window was last taken
     * from (SEG.SEQ < SND.WL1, its ACK no newer) does not set SND.WND. Here the guest's data segment, sent before
     * its ACK that closed the window, arrives after it: the window stays closed.
     */
    @Test
    void aReorderedOlderSegmentDoesNotRestoreAStaleWindow() throws IOException {
        TcpHarness h = established();
        h.guest(ACK, GISN + 12, ISS + 1, 0); // sent second: the window closed after "Sample Data"
        h.guest(ACK | PSH, GISN + 1, ISS + 1, 65535, "Sample Data".getBytes()); // sent first
        h.take();
        h.hostSends(bytes(100, 3));
        assertThat(h.take()).allMatch(s -> s.len() == 0, "carries no data");
    }

    /**
     * A pure ACK of the same SEG.SEQ (SND.WL1 = SEG.SEQ, SND.WL2 =< SEG.ACK) does update the window: a guest's
     * window update after it read.
     */
    @Test
    void aWindowUpdateOfTheSameSequenceNumberOpensTheWindow() throws IOException {
        TcpHarness h = established();
        h.guest(ACK, GISN + 1, ISS + 1, 0);
        h.hostSends(bytes(100, 3));
        h.take();
        h.guest(ACK, GISN + 1, ISS + 1, 65535);
        assertThat(h.take()).extracting(Seg::len).containsExactly(100);
    }

    /**
     * RFC 5961 section 5.2: an ACK below SND.UNA - MAX.SND.WND (the largest window the guest offered) is not
     * acceptable: the segment is dropped, its data too, and an ACK goes back (a challenge ACK, rate limited as
     * the others, section 7), as Linux's tcp_ack (SKB_DROP_REASON_TCP_TOO_OLD_ACK).
     */
    @Test
    void anAckOlderThanTheLargestWindowIsAnsweredAndItsSegmentDropped() throws IOException {
        TcpHarness h = new TcpHarness(1460, BUF, ISS);
        h.guestSyn(GISN, 2000, new TcpSynOptions(1000, -1, false));
        h.c.hostConnected(h.now);
        h.guest(ACK, GISN + 1, ISS + 1, 2000);
        int una = ISS + 1;
        for (int i = 0; i < 3; i++) {
            h.hostSends(bytes(2000, i));
            una += 2000;
            h.guest(ACK, GISN + 1, una, 2000);
        }
        h.take();
        h.guest(ACK, GISN + 1, una - 2000, 2000); // SND.UNA - MAX.SND.WND: a duplicate, acceptable
        h.nothingSent();
        h.guest(ACK, GISN + 1, una - 2001, 2000);
        Seg challenge = h.one();
        assertThat(challenge.flags()).isEqualTo(ACK);
        assertThat(challenge.seq()).isEqualTo(una);
        assertThat(challenge.ack()).isEqualTo(GISN + 1);
        h.now += CHALLENGE_INTERVAL;
        h.guest(ACK | PSH, GISN + 1, una - 2001, 2000, "Sample Data".getBytes());
        assertThat(h.one().ack()).as("the data is dropped").isEqualTo(GISN + 1);
        assertThat(h.c.pendingToHost()).isZero();
        h.guest(ACK | PSH, GISN + 1, una - 2001, 2000, "Sample Data".getBytes());
        h.nothingSent(); // within CHALLENGE_ACK_INTERVAL of the last
    }
}
