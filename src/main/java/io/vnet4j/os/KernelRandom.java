package io.vnet4j.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.random.RandomGenerator;

/**
 * Random numbers from the kernel, getrandom(2) without flags (its urandom source, which waits only until
 * the kernel's pool is first initialised at boot): for a secret key (the TCP initial sequence numbers') and
 * unpredictable timing (NDP's delays). Unlike {@link java.security.SecureRandom}, whose first construction
 * loads the security providers (22-28 ms of a daemon's start, measured with the AOT cache), it costs a
 * system call per draw, and there are few. Thread-safe.
 */
public final class KernelRandom implements RandomGenerator {
    private static final Downcall GETRANDOM = Downcall.captured("getrandom");
    /**
     * getrandom(2) returns fewer bytes than asked, or fails with EINTR, only when a signal comes while it
     * waits for the pool at boot; it is asked again that often before this gives up.
     */
    private static final int TRIES = 100;

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment word = arena.allocate(ValueLayout.JAVA_LONG);
    private final MemorySegment errno = Libc.errnoState(arena);

    /**
     * Eight bytes from the kernel.
     *
     * @throws IllegalStateException when the kernel has no getrandom(2) (before Linux 3.17) or it keeps failing
     */
    @Override
    public synchronized long nextLong() {
        for (int i = 0; i < TRIES; i++) {
            long n;
            try {
                n = Downcall.call(GETRANDOM.handle(), errno, word.address(), Long.BYTES, 0);
            } catch (Throwable t) {
                throw new IllegalStateException("getrandom: " + t, t);
            }
            if (n == Long.BYTES) {
                return word.get(ValueLayout.JAVA_LONG, 0);
            }
            if (n < 0 && Libc.errno(errno) != Libc.EINTR) {
                throw new IllegalStateException("getrandom: " + Libc.strerror(Libc.errno(errno)));
            }
        }
        throw new IllegalStateException("getrandom: interrupted " + TRIES + " times");
    }
}
