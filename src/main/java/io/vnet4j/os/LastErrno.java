package io.vnet4j.os;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * errno after a call bound without {@code captureCallState}: the calls every frame makes. The classes that
 * hold such calls call {@link #bind} when they are initialised.
 *
 * <p>Theory of operation. JDK 25's {@code captureCallState} slices the caller's capture segment at every
 * call ({@code SharedUtils.checkCaptureSegment}): a 40-byte object, which C2's escape analysis removes in
 * a small method but not inlined into the user network's loop, where every TAP read and write and every
 * {@code epoll_wait} allocated one (JFR's allocation samples, 2026-12-01): a young collection about once a
 * second under request/response or a download, each touching the whole young generation. So the per-frame
 * calls are bound without the capture ({@link Downcall#uncaptured}) and allocate nothing, and after one
 * fails, {@link #read} reads errno where libc keeps it ({@code __errno_location}, errno(3)).
 *
 * <p>Nothing runs on the thread between the failed call and the read of errno unless the JVM stops it as
 * that call or {@code __errno_location} returns (a safepoint or handshake, whose futex waits may set errno)
 * or links a call site on its first run. So
 * callers take a value they expect (EAGAIN, EINTR) as read, as a wrong one costs no more than one more
 * wait or try, and confirm any other by repeating the call with the capture, whose errno is exact: a
 * repeated read or send is one the first did not do. A blocking datagram receive takes any value as read
 * (its repeat would wait for the next datagram), as does a send for a value other than 0: a wrong one
 * names another reason for a datagram that failed either way.
 */
final class LastErrno {
    /** {@code int *__errno_location(void)}, the pointer as its address. */
    private static final MethodHandle ERRNO_LOCATION = Downcall.uncaptured("__errno_location").handle();
    /** All of the address space, to read an int at an address without making a segment for it. */
    private static final MemorySegment EVERYWHERE = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private LastErrno() {}

    /**
     * Binds {@code __errno_location} and links {@link #read}'s call of it, both of which run the JVM's own
     * code: the classes of the per-frame calls do it when they are bound, before any of their calls fails.
     */
    static void bind() {
        read();
    }

    /** This thread's errno now; 0 if it cannot be read, which callers confirm like any unexpected value. */
    static int read() {
        try {
            return EVERYWHERE.get(ValueLayout.JAVA_INT, Downcall.call(ERRNO_LOCATION));
        } catch (Throwable t) {
            return 0;
        }
    }
}
