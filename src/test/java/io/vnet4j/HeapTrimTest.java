package io.vnet4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** When {@link HeapTrim} asks for a collection: the rule alone, told heap sizes and times. */
class HeapTrimTest {
    private static final long MIB = 1 << 20;
    private static final long MINUTE = TimeUnit.MINUTES.toNanos(1);

    @Test
    void aHeapThatDidNotGrowIsLeftAlone() {
        HeapTrim.Rule rule = new HeapTrim.Rule(8 * MIB);
        assertThat(rule.due(8 * MIB, MINUTE)).isFalse();
        assertThat(rule.due(15 * MIB, 2 * MINUTE)).isFalse(); // less than 8 MiB of growth
    }

    @Test
    void aGrownHeapIsCollectedOnceAndAgainOnlyWhenItChangesOrAfterFourMinutes() {
        HeapTrim.Rule rule = new HeapTrim.Rule(8 * MIB);
        assertThat(rule.due(40 * MIB, MINUTE)).isTrue();
        rule.collected(30 * MIB, MINUTE); // live data kept it large
        assertThat(rule.due(30 * MIB, 2 * MINUTE)).isFalse();
        assertThat(rule.due(30 * MIB, 4 * MINUTE)).isFalse();
        assertThat(rule.due(30 * MIB, 5 * MINUTE)).isTrue(); // the flows that held it may have ended
        rule.collected(30 * MIB, 5 * MINUTE);
        assertThat(rule.due(36 * MIB, 6 * MINUTE)).isTrue(); // grew again
    }

    @Test
    void aCollectionThatShrankTheHeapBelowTheThresholdEndsIt() {
        HeapTrim.Rule rule = new HeapTrim.Rule(8 * MIB);
        assertThat(rule.due(40 * MIB, MINUTE)).isTrue();
        rule.collected(12 * MIB, MINUTE);
        assertThat(rule.due(12 * MIB, 20 * MINUTE)).isFalse();
    }

    /** The old generation's usage that asks for a collection at once: twice its live data, 16 MiB above it at least. */
    @Test
    void theOldGenerationsThresholdIsTwiceItsLiveDataAndSixteenMibAboveItAtLeast() {
        assertThat(HeapTrim.threshold(0)).isEqualTo(16 * MIB);
        assertThat(HeapTrim.threshold(5 * MIB)).isEqualTo(21 * MIB);
        assertThat(HeapTrim.threshold(72 * MIB)).isEqualTo(144 * MIB);
    }
}
