package io.vnet4j.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * setsockopt(2) of an int, with its native int and errno state made once and reused by every call, so a call
 * allocates nothing: what {@link UnicastHops} and {@link DontFragment} set per datagram when a guest's value changes.
 * One thread at a time.
 */
final class IntSocketOption implements AutoCloseable {
    private final Arena arena = Arena.ofShared();
    private final MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
    private final MemorySegment errnoState = Libc.errnoState(arena);

    /** @return 0, else the errno */
    int set(int fd, int level, int name, int option) {
        value.set(ValueLayout.JAVA_INT, 0, option);
        try {
            int rc = (int) Downcall.call(Libc.SETSOCKOPT.handle(), errnoState, fd, level, name, value.address(), 4);
            return rc == 0 ? 0 : Libc.errno(errnoState);
        } catch (Throwable t) {
            throw new IllegalStateException("setsockopt: " + t, t);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
