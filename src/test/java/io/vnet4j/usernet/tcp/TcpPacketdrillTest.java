package io.vnet4j.usernet.tcp;

import static io.vnet4j.usernet.tcp.TcpConnection.State.ESTABLISHED;
import static io.vnet4j.usernet.tcp.TcpConnection.State.SYN_SENT;
import static io.vnet4j.wire.TcpFlags.ACK;
import static io.vnet4j.wire.TcpFlags.FIN;
import static io.vnet4j.wire.TcpFlags.RST;
import static io.vnet4j.wire.TcpFlags.SYN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vnet4j.usernet.tcp.TcpHarness.Seg;
import io.vnet4j.wire.TcpSynOptions;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * packetdrill scripts replayed against the gateway's side of a guest's TCP connection: Google's
 * (google/packetdrill, gtests/net/tcp) and Michael Tüxen's FreeBSD suite (freebsd-net/tcp-testsuite, now
 * tuexen/freebsd-packetdrill). The guest plays the script's remote side; the gateway plays the socket under test,
 * its host socket the script's system calls. Only scripts whose expectations are RFC behaviour are replayed, with
 * the RFC section each checks. gVisor's packetimpact replays are in {@link TcpConformanceTest}.
 */
class TcpPacketdrillTest {
    static final int ISS = 1000;
    static final int GISN = 5000;
    static final int BUF = 65536;

    /** A connection the guest opened (MSS {@code mss}, window scale 7, window 320 << 7) and the host accepted. */
    static TcpHarness established(int mss, boolean sack) {
        TcpHarness h = new TcpHarness(1460, BUF, ISS);
        h.guestSyn(GISN, 65535, new TcpSynOptions(mss, 7, sack));
        h.c.hostConnected(h.now);
        h.take();
        h.guest(ACK, GISN + 1, ISS + 1, 320);
        assertThat(h.c.state()).isEqualTo(ESTABLISHED);
        h.take();
        return h;
    }

    /** The sequence number after the last segment of {@code segments}. */
    static int end(List<Seg> segments) {
        Seg last = segments.get(segments.size() - 1);
        return last.seq() + last.len();
    }

    /** A duplicate ACK of ISS + 1, SACKing {@code [ISS + 1001, ISS + 1 + sackedTo)} when SACK is on. */
    static void duplicate(TcpHarness h, boolean sack, int sackedTo) {
        if (sack) {
            h.guestSack(GISN + 1, ISS + 1, 320, new int[] {ISS + 1001, ISS + 1 + sackedTo});
        } else {
            h.guest(ACK, GISN + 1, ISS + 1, 320);
        }
    }

    /**
     * freebsd-net/tcp-testsuite state-event-engine/rcv-ack-syn-sent (rcv-ack-without-data-syn-sent-ack-left-edge,
     * rcv-ack-with-data-syn-sent-ack-left-edge and the outside-left/outside-right ones): in SYN-SENT (our SYN to the
     * guest, a host forward) an ACK without SYN that acknowledges our SYN is acceptable and the segment is dropped
     * (RFC 9293 section 3.10.7.3: "If neither of the SYN or RST bits is set, then drop the segment and return"),
     * the SYN still resent at the RTO and the guest's SYN-ACK still establishing; only an unacceptable one gets
     * {@code <SEQ=SEG.ACK><CTL=RST>}. Linux's tcp_rcv_synsent_state_process drops it too.
     */
    @Test
    void synSentAnAcceptableAckWithoutSynIsDropped() {
        TcpHarness h = new TcpHarness(1460, BUF, ISS);
        h.c.openToGuest(h.now);
        assertThat(h.one().flags()).isEqualTo(SYN);

        h.guest(ACK, GISN, ISS + 1, 32767);
        h.guest(ACK, GISN, ISS + 1, 32767, new byte[3]);
        h.nothingSent();
        assertThat(h.c.state()).isEqualTo(SYN_SENT);

        h.guest(ACK, GISN, ISS, 32767); // SND.NXT - 1
        h.guest(ACK, GISN, ISS + 2, 32767, new byte[3]); // SND.NXT + 1
        assertThat(h.take()).extracting(Seg::flags, Seg::seq).containsExactly(
                tuple(RST, ISS), tuple(RST, ISS + 2));

        h.untilNextDeadline();
        assertThat(h.one().flags()).isEqualTo(SYN);
        h.guestSynAck(GISN, ISS + 1, 32767, new TcpSynOptions(1460, -1, true));
        assertThat(h.one().ack()).isEqualTo(GISN + 1);
        assertThat(h.c.state()).isEqualTo(ESTABLISHED);
    }

    /**
     * google/packetdrill gtests/net/tcp/limited_transmit/limited-transmit-no-sack.pkt and limited-transmit-sack.pkt:
     * the first and second duplicate ACKs each send one new segment beyond cwnd (RFC 3042 section 2, which RFC 5681
     * section 3.2 says a sender SHOULD use), with SACK only those that SACK something new; the third starts fast
     * retransmit, and ssthresh is half the flight before the new segments (RFC 5681 section 3.2 step 2), which the
     * segments the full ACK releases show. Without it a flight of fewer than four segments never brings three
     * duplicates, and a loss in it waits for the RTO.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void limitedTransmitSendsANewSegmentAtEachOfTheFirstTwoDuplicates(boolean sack) throws IOException {
        TcpHarness h = established(1000, sack);
        h.hostSends(TcpHarness.bytes(30000, 1));
        int sndMax = end(h.take());
        int flight = sndMax - (ISS + 1);

        duplicate(h, sack, 2000);
        assertThat(h.take()).extracting(Seg::seq, Seg::len).containsExactly(tuple(sndMax, 1000));
        duplicate(h, sack, sack ? 2000 : 3000); // with SACK nothing newly SACKed: nothing new sent
        assertThat(h.take()).extracting(Seg::seq, Seg::len).containsExactlyElementsOf(
                sack ? List.of() : List.of(tuple(sndMax + 1000, 1000)));
        duplicate(h, sack, 4000);
        assertThat(h.take()).extracting(Seg::seq, Seg::len).containsExactly(tuple(ISS + 1, 1000));

        h.guest(ACK, GISN + 1, sndMax + (sack ? 1000 : 2000), 320); // the full ACK: cwnd = ssthresh
        assertThat(h.take()).hasSize(flight / 2 / 1000);
    }

    /**
     * freebsd-net/tcp-testsuite rcv-data-segments/reordering-5F4321.pkt: the guest's FIN arrives before the data
     * before it, and is kept with the held data (RFC 9293 section 3.10.7.4: segments beyond RCV.NXT are held "for
     * later processing", the FIN's eighth step included, as FreeBSD's tcp_reass and Linux's out-of-order queue
     * keep it): the segment that fills the last gap is answered with an ACK of the FIN, and the host's write side
     * is shut after the 31 bytes. Where the FIN was forgotten, the guest's close waited for its retransmission.
     */
    @Test
    void aFinBeforeAGapIsTakenWhenTheGapFills() throws IOException {
        TcpHarness h = established(1460, true);
        byte[] data = TcpHarness.bytes(31, 1);
        int una = GISN + 1;
        guestData(h, data, 15, 31); // the fifth segment
        assertThat(h.one().sack()).containsExactly(List.of(una + 15, una + 31));
        h.guest(FIN | ACK, una + 31, ISS + 1, 320);
        Seg finHeld = h.one();
        assertThat(finHeld.ack()).isEqualTo(una);
        assertThat(finHeld.sack()).containsExactly(List.of(una + 15, una + 31));
        guestData(h, data, 7, 15);
        guestData(h, data, 3, 7);
        guestData(h, data, 1, 3);
        assertThat(h.take()).extracting(Seg::ack).containsOnly(una);
        guestData(h, data, 0, 1); // the first segment
        assertThat(h.one().ack()).isEqualTo(una + 32);
        assertThat(h.c.stateName()).isEqualTo("CLOSE_WAIT");
        assertThat(h.hostTakes(1000)).isEqualTo(data);
        assertThat(h.c.hostShouldShutdownOutput()).isTrue();
    }

    /** The guest's bytes {@code data[from, to)} in one segment. */
    static void guestData(TcpHarness h, byte[] data, int from, int to) {
        h.guest(ACK, GISN + 1 + from, ISS + 1, 320, Arrays.copyOfRange(data, from, to));
    }
}
