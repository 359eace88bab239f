package io.vnet4j.usernet.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Both kinds of {@link LoopSelector} against loopback sockets; the epoll kind's own promises apart. */
@Timeout(20)
class LoopSelectorTest {
    private ServerSocketChannel listener;
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeEach
    void listen() throws IOException {
        listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        open.add(listener);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private LoopSelector selector(String kind) throws IOException {
        LoopSelector selector = kind.equals("epoll") ? EpollLoopSelector.create() : LoopSelector.of(Selector.open());
        open.add(selector);
        return selector;
    }

    /** A connected pair: the client side non-blocking, and the server's end. */
    private SocketChannel[] pair() throws IOException {
        SocketChannel client = SocketChannel.open(listener.getLocalAddress());
        client.configureBlocking(false);
        SocketChannel server = listener.accept();
        open.add(client);
        open.add(server);
        return new SocketChannel[] {client, server};
    }

    private static List<Object> ready(LoopSelector selector, long timeoutMillis) throws IOException {
        selector.select(timeoutMillis);
        List<Object> ready = new ArrayList<>();
        selector.forEachReady(k -> ready.add(k.attachment() + (k.isReadable() ? " read" : "") + (k.isWritable() ? " write" : "")
                + (k.isConnectable() ? " connect" : "") + (k.isAcceptable() ? " accept" : "")));
        return ready;
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "jdk"})
    void reportsReadableWritableAndAcceptableAsAsked(String kind) throws IOException {
        LoopSelector selector = selector(kind);
        SocketChannel[] pair = pair();
        LoopSelector.Key key = selector.register(pair[0], SelectionKey.OP_READ, "a");
        assertThat(ready(selector, 1)).isEmpty();
        pair[1].write(ByteBuffer.wrap(new byte[] {1}));
        assertThat(ready(selector, 1000)).containsExactly("a read");
        selector.interest(key, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        assertThat(ready(selector, 1000)).containsExactly("a read write");
        selector.interest(key, 0);
        assertThat(ready(selector, 1)).as("no interest, nothing reported").isEmpty();

        listener.configureBlocking(false);
        selector.register(listener, SelectionKey.OP_ACCEPT, "l");
        SocketChannel third = SocketChannel.open(listener.getLocalAddress());
        open.add(third);
        assertThat(ready(selector, 1000)).containsExactly("l accept");
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "jdk"})
    void reportsAConnectThatCompletes(String kind) throws IOException {
        LoopSelector selector = selector(kind);
        SocketChannel client = SocketChannel.open();
        open.add(client);
        client.configureBlocking(false);
        boolean connected = client.connect(listener.getLocalAddress());
        LoopSelector.Key key = selector.register(client, connected ? 0 : SelectionKey.OP_CONNECT, "c");
        if (!connected) {
            assertThat(ready(selector, 1000)).containsExactly("c connect");
        }
        assertThat(client.finishConnect()).isTrue();
        assertThat(key.isValid()).isTrue();
    }

    /** The loop's busy poll (BusyPoll) stops polling on what selectNow says. */
    @ParameterizedTest
    @ValueSource(strings = {"epoll", "jdk"})
    void selectNowAndSelectSayWhetherAnythingWasReady(String kind) throws IOException {
        LoopSelector selector = selector(kind);
        SocketChannel[] pair = pair();
        selector.register(pair[0], SelectionKey.OP_READ, "a");
        assertThat(selector.selectNow()).isFalse();
        assertThat(selector.select(1)).isFalse();
        pair[1].write(ByteBuffer.wrap(new byte[] {1}));
        assertThat(selector.selectNow()).isTrue();
        selector.forEachReady(k -> { });
        pair[0].read(ByteBuffer.allocate(1));
        assertThat(selector.selectNow()).isFalse();
        pair[1].write(ByteBuffer.wrap(new byte[] {2}));
        assertThat(selector.select(1000)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "jdk"})
    void aCancelledKeyIsNotReportedEvenFromTheWaitBeforeItsCancel(String kind) throws IOException {
        LoopSelector selector = selector(kind);
        SocketChannel[] pair = pair();
        LoopSelector.Key key = selector.register(pair[0], SelectionKey.OP_READ, "a");
        pair[1].write(ByteBuffer.wrap(new byte[] {1}));
        selector.select(1000);
        selector.cancel(key); // as a hub's thread closing the flow between the loop's wait and its dispatch
        List<Object> ready = new ArrayList<>();
        selector.forEachReady(k -> ready.add(k.attachment()));
        assertThat(ready).isEmpty();
        assertThat(key.isValid()).isFalse();
    }

    @Test
    void aRegistrationFromAnotherThreadAppliesToAWaitAlreadyUnderWay() throws Exception {
        // the point of the epoll kind: a SYN handled on a TAP's thread registers its host socket while the
        // loop waits, and the loop sees that socket's data without being woken first
        LoopSelector selector = selector("epoll");
        SocketChannel[] pair = pair();
        CompletableFuture<List<Object>> waiting = CompletableFuture.supplyAsync(uncheck(() -> ready(selector, 5000)));
        Thread.sleep(100); // let the wait begin
        selector.register(pair[0], SelectionKey.OP_READ, "late");
        pair[1].write(ByteBuffer.wrap(new byte[] {1}));
        assertThat(waiting.get(3, TimeUnit.SECONDS)).containsExactly("late read");
    }

    @Test
    void aHungUpSocketIsReportedAsItsInterestAndDroppedWithNoInterest() throws IOException {
        LoopSelector selector = selector("epoll");
        SocketChannel[] pair = pair();
        LoopSelector.Key key = selector.register(pair[0], SelectionKey.OP_READ, "a");
        pair[1].close();
        assertThat(ready(selector, 1000)).containsExactly("a read");
        assertThat(pair[0].read(ByteBuffer.allocate(8))).isEqualTo(-1);
        selector.interest(key, 0); // as TcpNat after the host's EOF: no more reports for a hung-up socket
        assertThat(ready(selector, 1)).isEmpty();
    }

    @Test
    void slotsOfCancelledKeysAreReused() throws IOException {
        EpollLoopSelector selector = (EpollLoopSelector) selector("epoll");
        for (int i = 0; i < 200; i++) {
            SocketChannel[] pair = pair();
            LoopSelector.Key key = selector.register(pair[0], SelectionKey.OP_READ, i);
            selector.cancel(key);
            pair[0].close();
            pair[1].close();
        }
        assertThat(selector.registered()).isZero();
        SocketChannel[] pair = pair();
        selector.register(pair[0], SelectionKey.OP_READ, "last");
        pair[1].write(ByteBuffer.wrap(new byte[] {1}));
        assertThat(ready(selector, 1000)).containsExactly("last read");
        assertThat(selector.registered()).isOne();
    }

    @Test
    void wakeupEndsAWaitAndIsNotReportedAsAKey() throws Exception {
        LoopSelector selector = selector("epoll");
        CompletableFuture<List<Object>> waiting = CompletableFuture.supplyAsync(uncheck(() -> ready(selector, 10_000)));
        Thread.sleep(100);
        selector.wakeup();
        assertThat(waiting.get(3, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void refusesABlockingOrClosedChannel() throws IOException {
        LoopSelector selector = selector("epoll");
        SocketChannel[] pair = pair();
        assertThatThrownBy(() -> selector.register(pair[1], SelectionKey.OP_READ, "b"))
                .isInstanceOf(IllegalBlockingModeException.class);
        pair[0].close();
        assertThatThrownBy(() -> selector.register(pair[0], SelectionKey.OP_READ, "a")).isInstanceOf(IOException.class);
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> Supplier<T> uncheck(IoSupplier<T> supplier) {
        return () -> {
            try {
                return supplier.get();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        };
    }
}
