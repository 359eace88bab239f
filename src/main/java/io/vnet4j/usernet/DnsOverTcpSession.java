package io.vnet4j.usernet;

import io.vnet4j.base.Shutdown;
import io.vnet4j.base.SocketAddresses;
import io.vnet4j.usernet.dns.DnsMessage;
import io.vnet4j.usernet.dns.DnsTcpFraming;
import io.vnet4j.usernet.flow.OutboundAddresses;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * {@value #MAX_CONNECTS} connects), and answered SERVFAIL when none took it. Before, that guest was refused or
 * left waiting, and only its next lookup reached the next upstream. The upstream's answers come back on a
 * second thread in whole messages, so they never cut into a response made here (RFC 7766 section 7 lets
 * responses come in any order; the guest matches them by id). Writes to the guest are under one lock.
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
    /** Connects one query may try, each to the upstream the loop names then. */
    static final int MAX_CONNECTS = 3;
    /** A connection without a query or an answer for this long is closed. */
    static final long IDLE_MILLIS = 30_000;
    /** The longest wait for the loop to run a task. */
    private static final long LOOP_MILLIS = 2000;

    private final SocketChannel guest;
    private final Executor loop;
    private final DnsOverTcpBridge.Resolver resolver;
    private final OutboundAddresses outbound;
    /** Says a line in the log (budgeted), for what is no upstream's doing. */
    private final Consumer<String> warn;
    private final ReentrantLock writing = new ReentrantLock();
    /** The connection to the upstream, and its address; null until the first query that goes there. */
    private volatile SocketChannel upstream;
    private InetSocketAddress upstreamAddress;
    private Thread upstreamReader;
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
        Thread idle = Thread.ofVirtual().start(this::closeWhenIdle);
        try {
            InputStream in = Channels.newInputStream(guest);
            for (byte[] query; (query = DnsTcpFraming.read(in)) != null; ) {
                lastActive = System.nanoTime();
                byte[] q = query;
                InetSocketAddress connected = upstreamAddress;
                DnsOverTcpBridge.Verdict verdict = onLoop(() -> resolver.decide(q, connected));
                if (verdict.upstream() == null) {
                    writeToGuest(verdict.response());
                } else if (upstream != null || connect(verdict.upstream(), query)) {
                    DnsTcpFraming.write(upstream, query);
                } else {
                    writeToGuest(onLoop(() -> resolver.serverFailure(q)));
                }
            }
            if (upstream != null) { // the guest shut its sending side: the answers it is owed first
                upstream.shutdownOutput();
                upstreamReader.join();
            }
        } catch (IOException | TimeoutException e) {
            // the guest or the upstream went away, or the loop stopped
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
            idle.interrupt();
        }
    }

    /**
     * Connects for {@code query} to {@code first}, and after a refusal or a connect left unanswered to the upstream
     * the loop names then, while it names another; returns whether a connect succeeded ({@link #upstream} then
     * set and read).
     */
    private boolean connect(InetSocketAddress first, byte[] query)
            throws IOException, TimeoutException, InterruptedException {
        InetSocketAddress target = first;
        for (int tries = 0; target != null && tries < MAX_CONNECTS; tries++) {
            InetSocketAddress tried = target;
            tell(() -> resolver.asked(tried)); // an upstream that drops SYNs never completes the connect
            SocketChannel channel;
            try {
                channel = openBound(target);
            } catch (IOException e) { // out of descriptors, no IPv6 on the host, outbound-addr= gone: not the upstream's doing
                warn.accept("cannot open a socket to " + SocketAddresses.format(target) + ": " + e.getMessage());
                return false;
            }
            try {
                channel.socket().connect(target, (int) CONNECT_MILLIS);
            } catch (IOException e) {
                channel.close();
                if (!(e instanceof SocketTimeoutException)) { // a silent one: the loop's clock has run since asked
                    tell(() -> resolver.failed(tried));
                }
                target = onLoop(resolver::upstream);
                if (tried.equals(target)) {
                    return false; // the loop keeps it (it answers over UDP lately, or it is the only one)
                }
                continue;
            }
            tell(() -> {
                resolver.answered(tried);
                if (query.length >= DnsMessage.HEADER_LENGTH) { // as over UDP: no resolver answers less
                    resolver.asked(tried);
                }
            });
            upstreamAddress = target;
            upstream = channel;
            if (closed) { // close() may have looked before the set
                channel.close();
                return false;
            }
            upstreamReader = Thread.ofVirtual().start(this::readUpstream);
            return true;
        }
        return false;
    }

    /** A blocking socket towards {@code target}, bound to {@code outbound-addr=} when that is given. */
    private SocketChannel openBound(InetSocketAddress target) throws IOException {
        SocketChannel channel = SocketChannel.open(SocketAddresses.family(target));
        try {
            outbound.bindFor(channel, target);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    /** Copies the upstream's answers to the guest, whole, until the upstream closes; then ends the session. */
    private void readUpstream() {
        try {
            InputStream in = Channels.newInputStream(upstream);
            InetSocketAddress from = upstreamAddress;
            for (byte[] answer; (answer = DnsTcpFraming.read(in)) != null; ) {
                lastActive = System.nanoTime();
                tell(() -> resolver.answered(from));
                writeToGuest(answer);
            }
        } catch (IOException e) {
            // either side went away
        } finally {
            close();
        }
    }

    private void closeWhenIdle() {
        try {
            while (!closed) {
                long idleNanos = System.nanoTime() - lastActive;
                long left = TimeUnit.MILLISECONDS.toNanos(IDLE_MILLIS) - idleNanos;
                if (left <= 0) {
                    close();
                    return;
                }
                TimeUnit.NANOSECONDS.sleep(left);
            }
        } catch (InterruptedException e) {
            // the session ended
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

    /** Closes both connections; the threads blocked on them end. */
    void close() {
        closed = true;
        Shutdown.closeQuietly(guest);
        SocketChannel u = upstream;
        if (u != null) {
            Shutdown.closeQuietly(u);
        }
    }
}
