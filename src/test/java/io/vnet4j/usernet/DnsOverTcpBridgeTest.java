package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.usernet.dns.DnsTcpFraming;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.usernet.flow.OutboundAddresses;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link DnsOverTcpBridge} and {@link DnsOverTcpSession} with real sockets: a guest's connection as the gateway's
 * TCP proxy makes it (to the bridge's unix socket), upstreams as TCP listeners on 127.0.0.1, a scripted
 * {@link DnsOverTcpBridge.Resolver}, and a thread that drives the bridge as the gateway's loop does: waits on the
 * selector, hands each ready socket to its owner and polls the timers, under one lock.
 */
@Timeout(30)
class DnsOverTcpBridgeTest {
    /** A query the scripted resolver answers itself: its first byte. */
    private static final byte LOCAL = 'L';
    private final LoopSelector selector = LoopSelector.open();
    private final ReentrantLock lock = new ReentrantLock();
    private final Script resolver = new Script();
    private final DnsOverTcpBridge bridge = new DnsOverTcpBridge("u", selector, resolver, OutboundAddresses.KERNEL);
    private final List<AutoCloseable> closing = new ArrayList<>();
    private volatile boolean stopped;
    private final Thread loop = Thread.ofPlatform().name("test-loop").start(this::drive);

    DnsOverTcpBridgeTest() throws IOException {
    }

    private void drive() {
        try {
            while (!stopped) {
                selector.select(10);
                lock.lock();
                try {
                    long now = System.nanoTime();
                    selector.forEachReady(key -> ((DnsOverTcpBridge.Ready) key.attachment()).ready(key, now));
                    bridge.poll(now);
                } finally {
                    lock.unlock();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code action} as the loop's thread may: under its lock. */
    private <T> T locked(Supplier<T> action) {
        lock.lock();
        try {
            return action.get();
        } finally {
            lock.unlock();
        }
    }

    @AfterEach
    void close() throws Exception {
        locked(() -> {
            bridge.close();
            return null;
        });
        stopped = true;
        loop.join();
        selector.close();
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    /** The loop's answers: queries starting with {@link #LOCAL} here, the rest to {@link #upstreams} in turn. */
    private static final class Script implements DnsOverTcpBridge.Resolver {
        final List<InetSocketAddress> upstreams = new CopyOnWriteArrayList<>();
        final List<String> told = new CopyOnWriteArrayList<>();
        volatile int inUse;

        @Override
        public DnsOverTcpBridge.Verdict decide(byte[] query, InetSocketAddress connected) {
            if (query.length > 0 && query[0] == LOCAL) {
                return DnsOverTcpBridge.Verdict.answer(("answer to " + new String(query)).getBytes());
            }
            return connected != null ? DnsOverTcpBridge.Verdict.forward(connected)
                    : upstreams.isEmpty() ? DnsOverTcpBridge.Verdict.answer("servfail".getBytes())
                    : DnsOverTcpBridge.Verdict.forward(upstream());
        }

        @Override
        public InetSocketAddress upstream() {
            return upstreams.get(inUse);
        }

        @Override
        public byte[] serverFailure(byte[] query) {
            return ("servfail " + new String(query)).getBytes();
        }

        @Override
        public void forwarded(InetSocketAddress upstream, byte[] query, long now) {
            told.add("forwarded " + upstream.getPort());
        }

        @Override
        public void asked(InetSocketAddress upstream, long now) {
            told.add("asked " + upstream.getPort());
        }

        @Override
        public void answered(InetSocketAddress upstream) {
            told.add("answered " + upstream.getPort());
        }

        @Override
        public void failed(InetSocketAddress upstream) {
            told.add("failed " + upstream.getPort());
            inUse = Math.min(inUse + 1, upstreams.size() - 1); // as DnsUpstreams moves on
        }
    }

    private SocketChannel guest() throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        closing.add(c);
        c.connect(locked(bridge::address));
        return c;
    }

    private ServerSocketChannel upstream() throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        closing.add(s);
        resolver.upstreams.add((InetSocketAddress) s.getLocalAddress());
        return s;
    }

    /**
     * A port on 127.0.0.1 where nothing listens: a connect there is refused. First in the list: the upstreams
     * that answer are bound before it, as the kernel may give a port just closed to the next bind (a run of the
     * full suite saw the refusing upstream answer, the next one bound at its port).
     */
    private void refusingUpstream() throws IOException {
        try (ServerSocketChannel s = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            resolver.upstreams.addFirst((InetSocketAddress) s.getLocalAddress());
        }
    }

    /** The connection {@code upstream} accepts from the bridge, whose first message is {@code query}. */
    private SocketChannel accepted(ServerSocketChannel upstream, String query) throws IOException {
        SocketChannel accepted = upstream.accept();
        closing.add(accepted);
        assertThat(receive(accepted)).isEqualTo(query);
        return accepted;
    }

    private static void send(SocketChannel c, String message) throws IOException {
        DnsTcpFraming.write(c, message.getBytes());
    }

    private static String receive(SocketChannel c) throws IOException {
        byte[] m = DnsTcpFraming.read(Channels.newInputStream(c));
        return m == null ? null : new String(m);
    }

    @Test
    void aQueryAnsweredHereComesBackWithoutAnUpstream() throws Exception {
        SocketChannel guest = guest();
        send(guest, "L vm2");
        assertThat(receive(guest)).isEqualTo("answer to L vm2");
        assertThat(resolver.told).isEmpty();
    }

    @Test
    void theOthersGoUpstreamOverOneConnectionBesideTheAnswersMadeHere() throws Exception {
        ServerSocketChannel upstream = upstream();
        SocketChannel guest = guest();
        send(guest, "Q example.test");
        SocketChannel accepted = accepted(upstream, "Q example.test");
        send(guest, "L vm2");
        assertThat(receive(guest)).isEqualTo("answer to L vm2");
        send(guest, "Q second");
        assertThat(receive(accepted)).as("the same upstream connection").isEqualTo("Q second");
        send(accepted, "A1");
        send(accepted, "A2");
        assertThat(receive(guest)).isEqualTo("A1");
        assertThat(receive(guest)).isEqualTo("A2");
        int port = ((InetSocketAddress) upstream.getLocalAddress()).getPort();
        assertThat(resolver.told).startsWith("asked " + port, "answered " + port); // the connect
        awaitTold("answered " + port, 3);
    }

    @Test
    void anUpstreamThatRefusesIsToldAndTheQueryGoesToTheNext() throws Exception {
        ServerSocketChannel second = upstream();
        refusingUpstream();
        SocketChannel guest = guest();
        send(guest, "Q example.test");
        SocketChannel accepted = accepted(second, "Q example.test");
        send(accepted, "A");
        assertThat(receive(guest)).isEqualTo("A");
        assertThat(resolver.told.getFirst()).startsWith("asked ");
        assertThat(resolver.told.get(1)).startsWith("failed ");
    }

    @Test
    void aQueryNoUpstreamTakesIsAnsweredServfail() throws Exception {
        refusingUpstream();
        SocketChannel guest = guest();
        send(guest, "Q example.test");
        assertThat(receive(guest)).isEqualTo("servfail Q example.test");
        assertThat(resolver.told).containsExactly("asked " + resolver.upstreams.getFirst().getPort(),
                "failed " + resolver.upstreams.getFirst().getPort());
    }

    /**
     * A query an upstream accepted and left unanswered goes to the next upstream once the loop names it, on the
     * guest's same connection: glibc's use-vc and dig +tcp wait on their connection without a limit, and the
     * guest's lookup had waited for the idle close.
     */
    @Test
    void aQueryLeftUnansweredIsAskedAgainAtTheUpstreamTheLoopNamesNext() throws Exception {
        ServerSocketChannel silent = upstream();
        ServerSocketChannel second = upstream();
        SocketChannel guest = guest();
        send(guest, "Q1 example.test");
        SocketChannel given = accepted(silent, "Q1 example.test");
        send(guest, "Q2 example.org");
        assertThat(receive(given)).isEqualTo("Q2 example.org");
        resolver.inUse = 1; // as the loop's failover moves on after its own 2 s
        SocketChannel asked = accepted(second, "Q1 example.test");
        assertThat(receive(asked)).as("every query owed, in order").isEqualTo("Q2 example.org");
        assertThat(receive(given)).as("the silent one's connection, closed").isNull();
        send(asked, "Q2 answer");
        send(asked, "Q1 answer");
        assertThat(receive(guest)).isEqualTo("Q2 answer");
        assertThat(receive(guest)).isEqualTo("Q1 answer");
        int port = ((InetSocketAddress) second.getLocalAddress()).getPort();
        awaitTold("asked " + port, 1); // the queries sent again: the failover's clock runs for them
    }

    /** With no other upstream named, a query left unanswered keeps waiting on its connection for a late answer. */
    @Test
    void aQueryLeftUnansweredWhereNoOtherUpstreamIsNamedWaitsForItsAnswer() throws Exception {
        ServerSocketChannel only = upstream();
        SocketChannel guest = guest();
        send(guest, "Q1 example.test");
        SocketChannel accepted = accepted(only, "Q1 example.test");
        Thread.sleep(DnsOverTcpSession.ASK_AGAIN_MILLIS + 500); // the session's own time, not a measurement
        send(accepted, "Q1 late");
        assertThat(receive(guest)).isEqualTo("Q1 late");
        only.configureBlocking(false);
        assertThat(only.accept()).as("no second connection").isNull();
    }

    /** A query answered is not asked again, wherever the loop's failover moves afterwards. */
    @Test
    void aQueryAnsweredIsNotAskedAgain() throws Exception {
        ServerSocketChannel first = upstream();
        ServerSocketChannel second = upstream();
        SocketChannel guest = guest();
        send(guest, "Q1 example.test");
        SocketChannel accepted = accepted(first, "Q1 example.test");
        send(accepted, "Q1 answer");
        assertThat(receive(guest)).isEqualTo("Q1 answer");
        resolver.inUse = 1;
        Thread.sleep(DnsOverTcpSession.ASK_AGAIN_MILLIS + 500); // the session's own time, not a measurement
        second.configureBlocking(false);
        assertThat(second.accept()).as("no connection to the next").isNull();
    }

    /** A guest's connection and the upstream's, which read the guest's one query and then its end. */
    private record ShutGuest(SocketChannel guest, SocketChannel upstream) {}

    private ShutGuest guestThatShutAfter(ServerSocketChannel upstream, String query) throws IOException {
        SocketChannel guest = guest();
        send(guest, query);
        guest.shutdownOutput();
        SocketChannel accepted = accepted(upstream, query);
        assertThat(receive(accepted)).as("the upstream sees the guest's end").isNull();
        return new ShutGuest(guest, accepted);
    }

    /** {@code upstream} answers, then ends its connection; the guest gets the answer, then the end. */
    private static void answerThenEnd(SocketChannel upstream, String answer, SocketChannel guest) throws IOException {
        send(upstream, answer);
        upstream.close();
        assertThat(receive(guest)).isEqualTo(answer);
        assertThat(receive(guest)).isNull();
    }

    @Test
    void aGuestThatShutsItsSideGetsTheAnswersItIsOwed() throws Exception {
        ShutGuest c = guestThatShutAfter(upstream(), "Q example.test");
        answerThenEnd(c.upstream(), "Q answered", c.guest()); // its id, the first two bytes, is the query's
    }

    /**
     * An upstream that ends its connection once it owes nothing (dnsmasq after 100 queries, TCP_MAX_QUERIES; some
     * after each answer) leaves the guest's connection open, and the guest's next query connects again: the 101st
     * query of {@code dig +tcp +keepopen} or of a forwarder met the connection's end (helper-123).
     */
    @Test
    void anUpstreamThatClosesOwingNothingLeavesTheGuestsConnectionForTheNextQuery() throws Exception {
        ServerSocketChannel upstream = upstream();
        SocketChannel guest = guest();
        send(guest, "Q first");
        SocketChannel accepted = accepted(upstream, "Q first");
        send(accepted, "Q first answered");
        accepted.close();
        assertThat(receive(guest)).isEqualTo("Q first answered");
        send(guest, "Q second");
        SocketChannel again = accepted(upstream, "Q second");
        send(again, "Q second answered");
        assertThat(receive(guest)).as("on the guest's same connection").isEqualTo("Q second answered");
    }

    /**
     * An upstream that ends its connection owing answers (a restart, an idle close that crossed a query) is asked them
     * again on a new connection, and the guest's connection stays (RFC 7766 section 6.2.1); before, the guest's
     * connection ended with the upstream's.
     */
    @Test
    void anUpstreamThatClosesOwingAnAnswerIsAskedItAgainOnANewConnection() throws Exception {
        ServerSocketChannel upstream = upstream();
        SocketChannel guest = guest();
        send(guest, "Q1 first"); // each its own id, the first two bytes
        send(guest, "Q2 second");
        SocketChannel accepted = accepted(upstream, "Q1 first");
        assertThat(receive(accepted)).isEqualTo("Q2 second");
        send(accepted, "Q1 answered");
        assertThat(receive(guest)).isEqualTo("Q1 answered");
        accepted.close(); // owing the second

        SocketChannel again = accepted(upstream, "Q2 second");
        send(again, "Q2 answered");
        assertThat(receive(guest)).as("on the guest's same connection").isEqualTo("Q2 answered");
        send(guest, "Q3 third");
        assertThat(receive(again)).isEqualTo("Q3 third");
    }

    @Test
    void aGuestThatShutItsSideIsOwedItsAnswerFromTheNewConnectionThenTheEnd() throws Exception {
        ServerSocketChannel upstream = upstream();
        ShutGuest c = guestThatShutAfter(upstream, "Q1 example.test");
        c.upstream().close();

        SocketChannel again = accepted(upstream, "Q1 example.test");
        assertThat(receive(again)).as("the guest's end, after the query asked again").isNull();
        answerThenEnd(again, "Q1 answered", c.guest());
    }

    @Test
    void anUpstreamThatClosesTheNewConnectionTooBeforeAnAnswerEndsTheGuestsConnection() throws Exception {
        ServerSocketChannel upstream = upstream();
        SocketChannel guest = guest();
        send(guest, "Q example.test");
        accepted(upstream, "Q example.test").close();
        accepted(upstream, "Q example.test").close();
        assertThat(receive(guest)).as("the guest asks again").isNull();
    }

    @Test
    void aMessageCutShortByTheGuestGoesNowhere() throws Exception {
        ServerSocketChannel upstream = upstream();
        SocketChannel guest = guest();
        guest.write(ByteBuffer.wrap(new byte[] {0, 100, 'Q', 'x'})); // 100 bytes said, 2 sent
        guest.shutdownOutput();
        assertThat(receive(guest)).isNull();
        upstream.configureBlocking(false);
        assertThat(upstream.accept()).as("no connect upstream").isNull();
        assertThat(resolver.told).isEmpty();
    }

    @Test
    void aMessageOfTheLargestLengthCrossesWhole() throws Exception {
        ServerSocketChannel upstream = upstream();
        SocketChannel guest = guest();
        byte[] large = new byte[65_535];
        Arrays.fill(large, (byte) 'Q');
        DnsTcpFraming.write(guest, large);
        SocketChannel accepted = upstream.accept();
        closing.add(accepted);
        assertThat(DnsTcpFraming.read(Channels.newInputStream(accepted))).isEqualTo(large);
    }

    /**
     * Beyond the bound the connection idle longest gives way to the new one: one guest holding 64 idle connections
     * had every other guest's DNS over TCP refused (helper-118).
     */
    @Test
    void beyondTheBoundTheConnectionIdleLongestGivesWay() throws Exception {
        List<SocketChannel> guests = new ArrayList<>();
        for (int i = 0; i < DnsOverTcpBridge.MAX_SESSIONS; i++) {
            SocketChannel g = guest();
            send(g, "L " + i); // served: it holds its session
            assertThat(receive(g)).isEqualTo("answer to L " + i);
            guests.add(g);
        }
        send(guests.getFirst(), "L again"); // the first is now the one active last; the second the idlest
        assertThat(receive(guests.getFirst())).isEqualTo("answer to L again");
        SocketChannel beyond = guest();
        send(beyond, "L beyond");
        assertThat(receive(beyond)).as("served").isEqualTo("answer to L beyond");
        assertThat(receive(guests.get(1))).as("the idlest, closed").isNull();
        assertThat(locked(bridge::closedForRoom)).as("counted for info network").isEqualTo(1);
        assertThat(locked(bridge::sessions)).as("open, for info network").isEqualTo(DnsOverTcpBridge.MAX_SESSIONS);
        assertThat(locked(bridge::served)).as("served, for info network").isEqualTo(DnsOverTcpBridge.MAX_SESSIONS + 1);
        send(guests.getFirst(), "L still");
        assertThat(receive(guests.getFirst())).isEqualTo("answer to L still");
    }

    /**
     * A guest that sends queries and reads none of the answers is no longer read once the answers queued to it reach
     * the bound: its own sends then stop, and the session holds no more than that (it had read every query into
     * memory, answers queued without end); read later, every answer comes, in order.
     */
    @Test
    void aGuestThatReadsNoAnswerIsNoLongerReadBeyondTheBound() throws Exception {
        SocketChannel guest = guest();
        guest.configureBlocking(false);
        String padding = "x".repeat(1000);
        int sent = 0;
        long quietSince = System.nanoTime();
        ByteBuffer framed = null;
        while (System.nanoTime() - quietSince < TimeUnit.MILLISECONDS.toNanos(500)) {
            if (framed == null) {
                framed = DnsTcpFraming.framed(("L " + sent + " " + padding).getBytes());
            }
            if (guest.write(framed) > 0) {
                quietSince = System.nanoTime();
            } else {
                Thread.sleep(5);
            }
            if (!framed.hasRemaining()) {
                framed = null;
                sent++;
            }
            assertThat(sent).as("the guest's sends stop").isLessThan(100_000);
        }
        guest.configureBlocking(true);
        for (int i = 0; i < sent; i++) {
            assertThat(receive(guest)).isEqualTo("answer to L " + i + " " + padding);
        }
    }

    @Test
    void theBridgesCloseEndsItsConnections() throws Exception {
        SocketChannel guest = guest();
        send(guest, "L vm2");
        receive(guest);
        locked(() -> {
            bridge.close();
            return null;
        });
        try {
            assertThat(receive(guest)).isNull();
        } catch (EOFException | java.net.SocketException e) {
            // reset: as good
        }
    }

    private void awaitTold(String what, int times) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (resolver.told.stream().filter(what::equals).count() < times && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(resolver.told.stream().filter(what::equals).count()).isEqualTo(times);
    }
}
