package io.vnet4j.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/**
 * A write lock on a whole file that belongs to one open of it: an open file description lock (fcntl(2)
 * {@code F_OFD_SETLK}, Linux 3.15). A process's own lock ({@code F_SETLK}, the JDK's
 * {@link java.nio.channels.FileChannel#tryLock}) ends when any of the process's descriptors of the file closes, and
 * two opens in one process never conflict; this one ends only when its own descriptor closes (or the process ends,
 * however it ends), and a second open in the same process is refused as another process's is. The kernel makes both
 * kinds conflict with each other, so a process taking {@code F_SETLK} on the file is refused too.
 */
public final class OfdLock implements AutoCloseable {
    private static final int F_OFD_GETLK = 36;
    private static final int F_OFD_SETLK = 37;
    private static final int F_WRLCK = 1;
    private static final int F_UNLCK = 2;
    private static final int ENOENT = 2;
    private static final int EAGAIN = 11;
    private static final int EACCES = 13;
    /** struct flock on x86-64 and aarch64: short l_type, short l_whence, off_t l_start, off_t l_len, pid_t l_pid. */
    private static final long FLOCK_SIZE = 32;

    private int fd;

    private OfdLock(int fd) {
        this.fd = fd;
    }

    /**
     * Opens {@code file} (which must exist; read and write) and takes a write lock on all of it (l_whence SEEK_SET,
     * l_start 0, l_len 0).
     *
     * @return the lock, or null when another open of the file holds a lock on it (this process's or another's)
     * @throws IOException when the file cannot be opened, or the lock fails for another reason, with strerror's words
     */
    public static OfdLock tryLock(Path file) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            int fd = LinuxCalls.open(file, LinuxCalls.O_RDWR | LinuxCalls.O_CLOEXEC, call, errno);
            if (fd < 0) {
                throw new IOException(Libc.strerror(Libc.errno(errno)));
            }
            boolean held = false;
            try {
                int rc = (int) Downcall.callVariadic(LinuxCalls.FCNTL.handle(), errno, fd, F_OFD_SETLK,
                        wholeFileWriteLock(call).address());
                if (rc == 0) {
                    held = true;
                    return new OfdLock(fd);
                }
                int why = Libc.errno(errno);
                if (why == EAGAIN || why == EACCES) {
                    return null;
                }
                throw new IOException(Libc.strerror(why));
            } finally {
                if (!held) {
                    Libc.closeQuietly(fd);
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("fcntl F_OFD_SETLK: " + t, t);
        }
    }

    /**
     * Whether a lock that would conflict with a write lock on all of {@code file} is held on it now, by any open of
     * it (this process's or another's; an open file description lock or a process's): fcntl(2) {@code F_OFD_GETLK},
     * which takes nothing. False when there is no such file.
     *
     * @throws IOException when the file cannot be opened, or the query fails, with strerror's words
     */
    public static boolean isLocked(Path file) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            int fd = LinuxCalls.open(file, LinuxCalls.O_RDONLY | LinuxCalls.O_CLOEXEC, call, errno);
            if (fd < 0) {
                int why = Libc.errno(errno);
                if (why == ENOENT) {
                    return false;
                }
                throw new IOException(Libc.strerror(why));
            }
            try {
                MemorySegment flock = wholeFileWriteLock(call);
                int rc = (int) Downcall.callVariadic(LinuxCalls.FCNTL.handle(), errno, fd, F_OFD_GETLK, flock.address());
                if (rc != 0) {
                    throw new IOException(Libc.strerror(Libc.errno(errno)));
                }
                return flock.get(ValueLayout.JAVA_SHORT, 0) != F_UNLCK;
            } finally {
                Libc.closeQuietly(fd);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("fcntl F_OFD_GETLK: " + t, t);
        }
    }

    /** A struct flock for a write lock on all of a file: l_whence SEEK_SET, l_start 0, l_len 0 (to the end), l_pid 0. */
    private static MemorySegment wholeFileWriteLock(Arena call) {
        MemorySegment flock = call.allocate(FLOCK_SIZE, 8); // zeroed
        flock.set(ValueLayout.JAVA_SHORT, 0, (short) F_WRLCK);
        return flock;
    }

    /** Lets the lock go: closes its descriptor. Again does nothing. */
    @Override
    public synchronized void close() {
        if (fd >= 0) {
            Libc.closeQuietly(fd);
            fd = -1;
        }
    }
}
