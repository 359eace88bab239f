package io.vnet4j.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class AcceptorTest {
    private final List<String> said = new ArrayList<>();
    private final List<SocketChannel> handled = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * A helper's replay under {@code ulimit -n 64}: one EMFILE ended the control socket's and a stream server's
     * accept loops for good; clients then waited in the listen queue for ever. The loop now waits and goes on.
     */
    @Test
    void failedAcceptsAreSaidOnceTriedAgainAndTheRecoverySaid() throws Exception {
        SocketChannel client = SocketChannel.open();
        List<Object> script = new ArrayList<>(List.of(new SocketException("Too many open files"),
                new SocketException("Too many open files"), client));
        long start = System.nanoTime();
        Acceptor.acceptUntilClosed(() -> {
            if (script.isEmpty()) {
                closed.set(true);
                throw new ClosedChannelException();
            }
            Object next = script.removeFirst();
            if (next instanceof IOException e) {
                throw e;
            }
            return (SocketChannel) next;
        }, closed::get, handled::add, said::add);
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(handled).containsExactly(client);
        assertThat(said).containsExactly("accept failed: Too many open files; trying again every second",
                "accepting again, after 2 failed accepts");
        assertThat(waitedMillis).as("a pause between tries, no spinning").isGreaterThanOrEqualTo(2 * Acceptor.RETRY_MILLIS - 100);
        client.close();
    }

    @Test
    void theOwnersCloseEndsAPauseAtOnceAndSilently() {
        long start = System.nanoTime();
        Acceptor.acceptUntilClosed(() -> {
            closed.set(true); // the owner closes while the loop waits to try again
            throw new SocketException("Too many open files");
        }, closed::get, handled::add, said::add);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(Acceptor.RETRY_MILLIS);
        assertThat(said).isEmpty();
    }

    @Test
    void aChannelClosedUnderTheLoopEndsIt() {
        Acceptor.acceptUntilClosed(() -> {
            throw new ClosedChannelException();
        }, closed::get, handled::add, said::add);
        assertThat(said).containsExactly("accept failed: the socket was closed; no more connections are accepted");
    }

    /** The reviewer's find: a handler that could not start a thread (OutOfMemoryError) ended the loop for good. */
    @Test
    void aConnectionTheOwnerCannotTakeIsDroppedAndTheLoopGoesOn() throws Exception {
        SocketChannel first = SocketChannel.open();
        SocketChannel second = SocketChannel.open();
        List<SocketChannel> script = new ArrayList<>(List.of(first, second));
        Acceptor.acceptUntilClosed(() -> {
            if (script.isEmpty()) {
                closed.set(true);
                throw new ClosedChannelException();
            }
            return script.removeFirst();
        }, closed::get, channel -> {
            if (channel == first) {
                throw new OutOfMemoryError("unable to create native thread");
            }
            handled.add(channel);
        }, said::add);
        assertThat(handled).containsExactly(second);
        assertThat(first.isOpen()).isFalse();
        assertThat(said).containsExactly("a connection was dropped: java.lang.OutOfMemoryError: unable to create native thread");
        second.close();
    }
}
