package io.vnet4j.fabric;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Frames and bytes that entered the hub through a port (rx) and left the hub through it (tx), and the
 * frames it dropped: refused because its send queue was full or its link was down, or malformed input.
 */
public final class PortCounters {
    private final AtomicLong rxFrames = new AtomicLong();
    private final AtomicLong rxBytes = new AtomicLong();
    private final AtomicLong txFrames = new AtomicLong();
    private final AtomicLong txBytes = new AtomicLong();
    private final AtomicLong txDropped = new AtomicLong();
    private final AtomicLong rxErrors = new AtomicLong();

    /** Snapshot of a port's counters at one moment. */
    public record Snapshot(long rxFrames, long rxBytes, long txFrames, long txBytes, long txDropped, long rxErrors) {}

    void countRx(int bytes) {
        rxFrames.incrementAndGet();
        rxBytes.addAndGet(bytes);
    }

    void countTx(int bytes) {
        txFrames.incrementAndGet();
        txBytes.addAndGet(bytes);
    }

    /** Counts a frame refused by a full queue or a down link, or lost by the wire after it was queued. */
    public void countTxDrop() {
        txDropped.incrementAndGet();
    }

    /** Counts {@code frames} queued frames the port dropped at once (its link taken down, its connection ended). */
    public void countTxDrops(int frames) {
        txDropped.addAndGet(frames);
    }

    /** Counts input the port could not turn into a frame (bad length, truncated record). */
    public void countRxError() {
        rxErrors.incrementAndGet();
    }

    public Snapshot snapshot() {
        return new Snapshot(rxFrames.get(), rxBytes.get(), txFrames.get(), txBytes.get(), txDropped.get(), rxErrors.get());
    }
}
