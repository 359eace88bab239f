package io.vnet4j.base;

import java.io.IOException;

/** The two chores every closing port repeats: close a resource whatever happens, wait a bounded time for a thread. */
public final class Shutdown {
    /** How long a closing port waits for one of its threads. */
    public static final long JOIN_MILLIS = 2000;

    private Shutdown() {}

    /** Closes {@code resource} (null is fine), ignoring the error a broken resource gives on close. */
    public static void closeQuietly(AutoCloseable resource) {
        if (resource == null) {
            return;
        }
        try {
            resource.close();
        } catch (IOException ignored) {
            // it is being shut down: there is nothing left to tell
        } catch (Exception e) {
            Log.warn("closing " + resource + ": " + e);
        }
    }

    /** Waits up to {@value #JOIN_MILLIS} ms for {@code thread} (null is fine) to end. */
    public static void join(Thread thread) {
        if (thread == null) {
            return;
        }
        try {
            thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
