package io.vnet4j.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs work inside another network namespace: on a new platform thread that enters the namespace with
 * {@code setns(fd, CLONE_NEWNET)} and ends afterwards (setns acts on the calling OS thread only, so no other
 * thread of the JVM ever runs in the namespace; virtual threads must never do this).
 */
public final class NetworkNamespace {
    private NetworkNamespace() {}

    /**
     * setns was refused (EPERM): the namespace belongs to a user namespace in which this process lacks
     * CAP_SYS_ADMIN, as an unprivileged user's {@code unshare -rn} or a rootless container's namespace is
     * ({@link UserNamespaceTap} goes there through its user namespace instead).
     */
    public static final class AccessDenied extends IOException {
        AccessDenied(String message) {
            super(message);
        }
    }

    /** Work that runs inside the namespace. */
    @FunctionalInterface
    public interface Task<T> {
        T call() throws IOException;
    }

    /** Runs {@code task} inside the namespace at {@code path} ({@code /run/netns/NAME} or {@code /proc/PID/ns/net}). */
    public static <T> T call(Path path, Task<T> task) throws IOException {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread thread = Thread.ofPlatform().name("vnet4j-netns").start(() -> {
            try {
                enter(path);
                result.set(task.call());
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while working in " + path, e);
        }
        Throwable t = failure.get();
        if (t instanceof IOException io) {
            throw io;
        }
        if (t != null) {
            throw new IOException(path + ": " + t, t);
        }
        return result.get();
    }

    /** A namespace file's kind, as {@link #kindOf} tells it. */
    public enum Kind {
        NETWORK, USER, OTHER_NAMESPACE, NOT_A_NAMESPACE
    }

    /**
     * What kind of namespace the file at {@code path} is, by ioctl(NS_GET_NSTYPE) (ioctl_ns(2)), without
     * entering it: no privilege is needed beyond opening the file. Only a regular file is opened (nsfs's are).
     *
     * @throws IOException when the file cannot be opened (the message names it and says why)
     */
    public static Kind kindOf(Path path) throws IOException {
        if (!java.nio.file.Files.isRegularFile(path)) {
            return Kind.NOT_A_NAMESPACE; // nsfs files are regular; a FIFO or a device is never opened (it could block)
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            int fd = openReadOnly(path, call, errno, "cannot open ");
            int type = (int) Downcall.callVariadic(LinuxCalls.IOCTL.handle(), errno, fd, LinuxCalls.NS_GET_NSTYPE, 0);
            Libc.closeQuietly(fd);
            return type == LinuxCalls.CLONE_NEWNET ? Kind.NETWORK
                    : type == LinuxCalls.CLONE_NEWUSER ? Kind.USER
                    : type > 0 ? Kind.OTHER_NAMESPACE : Kind.NOT_A_NAMESPACE;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("ioctl NS_GET_NSTYPE " + path + ": " + t, t);
        }
    }

    /** open(path, O_RDONLY | O_CLOEXEC); a failure is an IOException of {@code failure}, the path and why. */
    private static int openReadOnly(Path path, Arena call, MemorySegment errno, String failure) throws Throwable {
        int fd = LinuxCalls.open(path, LinuxCalls.O_RDONLY | LinuxCalls.O_CLOEXEC, call, errno);
        if (fd < 0) {
            throw new IOException(failure + path + ": " + Libc.strerror(Libc.errno(errno)));
        }
        return fd;
    }

    /** setns(2)'s answer for a file that is not a namespace of the asked type. */
    private static final int EINVAL = 22;
    private static final int EPERM = 1;

    private static void enter(Path path) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            int fd = openReadOnly(path, call, errno, "cannot open the network namespace ");
            int rc = (int) Downcall.call(LinuxCalls.SETNS.handle(), errno, fd, LinuxCalls.CLONE_NEWNET);
            int setnsErrno = Libc.errno(errno);
            Downcall.call(Libc.CLOSE.handle(), errno, fd);
            if (rc != 0 && setnsErrno == EPERM) {
                throw new AccessDenied("cannot enter the network namespace " + path + ": " + Libc.strerror(setnsErrno)
                        + " (needs CAP_SYS_ADMIN in the namespace's user namespace)");
            }
            if (rc != 0) {
                throw new IOException("cannot enter the network namespace " + path + ": " + Libc.strerror(setnsErrno)
                        + (setnsErrno == 1 ? " (needs CAP_SYS_ADMIN in the namespace's user namespace)"
                        : setnsErrno == EINVAL ? " (not a network namespace: expected /run/netns/NAME or /proc/PID/ns/net)"
                        : ""));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("setns " + path + ": " + t, t);
        }
    }
}
