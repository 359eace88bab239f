package io.vnet4j.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * An epoll(7) instance with an eventfd(2) to wake its waiter, through java.lang.foreign. Unlike a JDK
 * selector, whose registrations and interest changes take effect only in its next {@code select} (so a
 * thread that registers must wake the selecting thread), {@code epoll_ctl} applies at once from any thread,
 * also while another thread waits in {@code epoll_wait}: a host socket opened for a guest's SYN on the TAP's
 * thread needs no wake-up of the loop that will read it.
 *
 * <p>Threads: one thread {@link #await}s and reads {@link #events}/{@link #data}; {@link #add},
 * {@link #modify} and {@link #delete} may run on other threads but not at the same time as each other (they
 * share one native event; the caller serialises them, as the user network's lock does); {@link #wake} runs
 * on any thread.
 *
 * <p>{@code struct epoll_event} is {@code {uint32_t events; epoll_data_t data;}}, packed on x86-64 (12 bytes,
 * the data at offset 4) and naturally aligned elsewhere (16 bytes, at offset 8): glibc's sys/epoll.h,
 * {@code __EPOLL_PACKED}.
 */
public final class Epoll implements AutoCloseable {
    /** epoll_ctl(2) event bits. */
    public static final int EPOLLIN = 0x001;
    public static final int EPOLLOUT = 0x004;
    public static final int EPOLLERR = 0x008;
    public static final int EPOLLHUP = 0x010;
    /** The {@link #data} of the wake-up eventfd's events: never a caller's. */
    public static final long WAKE_DATA = -1L;
    /** The most events one {@link #await} returns; more stay ready for the next (epoll is level-triggered). */
    public static final int MAX_EVENTS = 256;

    private static final int EPOLL_CLOEXEC = 0x80000;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CTL_MOD = 3;
    private static final int ENOENT = 2;
    private static final int EBADF = 9;
    private static final boolean PACKED = "amd64".equals(System.getProperty("os.arch"))
            || "x86_64".equals(System.getProperty("os.arch"));
    static final int EVENT_SIZE = PACKED ? 12 : 16;
    private static final int DATA_OFFSET = PACKED ? 4 : 8;

    private final Arena arena = Arena.ofShared();
    private final int epfd;
    private final int wakeFd;
    /** The events {@link #await} fills; read by its thread only. */
    private final MemorySegment ready;
    private final long readyAddress;
    /** errno of a wait repeated with the capture, to confirm an unexpected one (LastErrno). */
    private final MemorySegment waitErrno;
    /** The one event {@link #add}/{@link #modify} pass, and their errno. */
    private final MemorySegment control;
    private final long controlAddress;
    private final MemorySegment controlErrno;
    /** The 8-byte counter read from the eventfd (its waker writes {@link LinuxCalls#EVENTFD_ONE}). */
    private final MemorySegment drained;
    private volatile boolean closed;

    private Epoll(int epfd, int wakeFd) {
        this.epfd = epfd;
        this.wakeFd = wakeFd;
        this.ready = arena.allocate((long) EVENT_SIZE * MAX_EVENTS, 8);
        this.readyAddress = ready.address();
        this.waitErrno = Libc.errnoState(arena);
        this.control = arena.allocate(16, 8);
        this.controlAddress = control.address();
        this.controlErrno = Libc.errnoState(arena);
        this.drained = arena.allocate(ValueLayout.JAVA_LONG);
    }

    /**
     * A new epoll instance and its wake-up eventfd (both close-on-exec).
     *
     * @throws IOException when the kernel refuses either (descriptor limit)
     */
    public static Epoll open() throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            int epfd = (int) Downcall.call(Calls.EPOLL_CREATE1.handle(), errno, EPOLL_CLOEXEC);
            if (epfd < 0) {
                throw NativeDatagramSocket.failure("epoll_create1", Libc.errno(errno));
            }
            int wakeFd = (int) Downcall.call(LinuxCalls.EVENTFD.handle(), errno, 0,
                    LinuxCalls.EFD_NONBLOCK | LinuxCalls.EFD_CLOEXEC);
            if (wakeFd < 0) {
                int e = Libc.errno(errno);
                Downcall.call(Libc.CLOSE.handle(), errno, epfd);
                throw NativeDatagramSocket.failure("eventfd", e);
            }
            Epoll epoll = new Epoll(epfd, wakeFd);
            epoll.add(wakeFd, EPOLLIN, WAKE_DATA);
            return epoll;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("epoll: " + t, t);
        }
    }

    /** Watches {@code fd} for {@code events} (EPOLLIN, EPOLLOUT); {@code data} comes back with its events. */
    public void add(int fd, int events, long data) throws IOException {
        control(EPOLL_CTL_ADD, fd, events, data);
    }

    /** Changes what {@code fd}, already added, is watched for, and its data. */
    public void modify(int fd, int events, long data) throws IOException {
        control(EPOLL_CTL_MOD, fd, events, data);
    }

    /** Stops watching {@code fd}; one not watched (or already closed) is no error. */
    public void delete(int fd) throws IOException {
        try {
            int r = (int) Downcall.call(Calls.EPOLL_CTL, epfd, EPOLL_CTL_DEL, fd, controlAddress);
            if (r != 0) { // a failure changed nothing: repeated with the capture for its errno
                r = (int) Downcall.call(Calls.EPOLL_CTL_CAPTURED.handle(), controlErrno, epfd, EPOLL_CTL_DEL, fd,
                        controlAddress);
            }
            int e = r == 0 ? 0 : Libc.errno(controlErrno);
            if (r != 0 && e != ENOENT && e != EBADF) {
                throw NativeDatagramSocket.failure("epoll_ctl(EPOLL_CTL_DEL, " + fd + ")", e);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("epoll_ctl: " + t, t);
        }
    }

    private void control(int op, int fd, int events, long data) throws IOException {
        control.set(ValueLayout.JAVA_INT, 0, events);
        control.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFFSET, data);
        try {
            // a failure changed nothing: repeated with the capture for its errno
            if ((int) Downcall.call(Calls.EPOLL_CTL, epfd, op, fd, controlAddress) != 0
                    && (int) Downcall.call(Calls.EPOLL_CTL_CAPTURED.handle(), controlErrno, epfd, op, fd,
                            controlAddress) != 0) {
                throw NativeDatagramSocket.failure("epoll_ctl(" + (op == EPOLL_CTL_ADD ? "EPOLL_CTL_ADD" : "EPOLL_CTL_MOD")
                        + ", " + fd + ")", Libc.errno(controlErrno));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("epoll_ctl: " + t, t);
        }
    }

    /**
     * Waits until a watched descriptor is ready, {@link #wake} is called or {@code timeoutMillis} ms pass
     * (0: do not wait; -1: no limit). A wake-up is consumed here and reported as an event with
     * {@link #WAKE_DATA}.
     *
     * @return how many events {@link #events} and {@link #data} now hold (0 on a time-out or a signal)
     */
    public int await(int timeoutMillis) throws IOException {
        int n;
        try {
            n = (int) Downcall.call(Calls.EPOLL_WAIT, epfd, readyAddress, MAX_EVENTS, timeoutMillis);
            if (n < 0 && LastErrno.read() != Libc.EINTR) {
                // confirmed with the capture, without waiting again: a failure, or EINTR that the JVM overwrote
                n = (int) Downcall.call(Calls.EPOLL_WAIT_CAPTURED.handle(), waitErrno, epfd, readyAddress, MAX_EVENTS, 0);
                if (n < 0 && Libc.errno(waitErrno) != Libc.EINTR) {
                    throw NativeDatagramSocket.failure("epoll_wait", Libc.errno(waitErrno));
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("epoll_wait: " + t, t);
        }
        if (n < 0) {
            return 0; // EINTR: a signal
        }
        for (int i = 0; i < n; i++) {
            if (data(i) == WAKE_DATA) {
                drainWake();
            }
        }
        return n;
    }

    /** The event bits of the {@code i}th event of the last {@link #await}. */
    public int events(int i) {
        return ready.get(ValueLayout.JAVA_INT, (long) i * EVENT_SIZE);
    }

    /** The data of the {@code i}th event of the last {@link #await}, as given to {@link #add}. */
    public long data(int i) {
        return ready.get(ValueLayout.JAVA_LONG_UNALIGNED, (long) i * EVENT_SIZE + DATA_OFFSET);
    }

    /** Makes the waiting (or the next) {@link #await} return; any thread. */
    public void wake() {
        if (closed) {
            return;
        }
        try {
            // -1 only for a full counter (2^64 - 2 wakes unread) or a descriptor closed meanwhile: nothing to wake
            Downcall.call(Calls.WRITE, wakeFd, LinuxCalls.EVENTFD_ONE, 8);
        } catch (Throwable t) {
            // Downcall.call declares Throwable; a write to an eventfd throws nothing
        }
    }

    private void drainWake() {
        try {
            Downcall.call(Calls.READ, wakeFd, drained.address(), 8); // -1 (EAGAIN): already drained
        } catch (Throwable t) {
            // Downcall.call declares Throwable; a read of an eventfd throws nothing
        }
    }

    /** Closes the instance and the eventfd; no thread may use it afterwards. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.closeQuietly(wakeFd);
        Libc.closeQuietly(epfd);
        arena.close();
    }

    /**
     * The libc calls; those of every wait and every registration as constants the JIT inlines (see
     * TapDevice.FrameCalls), bound when the first epoll is made; those without errno captured (LastErrno),
     * and a failed epoll_ctl, which changed nothing, repeated with the capture for its errno.
     */
    private static final class Calls {
        static final Downcall EPOLL_CREATE1 = Downcall.captured("epoll_create1");
        static final MethodHandle EPOLL_CTL = Downcall.uncaptured("epoll_ctl").handle();
        static final Downcall EPOLL_CTL_CAPTURED = Downcall.captured("epoll_ctl");
        static final MethodHandle EPOLL_WAIT = Downcall.uncaptured("epoll_wait").handle();
        static final Downcall EPOLL_WAIT_CAPTURED = Downcall.captured("epoll_wait");
        static final MethodHandle READ = LinuxCalls.READ_UNCAPTURED.handle();
        static final MethodHandle WRITE = LinuxCalls.WRITE_UNCAPTURED.handle();

        static {
            LastErrno.bind();
        }
    }
}
