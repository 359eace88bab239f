package io.vnet4j;

import io.vnet4j.base.Shutdown;
import io.vnet4j.usernet.tcp.TcpNat;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import javax.management.ListenerNotFoundException;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import java.util.concurrent.TimeUnit;

/**
 * A thread that gives back the heap a burst of traffic made the JVM grow: the daemons ({@code vnet4j},
 * {@code vnet4j slirp4netns}) run one.
 *
 * <p>Theory of operation. The launcher's serial collector starts with an 8 MiB heap and grows it when a
 * young collection promotes more than the old generation holds, and gives memory back only at a full
 * collection, which a quiet daemon never has. Flows that live for minutes and then end are what grows it:
 * a burst of 10,000 UDP flows (4,096 at a time, each kept 240 s) took one fresh daemon from 77 to 109 MB
 * resident (three others grew by 6-9 MB only), and after a longer soak another stood at 100 MB against 74
 * at start, its old generation at 29 MiB with 8 MiB live, for good (docs/benchmarks.md, thirtieth pass).
 *
 * <p>Once a minute this thread compares the committed heap ({@link Runtime#totalMemory}, in bytes) with
 * what it was at start; when it has grown by {@value #GROWTH_MIB} MiB or more, it asks for a full
 * collection ({@link System#gc}), after which the collector shrinks the heap toward the live data (in
 * steps, down to 70% free, {@code -XX:MaxHeapFreeRatio}): measured, 109 MB resident went to 92 MB. A
 * collection that could not shrink it (the data is live: connections still open) is not repeated until
 * the committed size changes or {@value #RETRY_MINUTES} minutes have passed. Cost: one wake-up a minute;
 * a full collection of the daemon's 4-8 MB of live data pauses its threads 15-50 ms (measured), at most
 * once a minute and only after the heap grew.
 *
 * <p>A minute is too long for a fast burst: reports of a network with thousands of flows (0.9 MB of JSON at
 * 4,096 UDP flows, the live page's {@code /api/network} polled in a loop) promoted 60 MB a second, and with
 * no full collection the old generation grew as fast: 1.4 GB committed, 72 MB of it live, within a minute
 * (a helper's replay). So the thread also sets the old generation's usage threshold
 * ({@link MemoryPoolMXBean#setUsageThreshold}) to {@link #threshold} of the live data after the last full
 * collection; the JVM tells of its crossing (a notification, no polling), and the collection it asks for
 * sets the next threshold from what lived through it. The set-up runs on this thread, off the start.
 *
 * <p>Direct memory is the third: a TCP connection's byte queues are direct buffers that grow to 1 MiB each
 * way under a bulk transfer and go to the collector as they grow, when the connection closes and when it goes
 * idle, but their native memory is freed only when a collection finds the small buffer objects unreachable,
 * and those of a connection that lived a few seconds sit in the old generation, which such objects barely
 * fill: 300 connections whose guest read 5 MiB each after a stall left 600 MB resident once they had all
 * closed, and each such burst added as much (1.8 GB after three, a helper's replay; the JDK collects for
 * direct memory only at {@code -XX:MaxDirectMemorySize}, by default the heap's maximum, a quarter of the
 * RAM). So each minute the thread also asks for a full collection when the queues have left
 * {@value #DROPPED_MIB} MiB or more of buffers to the collector since the last one
 * ({@link TcpNat#directBytesDropped}).
 */
public final class HeapTrim implements AutoCloseable {
    /** How far the committed heap must grow past its size at start before a collection is asked for. */
    static final int GROWTH_MIB = 8;
    /**
     * A collection that did not shrink the heap is asked for again after this long at the latest: a UDP flow
     * ends 240 s after its last datagram, so the next one finds a past burst's flows gone.
     */
    static final int RETRY_MINUTES = 4;
    private static final long PERIOD_MILLIS = TimeUnit.MINUTES.toMillis(1);

    private final Thread thread;

    private HeapTrim(Thread thread) {
        this.thread = thread;
    }

    /**
     * The decision, apart from the clock and the heap: told the committed heap now and then, it says when
     * to collect.
     */
    static final class Rule {
        private final long startCommitted;
        /** The committed heap after the last collection this rule asked for; -1 before the first. */
        private long afterLast = -1;
        private long lastNanos;

        /** @param startCommitted the committed heap at start, in bytes */
        Rule(long startCommitted) {
            this.startCommitted = startCommitted;
        }

        /**
         * @param committed the committed heap now, in bytes
         * @param nowNanos  {@link System#nanoTime()}
         * @return whether to ask for a full collection now
         */
        boolean due(long committed, long nowNanos) {
            if (committed < startCommitted + ((long) GROWTH_MIB << 20)) {
                return false;
            }
            return committed != afterLast || nowNanos - lastNanos >= TimeUnit.MINUTES.toNanos(RETRY_MINUTES);
        }

        /** A collection ran at {@code nowNanos} and left {@code committed} bytes committed. */
        void collected(long committed, long nowNanos) {
            afterLast = committed;
            lastNanos = nowNanos;
        }
    }

    /**
     * The old generation's usage (bytes) whose crossing asks for a full collection, given its usage after the
     * last one: twice that, and at least {@value #MIN_THRESHOLD_MIB} MiB above it.
     */
    static long threshold(long liveBytes) {
        return liveBytes + Math.max(liveBytes, (long) MIN_THRESHOLD_MIB << 20);
    }

    /**
     * {@link #threshold} of the pool's usage now, set as its usage threshold; 0 (none) when that lies at or above
     * the pool's maximum (a small {@code -Xmx}: the collector collects before then anyway, and the JVM refuses
     * such a threshold).
     */
    static void arm(MemoryPoolMXBean pool) {
        MemoryUsage usage = pool.getUsage();
        long threshold = threshold(usage.getUsed());
        pool.setUsageThreshold(usage.getMax() >= 0 && threshold >= usage.getMax() ? 0 : threshold);
    }

    /** How much direct memory the TCP queues may leave to the collector before a full collection is asked for. */
    static final int DROPPED_MIB = 32;

    /**
     * The decision for direct memory: told the bytes of direct buffers left to the collector so far (a count
     * that only grows), it says when to collect.
     */
    static final class DroppedRule {
        private long atLast;

        /** @param dropped the count at start */
        DroppedRule(long dropped) {
            this.atLast = dropped;
        }

        /** Whether {@link #DROPPED_MIB} MiB or more were dropped since the last collection (or the start). */
        boolean due(long dropped) {
            return dropped - atLast >= (long) DROPPED_MIB << 20;
        }

        /** A full collection ran when the count stood at {@code dropped}: all dropped until then is freed. */
        void collected(long dropped) {
            atLast = dropped;
        }
    }

    /** The least headroom above the old generation's live data before a collection is asked for. */
    static final int MIN_THRESHOLD_MIB = 16;

    /**
     * Asks for a full collection whenever the old generation's usage crosses {@link #threshold} of its live
     * data: the serial collector's old generation ("Tenured Gen"), or another collector's pool that supports
     * usage thresholds; nothing when there is none.
     *
     * @return the listener, for {@link #unwatch}; null when there is none
     */
    private static NotificationListener watchOldGeneration() {
        MemoryPoolMXBean old = null;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.isUsageThresholdSupported()) {
                old = pool; // the young pools support none
            }
        }
        if (old == null) {
            return null;
        }
        MemoryPoolMXBean pool = old;
        arm(pool);
        NotificationListener listener = (notification, handback) -> {
            if (MemoryNotificationInfo.MEMORY_THRESHOLD_EXCEEDED.equals(notification.getType())) {
                System.gc();
                arm(pool);
            }
        };
        ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).addNotificationListener(listener, null, null);
        return listener;
    }

    private static void unwatch(NotificationListener listener) {
        if (listener != null) {
            try {
                ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).removeNotificationListener(listener);
            } catch (ListenerNotFoundException e) {
                // not there: nothing to remove
            }
        }
    }

    /** Starts the thread (a daemon thread, "vnet4j-heap-trim"). */
    public static HeapTrim start() {
        Runtime runtime = Runtime.getRuntime();
        Rule rule = new Rule(runtime.totalMemory());
        DroppedRule dropped = new DroppedRule(TcpNat.directBytesDropped());
        return new HeapTrim(Thread.ofPlatform().daemon().name("vnet4j-heap-trim").start(() -> {
            NotificationListener watch = watchOldGeneration();
            try {
                while (true) {
                    Thread.sleep(PERIOD_MILLIS);
                    long droppedNow = TcpNat.directBytesDropped();
                    boolean heapDue = rule.due(runtime.totalMemory(), System.nanoTime());
                    if (heapDue || dropped.due(droppedNow)) {
                        System.gc();
                        dropped.collected(droppedNow); // a full collection frees all dropped before it
                        if (heapDue) {
                            rule.collected(runtime.totalMemory(), System.nanoTime());
                        }
                    }
                }
            } catch (InterruptedException stopped) {
                // close(): end
            } finally {
                unwatch(watch);
            }
        }));
    }

    /** Stops the thread and waits for it to end. */
    @Override
    public void close() {
        thread.interrupt();
        Shutdown.join(thread);
    }
}
