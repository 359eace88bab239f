package io.vnet4j.usernet;

import io.vnet4j.base.HostText;
import io.vnet4j.base.Log;
import io.vnet4j.base.SocketAddresses;
import io.vnet4j.config.UserConfig;
import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * The resolvers DNS queries go to: {@code dns-upstream=} when given, else /etc/resolv.conf's nameservers of
 * either family (a guest's query goes to the one in use, whatever the guest's own family).
 *
 * <p>resolv.conf changes under a running network (a laptop joins another Wi-Fi, a VPN comes up and
 * NetworkManager or systemd-resolved rewrites it), so it is followed as libslirp follows it
 * ({@code get_dns_addr_cached}, slirp.c): at most once a {@value #RECHECK_MILLIS} ms, when a query asks, the
 * file's identity, size and modification time are looked at, and when they changed it is read again. Read
 * once, a daemon kept sending every guest's lookups to a resolver that had gone (a replay of
 * gvisor-tap-vsock's PR #696 review: every lookup failed until a restart).
 *
 * <p>The upstreams are tried in order, as resolv.conf(5) says a resolver tries its nameservers: queries go to
 * one upstream, the first at start, until a query to it has gone {@value #FAILOVER_MILLIS} ms without any
 * answer from it, or it refused one; the next query, which is often the guest's own retry (glibc's after 5 s,
 * musl's after 2.5), goes to the next upstream, after the last to the first again. {@value #BACK_TO_FIRST_MILLIS}
 * ms after a move the first is tried again, as a resolver starts each query with its first nameserver: a first
 * upstream that was slow once (a corporate resolver, the only one that knows the internal names) is not given up
 * for good, and one that is down costs the queries of the next {@value #FAILOVER_MILLIS} ms their wait once in
 * that time. The guest knows only the gateway's DNS address, so it cannot fall back by itself: libslirp (and so
 * slirp4netns, slirp4netns#347) asks only the first, and a first nameserver that was down failed every lookup.
 * Answers and errors come from {@link UdpNat}'s pinned flows; DNS over TCP, from the {@link DnsOverTcpBridge}'s
 * sessions, counts as well while the upstream in use has not answered over UDP for {@value #BACK_TO_FIRST_MILLIS} ms: a connect
 * or a query it leaves unanswered {@value #FAILOVER_MILLIS} ms, or a connection it refuses, moves the queries on.
 * A query the upstream in use refuses (a port unreachable: nothing listens there) is asked of the next one at once
 * ({@link #askAgain}), as a resolver asks its next nameserver and as a refused DNS-over-TCP connect is tried at
 * the next: the guest used to hear the refusal, which failed busybox's nslookup and {@code dig +tries=1} ("connection
 * refused") and cost musl, whose unconnected socket is not told, its 2.5 s retry, again each time the first was
 * tried again {@value #BACK_TO_FIRST_MILLIS} ms after a move (a replay of gvisor-tap-vsock#398).
 * The loop's thread only.
 */
final class DnsUpstreams {
    static final long RECHECK_MILLIS = 1000;
    /**
     * The clock of the daemon's networks: one lambda, so that {@link #prepareCode}'s instance and theirs call the
     * same class, and the code compiled for the one is the other's ({@code class_check} traps otherwise).
     */
    static final LongSupplier SYSTEM_CLOCK = System::nanoTime;
    /** How many times {@link #prepareCode} runs the look at resolv.conf: enough for C2's code. */
    private static final int PREPARED_CHECKS = 6000;
    /** Whether {@link #prepareCode} has run in this process. */
    private static final AtomicBoolean CODE_PREPARED = new AtomicBoolean();
    /** How long the upstream in use may leave a query unanswered before the next query goes to the next one. */
    static final long FAILOVER_MILLIS = 2000;
    /** How long after a move to another upstream the first is tried again. */
    static final long BACK_TO_FIRST_MILLIS = 30_000;
    /** The least time between two lines that say the upstream in use changed (the others are counted). */
    private static final long SAY_EVERY_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final String logName;
    private final Path resolvConf;
    private final LongSupplier clock;
    /** The upstreams now: {@code dns-upstream=}'s for good, or resolv.conf's as last read. */
    private List<InetSocketAddress> current;
    /** resolv.conf's identity, size and modification time when last read; null when given or never there. */
    private List<Object> seen;
    private long checkedAt;
    /** The index in {@link #current} of the upstream queries go to. */
    private int inUse;
    /** When the oldest query sent to it since its last answer left (ns); -1: none waits. */
    private long unansweredSince = -1;
    private long failovers;
    /** When queries last moved on (ns). */
    private long movedAt;
    /** When the upstream in use last answered over UDP (ns); -1: not since it came into use. */
    private long answeredAt = -1;
    private long saidAt = Long.MIN_VALUE;
    /** When each upstream of {@link #current}, in its order, last refused a query (ns); Long.MIN_VALUE: never. */
    private long[] refusedAt;

    /**
     * @param logName the network's id, for the line that says the upstreams changed
     * @param clock System.nanoTime() or a test's
     */
    DnsUpstreams(String logName, UserConfig config, Path resolvConf, LongSupplier clock) {
        this(logName, config.dnsUpstreams().stream().map(u -> new InetSocketAddress(u.address(), u.port())).toList(),
                resolvConf, clock);
    }

    private DnsUpstreams(String logName, List<InetSocketAddress> given, Path resolvConf, LongSupplier clock) {
        this.logName = logName;
        this.clock = clock;
        this.resolvConf = given.isEmpty() ? resolvConf : null;
        this.current = given.isEmpty() ? List.of() : List.copyOf(given);
        if (this.resolvConf != null) {
            seen = stamp();
            current = read();
            checkedAt = clock.getAsLong();
        }
        refusedAt = never(current.size());
    }

    private static long[] never(int upstreams) {
        long[] times = new long[upstreams];
        java.util.Arrays.fill(times, Long.MIN_VALUE);
        return times;
    }

    /** The upstreams now, first first; resolv.conf looked at again when a second has passed. */
    List<InetSocketAddress> current() {
        if (resolvConf != null && clock.getAsLong() - checkedAt >= TimeUnit.MILLISECONDS.toNanos(RECHECK_MILLIS)) {
            checkedAt = clock.getAsLong();
            List<Object> now = stamp();
            if (!Objects.equals(now, seen)) {
                seen = now;
                List<InetSocketAddress> read = read();
                if (!read.equals(current)) {
                    current = read;
                    refusedAt = never(read.size());
                    inUse = 0;
                    unansweredSince = -1;
                    answeredAt = -1;
                    Log.info(logName + ": " + resolvConf + " changed: DNS queries go to "
                            + (read.isEmpty() ? "nobody (no nameserver in it): other than the guests' own names, they are"
                                    + " answered SERVFAIL until one is there" : SocketAddresses.format(read.getFirst())));
                }
            }
        }
        return current;
    }

    /**
     * Runs the look at resolv.conf of a lookup that comes after a quiet second ({@link #current}) {@value
     * #PREPARED_CHECKS} times (and as often the lookup that comes sooner, which does not look), on a throw-away
     * instance and the calling thread (the warm-up's: no network's loop waits for it, 30-60 ms). The warm-up's own
     * network names its upstream (dns-upstream=) and never ran it: a daemon's first lookup ran it in the
     * interpreter, with the JDK's file code cold, and threw the lookup's compiled code away at a branch the warm-up
     * had never taken ({@code unstable_if} in {@link #current}, {@code -Xlog:deoptimization}): 0.8-0.9 ms of the
     * first lookup's time in the gateway (docs/benchmarks.md).
     * Compiled code serves the whole process, so only the first call runs the checks (a daemon of several user
     * networks without dns-upstream= asks once per network).
     *
     * @return whether this call ran them (false: an earlier call in this process did)
     */
    static boolean prepareCode(Path resolvConf) {
        if (!CODE_PREPARED.compareAndSet(false, true)) {
            return false;
        }
        DnsUpstreams upstreams = new DnsUpstreams("warm-up", List.of(), resolvConf, SYSTEM_CLOCK);
        Log.hushed(() -> { // a resolv.conf that changes meanwhile is no news of this instance's
            for (int i = 0; i < PREPARED_CHECKS; i++) {
                if (i % 2 == 0) { // a lookup a second after the last, then one at once (each way compiled)
                    upstreams.checkedAt = SYSTEM_CLOCK.getAsLong() - TimeUnit.MILLISECONDS.toNanos(RECHECK_MILLIS);
                }
                upstreams.current();
            }
        });
        return true;
    }

    /**
     * The upstream a query goes to now: the one in use, or the next one when the one in use has left a query
     * unanswered for {@value #FAILOVER_MILLIS} ms (said in the log, at most once a minute), or the first again
     * {@value #BACK_TO_FIRST_MILLIS} ms after the last move.
     *
     * @return null when there is no upstream
     */
    InetSocketAddress target() {
        List<InetSocketAddress> list = current();
        if (list.isEmpty()) {
            return null;
        }
        long now = clock.getAsLong();
        if (unansweredSince != -1 && now - unansweredSince >= TimeUnit.MILLISECONDS.toNanos(FAILOVER_MILLIS)) {
            moveOn("left a query unanswered for " + FAILOVER_MILLIS + " ms");
        } else if (inUse != 0 && now - movedAt >= TimeUnit.MILLISECONDS.toNanos(BACK_TO_FIRST_MILLIS)) {
            inUse = 0; // not said: a first that is still down moves queries on again, and that is said
            unansweredSince = -1;
            answeredAt = -1;
        }
        return list.get(inUse);
    }

    /**
     * A query to {@code upstream} met an error (a port unreachable: nothing listens there; no route): when it is
     * the one in use, the next query goes to the next upstream at once; a query over UDP is asked of it again at
     * once ({@link #askAgain}).
     */
    void failed(InetSocketAddress upstream) {
        for (int i = 0; i < current.size(); i++) {
            if (sameSocket(current.get(i), upstream)) {
                refusedAt[i] = clock.getAsLong();
            }
        }
        if (isInUse(upstream)) {
            moveOn("refused a query, or has no route");
        }
    }

    /**
     * A query sent over UDP to {@code upstream} met an error ({@link #failed} was told): the upstream to ask it of
     * again now, which is then sent it (the failover's clock runs for it); or null, and the guest hears the error,
     * when there is no other (a single upstream, as libslirp's) or the next one refused a query too in the last
     * {@value #FAILOVER_MILLIS} ms (all are down: a query goes round them once, not for ever).
     */
    InetSocketAddress askAgain(InetSocketAddress upstream) {
        InetSocketAddress next = target();
        if (next == null || sameSocket(next, upstream)
                || refusedAt[inUse] != Long.MIN_VALUE
                        && clock.getAsLong() - refusedAt[inUse] < TimeUnit.MILLISECONDS.toNanos(FAILOVER_MILLIS)) {
            return null;
        }
        sent();
        return next;
    }

    /**
     * A DNS-over-TCP connection to {@code upstream} was refused, or the host has no route to it: when it is the one
     * in use and has not answered a query over UDP in the last {@value #BACK_TO_FIRST_MILLIS} ms, as
     * {@link #failed}. One that answers over UDP and takes no TCP (unbound's {@code do-tcp: no}, some VPNs'
     * resolvers) is kept: it may be the only one that knows a company's names, and a guest's retry of a truncated
     * answer over TCP must not take all queries away.
     */
    void failedOverTcp(InetSocketAddress upstream) {
        if (!answeredOverUdpLately()) {
            failed(upstream);
        }
    }

    /**
     * A DNS-over-TCP connection to {@code upstream} began, or the guest sent a query on one: when it is the one in
     * use and has not answered over UDP lately (see {@link #failedOverTcp}), its clock runs as for a query over
     * UDP. An upstream that drops TCP (a firewall) or accepts and never answers is otherwise kept for good by a
     * guest that asks only over TCP (glibc's {@code options use-vc}, {@code dig +tcp}).
     *
     * @param now when it was asked: the loop's System.nanoTime, from which the session asks again after
     *     {@value #FAILOVER_MILLIS} ms. A reading of this clock taken later, as the query went, made the failover
     *     not yet due at the session's ask, and a query left unanswered went to the next upstream after 4 s, not 2
     *     (helper-123)
     */
    void askedOverTcp(InetSocketAddress upstream, long now) {
        if (isInUse(upstream) && !answeredOverUdpLately()) {
            sent(now);
        }
    }

    /**
     * A DNS-over-TCP connection to {@code upstream} was accepted, or it sent bytes: when it is the one in use and
     * TCP counts for it (as in {@link #askedOverTcp}), it answers. While it answers over UDP, TCP neither starts nor
     * stops the clock: an accept, which the host's kernel completes for a resolver that hangs, had stopped the clock
     * of a UDP query left unanswered, and the guest's retry then went to the same silent upstream.
     */
    void answeredOverTcp(InetSocketAddress upstream) {
        if (isInUse(upstream) && !answeredOverUdpLately()) {
            unansweredSince = -1;
        }
    }

    /** Whether {@code target} is the upstream in use (address and port). */
    boolean isInUse(SocketAddress target) {
        return target instanceof InetSocketAddress upstream && !current.isEmpty()
                && sameSocket(current.get(inUse), upstream);
    }

    private boolean answeredOverUdpLately() {
        return answeredAt != -1 && clock.getAsLong() - answeredAt < TimeUnit.MILLISECONDS.toNanos(BACK_TO_FIRST_MILLIS);
    }

    /** Address and port, whatever the scope of a link-local address or the form an IPv4 one came in. */
    static boolean sameSocket(InetSocketAddress a, InetSocketAddress b) {
        return a.equals(b) // the common case, without allocating
                || a.getPort() == b.getPort() && IpAddress.of(a.getAddress()).equals(IpAddress.of(b.getAddress()));
    }

    private void moveOn(String why) {
        unansweredSince = -1;
        answeredAt = -1;
        if (current.size() < 2) {
            return;
        }
        InetSocketAddress left = current.get(inUse);
        inUse = (inUse + 1) % current.size();
        failovers++;
        long now = clock.getAsLong();
        movedAt = now;
        if (saidAt == Long.MIN_VALUE || now - saidAt >= SAY_EVERY_NANOS) {
            saidAt = now;
            Log.info(logName + ": DNS upstream " + SocketAddresses.format(left) + " " + why + ": queries go to "
                    + SocketAddresses.format(current.get(inUse))
                    + " (said once a minute at most; info network counts the changes)");
        }
    }

    /** A query went to {@link #target}. */
    void sent() {
        sent(clock.getAsLong());
    }

    /** A query went to {@link #target} at {@code now}: the failover's clock runs from there, unless it runs already. */
    private void sent(long now) {
        if (unansweredSince == -1) {
            unansweredSince = now;
        }
    }

    /**
     * A datagram came back from {@code from}: when it is the upstream in use, that one answers. A late answer from
     * one that queries moved away from says nothing of the one in use.
     */
    void answered(InetSocketAddress from) {
        if (isInUse(from)) {
            unansweredSince = -1;
            answeredAt = clock.getAsLong();
        }
    }

    /** The upstream queries go to as things stand (a report's; {@link #target} may move on first); null: none. */
    InetSocketAddress inUse() {
        return current.isEmpty() ? null : current.get(inUse);
    }

    /** How many times queries moved on to the next upstream. */
    long failovers() {
        return failovers;
    }

    /** resolv.conf's identity (device and inode), size and modification time; null when it is not there. */
    private List<Object> stamp() {
        try {
            BasicFileAttributes a = Files.readAttributes(resolvConf, BasicFileAttributes.class);
            return java.util.Arrays.asList(a.fileKey(), a.size(), a.lastModifiedTime());
        } catch (IOException e) {
            return null;
        }
    }

    private List<InetSocketAddress> read() {
        List<InetSocketAddress> list = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(resolvConf)) {
                String[] words = line.trim().split("\\s+");
                if (words.length >= 2 && words[0].equals("nameserver")) {
                    InetAddress address = nameserver(words[1]);
                    if (address != null) {
                        list.add(new InetSocketAddress(address, 53));
                    }
                }
            }
        } catch (IOException e) {
            // no resolv.conf: no upstream; queries are answered SERVFAIL and counted
        }
        return List.copyOf(list);
    }

    /**
     * A nameserver line's address, IPv4 or IPv6 (a link-local one with its {@code %interface} scope, as
     * glibc reads it); null for anything else. Parsed as text, never looked up.
     */
    static InetAddress nameserver(String text) {
        try {
            return text.startsWith("[") ? null : HostText.literal(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
