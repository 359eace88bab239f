package io.vnet4j.usernet;

import io.vnet4j.base.Shutdown;
import io.vnet4j.base.SocketAddresses;
import io.vnet4j.usernet.dns.DnsTcpFraming;
import io.vnet4j.usernet.flow.LoopSelector;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One guest's DNS-over-TCP connection to the gateway ({@link DnsOverTcpBridge}), served in the gateway's loop: its
 * sockets are in the loop's epoll, and every method runs on the loop's thread under the user network's lock.
 *
 * <p>Theory of operation. Each message on the connection is preceded by its length ({@link DnsTcpFraming}). The
 * session reads the guest's queries one at a time ({@link DnsTcpFraming.Reader}) and asks the {@link
 * DnsOverTcpBridge.Resolver} for each one's {@link DnsOverTcpBridge.Verdict} then and there: a response made here
 * is queued to the guest at once; the others go to the upstream as they came, over one connection, opened at the
 * first of them to the upstream in use (bound to {@code outbound-addr=}). While a connect is under way the guest's
 * next queries wait in its socket. A connect the upstream refuses, or leaves unanswered {@value #CONNECT_MILLIS}
 * ms, is told to the resolver, whose failover may then name the next upstream: the query is tried there (at most
 * {@value #MAX_CONNECTS} connects), and answered SERVFAIL when none took it. The upstream's answers are read whole
 * and queued to the guest whole, so they never cut into a response made here (RFC 7766 section 7 lets responses
 * come in any order; the guest matches them by id). Each side's queue holds at most {@value #QUEUED_LIMIT} bytes
 * beyond one message: past that the session stops reading what would add to it, until it has drained.
 *
 * <p>The queries sent upstream are owed until an answer with their id comes back; when the oldest has waited
 * {@value #ASK_AGAIN_MILLIS} ms, the session asks the resolver for the upstream in use, whose failover has heard
 * of each query and moves on after the same time. When it names another, the session connects there and sends it
 * every query still owed, on the guest's same connection: glibc's {@code use-vc} and {@code dig +tcp} wait for an
 * answer on their connection without a limit, so an upstream that accepted and then said nothing had held every
 * such lookup until the idle close below. A failure of that connect is told to no one: a guess of the session's
 * must not move the failover, whose state the guests' queries over UDP made too.
 *
 * <p>An upstream that ends its connection owing nothing leaves the guest's, whose next query connects again. One
 * that ends it owing answers (a restart; a server's idle close that crossed a query; dnsmasq's end after its 100th
 * query, pipelined past) has the queries owed asked again on a new connection to the upstream in use (RFC 7766
 * section 6.2.1: a client SHOULD retry unanswered queries if the connection closes before all responses came);
 * the guest's connection stays.
 * When that upstream ends the new connection too before any answer, or cannot be connected to, the guest's
 * connection ends: the guest asks again, as every upstream's end made it before.
 *
 * <p>The connection ends when the guest closes it (after the answers still owed, when it only shut its sending
 * side), when an upstream's end ends it as just said, after {@value #IDLE_MILLIS} ms without a query or an answer
 * (unbound's and BIND's {@code tcp-idle-timeout}), or at the bridge's close. The timers run in the loop's poll
 * ({@link #poll}).
 */
final class DnsOverTcpSession implements DnsOverTcpBridge.Ready {
    /** How long a connect to the upstream may take before the next upstream is tried: the failover's own time. */
    static final long CONNECT_MILLIS = DnsUpstreams.FAILOVER_MILLIS;
    /** How long a query may wait for its answer before the session asks whether queries moved on: the same. */
    static final long ASK_AGAIN_MILLIS = DnsUpstreams.FAILOVER_MILLIS;
    /** Connects one query may try, each to the upstream the resolver names then. */
    static final int MAX_CONNECTS = 3;
    /** A connection without a query or an answer for this long is closed. */
    static final long IDLE_MILLIS = 30_000;
    /**
     * The queries a session keeps to ask again, the oldest forgotten first, and the longest kept (bytes; a query is
     * a question and perhaps an OPT or TSIG record): 32 at most, 128 KiB, per session.
     */
    static final int MAX_OWED = 32;
    static final int MAX_OWED_LENGTH = 4096;
    /** Bytes queued towards a side beyond which the session reads nothing that would add to them. */
    static final int QUEUED_LIMIT = 2 + DnsTcpFraming.MAX_MESSAGE;
    /** Messages read from one side at one readiness, so that one busy connection does not hold the loop. */
    private static final int MESSAGES_AT_ONCE = 16;

    private final DnsOverTcpBridge bridge;
    private final DnsOverTcpBridge.Resolver resolver;
    private final SocketChannel guest;
    private final LoopSelector.Key guestKey;
    private final DnsTcpFraming.Reader fromGuest = new DnsTcpFraming.Reader();
    private final Outbox toGuest = new Outbox();
    /**
     * The upstream connection in use, perhaps still connecting; null until the first query that goes there, and
     * after the upstream ended it owing nothing.
     */
    private Upstream upstream;
    /** A connect to the next upstream for the queries owed ({@link #askAgain}); null when none is under way. */
    private Upstream replacing;
    /** The query whose upstream is being connected to; null when none is. */
    private byte[] waiting;
    /** Connects tried for {@link #waiting}. */
    private int connects;
    /** The queries sent upstream and not yet answered, by DNS id, oldest first. */
    private final Map<Integer, byte[]> owed = new LinkedHashMap<>();
    /** When the queries owed were last sent or asked about (System.nanoTime); -1 when none is owed. */
    private long owedSince = -1;
    /** The upstream ended its connection owing answers and they were asked again; an answer clears it. */
    private boolean askedAgainAtEnd;
    private long lastActive;
    /** The guest shut its sending side: the upstream's sending side is shut when its queue has drained. */
    private boolean guestDone;
    /** The session ends once its queue to the guest has drained. */
    private boolean ending;
    private boolean closed;

    /**
     * Serves {@code guest} (non-blocking, accepted from the bridge's listener), watched by {@code bridge}'s selector.
     *
     * @throws IOException when the selector cannot watch it
     */
    DnsOverTcpSession(DnsOverTcpBridge bridge, SocketChannel guest, long now) throws IOException {
        this.bridge = bridge;
        this.resolver = bridge.resolver();
        this.guest = guest;
        this.lastActive = now;
        this.guestKey = bridge.selector().register(guest, SelectionKey.OP_READ, this);
    }

    /**
     * One of the session's sockets is ready: the guest's, or an upstream's. The session is the attachment of all
     * of them, so that the loop's call site meets two of the bridge's classes (this and the listener's): a third was
     * a type check that threw the loop's compiled dispatch away at the session's first upstream socket
     * ({@code -Xlog:deoptimization}).
     */
    @Override
    public void ready(LoopSelector.Key key, long now) {
        if (key != guestKey) {
            upstreamReady(upstream != null && key == upstream.key ? upstream
                    : replacing != null && key == replacing.key ? replacing : null, key, now);
            return;
        }
        try {
            if (key.isWritable()) {
                flushToGuest();
            }
            if (key.isReadable() && !closed) {
                readGuest(now);
            }
        } catch (IOException e) {
            close(); // the guest went away, or the upstream's side failed under its query
        }
        watch();
    }

    private void readGuest(long now) throws IOException {
        for (int i = 0; i < MESSAGES_AT_ONCE && readsGuest(); i++) {
            byte[] query = fromGuest.next(guest);
            if (query == null) {
                if (fromGuest.ended()) {
                    guestEnded();
                }
                return;
            }
            lastActive = now;
            query(query, now);
        }
    }

    /** Whether the guest's next query may be read: no connect under way, and room in both queues. */
    private boolean readsGuest() {
        return !closed && !ending && !guestDone && waiting == null && replacing == null
                && toGuest.bytes() < QUEUED_LIMIT && (upstream == null || upstream.out.bytes() < QUEUED_LIMIT);
    }

    private void query(byte[] query, long now) throws IOException {
        DnsOverTcpBridge.Verdict verdict = resolver.decide(query, upstream == null ? null : upstream.address);
        if (verdict.upstream() == null) {
            toGuest(verdict.response());
        } else if (upstream != null) {
            forward(query, now);
        } else {
            waiting = query;
            connects = 0;
            connect(verdict.upstream(), now);
        }
    }

    /** Begins a connect to {@code target} for {@link #waiting}. */
    private void connect(InetSocketAddress target, long now) throws IOException {
        connects++;
        resolver.asked(target, now); // an upstream that drops SYNs never completes the connect: the failover's clock runs
        upstream = open(target, now);
        if (upstream == null) {
            servfailWaiting(); // no socket (said): not the upstream's doing
        } else {
            settleConnectAtOnce(upstream, now);
        }
    }

    /**
     * A non-blocking socket connecting to {@code target}, bound to {@code outbound-addr=}, watched; null, said in the
     * log, when none can be had or watched (out of descriptors, no IPv6 on the host, outbound-addr= gone). A connect
     * that fails at once (no route; a refusal on loopback) gives an {@link Upstream} that is {@code refused}.
     */
    private Upstream open(InetSocketAddress target, long now) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(SocketAddresses.family(target));
            channel.configureBlocking(false);
            bridge.outbound().bindFor(channel, target);
        } catch (IOException e) {
            if (channel != null) {
                Shutdown.closeQuietly(channel);
            }
            bridge.warn("cannot open a socket to " + SocketAddresses.format(target) + ": " + e.getMessage()
                    + "; a query that needs it is answered SERVFAIL");
            return null;
        }
        Upstream u = new Upstream(channel, target, now);
        try {
            // a host on this machine has often accepted by the time connect returns (as TcpNat's): no trip
            // through the selector
            u.connected = channel.connect(target) || channel.finishConnect();
        } catch (IOException e) {
            u.refused = true; // the JDK closed the channel
            return u;
        }
        try {
            u.key = bridge.selector().register(channel, u.connected ? SelectionKey.OP_READ : SelectionKey.OP_CONNECT,
                    this);
        } catch (IOException e) {
            Shutdown.closeQuietly(channel);
            bridge.warn("cannot watch a socket to " + SocketAddresses.format(target) + ": " + e.getMessage()
                    + "; a query that needs it is answered SERVFAIL");
            return null;
        }
        if (!u.connected) {
            bridge.timedStart();
        }
        return u;
    }

    /** An upstream's socket is ready: its connect completed, or it can be read or written; {@code u} null: none's. */
    private void upstreamReady(Upstream u, LoopSelector.Key key, long now) {
        if (u == null) {
            bridge.selector().cancel(key); // given up already
            return;
        }
        try {
            if (key.isConnectable()) {
                try {
                    u.channel.finishConnect();
                    u.connected = true;
                } catch (IOException e) {
                    u.refused = true;
                }
                settleConnect(u, now);
            } else {
                if (key.isWritable()) {
                    flushUpstream(u);
                }
                if (key.isReadable() && !closed) {
                    readUpstream(u, now);
                }
            }
        } catch (IOException e) {
            close(); // the guest went away, or the upstream failed
        }
        watch();
    }

    /** {@code u}'s connect ended: connected, or refused. */
    private void settleConnect(Upstream u, long now) throws IOException {
        if (u == replacing) {
            if (u.connected) {
                replaced(u, now);
            } else {
                dropReplacing();
            }
        } else if (u.connected) {
            connected(u, now);
        } else {
            connectFailed(u, true, now);
        }
    }

    /** The first upstream's connect completed: the query waiting goes. */
    private void connected(Upstream u, long now) throws IOException {
        resolver.answered(u.address);
        byte[] query = waiting;
        waiting = null;
        forward(query, now);
    }

    /**
     * The connect for {@link #waiting} was refused ({@code refused}: told to the resolver) or left unanswered: the
     * query goes to the upstream the resolver names now, unless that is the same or the connects are used up.
     */
    private void connectFailed(Upstream u, boolean refused, long now) throws IOException {
        u.close(bridge.selector());
        upstream = null;
        if (refused) {
            resolver.failed(u.address); // a silent one: the failover's clock has run since it was asked
        }
        InetSocketAddress next = resolver.upstream();
        if (next != null && !next.equals(u.address) && connects < MAX_CONNECTS) {
            connect(next, now);
        } else {
            servfailWaiting(); // the resolver keeps it (it answers over UDP lately, or it is the only one)
        }
    }

    private void servfailWaiting() throws IOException {
        byte[] query = waiting;
        waiting = null;
        toGuest(resolver.serverFailure(query));
    }

    /** Sends {@code query} over the upstream connection, told to the resolver, and keeps it until its answer. */
    private void forward(byte[] query, long now) throws IOException {
        upstream.out.add(DnsTcpFraming.framed(query));
        flushUpstream(upstream);
        resolver.forwarded(upstream.address, query, now);
        if (query.length >= 2 && query.length <= MAX_OWED_LENGTH) {
            owe(query, now);
        }
    }

    /** Keeps {@code query} until its answer comes. */
    private void owe(byte[] query, long now) {
        owed.remove(id(query)); // a reused id: the newer query's place
        if (owed.size() == MAX_OWED) {
            owed.remove(owed.keySet().iterator().next());
        }
        owed.put(id(query), query);
        if (owedSince == -1) {
            owedSince = now;
            bridge.timedStart();
        }
    }

    private static int id(byte[] message) {
        return (message[0] & 0xff) << 8 | message[1] & 0xff;
    }

    /** Reads the upstream's answers, whole, to the guest, and settles the queries they answer. */
    private void readUpstream(Upstream u, long now) throws IOException {
        for (int i = 0; i < MESSAGES_AT_ONCE && toGuest.bytes() < QUEUED_LIMIT && !ending; i++) {
            byte[] answer = u.in.next(u.channel);
            if (answer == null) {
                if (u.in.ended()) {
                    upstreamEnded(u, now);
                }
                return;
            }
            lastActive = now;
            resolver.answered(u.address);
            if (answer.length >= 2 && owed.remove(id(answer)) != null) {
                owedSince = owed.isEmpty() ? -1 : now;
                askedAgainAtEnd = false;
            }
            toGuest(answer);
        }
    }

    /**
     * The upstream ended its connection ({@code u}, the one in use). When it owes no answer and the guest's side is
     * open, the guest's connection stays and its next query connects again: dnsmasq ends a connection after 100
     * queries (its TCP_MAX_QUERIES), some upstreams after each answer or an idle while, and the guest's connection had
     * ended with it (the 101st query of {@code dig +tcp +keepopen}). When it owes answers, they are asked again on a
     * new connection to the upstream in use ({@link #replaced} sends them), once until an answer comes; else, or when
     * the guest has shut its side and is owed nothing, the guest's connection ends.
     */
    private void upstreamEnded(Upstream u, long now) throws IOException {
        u.close(bridge.selector());
        upstream = null;
        if (owed.isEmpty()) {
            if (guestDone) {
                end();
            }
            return;
        }
        if (replacing != null) {
            return; // a connect for the queries owed is under way already (askAgain's): it takes them
        }
        InetSocketAddress named = resolver.upstream();
        if (askedAgainAtEnd || ending || named == null) {
            end();
            return;
        }
        askedAgainAtEnd = true;
        replacing = open(named, now);
        if (replacing == null) {
            end(); // no socket (said in the log)
        } else {
            settleConnectAtOnce(replacing, now);
        }
    }

    /** Writes what {@code u}'s queue holds; shuts its sending side after the last when the guest shut its own. */
    private void flushUpstream(Upstream u) throws IOException {
        if (u.connected && u.out.flush(u.channel) && guestDone && !u.shut) {
            u.channel.shutdownOutput();
            u.shut = true;
        }
    }

    /** The guest shut its sending side: its answers still owed come, then the connection ends. */
    private void guestEnded() throws IOException {
        guestDone = true;
        if (upstream != null) {
            flushUpstream(upstream); // shuts it when drained; the upstream's end then ends the session
        } else if (replacing == null) { // a connect for the queries owed shuts its side once it has sent them
            end();
        }
    }

    /** Queues {@code message} to the guest, whole; nothing when it is null. */
    private void toGuest(byte[] message) throws IOException {
        if (message != null) {
            toGuest.add(DnsTcpFraming.framed(message));
            flushToGuest();
        }
    }

    private void flushToGuest() throws IOException {
        if (toGuest.flush(guest) && ending) {
            close();
        }
    }

    /** Ends the session once what is queued to the guest has gone. */
    private void end() throws IOException {
        ending = true;
        flushToGuest();
    }

    /**
     * The oldest query owed has waited {@value #ASK_AGAIN_MILLIS} ms: when the resolver now names another upstream,
     * begins a connect there for every query owed; else asks again after as long.
     */
    private void askAgain(long now) throws IOException {
        InetSocketAddress named = resolver.upstream();
        owedSince = owed.isEmpty() ? -1 : now;
        if (owed.isEmpty() || ending || named == null || replacing != null || upstream == null || !upstream.connected
                || DnsUpstreams.sameSocket(named, upstream.address)) {
            return;
        }
        replacing = open(named, now);
        if (replacing != null) {
            settleConnectAtOnce(replacing, now);
        }
    }

    /** A connect that ended within {@link #open}. */
    private void settleConnectAtOnce(Upstream u, long now) throws IOException {
        if (u.connected || u.refused) {
            settleConnect(u, now);
        }
    }

    /**
     * The next upstream accepted the connect for the queries owed: it takes them, and the connection in use goes
     * (none when the upstream ended it).
     */
    private void replaced(Upstream u, long now) throws IOException {
        resolver.answered(u.address);
        if (upstream != null) {
            upstream.close(bridge.selector());
        }
        upstream = u;
        replacing = null;
        for (byte[] query : owed.values()) {
            u.out.add(DnsTcpFraming.framed(query));
        }
        flushUpstream(u);
        resolver.asked(u.address, now);
        owedSince = now;
    }

    /**
     * The connect for the queries owed failed: the connection in use stays, its answers may yet come; when the
     * upstream had ended it, the guest's connection ends.
     */
    private void dropReplacing() throws IOException {
        replacing.close(bridge.selector());
        replacing = null;
        if (upstream == null) {
            end();
        }
    }

    /**
     * The session's timers: a connect's time, the queries owed, the idle close. Returns when it is next due (ns
     * from {@code now}), {@link Long#MAX_VALUE} once closed.
     */
    long poll(long now) {
        try {
            if (upstream != null && upstream.connectLeft(now) <= 0) {
                connectFailed(upstream, false, now);
            }
            if (replacing != null && replacing.connectLeft(now) <= 0) {
                dropReplacing();
            }
            if (owedSince != -1 && now - owedSince >= TimeUnit.MILLISECONDS.toNanos(ASK_AGAIN_MILLIS)) {
                askAgain(now);
            }
            if (now - lastActive >= TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS)) {
                close();
            }
        } catch (IOException e) {
            close();
        }
        watch();
        if (closed) {
            return Long.MAX_VALUE;
        }
        long next = lastActive + TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS) - now;
        if (owedSince != -1) {
            next = Math.min(next, owedSince + TimeUnit.MILLISECONDS.toNanos(ASK_AGAIN_MILLIS) - now);
        }
        if (upstream != null) {
            next = Math.min(next, upstream.connectLeft(now));
        }
        if (replacing != null) {
            next = Math.min(next, replacing.connectLeft(now));
        }
        return Math.max(next, 0);
    }

    /** Sets what the selector watches for on each socket from the session's state. */
    private void watch() {
        if (closed) {
            return;
        }
        LoopSelector selector = bridge.selector();
        selector.interest(guestKey, (readsGuest() ? SelectionKey.OP_READ : 0)
                | (toGuest.bytes() > 0 ? SelectionKey.OP_WRITE : 0));
        if (upstream != null) {
            upstream.watch(selector, toGuest.bytes() < QUEUED_LIMIT && !ending);
        }
        if (replacing != null) {
            replacing.watch(selector, false);
        }
    }

    /** When the session last read a query or an answer (System.nanoTime). */
    long lastActive() {
        return lastActive;
    }

    /** Closes both connections; the bridge forgets the session. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        LoopSelector selector = bridge.selector();
        selector.cancel(guestKey);
        Shutdown.closeQuietly(guest);
        if (upstream != null) {
            upstream.close(selector);
        }
        if (replacing != null) {
            replacing.close(selector);
        }
        bridge.ended(this);
    }

    /** One connection to an upstream, its queue and its reader. */
    private static final class Upstream {
        final SocketChannel channel;
        final InetSocketAddress address;
        /** When the connect is given up (System.nanoTime). */
        final long deadline;
        final DnsTcpFraming.Reader in = new DnsTcpFraming.Reader();
        final Outbox out = new Outbox();
        LoopSelector.Key key;
        boolean connected;
        /** The connect failed: refused, or no route. */
        boolean refused;
        /** Its sending side is shut. */
        boolean shut;

        Upstream(SocketChannel channel, InetSocketAddress address, long now) {
            this.channel = channel;
            this.address = address;
            this.deadline = now + TimeUnit.MILLISECONDS.toNanos(CONNECT_MILLIS);
        }

        /** Nanoseconds until the connect is given up; {@link Long#MAX_VALUE} once connected. */
        long connectLeft(long now) {
            return connected ? Long.MAX_VALUE : deadline - now;
        }

        void watch(LoopSelector selector, boolean reads) {
            if (key != null) {
                selector.interest(key, !connected ? SelectionKey.OP_CONNECT
                        : (reads ? SelectionKey.OP_READ : 0) | (out.bytes() > 0 ? SelectionKey.OP_WRITE : 0));
            }
        }

        void close(LoopSelector selector) {
            if (key != null) {
                selector.cancel(key);
            }
            Shutdown.closeQuietly(channel);
        }
    }

    /** Whole messages queued to a socket, written as it takes them. */
    private static final class Outbox {
        private final ArrayDeque<ByteBuffer> messages = new ArrayDeque<>();
        private int bytes;

        void add(ByteBuffer framed) {
            messages.add(framed);
            bytes += framed.remaining();
        }

        int bytes() {
            return bytes;
        }

        /** Writes what {@code channel} takes now; returns whether the queue is empty. */
        boolean flush(SocketChannel channel) throws IOException {
            for (ByteBuffer head; (head = messages.peek()) != null; messages.poll()) {
                bytes -= channel.write(head);
                if (head.hasRemaining()) {
                    return false;
                }
            }
            return true;
        }
    }
}
