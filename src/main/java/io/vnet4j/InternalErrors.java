package io.vnet4j;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Exceptions that reached a loop which must go on (a user network's, a port's reader): each is a bug, so it
 * is said with where it was thrown, the first {@value #SAID} times and then every {@value #SAID_EVERY}th so
 * that one repeated at every frame cannot flood the log, and counted; the caller drops what it was doing (a
 * frame, a pass) and goes on, as after bad input. Any thread.
 */
public final class InternalErrors {
    static final int SAID = 10;
    static final int SAID_EVERY = 1000;

    private final String who;
    private final AtomicLong count = new AtomicLong();

    /** @param who what the log lines begin with (a netdev's id) */
    public InternalErrors(String who) {
        this.who = who;
    }

    /** Counts {@code e} and says it, if its turn: "WHO: WHAT on an internal error (N so far): E at FRAME". */
    public void record(String what, RuntimeException e) {
        long n = count.incrementAndGet();
        if (n <= SAID || n % SAID_EVERY == 0) {
            String where = Arrays.stream(e.getStackTrace())
                    .filter(f -> f.getClassName().startsWith("io.vnet4j."))
                    .findFirst().map(f -> " at " + f).orElse("");
            Log.warn(who + ": " + what + " on an internal error (" + n + " so far): " + e + where);
        }
    }

    /** How many were recorded. */
    public long count() {
        return count.get();
    }
}
