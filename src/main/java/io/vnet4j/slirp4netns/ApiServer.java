package io.vnet4j.slirp4netns;

import io.vnet4j.base.Acceptor;
import io.vnet4j.base.Shutdown;
import io.vnet4j.os.OwnedFile;
import io.vnet4j.os.SocketFiles;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Semaphore;

/**
 * slirp4netns's API socket ({@code --api-socket PATH}): a unix stream socket taking one request per
 * connection, as api.c does. Theory of operation: api.c accepts a connection, reads once into a 4096-byte
 * buffer (a read that fills it is "too large message"), answers, shuts the connection down and closes it,
 * all inside its one loop; its manual asks clients to {@code shutdown(SHUT_WR)} after the request. Here each
 * connection is served on a virtual thread of its own ({@link ApiConnection}), so a client that connects
 * and says nothing holds up nobody, and is dropped after {@value #CLIENT_TIMEOUT_MILLIS} ms; the requests
 * themselves are answered by {@link ApiHandler} one at a time. At most {@value #MAX_CLIENTS} connections are
 * served at once; more wait in the listen backlog.
 *
 * <p>Unlike api.c, which unlinks whatever is at the path, the socket is bound through {@link SocketFiles}:
 * a stale socket is replaced, a live one (another process answers there) or a file that is not a socket
 * is refused; the socket is made mode 0600 and removed at close while it is still the one made here.
 */
final class ApiServer implements AutoCloseable {
    /** api.c's buffer: a request must be shorter than this. */
    static final int MAX_REQUEST = 4096;
    /** How long one client may take for its request, the reply and its close. */
    static final long CLIENT_TIMEOUT_MILLIS = 5000;
    static final int MAX_CLIENTS = 16;

    private final Path path;
    private final ApiHandler handler;
    private final Semaphore clients = new Semaphore(MAX_CLIENTS);
    private ServerSocketChannel server;
    private OwnedFile socketFile;
    private Thread acceptor;
    private volatile boolean closed;

    ApiServer(Path path, ApiHandler handler) {
        this.path = path;
        this.handler = handler;
    }

    /**
     * Binds the socket and starts answering.
     *
     * @throws IOException when it cannot be bound (the message names the path and why)
     */
    void start() throws IOException {
        ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            socketFile = SocketFiles.bind(channel, path);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            channel.close();
            throw new IOException("api socket " + (e instanceof SocketFiles.InUseException ? e.getMessage()
                    : SocketFiles.whyNamingPath(path, e)), e);
        }
        server = channel;
        acceptor = Thread.ofVirtual().name("vnet4j-slirp4netns-api").start(() -> Acceptor.acceptUntilClosed(server,
                () -> closed, this::started,
                line -> Messages.warn("api socket " + path + ": " + line)));
    }

    Path path() {
        return path;
    }

    /**
     * A client connected: served on a thread of its own once fewer than the bound are (until then it waits
     * here, and the next connections in the kernel's backlog).
     */
    private void started(SocketChannel client) throws InterruptedException {
        clients.acquire();
        if (closed) { // closed while it waited for a slot
            clients.release();
            Shutdown.closeQuietly(client);
            return;
        }
        Thread.ofVirtual().name("vnet4j-slirp4netns-api-client").start(() -> {
            try {
                ApiConnection.serve(client, CLIENT_TIMEOUT_MILLIS, handler::handle);
            } finally {
                clients.release();
            }
        });
    }

    /** Stops answering and removes the socket file (only while it is still ours). */
    @Override
    public void close() {
        closed = true;
        Shutdown.closeQuietly(server);
        Shutdown.join(acceptor);
        if (socketFile != null) {
            socketFile.delete();
        }
    }
}
