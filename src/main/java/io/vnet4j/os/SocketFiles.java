package io.vnet4j.os;

import io.vnet4j.base.HostSockets;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Unix socket paths handled safely. Before binding, {@link #prepare} makes the path free: absent, or a
 * stale socket (one nothing accepts a connection on) that it removes. A socket something answers on is
 * never taken over ({@link InUseException}, naming the process when {@code /proc} tells), and a file that
 * is not a socket is never removed. After binding, {@link OwnedFile#claim} remembers the socket file so
 * that cleaning up removes it only while it is still ours.
 */
public final class SocketFiles {
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private SocketFiles() {}

    /** A live socket answers on the path: something else owns it. */
    public static final class InUseException extends IOException {
        private final Path path;

        InUseException(Path path, String owner) {
            super(path + " is in use by " + owner);
            this.path = path;
        }

        /** The path that is taken. */
        public Path path() {
            return path;
        }
    }

    /**
     * The most bytes of a unix socket's path that the JDK's channels bind or connect: {@code sun_path} holds 108, and
     * the kernel takes 107 with the terminating zero, but the JDK refuses 107 ("Unix domain path too long": its
     * UnixDomainSockets.c allows sun_path less 2). Sockets vnet4j makes through its own calls (the {@code dgram}
     * netdev's, {@link SockaddrCodec}) take 107.
     */
    public static final int PATH_MAX_BYTES = 106;

    /**
     * Refuses a path longer than a unix socket's may be, saying the limit (the JDK says only "Unix domain path
     * too long" at bind or connect).
     *
     * @throws IOException naming the path, the limit and its length
     */
    public static void refuseTooLong(Path path) throws IOException {
        if (!fits(path.toString())) {
            int length = path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            throw new IOException(path + ": longer than the " + PATH_MAX_BYTES + " bytes a unix socket's path may have here "
                    + "(the JDK's limit; the kernel's is 107) (" + length + ")");
        }
    }

    /** Whether {@code path} is at most {@link #PATH_MAX_BYTES} bytes in UTF-8: a unix socket can be bound or connected there. */
    public static boolean fits(String path) {
        return path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= PATH_MAX_BYTES;
    }

    /**
     * Why {@code path} could not be bound, naming it once: {@link #prepare}'s and {@link #refuseTooLong}'s messages
     * start with the path, the JDK's do not.
     */
    public static String whyNamingPath(Path path, IOException e) {
        String why = String.valueOf(e.getMessage());
        return why.startsWith(path + ":") || why.startsWith(path + " ") ? why : path + ": " + why;
    }

    /**
     * What is at {@code path} when it is there and not a socket ("a regular file" or "a directory"), which a
     * connect is refused with ECONNREFUSED as a stopped server's socket is; null for a socket, or nothing there.
     *
     * @param path where a unix socket was looked for
     * @return the words for what is there instead, or null
     */
    public static String notASocket(Path path) {
        java.nio.file.attribute.BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class);
        } catch (IOException e) {
            return null;
        }
        return a.isRegularFile() ? "a regular file" : a.isDirectory() ? "a directory" : null;
    }

    /**
     * Makes {@code path} ready for a new socket: removes a stale socket. Its directory must exist: a path
     * with a typo is refused, not made (as QEMU's bind fails, with ENOENT), so that no directories are left
     * behind.
     *
     * @throws InUseException when a socket answers there
     * @throws IOException when the path is too long for a socket ({@link #refuseTooLong}), its directory does
     *                     not exist, something other than a socket is there, or it cannot be removed
     */
    public static void prepare(Path path) throws IOException {
        refuseTooLong(path);
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new NoSuchFileException(path.toString(), null, "its directory " + parent + " does not exist");
        }
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        }
        if ((mode & S_IFMT) != S_IFSOCK) { // a file, directory, link, FIFO or device: never ours to remove
            throw new IOException(path + " exists and is not a socket (remove it or choose another path)");
        }
        if (answers(path)) {
            throw new InUseException(path, owner(path).orElse("another process"));
        }
        Files.deleteIfExists(path);
    }

    /**
     * Binds a unix stream server at {@code path} after {@link #prepare}, its listen queue
     * {@link HostSockets#LISTEN_BACKLOG}: the socket file it made.
     *
     * @throws InUseException when a socket answers there
     * @throws IOException when the path cannot be prepared or bound
     */
    public static OwnedFile bind(ServerSocketChannel server, Path path) throws IOException {
        prepare(path);
        server.bind(UnixDomainSocketAddress.of(path), HostSockets.LISTEN_BACKLOG);
        return OwnedFile.claim(path);
    }

    /**
     * True when a socket is alive at {@code path}: {@code /proc/net/unix} lists a socket bound at it (this
     * network namespace; when in doubt the path counts as taken), else a stream socket takes a connection (or
     * is too busy to take one now) or a datagram socket is bound there. Looking in {@code /proc} first spares
     * the owner a probing connection. Never throws, never blocks on a busy listener.
     */
    public static boolean answers(Path path) {
        if (!socketInodes(path).isEmpty()) {
            return true;
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(path));
            return true; // connected, or pending on a full backlog: a listener is there
        } catch (IOException | RuntimeException e) {
            return NativeDatagramSocket.unixPeerAnswers(path.toString());
        }
    }

    /**
     * Best effort, from {@code /proc}: the process holding a socket bound at {@code path} in this network
     * namespace, as {@code "pid 1234 (java)"}, or {@code "this vnet4j itself (pid 1234)"} (its control socket,
     * say); empty when it cannot tell (another namespace or user).
     */
    public static Optional<String> owner(Path path) {
        List<String> inodes = socketInodes(path);
        if (inodes.isEmpty()) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path process : processes) {
                if (holdsAny(process, inodes)) {
                    boolean self = process.getFileName().toString().equals(Long.toString(ProcessHandle.current().pid()));
                    return Optional.of(self ? "this vnet4j itself (pid " + process.getFileName() + ")"
                            : "pid " + process.getFileName() + " (" + command(process) + ")");
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc to read
        }
        return Optional.empty();
    }

    /** The socket inodes {@code /proc/net/unix} lists as bound at the path (its lines end with the path). */
    private static List<String> socketInodes(Path path) {
        String absolute = path.toAbsolutePath().normalize().toString();
        try (Stream<String> lines = Files.lines(Path.of("/proc/net/unix"))) {
            return lines.skip(1)
                    .map(line -> line.trim().split("\\s+", 8))
                    .filter(fields -> fields.length == 8 && (fields[7].equals(absolute) || fields[7].equals(path.toString())))
                    .map(fields -> fields[6])
                    .toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static boolean holdsAny(Path process, List<String> inodes) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(process.resolve("fd"))) {
            for (Path fd : fds) {
                String target = readLink(fd);
                for (String inode : inodes) {
                    if (target.equals("socket:[" + inode + "]")) {
                        return true;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not ours to look at
        }
        return false;
    }

    private static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String command(Path process) {
        try {
            return Files.readString(process.resolve("comm")).trim();
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
