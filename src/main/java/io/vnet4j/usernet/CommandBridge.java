package io.vnet4j.usernet;

import io.vnet4j.base.Acceptor;
import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.os.SocketCommand;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * {@code guestfwd=...-cmd:COMMAND} (and {@code smb=}): each guest connection runs {@code /bin/sh -c COMMAND}
 * with a socket as its standard input, output and error, as libslirp's fork_exec does (one end of a TCP
 * socket pair on 127.0.0.1: smbd, for one, serves a connection on its standard input only when that is an
 * internet socket). The gateway's TCP proxy connects to this bridge's {@link PrivateUnixListener} (so no other
 * user can start the command); for each connection the bridge makes the TCP pair
 * (a listener on an ephemeral loopback port that takes one connection, from its own socket, and closes),
 * starts the command on the far end ({@link SocketCommand}), and two virtual threads copy bytes between the
 * guest's connection and the near end until either side ends.
 *
 * <p>Interactive, as in QEMU: whatever arrives on one side is written to the other at once. Nothing is
 * buffered beyond one {@value #CHUNK}-byte chunk per direction: a side that does not read stops the other
 * through the sockets' own flow control, the TCP pair's buffers fixed ({@value #PAIR_BUFFER_BYTES} bytes asked).
 */
final class CommandBridge implements AutoCloseable {
    /** Bytes copied per read, each direction. */
    static final int CHUNK = 16 * 1024;
    /**
     * Each buffer of the TCP pair, asked for (the kernel doubles it): fixed, so that a guest that does not read
     * holds back its command after about 1 MiB in all. Left to the kernel, the near end's receive buffer grows
     * to tcp_rmem's maximum (32 MiB on some hosts), the far end's send buffer to tcp_wmem's (4 MiB).
     */
    static final int PAIR_BUFFER_BYTES = 256 * 1024;

    private final String command;
    /** The user network's name in log lines. */
    private final String logName;
    private final PrivateUnixListener listener;
    private volatile boolean closed;

    CommandBridge(String logName, String command) throws IOException {
        this.logName = logName;
        this.command = command;
        this.listener = new PrivateUnixListener("vnet4j-guestfwd");
        Thread.ofVirtual().name("vnet4j-guestfwd-cmd").start(() -> Acceptor.acceptUntilClosed(listener.channel(), () -> closed,
                connection -> Thread.ofVirtual().start(() -> run(connection)),
                line -> Log.warn(logName + ": guestfwd cmd:" + command + ": " + line)));
    }

    UnixDomainSocketAddress address() {
        return listener.address();
    }

    private void run(SocketChannel connection) {
        SocketChannel near;
        SocketCommand process;
        try {
            near = SocketChannel.open(StandardProtocolFamily.INET);
            try (SocketChannel far = pairedWith(near)) {
                process = SocketCommand.start(command, far);
            } catch (IOException e) {
                close(near);
                throw e;
            }
        } catch (IOException e) {
            Log.warn(logName + ": guestfwd: cannot run '" + command + "': " + e.getMessage());
            close(connection);
            return;
        }
        Thread in = Thread.ofVirtual().start(() -> copy(Channels.newInputStream(connection),
                Channels.newOutputStream(near), () -> shutdownOutput(near)));
        copy(Channels.newInputStream(near), Channels.newOutputStream(connection), () -> { });
        try {
            connection.shutdownOutput();
            in.join();
        } catch (IOException | InterruptedException e) {
            // the guest went away
        } finally {
            process.terminate();
            close(near);
            close(connection);
        }
    }

    /**
     * Connects {@code near} to a listener on an ephemeral port of 127.0.0.1 that takes that one connection and
     * closes: the accepted end, checked to be {@code near}'s peer (another local process may have connected
     * first, and is refused by the close).
     */
    private static SocketChannel pairedWith(SocketChannel near) throws IOException {
        try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.INET)) {
            // the accepted end's receive buffer, set before its window is
            listener.setOption(StandardSocketOptions.SO_RCVBUF, PAIR_BUFFER_BYTES);
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            near.setOption(StandardSocketOptions.SO_RCVBUF, PAIR_BUFFER_BYTES);
            near.setOption(StandardSocketOptions.SO_SNDBUF, PAIR_BUFFER_BYTES);
            near.connect(listener.getLocalAddress());
            SocketChannel far = listener.accept();
            if (!far.getRemoteAddress().equals(near.getLocalAddress())) {
                close(far);
                throw new IOException("another process connected to the command's socket first");
            }
            far.setOption(StandardSocketOptions.SO_SNDBUF, PAIR_BUFFER_BYTES);
            return far;
        }
    }

    private static void shutdownOutput(SocketChannel c) {
        try {
            c.shutdownOutput();
        } catch (IOException e) {
            // closed already
        }
    }

    /** Copies until {@code from} ends, flushing {@code to} after every read so no byte waits for more; then {@code atEnd}. */
    private static void copy(InputStream from, OutputStream to, Runnable atEnd) {
        byte[] chunk = new byte[CHUNK];
        try {
            for (int n; (n = from.read(chunk)) >= 0; ) {
                to.write(chunk, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // one side ended: the other is closed below
        } finally {
            atEnd.run();
        }
    }

    private static void close(SocketChannel c) {
        Shutdown.closeQuietly(c);
    }

    @Override
    public void close() {
        closed = true;
        listener.close();
    }
}
