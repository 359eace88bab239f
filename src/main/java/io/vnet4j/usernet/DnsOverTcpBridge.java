package io.vnet4j.usernet;

import io.vnet4j.base.Acceptor;
import io.vnet4j.base.FailureRun;
import io.vnet4j.base.LineBudget;
import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.usernet.flow.OutboundAddresses;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * DNS over TCP to the gateway's DNS address (RFC 7766; RFC 1035 section 4.2.2), answered as DNS over UDP is:
 * the guests' own names here, the rest by the upstream in use. Before, TCP went to the upstream whole, which
 * does not know the guests' names: {@code dig +tcp vm2} and glibc's {@code options use-vc} failed where UDP
 * answered (lima#2017 and #2156; gvisor-tap-vsock answers them).
 *
 * <p>The gateway's TCP proxy connects each guest connection to port 53 of the DNS address to this bridge's
 * {@link PrivateUnixListener} (opened at the first), and a {@link DnsOverTcpSession} serves it in the gateway's
 * loop, with no thread of its own: the listener, the sessions' sockets and their upstream connections are in the
 * loop's selector ({@link Ready}), and their timers run in its poll ({@link #poll}). Each query's verdict is
 * asked of the {@link Resolver} then and there (the guests' names live on the loop). At most
 * {@value #MAX_SESSIONS} connections are served at once; for a further one the one idle longest is closed (said in
 * the log, at most 3 lines a minute).
 *
 * <p>Threads: every method runs under the user network's lock, on the loop's thread ({@link #address} also on a
 * hub's thread that handles a guest's SYN).
 */
final class DnsOverTcpBridge implements AutoCloseable {
    /**
     * Guest connections served at once, each holding at most a message being read from each side (64 KiB each),
     * about as much queued towards each ({@link DnsOverTcpSession#QUEUED_LIMIT}), and the queries it owes
     * ({@link DnsOverTcpSession#MAX_OWED}).
     */
    static final int MAX_SESSIONS = 64;
    /** Connections accepted at one readiness of the listener. */
    private static final int ACCEPTS_AT_ONCE = 16;

    /** A socket of the bridge's in the loop's selector: the listener, a guest's connection or an upstream's. */
    interface Ready {
        /** The socket is ready for what {@code key} says; on the loop's thread, under the user network's lock. */
        void ready(LoopSelector.Key key, long now);
    }

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

        /**
         * {@code query} went to {@code upstream}: counted, and the failover's clock runs as for a query over UDP, from
         * {@code now} (the loop's System.nanoTime, from which the session asks again).
         */
        void forwarded(InetSocketAddress upstream, byte[] query, long now);

        /**
         * A connect to {@code upstream} began, or the queries owed were sent to it again: the failover's clock runs,
         * from {@code now} (the loop's System.nanoTime).
         */
        void asked(InetSocketAddress upstream, long now);

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
    private final LoopSelector selector;
    private final Resolver resolver;
    private final OutboundAddresses outbound;
    /** Opened at the first guest connection ({@link #address}); null until then. */
    private PrivateUnixListener listener;
    private LoopSelector.Key listenerKey;
    /** When accepts failed (out of descriptors): listening again then (System.nanoTime); -1 when not paused. */
    private long pausedUntil = -1;
    private final FailureRun accepts;
    private final List<DnsOverTcpSession> open = new ArrayList<>();
    /** Lines said for what is no guest's or upstream's doing: no room, no socket. */
    private final LineBudget lines = new LineBudget(3, Duration.ofMinutes(1));
    private boolean closed;
    /** Sessions closed for a new connection's room. */
    private long closedForRoom;
    /** Connections, connects and queries owed begun, ever: each waits on time ({@link #timedStarts}). */
    private long timedStarts;
    /** Guest connections served, ever. */
    private long served;

    /**
     * @param logName the user network's id, for log lines
     * @param selector the loop's selector, where the bridge's sockets are watched
     * @param resolver the loop's answers
     * @param outbound where the sessions' upstream sockets bind ({@code outbound-addr=})
     */
    DnsOverTcpBridge(String logName, LoopSelector selector, Resolver resolver, OutboundAddresses outbound) {
        this.logName = logName;
        this.selector = selector;
        this.resolver = resolver;
        this.outbound = outbound;
        this.accepts = new FailureRun(line -> Log.warn(logName + ": dns over tcp: " + line));
    }

    /**
     * Where the gateway's TCP proxy connects a guest's connection to the DNS address's port 53; the listener is
     * opened at the first call (most networks never see DNS over TCP).
     *
     * @return null when the listener cannot be opened (said in the log; the guest's connection is refused)
     */
    UnixDomainSocketAddress address() {
        if (listener == null && !closed) {
            PrivateUnixListener opened = null;
            try {
                opened = new PrivateUnixListener("vnet4j-dns");
                opened.channel().configureBlocking(false);
                listenerKey = selector.register(opened.channel(), SelectionKey.OP_ACCEPT, (Ready) this::accept);
                listener = opened;
            } catch (IOException e) {
                if (opened != null) {
                    opened.close();
                }
                warn("cannot open the bridge's socket: " + e.getMessage());
                return null;
            }
        }
        return listener == null ? null : listener.address();
    }

    /** The listener is ready: serves the guests' connections waiting in it. */
    private void accept(LoopSelector.Key key, long now) {
        for (int i = 0; i < ACCEPTS_AT_ONCE && !closed; i++) {
            SocketChannel guest;
            try {
                guest = listener.channel().accept();
            } catch (IOException e) {
                accepts.failed(Acceptor.failedLine(e));
                selector.interest(listenerKey, 0); // out of descriptors: listening again after a pause (poll)
                pausedUntil = now + TimeUnit.MILLISECONDS.toNanos(Acceptor.RETRY_MILLIS);
                timedStarts++;
                return;
            }
            if (guest == null) {
                return;
            }
            accepts.succeeded(Acceptor::recoveredLine);
            serve(guest, now);
        }
    }

    private void serve(SocketChannel guest, long now) {
        if (open.size() == MAX_SESSIONS) {
            closeIdlest();
        }
        try {
            guest.configureBlocking(false);
            open.add(new DnsOverTcpSession(this, guest, now));
            served++;
            timedStarts++; // its idle close
        } catch (IOException e) {
            warn("cannot serve a guest's connection: " + e.getMessage());
            Shutdown.closeQuietly(guest);
        }
    }

    /**
     * With every session taken, closes the one idle longest, as the TCP table gives the oldest TIME-WAIT
     * connection's room to a new SYN: one guest that holds {@value #MAX_SESSIONS} idle connections open had every
     * other guest's DNS over TCP refused until they timed out (helper-118).
     */
    private void closeIdlest() {
        DnsOverTcpSession idlest = open.getFirst();
        for (DnsOverTcpSession s : open) {
            if (s.lastActive() - idlest.lastActive() < 0) {
                idlest = s;
            }
        }
        idlest.close();
        closedForRoom++;
        lines.info(logName + ": dns over tcp: " + MAX_SESSIONS + " guest connections are served already: the one "
                + "idle longest was closed for a new one");
    }

    /**
     * The sessions' timers, and the listener's pause after failed accepts.
     *
     * @return nanoseconds until the next is due, {@link Long#MAX_VALUE} when nothing waits on time
     */
    long poll(long now) {
        long next = Long.MAX_VALUE;
        if (pausedUntil != -1) {
            if (now - pausedUntil >= 0) {
                pausedUntil = -1;
                selector.interest(listenerKey, SelectionKey.OP_ACCEPT);
            } else {
                next = pausedUntil - now;
            }
        }
        for (int i = open.size() - 1; i >= 0; i--) { // no iterator: the poll allocates nothing; a close removes one
            next = Math.min(next, open.get(i).poll(now));
        }
        return next;
    }

    /**
     * Connections, connects and queries owed begun, ever: when it moved, the loop polls sooner (see
     * {@code Gateway#timedStarts}).
     */
    long timedStarts() {
        return timedStarts;
    }

    /** A session began something that waits on time. */
    void timedStart() {
        timedStarts++;
    }

    /** A session closed. */
    void ended(DnsOverTcpSession session) {
        open.remove(session);
    }

    LoopSelector selector() {
        return selector;
    }

    Resolver resolver() {
        return resolver;
    }

    OutboundAddresses outbound() {
        return outbound;
    }

    /** Says a line in the log, for what is no upstream's doing (at most 3 a minute). */
    void warn(String line) {
        lines.warn(logName + ": dns over tcp: " + line);
    }

    /** Guest connections served now ({@code info network}); the loop's thread. */
    int sessions() {
        return open.size();
    }

    /** Guest connections served, ever ({@code info network}); the loop's thread. */
    long served() {
        return served;
    }

    /** Guest connections closed for want of room, for a new one ({@code info network}); the loop's thread. */
    long closedForRoom() {
        return closedForRoom;
    }

    @Override
    public void close() {
        closed = true;
        if (listener != null) {
            selector.cancel(listenerKey);
            listener.close();
        }
        for (DnsOverTcpSession s : List.copyOf(open)) {
            s.close();
        }
    }
}
