package io.vnet4j.usernet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SackScoreboardTest {
    private static final int UNA = 1000;
    private static final int MAX = 20_000;

    private final SackScoreboard board = new SackScoreboard();

    private List<List<Integer>> ranges() {
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < board.ranges(); i++) {
            out.add(List.of(board.left(i), board.right(i)));
        }
        return out;
    }

    @Test
    void blocksAreKeptInSequenceOrderAndCountedOnce() {
        assertThat(board.add(5000, 6000, UNA, MAX)).isEqualTo(1000);
        assertThat(board.add(2000, 3000, UNA, MAX)).isEqualTo(1000);
        assertThat(board.add(2000, 3000, UNA, MAX)).isZero(); // the same block again: nothing new
        assertThat(ranges()).containsExactly(List.of(2000, 3000), List.of(5000, 6000));
    }

    @Test
    void overlappingAndTouchingBlocksMergeAndOnlyTheNewBytesCount() {
        board.add(2000, 3000, UNA, MAX);
        board.add(5000, 6000, UNA, MAX);
        assertThat(board.add(3000, 4000, UNA, MAX)).isEqualTo(1000); // touches the first
        assertThat(board.add(3500, 5500, UNA, MAX)).isEqualTo(1000); // joins both: 4000-5000 is new
        assertThat(ranges()).containsExactly(List.of(2000, 6000));
    }

    @Test
    void blocksOutsideWhatIsOutstandingAreIgnored() {
        assertThat(board.add(500, 900, UNA, MAX)).isZero(); // below SND.UNA (a D-SACK, RFC 2883)
        assertThat(board.add(UNA, 2000, UNA, MAX)).isZero(); // at SND.UNA: the cumulative ACK would cover it
        assertThat(board.add(19_000, 21_000, UNA, MAX)).isZero(); // beyond SND.MAX
        assertThat(board.add(3000, 3000, UNA, MAX)).isZero(); // empty
        assertThat(board.add(4000, 3000, UNA, MAX)).isZero(); // inverted
        assertThat(board.isEmpty()).isTrue();
    }

    @Test
    void anAcknowledgmentTrimsAndDropsRanges() {
        board.add(2000, 3000, UNA, MAX);
        board.add(4000, 5000, UNA, MAX);
        board.acknowledged(3000);
        assertThat(ranges()).containsExactly(List.of(4000, 5000));
        board.acknowledged(3500);
        assertThat(ranges()).containsExactly(List.of(4000, 5000));
    }

    /** helper-109: a range an acknowledgment reached into stayed, from SND.UNA, and hid that hole until the RTO. */
    @Test
    void anAcknowledgmentAtOrInsideARangeDropsItAsTheGuestReneged() {
        board.add(2000, 3000, UNA, MAX);
        board.add(4000, 5000, UNA, MAX);
        board.acknowledged(2000); // the guest does not hold 2000 after all
        assertThat(ranges()).containsExactly(List.of(4000, 5000));
        board.acknowledged(4500);
        assertThat(board.isEmpty()).isTrue();
    }

    @Test
    void whenFullANewRangeAboveTheRestIsForgottenAndOneBelowDropsTheHighest() {
        for (int i = 0; i < SackScoreboard.CAPACITY; i++) {
            board.add(2000 + 1000 * i, 2500 + 1000 * i, UNA, MAX);
        }
        assertThat(board.add(15_000, 15_500, UNA, MAX)).isZero();
        assertThat(board.add(1200, 1300, UNA, MAX)).isEqualTo(100);
        assertThat(board.ranges()).isEqualTo(SackScoreboard.CAPACITY);
        assertThat(board.left(0)).isEqualTo(1200);
        assertThat(board.right(SackScoreboard.CAPACITY - 1)).isEqualTo(8500);
    }

    @Test
    void holesAreTheGapsBelowTheHighestSackedByte() {
        board.add(2000, 3000, UNA, MAX);
        board.add(4000, 5000, UNA, MAX);
        assertThat(board.holeLength(UNA)).isEqualTo(1000);
        assertThat(board.skipSacked(2500)).isEqualTo(3000);
        assertThat(board.skipSacked(3000)).isEqualTo(3000);
        assertThat(board.holeLength(3000)).isEqualTo(1000);
        assertThat(board.holeLength(5000)).isZero(); // nothing SACKed above: not known to be a hole
    }

    @Test
    void aHoleIsLostWithMoreThanTwoSegmentsOrThreeRangesSackedAboveIt() {
        board.add(2000, 2200, UNA, MAX);
        assertThat(board.isLost(UNA, 100)).isFalse(); // 200 bytes: two segments of 100
        board.add(2300, 2301, UNA, MAX);
        assertThat(board.isLost(UNA, 100)).isTrue(); // 201 bytes
        board.clear();
        board.add(2000, 2001, UNA, MAX);
        board.add(2100, 2101, UNA, MAX);
        assertThat(board.isLost(UNA, 1000)).isFalse();
        board.add(2200, 2201, UNA, MAX);
        assertThat(board.isLost(UNA, 1000)).isTrue(); // three discontiguous ranges
        assertThat(board.isLost(2001, 1000)).isFalse();
    }

    @Test
    void sequenceNumbersWrapAround() {
        int una = -500; // 2^32 - 500
        int max = 3000;
        assertThat(board.add(200, 400, una, max)).isEqualTo(200);
        assertThat(board.add(-300, -100, una, max)).isEqualTo(200);
        assertThat(ranges()).containsExactly(List.of(-300, -100), List.of(200, 400));
        assertThat(board.holeLength(una)).isEqualTo(200);
        assertThat(board.holeLength(-100)).isEqualTo(300);
        board.acknowledged(-100);
        assertThat(ranges()).containsExactly(List.of(200, 400));
    }

    @Test
    void aBlockBeyondSndMaxByMoreThanHalfTheSequenceSpaceIsIgnored() {
        // each edge compared with its neighbour only, this block passes: left after SND.UNA, right after
        // left, right not after SND.MAX (modulo 2^32, it is 2^31 and more beyond it); it would count
        // nearly 2^31 bytes as newly SACKed
        int left = MAX + 1;
        int right = UNA + Integer.MIN_VALUE + (MAX - UNA);
        assertThat(board.add(left, right, UNA, MAX)).isZero();
        assertThat(board.add(UNA + Integer.MAX_VALUE, UNA + Integer.MIN_VALUE + (MAX - UNA) + 100, UNA, MAX)).isZero();
        assertThat(board.isEmpty()).isTrue();
    }
}
