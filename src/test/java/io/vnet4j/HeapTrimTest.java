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

    /**
     * Direct buffers the TCP queues left to the collector ask for a full collection once 32 MiB of them gathered,
     * though the heap did not grow: 300 closed connections' queues held 600 MB that way, more after each burst,
     * with no collection ever asked for (a helper's replay).
     */
    @Test
    void thirtyTwoMibOfDroppedDirectBuffersAreCollected() {
        HeapTrim.DroppedRule rule = new HeapTrim.DroppedRule(3 * MIB);
        assertThat(rule.due(34 * MIB)).isFalse();
        assertThat(rule.due(35 * MIB)).isTrue();
        rule.collected(600 * MIB);
        assertThat(rule.due(600 * MIB)).isFalse(); // the burst's buffers are freed: no collection a minute later
        assertThat(rule.due(620 * MIB)).isFalse();
        assertThat(rule.due(640 * MIB)).isTrue(); // the next burst
    }

    /** The old generation's usage that asks for a collection at once: twice its live data, 16 MiB above it at least. */
    @Test
    void theOldGenerationsThresholdIsTwiceItsLiveDataAndSixteenMibAboveItAtLeast() {
        assertThat(HeapTrim.threshold(0)).isEqualTo(16 * MIB);
        assertThat(HeapTrim.threshold(5 * MIB)).isEqualTo(21 * MIB);
        assertThat(HeapTrim.threshold(72 * MIB)).isEqualTo(144 * MIB);
    }

    /**
     * A pool whose maximum lies below the threshold (a small -Xmx) gets none rather than an exception, which ended
     * the trim thread at start (a reviewer's -Xmx16m); one with room gets it.
     */
    @Test
    void aPoolTooSmallForTheThresholdGetsNone() {
        long[] set = {-1};
        java.lang.management.MemoryPoolMXBean small = pool(8 * MIB, 11 * MIB, set);
        HeapTrim.arm(small);
        assertThat(set[0]).isZero();
        HeapTrim.arm(pool(8 * MIB, 1024 * MIB, set));
        assertThat(set[0]).isEqualTo(24 * MIB);
        HeapTrim.arm(pool(8 * MIB, -1, set)); // no maximum
        assertThat(set[0]).isEqualTo(24 * MIB);
    }

    /** A pool with {@code used} and {@code max} bytes whose usage threshold, once set, is in {@code set[0]}. */
    private static java.lang.management.MemoryPoolMXBean pool(long used, long max, long[] set) {
        java.lang.management.MemoryUsage usage = new java.lang.management.MemoryUsage(0, used, Math.max(used, max), max);
        return (java.lang.management.MemoryPoolMXBean) java.lang.reflect.Proxy.newProxyInstance(
                HeapTrimTest.class.getClassLoader(), new Class<?>[] {java.lang.management.MemoryPoolMXBean.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getUsage" -> usage;
                    case "setUsageThreshold" -> {
                        set[0] = (Long) args[0];
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}
