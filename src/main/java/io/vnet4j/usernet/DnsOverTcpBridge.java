package io.vnet4j.usernet;

import io.vnet4j.base.Acceptor;
import io.vnet4j.base.LineBudget;
import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.usernet.flow.OutboundAddresses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * DNS over TCP to the gateway's DNS address (RFC 7766; RFC 1035 section 4.2.2), answered as DNS over UDP is:
 * the guests' own names here, the rest by the upstream in use. Before, TCP went to the upstream whole, which
 * does not know the guests' names: {@code dig +tcp vm2} and glibc's {@code options use-vc} failed where UDP
 * answered (lima#2017 and #2156; gvisor-tap-vsock answers them).
 *
 * <p>The gateway's TCP proxy connects each guest connection to port 53 of the DNS address to this bridge's
 * {@link PrivateUnixListener} (opened at the first), and a {@link DnsOverTcpSession} on virtual threads serves it: it reads the guest's
 * queries one at a time, asks the loop what each gets ({@link Resolver}, on the loop's thread, where the guests'
 * names live), and sends the ones not answered here over one TCP connection to the upstream, opened at the first
 * of them. At most {@value #MAX_SESSIONS} connections are served at once; for a further one the one idle longest
 * is closed (said in the log, at most 3 lines a minute).
 */
final class DnsOverTcpBridge implements AutoCloseable {
    /**
     * Guest connections served at once, each holding at most one query and one answer (64 KiB each) and the queries
     * it owes ({@link DnsOverTcpSession#MAX_OWED}).
     */
    static final int MAX_SESSIONS = 64;
    /** How long a new connection waits for the room of the session closed for it. */
    private static final long ROOM_MILLIS = 1000;

    /** The loop's side of the bridge: every call runs on the loop's thread. */
    interface Resolver {
        /**
         * What a query (one DNS message, without its two bytes of length) gets, as a query over UDP: a response
         * made here (a guest's own name; REFUSED with restrict=on; SERVFAIL when there is no upstream; counted), or
         * the upstream it goes to: {@code connected}, or when that is null the upstream in use ({@link #upstream}).
         *
         * @param connected the upstream the session is connected to; null when it has none yet
         */
        Verdict decide(byte[] query, InetSocketAddress connected);

        /** The upstream in use now ({@link DnsUpstreams#target}, which may move on first); null when there is none. */
        InetSocketAddress upstream();

        /**
         * A SERVFAIL response to {@code query}, which no upstream took (counted as not forwarded); null when it is no
         * query to answer.
         */
        byte[] serverFailure(byte[] query);

        /** {@code query} went to {@code upstream}: counted, and the failover's clock runs as for a query over UDP. */
        void forwarded(InetSocketAddress upstream, byte[] query);

        /** A connect to {@code upstream} began, or the queries owed were sent to it again: the failover's clock runs. */
        void asked(InetSocketAddress upstream);

        /** {@code upstream} accepted the connect, or sent an answer. */
        void answered(InetSocketAddress upstream);

        /** {@code upstream} refused the connect, or the host has no route to it. */
        void failed(InetSocketAddress upstream);
    }

    /** A query's verdict: {@code response} to send back, or else {@code upstream} to send the query to. */
    record Verdict(byte[] response, InetSocketAddress upstream) {
        /** Nothing goes back, nor anywhere: a message that is no query, with no upstream to pass it to. */
        static final Verdict NONE = new Verdict(null, null);

        static Verdict answer(byte[] response) {
            return new Verdict(response, null);
        }

        static Verdict forward(InetSocketAddress upstream) {
            return new Verdict(null, upstream);
        }
    }

    private final String logName;
    private final Executor loop;
    private final Resolver resolver;
    private final OutboundAddresses outbound;
    /** Opened at the first guest connection ({@link #address}); null until then. */
    private PrivateUnixListener listener;
    private final Semaphore sessions = new Semaphore(MAX_SESSIONS);
    private final Set<DnsOverTcpSession> open = ConcurrentHashMap.newKeySet();
    /** Lines said for what is no guest's or upstream's doing: no room, no socket. */
    private final LineBudget lines = new LineBudget(3, Duration.ofMinutes(1));
    private volatile boolean closed;
    /** Sessions closed for a new connection's room, and new connections closed for want of it. */
    private final LongAdder closedForRoom = new LongAdder();

    /**
     * @param logName the user network's id, for log lines
     * @param loop runs a task on the loop's thread
     * @param resolver the loop's answers
     * @param outbound where the sessions' upstream sockets bind ({@code outbound-addr=})
     */
    DnsOverTcpBridge(String logName, Executor loop, Resolver resolver, OutboundAddresses outbound) {
        this.logName = logName;
        this.loop = loop;
        this.resolver = resolver;
        this.outbound = outbound;
    }

    /**
     * Where the gateway's TCP proxy connects a guest's connection to the DNS address's port 53; the listener is
     * opened at the first call (most networks never see DNS over TCP). The loop's thread.
     *
     * @return null when the listener cannot be opened (said in the log; the guest's connection is refused)
     */
    UnixDomainSocketAddress address() {
        if (listener == null && !closed) {
            try {
                listener = new PrivateUnixListener("vnet4j-dns");
            } catch (IOException e) {
                lines.warn(logName + ": dns over tcp: cannot open the bridge's socket: " + e.getMessage());
                return null;
            }
            PrivateUnixListener opened = listener;
            Thread.ofVirtual().name("vnet4j-" + logName + "-dns-tcp").start(() -> Acceptor.acceptUntilClosed(
                    opened.channel(), () -> closed, this::serve, line -> Log.warn(logName + ": dns over tcp: " + line)));
        }
        return listener == null ? null : listener.address();
    }

    private void serve(SocketChannel guest) {
        if (!sessions.tryAcquire() && !roomMade()) {
            lines.warn(logName + ": dns over tcp: " + MAX_SESSIONS + " guest connections are served already: "
                    + "a further one was closed");
            closedForRoom.increment();
            Shutdown.closeQuietly(guest);
            return;
        }
        DnsOverTcpSession session = new DnsOverTcpSession(guest, loop, resolver, outbound,
                line -> lines.warn(logName + ": dns over tcp: " + line + "; the query is answered SERVFAIL"));
        open.add(session);
        Thread.ofVirtual().start(() -> {
            try {
                session.run();
            } finally {
                open.remove(session);
                sessions.release();
            }
        });
        if (closed) { // close() may have walked the set before the add
            session.close();
        }
    }

    /**
     * With every session taken, closes the one idle longest and waits (at most {@value #ROOM_MILLIS} ms) for its
     * room, as the TCP table gives the oldest TIME-WAIT connection's room to a new SYN: one guest that holds
     * {@value #MAX_SESSIONS} idle connections open had every other guest's DNS over TCP refused until they
     * timed out (helper-118). Returns whether the room was taken.
     */
    private boolean roomMade() {
        DnsOverTcpSession idlest = null;
        for (DnsOverTcpSession s : open) {
            if (idlest == null || s.lastActive() - idlest.lastActive() < 0) {
                idlest = s;
            }
        }
        if (idlest != null) {
            idlest.close();
            closedForRoom.increment();
            lines.info(logName + ": dns over tcp: " + MAX_SESSIONS + " guest connections are served already: the one "
                    + "idle longest was closed for a new one");
        }
        try {
            return sessions.tryAcquire(ROOM_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Guest connections closed for want of room: the idlest for a new one, or a new one ({@code info network}); any thread. */
    long closedForRoom() {
        return closedForRoom.sum();
    }

    @Override
    public void close() {
        closed = true;
        if (listener != null) {
            listener.close();
        }
        open.forEach(DnsOverTcpSession::close);
    }
}
