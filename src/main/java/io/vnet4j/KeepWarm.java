package io.vnet4j;

import io.vnet4j.base.Shutdown;

/**
 * A thread that wakes every {@code interval} ms and does nothing else, so that the process never sits
 * wholly idle for long: the daemons ({@code vnet4j}, {@code vnet4j slirp4netns}) run one.
 *
 * <p>Theory of operation. On a virtual machine whose hypervisor keeps the guest's page tables itself (the
 * development VM: Firecracker with PVM, no EPT; docs/benchmarks.md, twenty-first pass), a process none of
 * whose threads has run for a few hundred milliseconds pays on its next wake-up, in the hypervisor, a time
 * that grows with the memory it maps: 0.1-0.4 ms for a Python process mapping 13 MB, 0.6-1.3 ms for one
 * mapping 93 MB, 0.4-1 ms for the daemon; measured as the time from the waker's write to the sleeper's
 * return, and in the daemon as the span from the kernel's return from {@code epoll_wait} to the next
 * system call. A thread of the same process that ran within the last 50-250 ms takes most of it away
 * (one of another process does not): quiet pings at 1/s went from 0.72 to 0.45 ms on average, though runs
 * of slow pings remain (docs/benchmarks.md). A quiet network is exactly such a process: its one ping a
 * second, or the first packet of an SSH keystroke, found it idle and paid that time on its round trip.
 * The JVM's own monitor-deflation thread wakes every 250 ms by default, which is why a bare JVM woke fast;
 * the launcher turns that one off ({@code -XX:AsyncDeflationInterval=0}) and this thread takes its place
 * on a period the daemon names.
 *
 * <p>Cost: {@code 1000 / interval} wake-ups a second; at 200 ms, 5 a second and about 0.1% of a core more
 * on the development VM. Where the hypervisor does not keep the page tables (EPT, NPT, bare metal) it
 * should gain nothing, at about the same cost (not measured: no such machine here); {@code --keep-warm 0}
 * turns it off.
 */
public final class KeepWarm implements AutoCloseable {
    /** The daemons' default period in ms: below the 250-500 ms after which the quiet ping slowed (measured). */
    public static final int DEFAULT_INTERVAL_MILLIS = 200;

    private final Thread thread;

    private KeepWarm(Thread thread) {
        this.thread = thread;
    }

    /**
     * Starts the thread (a daemon thread, "vnet4j-keep-warm").
     *
     * @param intervalMillis the period in ms; 0 starts nothing (the returned object's {@link #close} does nothing)
     * @throws IllegalArgumentException when {@code intervalMillis} is negative
     */
    public static KeepWarm start(long intervalMillis) {
        if (intervalMillis < 0) {
            throw new IllegalArgumentException("keep-warm interval " + intervalMillis + " ms: must be 0 (off) or more");
        }
        if (intervalMillis == 0) {
            return new KeepWarm(null);
        }
        return new KeepWarm(Thread.ofPlatform().daemon().name("vnet4j-keep-warm").start(() -> {
            try {
                while (true) {
                    Thread.sleep(intervalMillis);
                }
            } catch (InterruptedException stopped) {
                // close(): end
            }
        }));
    }

    /** Whether the thread runs (false when started with 0, and after {@link #close}). */
    public boolean running() {
        return thread != null && thread.isAlive();
    }

    /** Stops the thread and waits for it to end. */
    @Override
    public void close() {
        if (thread != null) {
            thread.interrupt();
            Shutdown.join(thread);
        }
    }
}
