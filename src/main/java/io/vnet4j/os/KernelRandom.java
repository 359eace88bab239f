package io.vnet4j.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.random.RandomGenerator;

/**
 * Random numbers from the kernel, getrandom(2) without flags (its urandom source, which waits only until
 * the kernel's pool is first initialised at boot): for a secret key (the TCP initial sequence numbers') and
 * unpredictable timing (NDP's delays), as passt draws its keys. Unlike {@link java.security.SecureRandom},
 * whose first construction loads the security providers (22-28 ms of a daemon's start, measured with the
 * AOT cache), it costs a system call per draw, and there are few. Thread-safe.
 */
public final class KernelRandom implements RandomGenerator {
    private static final Downcall GETRANDOM = Downcall.uncaptured("getrandom");
    /** getrandom(2): a read of up to 256 bytes from the urandom source is not interrupted once the pool is ready. */
    private static final int EINTR_TRIES = 100;

    private final MemorySegment word = Arena.ofAuto().allocate(ValueLayout.JAVA_LONG);

    /**
     * Eight bytes from the kernel.
     *
     * @throws IllegalStateException when the kernel has no getrandom(2) (before Linux 3.17) or it keeps failing
     */
    @Override
    public synchronized long nextLong() {
        int errno = 0;
        for (int i = 0; i < EINTR_TRIES; i++) {
            try {
                if (Downcall.call(GETRANDOM.handle(), word.address(), Long.BYTES, 0) == Long.BYTES) {
                    return word.get(ValueLayout.JAVA_LONG, 0);
                }
            } catch (Throwable t) {
                throw new IllegalStateException("getrandom: " + t, t);
            }
            errno = LastErrno.read();
            if (errno != Libc.EINTR) {
                break;
            }
        }
        throw new IllegalStateException("getrandom: " + Libc.strerror(errno));
    }
}
