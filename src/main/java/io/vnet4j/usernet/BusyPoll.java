package io.vnet4j.usernet;

/**
 * How long a user network's loop goes on polling, without sleeping, after it last had work: {@code vnet4j
 * --busy-poll}, in microseconds, as Linux's {@code net.core.busy_poll} and {@code SO_BUSY_POLL} are. One
 * setting for every user network of the process; 0 turns the polling off.
 *
 * <p>Theory of operation. A request and its answer cross the loop twice: the guest's request goes out to a
 * host socket, and the loop waits in epoll_wait for the answer, which comes tens of microseconds later; then
 * it waits for the guest's next request. Going to sleep in that wait and being woken from it is where much
 * of a round trip's time went on the development VM: per 1-byte transaction ({@code bench/rr-cost.sh}) the loop's
 * thread was switched in about 1.7 times without polling against 0.06 with, and used about the same CPU time
 * (45-60 µs; a new user's trial measured a quarter to a third more with it); transactions a second rose by
 * 20 to 70% ({@code bench/ab-builds.sh}, docs/benchmarks.md, twenty-third pass).
 * So, for up to the window after the loop last had work (a frame, a task, a ready socket), it polls its
 * epoll without waiting ({@code epoll_wait} with a zero time-out) and gives the CPU to any other runnable
 * thread between two polls ({@code sched_yield}, {@link Thread#yield}): on a machine with few cores the
 * process that will answer (the guest's or the host's) may be waiting for this very CPU. An idle network
 * does not poll at all, as the window opens only with work. The cost is up to the window's CPU time per
 * burst of work: nothing to see at a ping a second, and with the largest window, at 500 pings a second,
 * about half a core (48% against 1.6% without, the trial above).
 */
public final class BusyPoll {
    /** The window without {@code --busy-poll}, in microseconds. */
    public static final int DEFAULT_MICROS = 50;
    /** The largest window {@code --busy-poll} takes, in microseconds: past it the polling only burns a core. */
    public static final int MAX_MICROS = 1000;

    private static volatile long windowNanos = DEFAULT_MICROS * 1_000L;

    private BusyPoll() {}

    /**
     * Sets the window of every user network's loop, from its next wait on.
     *
     * @param micros 0 (never poll) to {@value #MAX_MICROS}
     * @throws IllegalArgumentException outside that range
     */
    public static void setMicros(int micros) {
        if (micros < 0 || micros > MAX_MICROS) {
            throw new IllegalArgumentException("busy-poll window " + micros + " us: expected 0 to " + MAX_MICROS);
        }
        windowNanos = micros * 1_000L;
    }

    /** The window in nanoseconds. */
    static long windowNanos() {
        return windowNanos;
    }

    /** The window for a log line: "busy poll 50 us (--busy-poll)", or "no busy poll (--busy-poll 0)". */
    static String describe() {
        long micros = windowNanos / 1_000;
        return micros == 0 ? "no busy poll (--busy-poll 0)" : "busy poll " + micros + " us (--busy-poll)";
    }
}
