package io.vnet4j.usernet;

import io.vnet4j.base.Shutdown;
import io.vnet4j.base.SocketAddresses;
import io.vnet4j.usernet.dns.DnsTcpFraming;
import io.vnet4j.usernet.flow.OutboundAddresses;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One guest's DNS-over-TCP connection to the gateway ({@link DnsOverTcpBridge}), served on virtual threads.
 *
 * <p>Theory of operation. Each message on the connection is preceded by its length ({@link DnsTcpFraming}).
 * The guest's reader ({@link #run}) takes one query at a time and asks the loop
 * for its {@link DnsOverTcpBridge.Verdict}: a response made here is written back at once; the others go to the
 * upstream as they came, over one connection, opened at the first of them to the upstream in use (bound to
 * {@code outbound-addr=}). A connect the upstream refuses, or leaves unanswered {@value #CONNECT_MILLIS} ms, is
 * told to the loop, whose failover may then name the next upstream: the query is tried there (at most
 * {@value #MAX_CONNECTS} connects), and answered SERVFAIL when none took it. The upstream's answers come back on
 * a second thread in whole messages, so they never cut into a response made here (RFC 7766 section 7 lets
 * responses come in any order; the guest matches them by id). Writes to the guest are under one lock.
 *
 * <p>A third thread ({@link #watch}) keeps the time. The queries sent upstream are owed until an answer with
 * their id comes back; when the oldest has waited {@value #ASK_AGAIN_MILLIS} ms, the session asks the loop for
 * the upstream in use, whose failover has heard of each query and moves on after the same time. When it names
 * another, the session connects there and sends it every query still owed, on the guest's same connection:
 * glibc's {@code use-vc} and {@code dig +tcp} wait for an answer on their connection without a limit, so an
 * upstream that accepted and then said nothing had held every such lookup until the idle close below, and only the
 * guest's next lookup went to the next upstream.
 *
 * <p>The connection ends when the guest closes it (after the answers still owed, when it only shut its
 * sending side), when the upstream closes its own (as the upstream's connection ended the guest's before),
 * after {@value #IDLE_MILLIS} ms without a query or an answer (unbound's and BIND's {@code tcp-idle-timeout}), or
 * at the bridge's close. A loop that does not take a task within {@value #LOOP_MILLIS} ms (it stopped) ends
 * it too.
 */
final class DnsOverTcpSession {
    /** How long a connect to the upstream may take before the next upstream is tried: the failover's own time. */
    static final long CONNECT_MILLIS = DnsUpstreams.FAILOVER_MILLIS;
    /** How long a query may wait for its answer before the session asks whether queries moved on: the same. */
    static final long ASK_AGAIN_MILLIS = DnsUpstreams.FAILOVER_MILLIS;
    /** Connects one query may try, each to the upstream the loop names then. */
    static final int MAX_CONNECTS = 3;
    /** A connection without a query or an answer for this long is closed. */
    static final long IDLE_MILLIS = 30_000;
    /**
     * The queries a session keeps to ask again, the oldest forgotten first, and the longest kept (bytes; a query is
     * a question and perhaps an OPT or TSIG record): 32 at most, 128 KiB, per session.
     */
    static final int MAX_OWED = 32;
    static final int MAX_OWED_LENGTH = 4096;
    /** The longest wait for the loop to run a task. */
    private static final long LOOP_MILLIS = 2000;

    private final SocketChannel guest;
    private final Executor loop;
    private final DnsOverTcpBridge.Resolver resolver;
    private final OutboundAddresses outbound;
    /** Says a line in the log (budgeted), for what is no upstream's doing. */
    private final Consumer<String> warn;
    private final ReentrantLock writing = new ReentrantLock();
    /** Guards the upstream's side: its connection, address and reader, the queries owed, the guest's end. */
    private final ReentrantLock upstreamSide = new ReentrantLock();
    /** The connection to the upstream; null until the first query that goes there. */
    private volatile SocketChannel upstream;
    private InetSocketAddress upstreamAddress;
    private Thread upstreamReader;
    /** The queries sent upstream and not yet answered, by DNS id, oldest first. */
    private final Map<Integer, byte[]> owed = new LinkedHashMap<>();
    /** When the queries owed were last sent or asked about (System.nanoTime); -1 when none is owed. */
    private volatile long owedSince = -1;
    /** The guest shut its sending side: a connection opened now is shut on the upstream's side too. */
    private boolean guestDone;
    private volatile Thread watcher;
    private volatile long lastActive = System.nanoTime();
    private volatile boolean closed;

    DnsOverTcpSession(SocketChannel guest, Executor loop, DnsOverTcpBridge.Resolver resolver, OutboundAddresses outbound,
                      Consumer<String> warn) {
        this.guest = guest;
        this.warn = warn;
        this.loop = loop;
        this.resolver = resolver;
        this.outbound = outbound;
    }

    /** Serves the guest's queries until the connection ends; closes both connections. */
    void run() {
        watcher = Thread.ofVirtual().start(this::watch);
        try {
            InputStream in = Channels.newInputStream(guest);
            for (byte[] query; (query = DnsTcpFraming.read(in)) != null; ) {
                lastActive = System.nanoTime();
                byte[] q = query;
                InetSocketAddress connected = connectedTo();
                DnsOverTcpBridge.Verdict verdict = onLoop(() -> resolver.decide(q, connected));
                if (verdict.upstream() == null) {
                    writeToGuest(verdict.response());
                } else if (!forward(verdict.upstream(), query)) {
                    writeToGuest(onLoop(() -> resolver.serverFailure(q)));
                }
            }
            awaitAnswersOwed();
        } catch (IOException | TimeoutException e) {
            // the guest or the upstream went away, or the loop stopped
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    private InetSocketAddress connectedTo() {
        upstreamSide.lock();
        try {
            return upstreamAddress;
        } finally {
            upstreamSide.unlock();
        }
    }

    /**
     * Sends {@code query} to the upstream, connecting first to {@code target} when there is no connection; returns
     * whether it went.
     */
    private boolean forward(InetSocketAddress target, byte[] query)
            throws IOException, TimeoutException, InterruptedException {
        upstreamSide.lock();
        try {
            if (upstream == null && !connect(target)) {
                return false;
            }
            DnsTcpFraming.write(upstream, query);
            InetSocketAddress to = upstreamAddress;
            tell(() -> resolver.forwarded(to, query));
            if (query.length >= 2 && query.length <= MAX_OWED_LENGTH) {
                owe(query);
            }
            return true;
        } finally {
            upstreamSide.unlock();
        }
    }

    /**
     * Keeps {@code query} until its answer comes. The watch is not woken for it (a wake-up per connection cost
     * 0.3 ms): it looks at least every {@value #ASK_AGAIN_MILLIS} ms, and then waits out the oldest query's time.
     */
    private void owe(byte[] query) {
        owed.remove(id(query)); // a reused id: the newer query's place
        if (owed.size() == MAX_OWED) {
            owed.remove(owed.keySet().iterator().next());
        }
        owed.put(id(query), query);
        if (owedSince == -1) {
            owedSince = System.nanoTime();
        }
    }

    private static int id(byte[] message) {
        return (message[0] & 0xff) << 8 | message[1] & 0xff;
    }

    /**
     * Connects to {@code first}, and after a refusal or a connect left unanswered to the upstream the loop names
     * then, while it names another; returns whether a connect succeeded ({@link #upstream} then set and read).
     * Under {@link #upstreamSide}.
     */
    private boolean connect(InetSocketAddress first) throws IOException, TimeoutException, InterruptedException {
        InetSocketAddress target = first;
        for (int tries = 0; target != null && tries < MAX_CONNECTS; tries++) {
            InetSocketAddress tried = target;
            tell(() -> resolver.asked(tried)); // an upstream that drops SYNs never completes the connect
            SocketChannel channel;
            try {
                channel = openConnected(target);
            } catch (IOException e) {
                if (!(e instanceof SocketTimeoutException)) { // a silent one: the loop's clock has run since asked
                    tell(() -> resolver.failed(tried));
                }
                target = onLoop(resolver::upstream);
                if (tried.equals(target)) {
                    return false; // the loop keeps it (it answers over UDP lately, or it is the only one)
                }
                continue;
            }
            return channel != null && use(channel, tried);
        }
        return false;
    }

    /**
     * Connects to {@code target} once, for the queries owed, and tells the loop nothing of a failure: a guess of
     * this session's, it must not move the failover, whose state the guests' queries over UDP made too (an
     * upstream that answers over UDP and refuses TCP had sent the queries back to the silent one).
     */
    private boolean connectAgain(InetSocketAddress target) throws IOException {
        SocketChannel channel;
        try {
            channel = openConnected(target);
        } catch (IOException e) {
            return false;
        }
        return channel != null && use(channel, target);
    }

    /**
     * A socket connected to {@code target} within {@value #CONNECT_MILLIS} ms ({@link #openBound}); null when no
     * socket can be had (said in the log).
     *
     * @throws IOException the connect's failure (a {@link SocketTimeoutException} when left unanswered); the socket
     *         is closed
     */
    private SocketChannel openConnected(InetSocketAddress target) throws IOException {
        SocketChannel channel = openBound(target);
        if (channel != null) {
            try {
                channel.socket().connect(target, (int) CONNECT_MILLIS);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        }
        return channel;
    }

    /**
     * {@code target} accepted {@code channel}: tells the loop, makes it the upstream connection and starts its
     * reader; false when the session closed.
     */
    private boolean use(SocketChannel channel, InetSocketAddress target) throws IOException {
        tell(() -> resolver.answered(target));
        upstreamAddress = target;
        upstream = channel;
        if (closed) { // close() may have looked before the set
            channel.close();
            return false;
        }
        upstreamReader = Thread.ofVirtual().start(() -> readUpstream(channel, target));
        return true;
    }

    /**
     * A blocking socket towards {@code target}, bound to {@code outbound-addr=} when that is given; null, said in the
     * log, when none can be had (out of descriptors, no IPv6 on the host, outbound-addr= gone: not the upstream's
     * doing).
     */
    private SocketChannel openBound(InetSocketAddress target) {
        SocketChannel channel = null;
        try {
            channel = SocketChannel.open(SocketAddresses.family(target));
            outbound.bindFor(channel, target);
            return channel;
        } catch (IOException e) {
            if (channel != null) {
                Shutdown.closeQuietly(channel);
            }
            warn.accept("cannot open a socket to " + SocketAddresses.format(target) + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * Copies the upstream's answers to the guest, whole, and settles the queries they answer, until the upstream
     * closes; then ends the session, unless the connection was given up for another.
     */
    private void readUpstream(SocketChannel channel, InetSocketAddress from) {
        try {
            InputStream in = Channels.newInputStream(channel);
            for (byte[] answer; (answer = DnsTcpFraming.read(in)) != null; ) {
                lastActive = System.nanoTime();
                tell(() -> resolver.answered(from));
                writeToGuest(answer);
                if (answer.length >= 2) {
                    settle(id(answer));
                }
            }
        } catch (IOException e) {
            // either side went away, or the session gave this connection up
        } finally {
            if (upstream == channel) {
                close();
            }
        }
    }

    private void settle(int id) {
        upstreamSide.lock();
        try {
            owed.remove(id);
            owedSince = owed.isEmpty() ? -1 : System.nanoTime();
        } finally {
            upstreamSide.unlock();
        }
    }

    /**
     * The guest shut its sending side: shuts the upstream's, and waits until the upstream has answered and closed
     * (the connection then in use, should the watch have moved the queries on meanwhile).
     */
    private void awaitAnswersOwed() throws IOException, InterruptedException {
        Thread reader;
        upstreamSide.lock();
        try {
            guestDone = true;
            if (upstream == null) {
                return;
            }
            upstream.shutdownOutput();
            reader = upstreamReader;
        } finally {
            upstreamSide.unlock();
        }
        while (true) {
            reader.join();
            upstreamSide.lock();
            try {
                if (upstreamReader == reader) {
                    return;
                }
                reader = upstreamReader;
            } finally {
                upstreamSide.unlock();
            }
        }
    }

    /**
     * Closes the session after {@value #IDLE_MILLIS} ms without a query or an answer, and asks about the queries
     * owed each {@value #ASK_AGAIN_MILLIS} ms they wait ({@link #askAgain}); with none owed it looks again after as
     * long.
     */
    private void watch() {
        try {
            while (!closed) {
                long now = System.nanoTime();
                long idleLeft = TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS) - (now - lastActive);
                if (idleLeft <= 0) {
                    break;
                }
                long since = owedSince;
                long askLeft = TimeUnit.MILLISECONDS.toNanos(ASK_AGAIN_MILLIS) - (since == -1 ? 0 : now - since);
                if (askLeft <= 0) {
                    askAgain();
                } else {
                    LockSupport.parkNanos(Math.min(idleLeft, askLeft));
                }
            }
        } catch (IOException | TimeoutException e) {
            // the new upstream went away, or the loop stopped
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        close();
    }

    /**
     * The oldest query owed has waited {@value #ASK_AGAIN_MILLIS} ms: when the loop now names another upstream,
     * connects there and sends it every query owed; else, or when that connect fails, asks again after as long.
     */
    private void askAgain() throws IOException, TimeoutException, InterruptedException {
        InetSocketAddress named = onLoop(resolver::upstream);
        upstreamSide.lock();
        try {
            owedSince = owed.isEmpty() ? -1 : System.nanoTime();
            if (owed.isEmpty() || closed || named == null || DnsUpstreams.sameSocket(named, upstreamAddress)) {
                return;
            }
            SocketChannel given = upstream;
            if (!connectAgain(named)) {
                return; // the connection in use stays: its answers may yet come
            }
            Shutdown.closeQuietly(given);
            for (byte[] query : owed.values()) {
                DnsTcpFraming.write(upstream, query);
            }
            InetSocketAddress to = upstreamAddress;
            tell(() -> resolver.asked(to));
            owedSince = System.nanoTime();
            if (guestDone) {
                upstream.shutdownOutput();
            }
        } finally {
            upstreamSide.unlock();
        }
    }

    /** Writes {@code message} to the guest, whole; nothing when it is null. */
    private void writeToGuest(byte[] message) throws IOException {
        if (message == null) {
            return;
        }
        writing.lock();
        try {
            DnsTcpFraming.write(guest, message);
        } finally {
            writing.unlock();
        }
    }

    /**
     * Runs {@code task} on the loop, without waiting: the loop runs its tasks in order, so the failover hears each
     * notice before the next question a session asks it ({@link #onLoop}).
     */
    private void tell(Runnable task) {
        loop.execute(task);
    }

    /** Runs {@code task} on the loop and returns its result. */
    private <T> T onLoop(Supplier<T> task) throws IOException, TimeoutException, InterruptedException {
        try {
            return CompletableFuture.supplyAsync(task, loop).get(LOOP_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("the loop failed a DNS-over-TCP task", e.getCause());
        }
    }

    /** When the session last read a query or an answer (System.nanoTime). */
    long lastActive() {
        return lastActive;
    }

    /** Closes both connections; the threads blocked on them end, and the watch with them. */
    void close() {
        closed = true;
        Shutdown.closeQuietly(guest);
        SocketChannel u = upstream;
        if (u != null) {
            Shutdown.closeQuietly(u);
        }
        LockSupport.unpark(watcher);
    }
}
