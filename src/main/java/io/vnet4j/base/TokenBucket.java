package io.vnet4j.base;

/**
 * A token bucket: at most {@code burst} takes at once, then one per interval. Not thread-safe; its owner
 * guards it if it needs to.
 */
public final class TokenBucket {
    private final int burst;
    private final long intervalNanos;
    private int tokens;
    private long refilledAt;

    /**
     * @param burst the takes that may come at once (the bucket starts full)
     * @param intervalNanos the time each further take waits for, in ns
     * @param now the clock (System.nanoTime()) now
     */
    public TokenBucket(int burst, long intervalNanos, long now) {
        this.burst = burst;
        this.intervalNanos = intervalNanos;
        this.tokens = burst;
        this.refilledAt = now;
    }

    /** Takes a token at {@code now}; false when there is none. */
    public boolean take(long now) {
        long earned = (now - refilledAt) / intervalNanos;
        if (earned > 0) {
            tokens = (int) Math.min(burst, tokens + earned);
            refilledAt += earned * intervalNanos;
        }
        if (tokens == 0) {
            return false;
        }
        tokens--;
        return true;
    }
}
