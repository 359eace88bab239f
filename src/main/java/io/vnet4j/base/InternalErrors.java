package io.vnet4j.base;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Exceptions that reached a loop which must go on (a user network's, a hub's): each is a bug, so it is
 * said with where it was thrown and how many came so far, the first {@value #SAID} and then at most one
 * every {@value #QUIET_SECONDS} s, so that one repeated at every frame cannot flood the log; the caller
 * drops what it was doing (a frame, a pass) and goes on, as after bad input. Any thread.
 */
public final class InternalErrors {
    static final int SAID = 10;
    static final long QUIET_SECONDS = 10;

    private final String who;
    private final AtomicLong count = new AtomicLong();
    /** When the last line was said (System.nanoTime). */
    private final AtomicLong lastSaid = new AtomicLong();

    /** @param who what the log lines begin with (a netdev's id) */
    public InternalErrors(String who) {
        this.who = who;
    }

    /** How many were recorded. */
    public long count() {
        return count.get();
    }

    /** Counts {@code e} and says it, if its turn: "WHO: WHAT on an internal error (N so far): E at FRAME". */
    public void record(String what, RuntimeException e) {
        long n = count.incrementAndGet();
        long now = System.nanoTime();
        long last = lastSaid.get();
        if ((n <= SAID || now - last >= TimeUnit.SECONDS.toNanos(QUIET_SECONDS)) && lastSaid.compareAndSet(last, now)) {
            String where = Arrays.stream(e.getStackTrace())
                    .filter(f -> f.getClassName().startsWith("io.vnet4j."))
                    .findFirst().map(f -> " at " + f).orElse("");
            Log.warn(who + ": " + what + " on an internal error (" + n + " so far): " + e + where);
        }
    }
}
