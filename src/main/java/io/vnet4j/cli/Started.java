package io.vnet4j.cli;

import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What the daemon's start has opened so far (the control server, the network, the HTTP console, the
 * KeepWarm thread), closed by one JVM shutdown hook (SIGTERM, SIGINT) registered before the first of them
 * opens, or by the control socket's {@code quit} ({@link #stop}): with the hook registered after the start, a
 * SIGTERM 0.2-0.45 s after launch left the control
 * socket's file behind. A start under way when the signal comes is waited for (at most
 * {@link #START_WAIT_SECONDS} s), so that what it opens is closed too; anything opened after the closing
 * began is closed at once.
 *
 * <p>Closing order: the control server first (no request reaches a network that is closing), then the rest
 * in the reverse order of opening.
 */
final class Started {
    static final long START_WAIT_SECONDS = 10;

    private final CountDownLatch startEnded = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final List<AutoCloseable> open = new ArrayList<>();
    private AutoCloseable control;
    private boolean closing;
    /** A shutdown began (its hook runs): nothing more is announced. */
    private boolean stopping;

    /** Registers the shutdown hook; call before opening anything. */
    static Started withShutdownHook() {
        Started started = new Started();
        Runtime.getRuntime().addShutdownHook(new Thread(started::onShutdown, "vnet4j-shutdown"));
        return started;
    }

    /** The control server, once bound; null (--control none) is ignored. */
    void control(AutoCloseable server) {
        keep(server, true);
    }

    /** Anything else the start opened; null is ignored. */
    void add(AutoCloseable resource) {
        keep(resource, false);
    }

    private synchronized void keep(AutoCloseable resource, boolean isControl) {
        if (resource == null) {
            return;
        }
        if (closing) {
            Shutdown.closeQuietly(resource);
        } else if (isControl) {
            control = resource;
        } else {
            open.add(resource);
        }
    }

    /** The start is over, as a success: a shutdown now closes without waiting. */
    void startEnded() {
        startEnded.countDown();
    }

    /** A failed start: closes what it opened and lets a shutdown hook that waits go on. */
    void closeAll() {
        closeOpen();
        startEnded.countDown();
    }

    /**
     * Runs {@code announce} unless a shutdown began: under the lock the hook takes first, so the start's last
     * lines come wholly before "stopping" or not at all.
     */
    synchronized void ifNotStopping(Runnable announce) {
        if (!stopping && !closing) {
            announce.run();
        }
    }

    /**
     * A stop asked for from the control socket ({@code quit}): closes everything as the shutdown hook would, then
     * lets {@link #awaitClosed} return, so that the daemon exits with 0. During the start, what the start opens
     * after this is closed at once, and its last lines ("ready") are not said.
     */
    void stop() {
        synchronized (this) {
            stopping = true;
        }
        closeOpen();
        closed.countDown();
    }

    /** Waits until a shutdown or {@link #stop} has closed everything. */
    void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /** The shutdown hook's: as {@link #stop}, once the start has ended (or {@value #START_WAIT_SECONDS} s passed). */
    private void onShutdown() {
        synchronized (this) {
            stopping = true;
        }
        try {
            startEnded.await(START_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop();
    }

    private void closeOpen() {
        List<AutoCloseable> order = new ArrayList<>();
        synchronized (this) {
            closing = true;
            if (control != null) {
                order.add(control);
                control = null;
            }
            for (int i = open.size() - 1; i >= 0; i--) {
                order.add(open.get(i));
            }
            open.clear();
        }
        if (!order.isEmpty()) {
            Log.info("stopping");
        }
        order.forEach(Shutdown::closeQuietly);
    }
}
