package io.vnet4j.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.SelectableChannel;

/**
 * A shell command run with a socket as its standard input, output and error, as libslirp's {@code fork_exec}
 * runs QEMU's {@code guestfwd=...-cmd:} and {@code smb=} commands (slirp/src/misc.c: the three descriptors
 * are one end of a TCP socket pair). A pipe does not do for every program: smbd serves one connection from
 * standard input only when it is a socket of an internet family (else it becomes a daemon, or stops at
 * "get_remote_hostname failed").
 *
 * <p>posix_spawn(3), not the JDK's ProcessBuilder, which can hand a child pipes and files only. The child gets
 * the default disposition of every signal and an empty signal mask (the JVM's threads block some), and no
 * descriptor of this process but the socket (posix_spawn_file_actions_addclosefrom_np, glibc 2.34): a TAP's
 * or a listener's must not outlive the daemon in a long-running command. Its exit is reaped when the JDK
 * sees it ({@link ProcessHandle#onExit}, which leaves the zombie) by waitpid(2).
 */
public final class SocketCommand {
    private static final Downcall SPAWN = Downcall.uncaptured("posix_spawn");
    private static final Downcall ACTIONS_INIT = Downcall.uncaptured("posix_spawn_file_actions_init");
    private static final Downcall ACTIONS_DUP2 = Downcall.uncaptured("posix_spawn_file_actions_adddup2");
    private static final Downcall ACTIONS_CLOSEFROM = Downcall.uncaptured("posix_spawn_file_actions_addclosefrom_np");
    private static final Downcall ACTIONS_DESTROY = Downcall.uncaptured("posix_spawn_file_actions_destroy");
    private static final Downcall ATTR_INIT = Downcall.uncaptured("posix_spawnattr_init");
    private static final Downcall ATTR_FLAGS = Downcall.uncaptured("posix_spawnattr_setflags");
    private static final Downcall ATTR_SIGMASK = Downcall.uncaptured("posix_spawnattr_setsigmask");
    private static final Downcall ATTR_SIGDEFAULT = Downcall.uncaptured("posix_spawnattr_setsigdefault");
    private static final Downcall ATTR_DESTROY = Downcall.uncaptured("posix_spawnattr_destroy");
    private static final Downcall SIGEMPTYSET = Downcall.uncaptured("sigemptyset");
    private static final Downcall SIGFILLSET = Downcall.uncaptured("sigfillset");
    private static final Downcall WAITPID = Downcall.uncaptured("waitpid");
    private static final Downcall KILL = Downcall.uncaptured("kill");
    /** spawn.h: POSIX_SPAWN_SETSIGDEF, POSIX_SPAWN_SETSIGMASK, POSIX_SPAWN_SETSID (glibc 2.26). */
    private static final short SETSIGDEF = 0x04;
    private static final short SETSIGMASK = 0x08;
    private static final short SETSID = 0x80;
    private static final int WNOHANG = 1;
    private static final int SIGTERM = 15;
    /** Room for glibc's posix_spawn_file_actions_t (80 bytes), posix_spawnattr_t (336) and sigset_t (128). */
    private static final long OPAQUE_BYTES = 512;
    private static final String SHELL = "/bin/sh";

    private final long pid;
    /** waitpid took its exit: the pid is free for the system to give again. Guarded by this. */
    private boolean reaped;

    private SocketCommand(long pid) {
        this.pid = pid;
    }

    /**
     * Starts {@code /bin/sh -c command} with {@code socket}'s descriptor as descriptors 0, 1 and 2; the caller
     * may close its own copy once this returns.
     *
     * @throws IOException when the socket has no descriptor to be had or posix_spawn fails (its error named)
     */
    public static SocketCommand start(String command, SelectableChannel socket) throws IOException {
        int fd = ChannelDescriptors.of(socket);
        if (fd < 0) {
            throw new IOException("no descriptor for the command's socket: " + ChannelDescriptors.howToEnable());
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(OPAQUE_BYTES);
            MemorySegment attributes = arena.allocate(OPAQUE_BYTES);
            MemorySegment empty = arena.allocate(OPAQUE_BYTES);
            MemorySegment all = arena.allocate(OPAQUE_BYTES);
            MemorySegment pid = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment argv = arena.allocate(ValueLayout.ADDRESS, 4);
            argv.setAtIndex(ValueLayout.ADDRESS, 0, arena.allocateFrom(SHELL));
            argv.setAtIndex(ValueLayout.ADDRESS, 1, arena.allocateFrom("-c"));
            argv.setAtIndex(ValueLayout.ADDRESS, 2, arena.allocateFrom(command));
            argv.setAtIndex(ValueLayout.ADDRESS, 3, MemorySegment.NULL);
            check("posix_spawn_file_actions_init", Downcall.call(ACTIONS_INIT.handle(), actions.address()));
            check("posix_spawnattr_init", Downcall.call(ATTR_INIT.handle(), attributes.address()));
            try {
                for (int target = 0; target <= 2; target++) {
                    check("posix_spawn_file_actions_adddup2",
                            Downcall.call(ACTIONS_DUP2.handle(), actions.address(), fd, target));
                }
                check("posix_spawn_file_actions_addclosefrom_np",
                        Downcall.call(ACTIONS_CLOSEFROM.handle(), actions.address(), 3));
                Downcall.call(SIGEMPTYSET.handle(), empty.address());
                Downcall.call(SIGFILLSET.handle(), all.address());
                check("posix_spawnattr_setsigmask", Downcall.call(ATTR_SIGMASK.handle(), attributes.address(),
                        empty.address()));
                check("posix_spawnattr_setsigdefault", Downcall.call(ATTR_SIGDEFAULT.handle(), attributes.address(),
                        all.address()));
                check("posix_spawnattr_setflags", Downcall.call(ATTR_FLAGS.handle(), attributes.address(),
                        SETSIGDEF | SETSIGMASK | SETSID));
                int error = (int) Downcall.call(SPAWN.handle(), pid.address(), argv.getAtIndex(ValueLayout.ADDRESS, 0)
                        .address(), actions.address(), attributes.address(), argv.address(), environment());
                if (error != 0) {
                    throw new IOException("cannot run " + SHELL + ": " + Libc.strerror(error));
                }
            } finally {
                Downcall.call(ACTIONS_DESTROY.handle(), actions.address());
                Downcall.call(ATTR_DESTROY.handle(), attributes.address());
            }
            SocketCommand started = new SocketCommand(pid.get(ValueLayout.JAVA_INT, 0));
            started.reapAtExit();
            return started;
        } catch (IOException e) {
            throw e;
        } catch (UnsatisfiedLinkError e) { // posix_spawn_file_actions_addclosefrom_np came with glibc 2.34
            throw new IOException(e.getMessage() + " (glibc 2.34 or later has it)", e);
        } catch (Throwable t) {
            throw new IOException("cannot run " + SHELL + ": " + t, t);
        }
    }

    /**
     * Asks the shell to end (SIGTERM), as the JDK's Process.destroy; nothing once it is reaped, when its pid may
     * be another process's (until then an ended shell is a zombie, and the signal is lost on it).
     */
    public synchronized void terminate() {
        if (!reaped) {
            try {
                Downcall.call(KILL.handle(), pid, SIGTERM);
            } catch (Throwable t) {
                // nothing to undo
            }
        }
    }

    private void reapAtExit() {
        ProcessHandle.of(pid).ifPresentOrElse(h -> h.onExit().thenRun(this::reap), this::reap);
    }

    private synchronized void reap() {
        try {
            reaped = (int) Downcall.call(WAITPID.handle(), pid, 0, WNOHANG) == pid; // an int result: its low 32 bits
        } catch (Throwable t) {
            // reaped already
        }
    }

    /** The process's environment, {@code environ}, for the child. */
    private static long environment() {
        MemorySegment environ = Downcall.symbol("environ");
        return environ.reinterpret(ValueLayout.ADDRESS.byteSize()).get(ValueLayout.ADDRESS, 0).address();
    }

    private static void check(String function, long result) throws IOException {
        if ((int) result != 0) {
            throw new IOException(function + ": " + Libc.strerror((int) result));
        }
    }
}
