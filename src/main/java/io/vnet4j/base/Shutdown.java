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

    /**
     * Waits up to {@value #JOIN_MILLIS} ms for {@code thread} (null is fine) to end.
     *
     * @return true when it ended (or was null); false when it still runs, and may still be inside a native
     *     call on memory its owner must then not free (the os package's calls pass addresses, which nothing
     *     checks; {@link #leftRunning} says so)
     */
    public static boolean join(Thread thread) {
        if (thread == null) {
            return true;
        }
        try {
            thread.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /**
     * Logs that {@code what}'s native memory (and descriptors) are kept until the process ends, because a
     * thread that uses them did not stop within {@value #JOIN_MILLIS} ms: freeing memory that a thread may
     * still pass to the kernel could let the kernel write into whatever takes its place.
     */
    public static void leftRunning(String what) {
        Log.warn(what + ": a thread did not stop within " + JOIN_MILLIS + " ms; its native memory and "
                + "descriptors are kept until the process ends");
    }
}
