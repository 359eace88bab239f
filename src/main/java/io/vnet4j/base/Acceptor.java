package io.vnet4j.base;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The accept loop every listening socket of the daemon runs on a thread of its own (the control socket, a
 * {@code stream} server, a VDE switch's control socket, a vhost-user socket, guestfwd's command bridge,
 * slirp4netns's API socket): blocking accepts until the owner closes the channel, each connection handed to
 * the owner on the accepting thread, a failure said once by the owner unless it was the close.
 */
public final class Acceptor {
    private Acceptor() {
    }

    /** What the owner does with a connection, on the accepting thread: start a thread for it, or refuse it. */
    @FunctionalInterface
    public interface Handler {
        /** @throws InterruptedException when the accepting thread is interrupted while it waits (it then ends) */
        void accepted(SocketChannel channel) throws InterruptedException;
    }

    /**
     * Starts a netdev's accept loop ({@link #acceptUntilClosed}) on a virtual thread named {@code vnet4j-ID-accept},
     * hushed as the starting thread is ({@link Log#hushedIfNow}: the warm-up's netdevs); a failure is said as
     * "ID: accept failed: WHY".
     */
    public static Thread startFor(String id, ServerSocketChannel server, BooleanSupplier closed, Handler handler) {
        return Thread.ofVirtual().name("vnet4j-" + id + "-accept").start(Log.hushedIfNow(() -> acceptUntilClosed(
                server, closed, handler, e -> Log.warn(id + ": accept failed: " + e.getMessage()))));
    }

    /**
     * Accepts on {@code server} until {@code closed} says the owner closed it, or accept fails: each
     * connection goes to {@code handler}; a failure while not closed, or an interruption, goes to {@code failed}
     * (which says it) and ends the loop.
     */
    public static void acceptUntilClosed(ServerSocketChannel server, BooleanSupplier closed, Handler handler,
                                         Consumer<IOException> failed) {
        while (!closed.getAsBoolean()) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (IOException e) {
                if (!closed.getAsBoolean()) {
                    failed.accept(e);
                }
                return;
            }
            try {
                handler.accepted(channel);
            } catch (InterruptedException e) {
                Shutdown.closeQuietly(channel);
                Thread.currentThread().interrupt();
                if (!closed.getAsBoolean()) {
                    failed.accept(new InterruptedIOException("interrupted; no more connections are accepted"));
                }
                return;
            }
        }
    }
}
