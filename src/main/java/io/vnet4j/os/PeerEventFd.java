package io.vnet4j.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * An eventfd(2) another process gave us: a vhost-user virtqueue's kick (the guest has added buffers) or
 * call (signal the guest). {@link #signal} adds 1 to its counter; {@link #consume} reads and so resets it
 * without waiting; {@link #descriptor} is for an epoll. Owns the descriptor: {@link #close} closes it, when no
 * other thread is in {@link #signal} or {@link #consume} (the caller's lock sees to it).
 */
public final class PeerEventFd implements AutoCloseable {
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment counter = arena.allocate(ValueLayout.JAVA_LONG);
    /** One {@code struct pollfd} of this descriptor, for {@link #consume}'s check without waiting. */
    private final MemorySegment pollFd = arena.allocate(8, 4);
    private volatile boolean closed;

    public PeerEventFd(int fd) {
        this.fd = fd;
        pollFd.set(ValueLayout.JAVA_INT, 0, fd);
        pollFd.set(ValueLayout.JAVA_SHORT, 4, LinuxCalls.POLLIN);
    }

    public int descriptor() {
        return fd;
    }

    /** Adds 1 to the counter: the peer's waiter wakes (a guest's interrupt, through QEMU or KVM's irqfd). */
    public void signal() {
        try {
            Downcall.call(Calls.WRITE, fd, LinuxCalls.EVENTFD_ONE, 8); // fails only for a full counter: nothing to wake
        } catch (Throwable t) {
            // Downcall.call declares Throwable; a write to an eventfd throws nothing
        }
    }

    /**
     * Resets the counter if it is set, without waiting (the descriptor may be blocking: it is polled first).
     *
     * @return the counter as it was: the signals since the last call (kicks: the peer may coalesce several
     *     into one), 0 when it was not set
     */
    public long consume() {
        try {
            if ((int) Downcall.call(Calls.POLL, pollFd.address(), 1, 0) <= 0) {
                return 0;
            }
            return Downcall.call(Calls.READ, fd, counter.address(), 8) == 8 ? counter.get(ValueLayout.JAVA_LONG, 0) : 0;
        } catch (Throwable t) {
            return 0;
        }
    }

    /**
     * Waits up to {@code timeoutMillis} ms for eventfd {@code fd} to be set, without resetting it; with memory
     * of the call's own, so another thread may {@link #close} the object meanwhile (the wait then ends at its
     * time-out). A negative {@code fd} just waits.
     *
     * @return true when it is set
     */
    public static boolean awaitSet(int fd, int timeoutMillis) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment p = call.allocate(8, 4);
            p.set(ValueLayout.JAVA_INT, 0, fd);
            p.set(ValueLayout.JAVA_SHORT, 4, LinuxCalls.POLLIN);
            return (int) Downcall.call(Calls.POLL, p.address(), 1, timeoutMillis) > 0;
        } catch (Throwable t) {
            return false;
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.closeQuietly(fd);
        arena.close();
    }

    /** The calls each frame makes, as constants the JIT inlines (see TapDevice.FrameCalls). */
    private static final class Calls {
        static final MethodHandle READ = LinuxCalls.READ_UNCAPTURED.handle();
        static final MethodHandle WRITE = LinuxCalls.WRITE_UNCAPTURED.handle();
        static final MethodHandle POLL = LinuxCalls.POLL.handle();
    }
}
