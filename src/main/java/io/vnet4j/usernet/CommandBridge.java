package io.vnet4j.usernet;

import io.vnet4j.base.Acceptor;
import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.os.OwnedFile;
import io.vnet4j.os.SocketFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code guestfwd=...-cmd:COMMAND}: each guest connection runs {@code /bin/sh -c COMMAND} with the
 * connection as its standard input and output, as QEMU does. The gateway's TCP proxy connects to this
 * bridge's unix socket (in a private 0700 directory, so no other user can start the command), and two
 * virtual threads copy bytes between the socket and the process until either side ends.
 *
 * <p>Interactive, as in QEMU: whatever arrives on one side is written to the other at once (the process's
 * standard input is flushed after every read, never held until 8 KiB pile up or the guest half-closes).
 * Nothing is buffered beyond one {@value #CHUNK}-byte chunk per direction: a side that does not read stops
 * the other through the pipe's or the socket's own flow control.
 */
final class CommandBridge implements AutoCloseable {
    /** Bytes copied per read, each direction. */
    static final int CHUNK = 16 * 1024;

    private final String command;
    private final OwnedFile directory;
    private final OwnedFile socketFile;
    private final UnixDomainSocketAddress address;
    private final ServerSocketChannel listener;
    private volatile boolean closed;

    CommandBridge(String command) throws IOException {
        this.command = command;
        this.directory = OwnedFile.claim(Files.createTempDirectory("vnet4j-guestfwd",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))));
        this.address = UnixDomainSocketAddress.of(directory.path().resolve("cmd.sock"));
        this.listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            this.socketFile = SocketFiles.bind(listener, address.getPath());
        } catch (IOException e) {
            listener.close();
            directory.delete();
            throw e;
        }
        Thread.ofVirtual().name("vnet4j-guestfwd-cmd").start(() -> Acceptor.acceptUntilClosed(listener, () -> closed,
                connection -> Thread.ofVirtual().start(() -> run(connection)),
                line -> Log.warn("guestfwd cmd:" + command + ": " + line)));
    }

    UnixDomainSocketAddress address() {
        return address;
    }

    private void run(SocketChannel connection) {
        Process process;
        try {
            process = new ProcessBuilder("/bin/sh", "-c", command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            Log.warn("guestfwd: cannot run '" + command + "': " + e.getMessage());
            close(connection);
            return;
        }
        InputStream fromGuest = Channels.newInputStream(connection);
        OutputStream toGuest = Channels.newOutputStream(connection);
        Thread in = Thread.ofVirtual().start(() -> copy(fromGuest, process.getOutputStream(), true));
        copy(process.getInputStream(), toGuest, false);
        try {
            connection.shutdownOutput();
            in.join();
        } catch (IOException | InterruptedException e) {
            // the guest went away
        } finally {
            process.destroy();
            close(connection);
        }
    }

    /** Copies until {@code from} ends, flushing {@code to} after every read so no byte waits for more. */
    private static void copy(InputStream from, OutputStream to, boolean closeTarget) {
        byte[] chunk = new byte[CHUNK];
        try {
            for (int n; (n = from.read(chunk)) >= 0; ) {
                to.write(chunk, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // one side ended: the other is closed below
        } finally {
            if (closeTarget) {
                Shutdown.closeQuietly(to);
            }
        }
    }

    private static void close(SocketChannel c) {
        Shutdown.closeQuietly(c);
    }

    @Override
    public void close() {
        closed = true;
        Shutdown.closeQuietly(listener);
        socketFile.delete();
        directory.delete();
    }
}
