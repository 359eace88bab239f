package io.vnet4j.usernet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReceiveAssemblerTest {
    /** The held ranges as {start, end} pairs. */
    static List<List<Integer>> ranges(ReceiveAssembler a) {
        List<List<Integer>> out = new ArrayList<>();
        for (int i = 0; i < a.ranges(); i++) {
            out.add(List.of(a.start(i), a.end(i)));
        }
        return out;
    }

    @Test
    void disjointRangesAreKeptSortedByOffset() {
        ReceiveAssembler a = new ReceiveAssembler();
        assertThat(a.isEmpty()).isTrue();
        assertThat(a.add(300, 10)).isTrue();
        assertThat(a.add(100, 10)).isTrue();
        assertThat(a.add(200, 10)).isTrue();
        assertThat(ranges(a)).containsExactly(List.of(100, 110), List.of(200, 210), List.of(300, 310));
        assertThat(a.isEmpty()).isFalse();
    }

    @Test
    void overlappingAndTouchingRangesMerge() {
        ReceiveAssembler a = new ReceiveAssembler();
        a.add(100, 10);
        a.add(105, 10); // overlaps the end
        assertThat(ranges(a)).containsExactly(List.of(100, 115));
        a.add(90, 10); // touches the start
        assertThat(ranges(a)).containsExactly(List.of(90, 115));
        a.add(115, 5); // touches the end
        assertThat(ranges(a)).containsExactly(List.of(90, 120));
        a.add(80, 50); // covers it
        assertThat(ranges(a)).containsExactly(List.of(80, 130));
    }

    @Test
    void duplicatesAndContainedRangesChangeNothing() {
        ReceiveAssembler a = new ReceiveAssembler();
        a.add(100, 50);
        assertThat(a.add(100, 50)).isTrue();
        assertThat(a.add(120, 5)).isTrue();
        assertThat(ranges(a)).containsExactly(List.of(100, 150));
    }

    @Test
    void aRangeSpanningSeveralMergesThemAllIntoOne() {
        ReceiveAssembler a = new ReceiveAssembler();
        a.add(10, 5);
        a.add(30, 5);
        a.add(50, 5);
        a.add(70, 5);
        a.add(90, 5);
        assertThat(a.add(32, 40)).isTrue(); // from inside the second to inside the fourth
        assertThat(ranges(a)).containsExactly(List.of(10, 15), List.of(30, 75), List.of(90, 95));
        assertThat(a.add(15, 75)).isTrue(); // touches the first and the last: one range
        assertThat(ranges(a)).containsExactly(List.of(10, 95));
    }

    @Test
    void whenFullANewRangeIsRefusedButOneThatMergesIsTaken() {
        ReceiveAssembler a = new ReceiveAssembler();
        for (int i = 0; i < ReceiveAssembler.MAX_RANGES; i++) {
            assertThat(a.add(100 * (i + 1), 10)).isTrue();
        }
        List<List<Integer>> full = ranges(a);
        assertThat(a.add(50, 10)).isFalse();
        assertThat(a.add(100 * ReceiveAssembler.MAX_RANGES + 50, 10)).isFalse();
        assertThat(ranges(a)).isEqualTo(full);
        assertThat(a.add(110, 90)).isTrue(); // joins the first two
        assertThat(a.ranges()).isEqualTo(ReceiveAssembler.MAX_RANGES - 1);
        assertThat(a.add(50, 10)).isTrue();
    }

    @Test
    void emptyNegativeOriginAndOverflowingRangesAreRefused() {
        ReceiveAssembler a = new ReceiveAssembler();
        assertThat(a.add(10, 0)).isFalse();
        assertThat(a.add(10, -5)).isFalse();
        assertThat(a.add(0, 10)).isFalse();
        assertThat(a.add(-10, 100)).isFalse();
        assertThat(a.add(Integer.MIN_VALUE, 10)).isFalse();
        assertThat(a.add(Integer.MAX_VALUE - 5, 10)).isFalse();
        assertThat(a.add(Integer.MAX_VALUE, Integer.MAX_VALUE)).isFalse();
        assertThat(a.isEmpty()).isTrue();
    }

    @Test
    void advanceShiftsTheRangesAndHandsOverTheOneItReaches() {
        ReceiveAssembler a = new ReceiveAssembler();
        a.add(100, 50);
        a.add(200, 50);
        assertThat(a.advance(50)).isZero(); // short of the first
        assertThat(ranges(a)).containsExactly(List.of(50, 100), List.of(150, 200));
        assertThat(a.advance(50)).isEqualTo(50); // reaches the first: its 50 bytes follow without a gap
        assertThat(ranges(a)).containsExactly(List.of(50, 100));
        assertThat(a.advance(70)).isEqualTo(30); // into the middle of the next
        assertThat(a.isEmpty()).isTrue();
    }

    @Test
    void advancePastRangesDropsThemAndHandsOverNothing() {
        ReceiveAssembler a = new ReceiveAssembler();
        a.add(10, 10);
        a.add(30, 10);
        a.add(100, 10);
        assertThat(a.advance(50)).isZero();
        assertThat(ranges(a)).containsExactly(List.of(50, 60));
    }

    @Test
    void advanceByNothingOrANegativeCountChangesNothing() {
        ReceiveAssembler a = new ReceiveAssembler();
        a.add(10, 10);
        assertThat(a.advance(0)).isZero();
        assertThat(a.advance(-5)).isZero();
        assertThat(a.advance(Integer.MIN_VALUE)).isZero();
        assertThat(ranges(a)).containsExactly(List.of(10, 20));
        a.clear();
        assertThat(a.isEmpty()).isTrue();
        assertThat(a.advance(10)).isZero();
    }

    @Test
    void byRecencyListsTheRangeTheLatestAddLandedInFirst() {
        ReceiveAssembler a = new ReceiveAssembler();
        a.add(100, 10); // range 0
        a.add(300, 10); // range 2 after the next add
        a.add(200, 10); // range 1
        assertThat(List.of(a.byRecency(0), a.byRecency(1), a.byRecency(2))).containsExactly(1, 2, 0);
        a.add(105, 10); // grows range 0: now the newest
        assertThat(List.of(a.byRecency(0), a.byRecency(1), a.byRecency(2))).containsExactly(0, 1, 2);
        a.add(205, 100); // joins ranges 1 and 2
        assertThat(List.of(a.byRecency(0), a.byRecency(1))).containsExactly(1, 0);
        assertThat(a.advance(100)).isEqualTo(15); // range 0 leaves, the other keeps its place in time
        assertThat(a.byRecency(0)).isZero();
        assertThat(a.byRecency(1)).isEqualTo(-1);
    }

    /** Random adds and advances against a bit set of the bytes held: the ranges always describe exactly those. */
    @Test
    void randomAddsAndAdvancesMatchABitSet() {
        Random r = new Random(7);
        for (int round = 0; round < 200; round++) {
            ReceiveAssembler a = new ReceiveAssembler();
            BitSet model = new BitSet();
            for (int step = 0; step < 200; step++) {
                if (r.nextInt(4) == 0) {
                    int n = r.nextInt(300) - 20;
                    int expected = 0;
                    if (n > 0) {
                        while (model.get(n + expected)) {
                            expected++;
                        }
                        model = model.get(n + expected, Math.max(n + expected, model.length()));
                    }
                    assertThat(a.advance(n)).isEqualTo(expected);
                } else {
                    int offset = r.nextInt(2000) - 10;
                    int length = r.nextInt(200) - 10;
                    BitSet candidate = (BitSet) model.clone();
                    if (offset > 0 && length > 0) {
                        candidate.set(offset, offset + length);
                    }
                    boolean fits = offset > 0 && length > 0 && runs(candidate) <= ReceiveAssembler.MAX_RANGES;
                    assertThat(a.add(offset, length)).isEqualTo(fits);
                    if (fits) {
                        model = candidate;
                    }
                }
                BitSet held = new BitSet();
                for (int i = 0; i < a.ranges(); i++) {
                    assertThat(a.start(i)).isPositive();
                    assertThat(a.end(i)).isGreaterThan(a.start(i));
                    if (i > 0) {
                        assertThat(a.start(i)).isGreaterThan(a.end(i - 1)); // disjoint, never touching
                    }
                    held.set(a.start(i), a.end(i));
                }
                assertThat(held).isEqualTo(model);
            }
        }
    }

    private static int runs(BitSet b) {
        int n = 0;
        for (int i = b.nextSetBit(0); i >= 0; i = b.nextSetBit(b.nextClearBit(i))) {
            n++;
        }
        return n;
    }
}
