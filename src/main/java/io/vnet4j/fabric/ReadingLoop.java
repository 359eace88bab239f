package io.vnet4j.fabric;

/**
 * A port whose own loop can also read another port's descriptor for it, so that a frame read there is
 * handled on the same thread, with no hand-off between threads (each costs tens to hundreds of
 * microseconds on a small VM). The user network offers this to a TAP on its hub: slirp4netns and passt,
 * too, read their TAP in the one loop that serves the sockets.
 *
 * <p>A port that lends its reads ({@link #adopt}) starts no reader thread; the loop calls
 * {@link Reader#readWaiting} on its own thread whenever the descriptor is readable. {@link #release} takes
 * the reads back before the port closes its descriptor; when the loop itself stops first it calls
 * {@link Reader#readsReturned}, and the port reads by itself again.
 */
public interface ReadingLoop {

    /** The lending port's side. */
    interface Reader {
        /**
         * Reads and forwards the frames waiting on the descriptor (a bounded number); on the loop's thread.
         *
         * @return false when the descriptor is done (its end, or an error the port has said): the loop stops
         *     reading it, as {@link #release} does, so the port needs no hold of the loop to stop it
         */
        boolean readWaiting();

        /** The loop has stopped and will not call {@link #readWaiting} again: the port must read by itself. */
        void readsReturned();
    }

    /**
     * Asks the loop to read descriptor {@code fd} (non-blocking) for {@code reader}.
     *
     * @return false when it cannot (it is stopped, or waits on a selector that cannot watch descriptors):
     *     the port reads by itself
     */
    boolean adopt(int fd, Reader reader);

    /** Stops reading for {@code reader}; when this returns, {@link Reader#readWaiting} is not called again. */
    void release(Reader reader);

    /**
     * Offers descriptor {@code fd}'s reads to the loops on {@code hub} in turn ({@link #adopt}).
     *
     * @return the loop that took them, or null: the port reads by itself
     */
    static ReadingLoop lend(Hub hub, int fd, Reader reader) {
        for (Port p : hub.ports()) {
            if (p instanceof ReadingLoop loop && loop.adopt(fd, reader)) {
                return loop;
            }
        }
        return null;
    }
}
