package io.vnet4j.base;

import java.time.Duration;

/**
 * A budget for a kind of log line that someone outside can cause at will (a guest's DHCP requests): at most
 * {@code burst} lines at once, then one per interval (a token bucket), so a flood costs a few lines, not
 * megabytes. The lines left out are counted and said with the next line that goes out.
 */
public final class LineBudget {
    private final TokenBucket bucket;
    private long leftOut;

    /** {@code burst} lines at once, then one per {@code interval}, from now on the System.nanoTime() clock. */
    public LineBudget(int burst, Duration interval) {
        this(burst, interval.toNanos(), System.nanoTime());
    }

    /**
     * @param burst the lines that may go out at once
     * @param intervalNanos the time each further line waits for, in ns
     * @param now the clock (System.nanoTime()) now
     */
    public LineBudget(int burst, long intervalNanos, long now) {
        this.bucket = new TokenBucket(burst, intervalNanos, now);
    }

    /**
     * Takes one line's place at {@code now}.
     *
     * @return null when the line is to be left out; else what to append to it: "" or, after lines were left
     *     out, " (N more lines of this kind left out)"
     */
    public synchronized String take(long now) {
        if (!bucket.take(now)) {
            leftOut++;
            return null;
        }
        if (leftOut == 0) {
            return "";
        }
        String said = " (" + leftOut + (leftOut == 1 ? " more line" : " more lines") + " of this kind left out)";
        leftOut = 0;
        return said;
    }

    /** {@link Log#info} of {@code line} when the budget has room now, with the count of the lines left out before. */
    public void info(String line) {
        String leftOut = take(System.nanoTime());
        if (leftOut != null) {
            Log.info(line + leftOut);
        }
    }

    /** {@link Log#warn} of {@code line} when the budget has room now, as {@link #info}. */
    public void warn(String line) {
        String leftOut = take(System.nanoTime());
        if (leftOut != null) {
            Log.warn(line + leftOut);
        }
    }
}
