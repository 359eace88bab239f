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
        /** Reads and forwards the frames waiting on the descriptor (a bounded number); on the loop's thread. */
        void readWaiting();

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
}
