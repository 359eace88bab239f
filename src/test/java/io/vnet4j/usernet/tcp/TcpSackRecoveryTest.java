package io.vnet4j.usernet.tcp;

import static io.vnet4j.usernet.tcp.TcpConnectionTest.GISN;
import static io.vnet4j.usernet.tcp.TcpConnectionTest.ISS;
import static io.vnet4j.usernet.tcp.TcpHarness.bytes;
import static io.vnet4j.wire.TcpFlags.ACK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vnet4j.usernet.tcp.TcpHarness.Seg;
import java.io.IOException;
import java.util.List;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * Loss recovery read from the guest's SACK blocks (RFC 2018, RFC 6675), with a guest MSS of 100 bytes and the
 * offsets of sequence numbers counted from ISS + 1. The guest holds 20 segments from 1000 when it starts to
 * answer; without SACK, NewReno resent one hole per round trip.
 */
class TcpSackRecoveryTest {
    private static final int MSS = 100;

    private TcpHarness h;

    /** A window of 20 segments in flight from 1000 (cwnd 2000 after the first ACK). */
    private void twentyInFlight(boolean sack) throws IOException {
        h = TcpConnectionTest.established(MSS, -1, 65535, sack);
        h.hostSends(bytes(8000, 1));
        h.take();
        ack(1000);
        assertThat(h.take()).hasSize(20);
    }

    /** With large segments and SACK: one segment of 2000 bytes in flight from 1000. */
    private void oneLargeSegmentInFlight() throws IOException {
        h = TcpConnectionTest.established(MSS, -1, 65535, true);
        h.c.sendLargeSegments(true);
        h.hostSends(bytes(8000, 1));
        h.take();
        ack(1000);
        assertThat(h.take()).extracting(s -> s.data().length).containsExactly(2000);
    }

    private void ack(int offset) {
        h.guest(ACK, GISN + 1, seq(offset), 65535);
    }

    /** A duplicate ACK of 1000 with blocks of offsets. */
    private void sack(int ack, int... edges) {
        int[][] blocks = new int[edges.length / 2][];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new int[] {seq(edges[2 * i]), seq(edges[2 * i + 1])};
        }
        h.guestSack(GISN + 1, seq(ack), 65535, blocks);
    }

    private static int seq(int offset) {
        return ISS + 1 + offset;
    }

    /** Offsets and lengths of the segments sent since the last call that resend bytes below 3000. */
    private List<Tuple> resent() {
        return h.take().stream().filter(s -> s.seq() - seq(0) < 3000)
                .map(s -> tuple(s.seq() - seq(0), s.data().length)).toList();
    }

    @Test
    void everyHoleOfAWindowIsResentBeforeTheFirstPartialAck() throws IOException {
        twentyInFlight(true); // 1000 and 1500 are lost
        sack(1000, 1100, 1200);
        sack(1000, 1100, 1300);
        assertThat(resent()).isEmpty();
        sack(1000, 1100, 1400); // the third duplicate: fast retransmit of the hole at 1000, exactly
        assertThat(resent()).containsExactly(tuple(1000, 100));
        sack(1000, 1100, 1500);
        sack(1000, 1600, 1700, 1100, 1500);
        sack(1000, 1600, 1800, 1100, 1500);
        assertThat(resent()).isEmpty(); // 200 bytes above 1500: not yet lost (RFC 6675's IsLost)
        sack(1000, 1600, 1900, 1100, 1500);
        assertThat(resent()).containsExactly(tuple(1500, 100));
        ack(1500); // the partial ACK: the hole at 1500 was resent already
        assertThat(resent()).isEmpty();
        ack(3200); // all of it, with the two segments Limited Transmit sent at the first duplicates (RFC 3042)
        assertThat(h.c.resent()).isEqualTo(2);
    }

    /**
     * RFC 6675 section 2: with SACK a duplicate acknowledgment is one whose blocks SACK bytes not SACKed before;
     * one that repeats the blocks (a window update, a reordered copy) does not count towards DupThresh (section 5
     * step 2), as Linux counts only SACKed segments. One segment SACKed and the same ACK twice more is no loss.
     */
    @Test
    void aDuplicateThatSacksNothingNewDoesNotCountTowardsTheThird() throws IOException {
        twentyInFlight(true);
        sack(1000, 1100, 1200);
        sack(1000, 1100, 1200);
        sack(1000, 1100, 1200);
        assertThat(resent()).isEmpty();
        sack(1000, 1100, 1300);
        sack(1000, 1100, 1400); // the third that SACKs new bytes: fast retransmit
        assertThat(resent()).containsExactly(tuple(1000, 100));
    }

    @Test
    void withoutSackTheSameLossesAreRepairedOneHoleAPartialAckApart() throws IOException {
        twentyInFlight(false);
        for (int i = 0; i < 7; i++) {
            ack(1000);
        }
        assertThat(resent()).containsExactly(tuple(1000, 100));
        ack(1500);
        assertThat(resent()).containsExactly(tuple(1500, 100));
    }

    @Test
    void blocksThatCoverMoreThanTwoSegmentsStartRecoveryAtTheFirstDuplicate() throws IOException {
        twentyInFlight(true); // a guest with GRO answers a large segment with one ACK
        sack(1000, 1100, 1400);
        assertThat(resent()).containsExactly(tuple(1000, 100));
    }

    @Test
    void aHoleInsideALargeSegmentIsResentAsExactlyTheBytesMissing() throws IOException {
        oneLargeSegmentInFlight();
        sack(1000, 1000 + 250, 3000); // 250 bytes of the large segment were lost on the way (MSS 100: 3 frames)
        assertThat(resent()).containsExactly(tuple(1000, 250));
    }

    /** helper-109: where the bytes an ACK newly SACKed end inside a hole, the resending ended there too, mid-segment. */
    @Test
    void aHoleResentInPartsIsResentInWholeSegments() throws IOException {
        oneLargeSegmentInFlight(); // 1000-1099 and 1500-2499 of it lost on the way
        sack(1000, 1100, 1500);
        assertThat(resent()).containsExactly(tuple(1000, 100));
        sack(1000, 1100, 1500, 2500, 2750); // 250 bytes newly SACKed: the hole at 1500 is lost
        assertThat(resent()).containsExactly(tuple(1500, 300));
    }

    @Test
    void blocksOutsideTheFlightStartNothing() throws IOException {
        twentyInFlight(true);
        sack(1000, 500, 900); // below SND.UNA
        sack(1000, 3100, 3500); // beyond SND.MAX
        assertThat(resent()).isEmpty();
    }

    @Test
    void blocksOfAGuestThatDidNotOfferSackAreIgnored() throws IOException {
        twentyInFlight(false);
        sack(1000, 1100, 1400);
        assertThat(resent()).isEmpty();
    }

    @Test
    void aTimeOutForgetsTheBlocksAndGoesBackToTheOldestByte() throws IOException {
        twentyInFlight(true);
        sack(1000, 1100, 1200);
        assertThat(h.take()).extracting(s -> s.seq() - seq(0)).containsExactly(3000); // Limited Transmit (RFC 3042)
        h.untilNextDeadline(); // the loss probe (RFC 8985 section 7): one new segment
        assertThat(h.take()).extracting(s -> s.seq() - seq(0)).containsExactly(3100);
        h.untilNextDeadline(); // the RTO
        List<Seg> sent = h.take();
        assertThat(sent).extracting(s -> s.seq() - seq(0)).containsExactly(1000);
        ack(1100); // the guest may have dropped what it SACKed (RFC 2018 section 8): 1100 goes again
        assertThat(h.take()).extracting(s -> s.seq() - seq(0)).containsExactly(1100, 1200);
    }

    @Test
    void aHoleResentAtAPartialAckWithNothingSackedAboveIsNotResentAgainWhenBlocksArrive() throws IOException {
        twentyInFlight(true); // 1000 and 1400-2899 are lost
        sack(1000, 1100, 1200); // Limited Transmit sends 3000
        sack(1000, 1100, 1300); // and 3100
        sack(1000, 1100, 1400);
        assertThat(resent()).containsExactly(tuple(1000, 100));
        sack(1000, 1100, 1400); // SACKs nothing new: no duplicate (RFC 6675 section 2), nothing happens
        assertThat(h.take()).isEmpty();
        ack(1400); // partial, nothing SACKed above: NewReno's resending of the hole at SND.UNA
        assertThat(resent()).containsExactly(tuple(1400, 100));
        sack(1400, 2900, 3000); // the flight's last segment arrives, then Limited Transmit's two
        sack(1400, 2900, 3100);
        sack(1400, 2900, 3200); // 1400's hole is lost by the blocks, but it was resent at the partial ACK
        assertThat(resent()).containsExactly(tuple(1500, 100));
    }

    @Test
    void aPartialAckInsideAResentPieceWithNothingSackedAboveResendsAtSndUnaAsNewReno() throws IOException {
        oneLargeSegmentInFlight();
        sack(1000, 1100, 1400); // of the large segment only 1100-1399 arrived: fast retransmit of 1000's hole
        assertThat(resent()).containsExactly(tuple(1000, 100));
        ack(1400); // nothing SACKed above: NewReno's one SMSS at SND.UNA
        assertThat(resent()).containsExactly(tuple(1400, 100));
        ack(1500); // the hole goes on: twice the piece
        assertThat(resent()).containsExactly(tuple(1500, 200));
        ack(1600); // half of that piece arrived, nothing SACKed above: 1600 goes again, not at the RTO
        assertThat(resent()).containsExactly(tuple(1600, 100));
    }
}
