package io.vnet4j.base;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The accept loop every listening socket of the daemon runs on a thread of its own (the control socket, a
 * {@code stream} server, a VDE switch's control socket, a vhost-user socket, guestfwd's command bridge,
 * slirp4netns's API socket): blocking accepts until the owner closes the channel, each connection handed to
 * the owner on the accepting thread.
 *
 * <p>A failed accept is most often a shortage that passes (EMFILE: the process is out of descriptors; ENFILE,
 * ENOBUFS, ENOMEM), with the client still waiting in the listen queue. The loop says it once, tries again
 * every {@value #RETRY_MILLIS} ms (without spinning on the waiting client) and says when it accepts again,
 * as nginx and libuv keep their listeners through EMFILE. It ended at the first failure, so a daemon that
 * once ran out of descriptors never served its control socket or a new VM again (a helper's replay with
 * {@code ulimit -n 64}). Only a channel closed under it, or an interruption, ends it.
 */
public final class Acceptor {
    /** The wait before an accept that failed is tried again, in ms (also a hostfwd listener's pause). */
    public static final long RETRY_MILLIS = 1000;
    /** The slices of that wait, in ms, between which the owner's close is noticed. */
    private static final long CLOSE_CHECK_MILLIS = 50;

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
     * hushed as the starting thread is ({@link Log#hushedIfNow}: the warm-up's netdevs); its lines are warnings
     * "ID: accept failed: WHY; ...".
     */
    public static Thread startFor(String id, ServerSocketChannel server, BooleanSupplier closed, Handler handler) {
        return Thread.ofVirtual().name("vnet4j-" + id + "-accept").start(Log.hushedIfNow(() -> acceptUntilClosed(
                server, closed, handler, line -> Log.warn(id + ": " + line))));
    }

    /**
     * Accepts on {@code server} until {@code closed} says the owner closed it: each connection goes to
     * {@code handler}. {@code say} gets one line (without the owner's name) at the first failure of a run
     * ("accept failed: WHY; trying again every second"), one when accepts succeed again, and one when the loop
     * ends while not closed (the channel closed under it, or an interruption).
     */
    public static void acceptUntilClosed(ServerSocketChannel server, BooleanSupplier closed, Handler handler,
                                         Consumer<String> say) {
        acceptUntilClosed((Accepting) server::accept, closed, handler, say);
    }

    /** A blocking accept (a listening channel's, or a test's). */
    @FunctionalInterface
    interface Accepting {
        SocketChannel accept() throws IOException;
    }

    static void acceptUntilClosed(Accepting server, BooleanSupplier closed, Handler handler, Consumer<String> say) {
        FailureRun accepts = new FailureRun(say);
        while (!closed.getAsBoolean()) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedByInterruptException e) {
                if (!closed.getAsBoolean()) {
                    say.accept("interrupted; no more connections are accepted");
                }
                return;
            } catch (ClosedChannelException e) {
                if (!closed.getAsBoolean()) {
                    say.accept("accept failed: the socket was closed; no more connections are accepted");
                }
                return;
            } catch (IOException e) {
                if (closed.getAsBoolean()) {
                    return;
                }
                accepts.failed(failedLine(e));
                if (!pause(closed)) {
                    say.accept("interrupted; no more connections are accepted");
                    return;
                }
                continue;
            }
            accepts.succeeded(Acceptor::recoveredLine);
            try {
                handler.accepted(channel);
            } catch (RuntimeException | OutOfMemoryError e) {
                // the owner could not take it (no thread could be started for it, say): this one is lost, not the loop
                Shutdown.closeQuietly(channel);
                say.accept("a connection was dropped: " + e);
            } catch (InterruptedException e) {
                Shutdown.closeQuietly(channel);
                Thread.currentThread().interrupt();
                if (!closed.getAsBoolean()) {
                    say.accept("interrupted; no more connections are accepted");
                }
                return;
            }
        }
    }

    /** The line for the first failed accept of a run: "accept failed: WHY; trying again every second". */
    public static String failedLine(IOException e) {
        return "accept failed: " + e.getMessage() + "; trying again every second";
    }

    /** The line when accepts succeed again: "accepting again, after N failed accept(s)". */
    public static String recoveredLine(long failures) {
        return "accepting again, after " + failures + (failures == 1 ? " failed accept" : " failed accepts");
    }

    /** Waits {@value #RETRY_MILLIS} ms or until the owner closes; false when interrupted. */
    private static boolean pause(BooleanSupplier closed) {
        try {
            for (long waited = 0; waited < RETRY_MILLIS && !closed.getAsBoolean(); waited += CLOSE_CHECK_MILLIS) {
                Thread.sleep(CLOSE_CHECK_MILLIS);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
