package io.vnet4j.usernet.tcp;

import io.vnet4j.base.Descriptors;
import io.vnet4j.base.FailureRun;
import io.vnet4j.base.HostSockets;
import io.vnet4j.base.LineBudget;
import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.base.SocketAddresses;
import io.vnet4j.usernet.flow.FlowKey;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.usernet.flow.OutboundAddresses;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSackBlocks;
import io.vnet4j.wire.TcpSynOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * The table of proxied TCP connections: each pairs a {@link TcpConnection} (the guest's side) with a
 * non-blocking host {@link SocketChannel} on the gateway loop's selector. It turns selector events into
 * calls on the connection and the connection's wishes into interest ops, so a full buffer on one side
 * stops reading on the other (flow control both ways, never unbounded buffering).
 */
public final class TcpNat {
    /** Each direction of each connection buffers at most this much. */
    public static final int BUFFER_BYTES = 1024 * 1024;
    /** The least window a sending connection's share of the window budget comes to: one large segment. */
    static final int MIN_WINDOW_SHARE = 64 * 1024;
    /** A connection counts as sending when the guest sent it data this recently. */
    static final long SENDING_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * The most connections at once. When the table is full, one in TIME_WAIT gives way to a new one (the oldest
     * first, as Linux drops time-wait sockets beyond tcp_max_tw_buckets): a guest that closes 2,000
     * connections a second would otherwise be refused for the 2 s each waits. Next, the oldest attempt that
     * had no answer yet (our connect to the host, our SYN-ACK to the guest, or our SYN to the guest for a host
     * forward) gives way, silently, as Linux's conntrack drops an entry that never saw a reply first
     * (early_drop) and a full SYN queue drops its oldest request: a guest's SYN scan of a host that drops SYNs
     * filled the table with attempts for their 75 s and refused every other connection meanwhile
     * (gvisor-tap-vsock#127's fault, there for good), and so did SYNs from a source that never answers the
     * SYN-ACKs (a flood, a spoofed address). A connect to the host gives way at any age (the guest has seen no
     * answer); a SYN-ACK or SYN to the guest only once unanswered for {@link #GIVE_WAY_AFTER} or more, and
     * while the one that waited longest has waited less, the new SYN is dropped, untold, and a later
     * retransmission of it finds that attempt given up or answered: in a burst of 6,000 connects from a guest
     * (docker/for-mac#2610's 2,000 and more, replayed), SYN-ACKs sent a moment before gave way to later SYNs, so
     * about 1,300 of the guest's connects succeeded and then had their first write reset (29 now; the rest of
     * those beyond the table are refused at connect). Failing that, the connections
     * the guest closed first while their host has not ({@link TcpConnection#guestHalfClosed}) are probed, at
     * most {@link #PROBES_PER_ROUND} a {@link #PROBE_ROUND}, and the new SYN is dropped rather than refused: a guest that forgot a probed
     * connection answers with a RST at once, which frees its entry, and the SYN's retransmission (1 s later on
     * Linux) finds the room. A host server that never closes would otherwise hold the table full of
     * connections the guest had long forgotten (slirp4netns#350). Only a table full of connections that are
     * all alive refuses a SYN with a RST. Under a low descriptor limit the table is smaller still
     * ({@link #connectionsUnder(long)}).
     */
    public static final int MAX_CONNECTIONS = 4096;
    /**
     * How long an attempt has had before it gives way to a new connection in a full table: three initial
     * retransmission time-outs (RFC 6298's 1 s, Linux's TCP_TIMEOUT_INIT), the time of a SYN's second
     * retransmission (at 1 s, then 2 s later). Within it a SYN-ACK whose ACK was lost (a guest's TAP queue drops
     * the ACKs of a burst) is sent again and acknowledged; at one RTO, in that burst's replay, 550 connects the
     * guest saw succeed still gave way.
     */
    static final long GIVE_WAY_AFTER = 3 * TcpConnection.INITIAL_RTO;
    /** The least table {@link #connectionsUnder(long)} gives, however low the descriptor limit. */
    static final int MIN_CONNECTIONS = 16;
    /** The least time between two rounds of probes of a full table: two rounds before a guest resends its SYN. */
    static final long PROBE_ROUND = TimeUnit.MILLISECONDS.toNanos(500);
    /**
     * The most connections one round probes, those silent longest first: a burst of thousands of probes would
     * overrun the guest's receive backlog (Linux's netdev_max_backlog, 1,000 frames), losing most of them.
     */
    static final int PROBES_PER_ROUND = 256;
    /** The least time between two warnings that the table refused a connection. */
    static final long FULL_WARNING_EVERY = TimeUnit.MINUTES.toNanos(1);
    /** Host sockets that cannot be opened (out of descriptors): two lines however many SYNs meet it. */
    private final FailureRun socketOpens = new FailureRun(Log::warn);
    /** Host sockets that cannot be bound to outbound-addr=: a guest's SYNs cause them at will. */
    private final LineBudget bindLines = new LineBudget(10, Duration.ofSeconds(10));
    /** The JVM found no IPv6 on the host ({@link HostSockets.NoIpv6}), which was said once. */
    private boolean saidNoIpv6;
    /** An IPv6 header is 20 bytes longer than an IPv4 one, so the MSS over IPv6 is that much smaller. */
    static final int IPV6_EXTRA_HEADER = 20;

    /**
     * Tells a guest that the host could not reach where its SYN went (no route, no neighbour, a rule), as a
     * router's ICMP Destination Unreachable quoting that SYN would, so its connect fails at once instead of
     * after its SYN retries (libslirp's tcp_input does the same). A refused connect is not reported here: the
     * guest gets a RST.
     */
    public interface Unreachable {
        /** @param cause the connect's failure */
        void report(IpAddress remote, int remotePort, IpAddress guest, int guestPort, int guestSequence, IOException cause);
    }

    /** One guest connection and its host socket. */
    public final class Flow {
        final FlowKey key;
        final TcpConnection connection;
        final SocketChannel channel;
        LoopSelector.Key selectionKey;
        boolean hostEof;
        boolean ackQueued;
        /** Accepted on a host forward (libslirp's SS_INCOMING): the host client connected first. */
        final boolean incoming;
        /** The host socket's addresses, kept when it is given back in TIME_WAIT, for the reports; else null. */
        SocketAddress releasedRemote;
        SocketAddress releasedLocal;

        Flow(FlowKey key, SocketChannel channel, boolean incoming, long now) {
            this.key = key;
            this.channel = channel;
            this.incoming = incoming;
            this.connection = new TcpConnection(output, key.guest().isIpv4() ? mss : mss - IPV6_EXTRA_HEADER, BUFFER_BYTES,
                    isn.next(key.remote(), key.remotePort(), key.guest(), key.guestPort(), now), buffers, windowCap);
            this.connection.between(key.remote(), key.remotePort(), key.guest(), key.guestPort());
            this.connection.coalesceAcks(true);
            this.connection.sendLargeSegments(largeSegments);
            this.connection.writeThrough(channel);
            sending++; // until the next poll counts again: a new connection is likely to send
            shareWindows();
        }
    }

    private final LoopSelector selector;
    private final SegmentSink output;
    /** The RSTs this table sends itself: for a connect it cannot make, and for a segment of no connection. */
    private final OutgoingSegment refusal = new OutgoingSegment();
    private Unreachable unreachable = (remote, remotePort, guest, guestPort, sequence, cause) -> { };
    /** The source addresses of host connections per family ({@link #outboundAddresses}). */
    private OutboundAddresses outbound = OutboundAddresses.KERNEL;
    private final int mss;
    private final InitialSequenceNumbers isn;
    /** Events after which a connection waited on time, ever ({@link #timedEvents}). */
    private long timedEvents;
    private final Map<FlowKey, Flow> flows = new HashMap<>();
    private int maxConnections = connectionsUnder(Descriptors.limit());
    /** The connections' smallest buffers, reused (see {@link BufferPool}): the process's pool. */
    private final BufferPool buffers = BufferPool.SHARED;
    /** Reused for every lookup (see FlowKey). */
    private final FlowKey probe = new FlowKey();
    private final List<Flow> owingAcks = new ArrayList<>();
    private boolean largeSegments;
    /** Connections in TIME_WAIT, oldest first: the first to give way when the table is full. */
    private final LinkedHashSet<Flow> timeWaiting = new LinkedHashSet<>();
    /** SYNs refused (RST) because the table was full of live connections. */
    private long refusedCapacity;
    /** Host-forwarded connections given up because their guest's MAC could not be learnt ({@link #guestUnresolved}). */
    private long unresolvedResets;
    /** A guest's address that answers no ARP is the user's VM not up yet, or a wrong address: a few lines, not one per client. */
    private final LineBudget unresolvedLines = new LineBudget(3, Duration.ofMinutes(1));
    /** SYNs dropped, for their retransmission, while a full table's probes found forgotten connections. */
    private long synsDeferred;
    /** Connections probed because the table was full ({@link #probeGuestHalfClosed}). */
    private long fullTableProbes;
    private long probeRoundAt;
    private long warnedFullAt;
    private boolean probedOnce;
    private boolean warnedOnce;
    /** The connections the last round probed: while there were some, a SYN is dropped, not refused. */
    private int probedLastRound;
    /** Connections in TIME_WAIT closed early to make room for a new one. */
    private long timeWaitsEnded;
    /** Host connects still unanswered that gave way to a new connection with the table full. */
    private long connectsDropped;
    /** Segments resent to guests (and of them at an RTO) by connections that have closed; see {@link #describe}. */
    private long closedResent;
    private long closedResentAtTimeout;
    private final int windowBudget;
    private int sending;
    /** What each connection may offer: the window budget shared among the connections that are sending. */
    private final WindowCap windowCap = new WindowCap();
    private final String logName;

    /**
     * @param logName the user network's name in log lines ({@code u}: "u: tcp: ...")
     * @param output the gateway's output, where every segment to a guest goes
     * @param windowBudget what the windows of all connections that are sending may add up to: the room
     *     of the queue in front of the gateway, which a segment dropped there would cost a retransmission
     * @param random draws the secret key of the initial sequence numbers, once ({@link InitialSequenceNumbers})
     */
    public TcpNat(String logName, LoopSelector selector, SegmentSink output, int mtu, int windowBudget,
                  RandomGenerator random) {
        this.logName = logName;
        this.selector = selector;
        this.output = output;
        this.mss = mtu - 40; // IPv4 and TCP headers
        this.windowBudget = windowBudget;
        this.windowCap.bytes = windowShare(windowBudget, 1);
        this.isn = new InitialSequenceNumbers(random);
    }

    /** The host addresses NAT'd connections leave from, per family ({@code outbound-addr=}, {@code outbound-addr6=}). */
    public void outboundAddresses(OutboundAddresses addresses) {
        this.outbound = addresses;
    }

    /**
     * The connections allowed under {@code descriptorLimit} (RLIMIT_NOFILE), each holding a host socket: half of
     * it, within {@link #MIN_CONNECTIONS}..{@link #MAX_CONNECTIONS}. UdpNat's flows take at most a quarter, and the
     * rest stays for DNS, DNS over TCP, the control socket and the forwards' listeners: a guest holding many
     * connections under {@code ulimit -n 400} took every descriptor, and its lookups then failed, datagrams
     * were dropped and even its own new connections were told Network Unreachable until some closed (moby/vpnkit#406's
     * "Too many open files" replayed; libslirp has no bound, vpnkit bounds all its connections).
     */
    static int connectionsUnder(long descriptorLimit) {
        return (int) Math.max(MIN_CONNECTIONS, Math.min(MAX_CONNECTIONS, descriptorLimit / 2));
    }

    /** A smaller table than {@link #MAX_CONNECTIONS}, for tests. */
    void maxConnections(int max) {
        this.maxConnections = max;
    }

    /** Where reports of unreachable destinations go (by default nowhere). */
    public void onUnreachable(Unreachable unreachable) {
        this.unreachable = unreachable;
    }

    /**
     * The bytes of direct memory that the connections' byte queues (of every NAT in the process) have left to the
     * collector so far: freed only when a collection finds them (see {@link io.vnet4j.HeapTrim}).
     */
    public static long directBytesDropped() {
        return ByteQueue.dropped();
    }

    /** Each sending connection's cap on its window: the budget shared out, but at least one large segment. */
    static int windowShare(int budget, int sendingConnections) {
        return Math.max(MIN_WINDOW_SHARE, budget / Math.max(1, sendingConnections));
    }

    /**
     * A segment from a guest. A SYN for a new connection starts a host connect to {@code target} (TCP or
     * unix; null: refuse with RST), also one that a connection in TIME_WAIT on its four-tuple gives way to
     * ({@link TcpConnection#reopensBy}); a segment for no connection is answered with RST.
     */
    public void guestSegment(IpAddress guestIp, int guestPort, IpAddress remoteIp, int remotePort, int flags, int sequence,
                             int acknowledgment, int window, TcpSynOptions synOptions, TcpSackBlocks sack,
                             ByteBuffer payload, int offset, int length, SocketAddress target, long now) {
        Flow flow = flows.get(probe.set(guestIp, guestPort, remoteIp, remotePort));
        boolean syn = (flags & (TcpFlags.SYN | TcpFlags.ACK | TcpFlags.RST)) == TcpFlags.SYN;
        if (flow != null && syn && flow.connection.reopensBy(sequence)) {
            close(flow);
            flow = null;
        }
        if (flow == null) {
            FlowKey key = probe.copy();
            if (syn) {
                connect(key, sequence, window, synOptions, target, now);
            } else if ((flags & TcpFlags.RST) == 0) {
                reset(key, flags, sequence, acknowledgment, length);
            }
            return;
        }
        flow.connection.guestSegment(flags, sequence, acknowledgment, window, synOptions, sack, payload, offset, length,
                now);
        if (flow.connection.ackOwed() && !flow.ackQueued) {
            flow.ackQueued = true;
            owingAcks.add(flow);
        }
        settle(flow, now);
    }

    /** Whether connections may send segments larger than the guest's MSS (some port takes them whole). */
    public void sendLargeSegments(boolean on) {
        if (on != largeSegments) {
            largeSegments = on;
            flows.values().forEach(f -> f.connection.sendLargeSegments(on));
        }
    }

    /** Sends the acknowledgments that the last batch of guest segments left owing (see TcpConnection#coalesceAcks). */
    public void flushAcks() {
        for (int i = 0; i < owingAcks.size(); i++) { // indexed: no iterator allocated per batch
            Flow flow = owingAcks.get(i);
            flow.ackQueued = false;
            flow.connection.flushAck();
        }
        owingAcks.clear();
    }

    private void connect(FlowKey key, int sequence, int window, TcpSynOptions options, SocketAddress target, long now) {
        Room room = target == null ? Room.NONE : makeRoom(now);
        if (room == Room.LATER) {
            synsDeferred++;
            return; // the guest sends its SYN again; the probes' answers, or the attempts' end, make room by then
        }
        if (room == Room.NONE) {
            sendReset(key, TcpFlags.RST | TcpFlags.ACK, 0, sequence + 1);
            return;
        }
        SocketChannel channel;
        try {
            channel = HostSockets.tcp(target instanceof UnixDomainSocketAddress ? StandardProtocolFamily.UNIX
                    : SocketAddresses.family((InetSocketAddress) target));
        } catch (HostSockets.NoIpv6 e) { // no shortage that passes: told as libslirp's failed socket(AF_INET6) is
            if (!saidNoIpv6) {
                saidNoIpv6 = true;
                Log.warnOfHost(logName + ": tcp: " + e.getMessage() + ": guests' connections over IPv6 are told Network Unreachable");
            }
            unreachable.report(key.remote(), key.remotePort(), key.guest(), key.guestPort(), sequence, e);
            return;
        } catch (IOException e) {
            // out of descriptors, say (EMFILE): as libslirp's tcp_fconnect, the guest is told its SYN met an error
            // (Network Unreachable), so its connect fails at once rather than resending for two minutes
            socketOpens.failed(logName + ": tcp: cannot open a host socket: " + e.getMessage() + "; until one opens, the "
                    + "guests' new connections are told Network Unreachable");
            unreachable.report(key.remote(), key.remotePort(), key.guest(), key.guestPort(), sequence, e);
            return;
        }
        socketOpens.succeeded(failed -> logName + ": tcp: host sockets open again, after " + failed
                + (failed == 1 ? " connection" : " connections") + " told Network Unreachable");
        try {
            prepare(channel, target);
        } catch (IOException | RuntimeException e) { // a RuntimeException too: the channel must not leak
            // its bind to outbound-addr= failed (the address gone from the host, say): told as above, and said
            // while it lasts, budgeted, as a setting that is wrong is no shortage that passes
            Shutdown.closeQuietly(channel);
            bindLines.warn(logName + ": tcp: cannot bind or set up a host socket: " + e.getMessage());
            unreachable.report(key.remote(), key.remotePort(), key.guest(), key.guestPort(), sequence,
                    e instanceof IOException io ? io : new IOException(e.getMessage(), e));
            return;
        }
        Flow flow = new Flow(key, channel, false, now);
        flow.connection.guestSyn(sequence, window, options, now);
        flows.put(key, flow);
        try {
            // a host on this machine (loopback, above all) has often accepted by the time connect returns:
            // then the SYN-ACK leaves now, not after a trip through the loop's selector
            boolean connected = channel.connect(target) || channel.finishConnect();
            flow.selectionKey = selector.register(channel, connected ? 0 : SelectionKey.OP_CONNECT, flow);
            if (connected) {
                hostConnected(flow, now);
            }
        } catch (IOException e) {
            connectFailed(flow, e);
        }
        settle(flow, now);
    }

    /** A new host socket made ready to connect to {@code target}: non-blocking, TCP_NODELAY, bound to outbound-addr=. */
    private void prepare(SocketChannel channel, SocketAddress target) throws IOException {
        channel.configureBlocking(false);
        if (target instanceof InetSocketAddress inet) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            // TCP urgent data (MSG_OOB) in line: Linux otherwise takes the urgent byte out of the stream, where a
            // plain read never sees it, and it was lost on the way to the guest (helper-93). libslirp sets the
            // same (tcp_fconnect); it passes the urgent mark on too, which this proxy does not (RFC 6093: the
            // mark is best not relied on): a guest's urgent byte reaches the host in line as well
            channel.socket().setOOBInline(true);
            outbound.bindFor(channel, inet);
        }
    }

    /** Whether the table has the connection between {@code guestIp:guestPort} and {@code remoteIp:remotePort}. */
    public boolean hasConnection(IpAddress guestIp, int guestPort, IpAddress remoteIp, int remotePort) {
        return flows.containsKey(probe.set(guestIp, guestPort, remoteIp, remotePort));
    }

    /** Adopts a host connection accepted by a host forwarding listener and opens towards the guest. */
    public void forward(SocketChannel accepted, IpAddress guestIp, int guestPort, IpAddress gatewayIp, int gatewayPort,
                        long now)
            throws IOException {
        FlowKey key = FlowKey.of(guestIp, guestPort, gatewayIp, gatewayPort);
        if (flows.containsKey(key) || makeRoom(now) != Room.FREE) {
            accepted.close();
            return;
        }
        accepted.configureBlocking(false);
        accepted.setOption(StandardSocketOptions.TCP_NODELAY, true);
        accepted.socket().setOOBInline(true); // see prepare
        Flow flow = new Flow(key, accepted, true, now);
        flow.selectionKey = selector.register(accepted, 0, flow); // first: a failure leaves no entry behind
        flows.put(key, flow);
        flow.connection.openToGuest(now);
        settle(flow, now);
    }

    private void reset(FlowKey key, int flags, int sequence, int acknowledgment, int length) {
        if ((flags & TcpFlags.ACK) != 0) {
            sendReset(key, TcpFlags.RST, acknowledgment, 0);
        } else {
            int consumed = length + ((flags & TcpFlags.SYN) != 0 ? 1 : 0) + ((flags & TcpFlags.FIN) != 0 ? 1 : 0);
            sendReset(key, TcpFlags.RST | TcpFlags.ACK, 0, sequence + consumed);
        }
    }

    private void sendReset(FlowKey key, int flags, int sequence, int acknowledgment) {
        output.segment(refusal.between(key.remote(), key.remotePort(), key.guest(), key.guestPort())
                .header(flags, sequence, acknowledgment, 0));
    }

    /** The selector says a flow's host socket is ready. */
    public void ready(Flow flow, long now) {
        LoopSelector.Key k = flow.selectionKey;
        try {
            if (k.isConnectable()) {
                try {
                    flow.channel.finishConnect();
                    hostConnected(flow, now);
                } catch (IOException e) {
                    connectFailed(flow, e);
                }
            }
            if (k.isValid() && k.isReadable()) {
                readHost(flow, now);
            }
            if (k.isValid() && k.isWritable()) {
                flow.connection.writeToHost(flow.channel);
            }
        } catch (IOException e) {
            flow.connection.hostReset();
        }
        settle(flow, now);
    }

    /**
     * Reads what the host sent, as far as the guest's queue has room. A read that came back short emptied
     * the socket: the next read would only say EAGAIN (one system call per request/response transaction),
     * and the selector reports the socket again when more, or the end, arrives.
     */
    private void readHost(Flow flow, long now) throws IOException {
        while (flow.connection.hostReadRoom() > 0) {
            int n = flow.connection.readFromHost(flow.channel);
            if (n < 0) {
                flow.hostEof = true;
                flow.connection.hostEof(now);
                return;
            }
            if (n == 0) {
                return;
            }
            flow.connection.hostDataAdded(now);
            if (flow.connection.hostReadShort()) {
                return;
            }
        }
    }

    private void hostConnected(Flow flow, long now) {
        flow.connection.hostConnected(now);
    }

    private void connectFailed(Flow flow, IOException e) {
        if (e instanceof ConnectException) {
            flow.connection.hostRefused();
            return;
        }
        flow.connection.hostUnreachable();
        unreachable.report(flow.key.remote(), flow.key.remotePort(), flow.key.guest(), flow.key.guestPort(),
                flow.connection.initialReceiveSequence(), e);
    }

    /** Whether the table takes one more connection (see {@link #MAX_CONNECTIONS}). */
    private enum Room {
        /** Yes (perhaps after closing a connection in TIME_WAIT). */
        FREE,
        /**
         * Not now: probes went to connections the guest may have forgotten, or an attempt younger than {@link
         * #GIVE_WAY_AFTER} may yet complete or give way; the guest's SYN comes again in a second.
         */
        LATER,
        /** No: every connection is alive (counted as a refusal), or there is nowhere to connect. */
        NONE
    }

    private Room makeRoom(long now) {
        if (flows.size() < maxConnections) {
            return Room.FREE;
        }
        for (Iterator<Flow> oldest = timeWaiting.iterator(); oldest.hasNext(); ) {
            Flow flow = oldest.next();
            if (flow.connection.pendingToHost() == 0) {
                close(flow);
                timeWaitsEnded++;
                return Room.FREE;
            }
        }
        Flow attempt = oldestUnansweredConnect();
        if (attempt != null && (attempt.connection.state() == TcpConnection.State.CONNECTING
                || now - attempt.connection.unansweredSince() >= GIVE_WAY_AFTER)) {
            attempt.connection.hostUnreachable(); // nothing more is sent, as when a router drops a SYN
            close(attempt);
            connectsDropped++;
            return Room.FREE;
        }
        if (probeGuestHalfClosed(now) > 0 || attempt != null) {
            return Room.LATER;
        }
        refusedCapacity++;
        if (!warnedOnce || now - warnedFullAt >= FULL_WARNING_EVERY) {
            warnedOnce = true;
            warnedFullAt = now;
            Log.warn(logName + ": tcp: the table of " + maxConnections + " connections is full, all of them alive: new connections "
                    + "are refused (info network lists them)");
        }
        return Room.NONE;
    }

    /**
     * The attempt to give way first, or null: the connect to the host that has waited longest, whatever its age
     * (the guest has had no answer, and its SYN's retransmission finds the table as it is then), else the SYN-ACK
     * or SYN to the guest that has (see {@link #GIVE_WAY_AFTER}). A guest's SYN scan of a host that drops SYNs
     * (gvisor-tap-vsock#127) fills the table with connects, which so give way to any other connection at once.
     */
    private Flow oldestUnansweredConnect() {
        Flow oldest = null;
        long since = Long.MAX_VALUE;
        boolean connecting = false;
        for (Flow flow : flows.values()) {
            long s = flow.connection.unansweredSince();
            boolean c = flow.connection.state() == TcpConnection.State.CONNECTING;
            if (s != Long.MAX_VALUE && (c && !connecting || c == connecting && s < since)) {
                since = s;
                oldest = flow;
                connecting = c;
            }
        }
        return oldest;
    }

    /**
     * Probes the connections the guest closed first, those silent longest first, at most
     * {@link #PROBES_PER_ROUND}, unless a round went out within {@link #PROBE_ROUND}; returns how many the
     * latest round probed.
     */
    private int probeGuestHalfClosed(long now) {
        if (probedOnce && now - probeRoundAt < PROBE_ROUND) {
            return probedLastRound;
        }
        probedOnce = true;
        probeRoundAt = now;
        List<Flow> halfClosed = new ArrayList<>();
        for (Flow flow : flows.values()) {
            if (flow.connection.guestHalfClosed()) {
                halfClosed.add(flow);
            }
        }
        if (halfClosed.size() > PROBES_PER_ROUND) {
            halfClosed.sort((a, b) -> Long.signum(a.connection.probeDue() - b.connection.probeDue()));
            halfClosed = halfClosed.subList(0, PROBES_PER_ROUND);
        }
        for (Flow flow : halfClosed) {
            flow.connection.probeGuest(now);
            settle(flow, now);
        }
        fullTableProbes += halfClosed.size();
        probedLastRound = halfClosed.size();
        return probedLastRound;
    }

    /** Brings the host socket in line with the connection: interest ops, shutdown, close. */
    private void settle(Flow flow, long now) {
        TcpConnection c = flow.connection;
        try {
            if (c.pendingToHost() > 0 && !c.isClosed()) {
                c.writeToHost(flow.channel);
            }
            if (c.hostShouldShutdownOutput()) {
                flow.channel.shutdownOutput();
            }
        } catch (IOException e) {
            c.hostReset();
        }
        if (c.isClosed()) {
            close(flow);
            return;
        }
        if (c.state() == TcpConnection.State.TIME_WAIT) {
            timeWaiting.add(flow);
            if (c.pendingToHost() == 0) {
                releaseHostSocket(flow);
            }
        }
        if (c.pollAt() != 0 || c.bufferMemory() > 0) {
            timedEvents++;
        }
        LoopSelector.Key k = flow.selectionKey;
        if (k == null || !k.isValid()) {
            return;
        }
        int ops = 0;
        if (c.state() == TcpConnection.State.CONNECTING) {
            ops = SelectionKey.OP_CONNECT;
        } else {
            if (c.hostReadRoom() > 0 && !flow.hostEof) {
                ops |= SelectionKey.OP_READ;
            }
            if (c.pendingToHost() > 0) {
                ops |= SelectionKey.OP_WRITE;
            }
        }
        selector.interest(k, ops);
    }

    /**
     * In TIME_WAIT both sides have said all (the host's EOF read, the guest's FIN and every byte before it
     * written and the write side shut): only the guest's retransmitted FIN can still come, which the
     * connection answers without the host. So its descriptor goes back now rather than at the end of
     * TIME_WAIT: a guest's short connections held one each for {@value TcpConnection#TIME_WAIT_SECONDS} s more
     * (the warm-up's peaked at 250 descriptors, over a low {@code ulimit -n} before any guest came).
     */
    private void releaseHostSocket(Flow flow) {
        if (flow.channel.isOpen()) {
            if (flow.selectionKey != null) {
                selector.cancel(flow.selectionKey);
            }
            try { // info network and query-network still show where the connection went
                flow.releasedRemote = flow.channel.getRemoteAddress();
                flow.releasedLocal = flow.channel.getLocalAddress();
            } catch (IOException e) {
                // shown as closed
            }
            Shutdown.closeQuietly(flow.channel);
        }
    }

    private void close(Flow flow) {
        closedResent += flow.connection.resent();
        closedResentAtTimeout += flow.connection.resentAtTimeout();
        flows.remove(flow.key);
        timeWaiting.remove(flow);
        if (flow.selectionKey != null) {
            selector.cancel(flow.selectionKey);
        }
        try {
            if (flow.connection.abortsHost() && flow.channel.isOpen()) {
                flow.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
            }
            flow.channel.close();
        } catch (IOException e) {
            // the socket is gone either way
        }
        flow.connection.releaseBuffers();
    }

    /**
     * Drives every connection's timers, and frees the buffers of connections that went quiet.
     *
     * @return nanoseconds until a connection's next timer is due (0 when one is due now, as after a poll
     *     that sent), or {@code busyEvery} while a connection still holds buffers to free or sent within the
     *     last second, if that is sooner; {@link Long#MAX_VALUE} when no connection waits on time
     */
    public long poll(long now, long busyEvery) {
        List<Flow> due = new ArrayList<>();
        sending = 0;
        long next = Long.MAX_VALUE;
        for (Flow flow : flows.values()) {
            TcpConnection c = flow.connection;
            if (c.guestSentWithin(SENDING_NANOS, now)) {
                sending++;
                next = Math.min(next, busyEvery);
            }
            c.releaseIdleBuffers();
            if (c.bufferMemory() > 0) {
                next = Math.min(next, busyEvery);
            }
            long at = c.pollAt();
            if (at != 0 && now - at >= 0) {
                due.add(flow);
            } else if (at != 0) {
                next = Math.min(next, at - now);
            }
        }
        for (Flow flow : due) {
            flow.connection.poll(now);
            settle(flow, now);
            long at = flow.connection.pollAt(); // rearmed (or the flow closed: at worst one poll too early)
            if (at != 0) {
                next = Math.min(next, Math.max(0, at - now));
            }
        }
        shareWindows();
        return next;
    }

    /**
     * Shares the window budget among the connections that sent in the last second, so that all of their
     * windows together fit the queue in front of the gateway (a full queue drops segments, and each drop
     * costs the guest a retransmission).
     */
    private void shareWindows() {
        windowCap.bytes = windowShare(windowBudget, sending);
    }

    /**
     * Events (a guest's segment, a host socket's readiness, a connect) after which a connection waited on
     * time, ever: a timer armed (a SYN-ACK's or data's retransmission, TIME-WAIT, keepalive) or buffers held
     * that a poll frees. The user network's loop compares it before and after handling frames and sockets:
     * when it moved, its next poll may be due sooner than it planned.
     */
    public long timedEvents() {
        return timedEvents;
    }

    /** One line per connection, then the table's counts, for {@code info network}. */
    public void describe(List<String> lines) {
        for (Flow flow : flows.values()) {
            String remote;
            try {
                var address = flow.releasedRemote != null ? flow.releasedRemote : flow.channel.getRemoteAddress();
                remote = address == null ? "(connecting)" : SocketAddresses.format(address);
            } catch (IOException e) {
                remote = "(closed)";
            }
            TcpConnection c = flow.connection;
            lines.add("tcp " + flow.key + " via host " + remote + " " + c.stateName()
                    + (c.outOfOrderDropped() == 0 ? "" : ", " + c.outOfOrderDropped() + " out-of-order segments dropped")
                    + (c.resent() == 0 ? "" : ", segments resent to the guest: " + c.resent() + " ("
                            + c.resentAtTimeout() + " at a time-out)"));
        }
        lines.add("tcp connections: " + flows.size() + " of at most " + maxConnections + ", " + timeWaiting.size()
                + " in TIME_WAIT; " + timeWaitsEnded + " TIME_WAITs ended early and " + connectsDropped
                + " unanswered connects given up for a new connection, " + refusedCapacity
                + " refused with the table full, " + unresolvedResets + " forwarded connections reset with no guest at their address, "
                + fullTableProbes + " probes of connections the guest closed first and "
                + synsDeferred + " SYNs left for their retransmission meanwhile; segments resent to guests: " + resent() + " (" + resentAtTimeout()
                + " at a time-out)");
    }

    /** Segments resent to guests by every connection so far, open or closed ({@link TcpConnection#resent()}). */
    public long resent() {
        long n = closedResent;
        for (Flow flow : flows.values()) {
            n += flow.connection.resent();
        }
        return n;
    }

    /** Of {@link #resent()}, those sent at an RTO. */
    public long resentAtTimeout() {
        long n = closedResentAtTimeout;
        for (Flow flow : flows.values()) {
            n += flow.connection.resentAtTimeout();
        }
        return n;
    }

    /**
     * One connection for {@code query-network} and {@code info usernet}: the guest's end, where it goes (the
     * remote address as the guest sees it), its state, the bytes queued each way and the segments resent
     * to the guest ({@link TcpConnection#resent()}, of them at a time-out); for one a host client opened
     * through a forward, {@code hostForward} is the address it connected to (the rule's host address and
     * port, libslirp's getsockname of an SS_INCOMING socket), else null.
     */
    public record ConnectionInfo(IpAddress guest, int guestPort, IpAddress remote, int remotePort, String state,
                                 int queuedToGuestBytes, int queuedToHostBytes, long resent, long resentAtTimeout,
                                 InetSocketAddress hostForward) {}

    /** The connections now, in no particular order. */
    public List<ConnectionInfo> connections() {
        List<ConnectionInfo> list = new ArrayList<>(flows.size());
        for (Flow flow : flows.values()) {
            list.add(new ConnectionInfo(flow.key.guest(), flow.key.guestPort(), flow.key.remote(), flow.key.remotePort(),
                    flow.connection.stateName(), flow.connection.pendingToGuest(), flow.connection.pendingToHost(),
                    flow.connection.resent(), flow.connection.resentAtTimeout(), flow.incoming ? localOf(flow) : null));
        }
        return list;
    }

    private static InetSocketAddress localOf(Flow flow) {
        try {
            return (InetSocketAddress) (flow.releasedLocal != null ? flow.releasedLocal : flow.channel.getLocalAddress());
        } catch (IOException e) {
            return null; // closed meanwhile: shown as any other connection
        }
    }

    public int connectionCount() {
        return flows.size();
    }

    /**
     * The gateway's ARP request or neighbour solicitation for {@code guest} went unanswered: its host-forwarded
     * connections whose SYN has waited long enough ({@link TcpConnection#guestUnresolved}) give up, each host
     * client reset at once, as a connect() to a host whose neighbour entry failed fails on Linux. Rare (once a
     * second at most per address), so it walks the table.
     *
     * @return how many gave up
     */
    public int guestUnresolved(IpAddress guest, long now) {
        int reset = 0;
        for (Flow flow : List.copyOf(flows.values())) {
            if (flow.key.guest().equals(guest) && flow.connection.guestUnresolved(now)) {
                unresolvedLines.warn(logName + ": tcp: a host-forwarded connection to " + guest.toUriString() + ":" + flow.key.guestPort()
                        + " was reset: no guest answered for that address (ARP or neighbour discovery) in "
                        + TimeUnit.NANOSECONDS.toSeconds(TcpConnection.UNRESOLVED_TIMEOUT) + " s");
                close(flow);
                reset++;
            }
        }
        unresolvedResets += reset;
        return reset;
    }

    /**
     * Closes the connections of the guest addresses in {@code gone} (a guest that left the hub) without a word
     * to the guest: each host socket closes as when QEMU exits, its peer reading EOF (the kernel's reset only
     * while bytes it sent wait unread in the socket; what the connection had queued for the guest is dropped
     * without one, as libslirp's buffer goes with QEMU). Returns how many were open.
     */
    public int closeGuests(Set<IpAddress> gone) {
        int closed = 0;
        for (Flow flow : List.copyOf(flows.values())) {
            if (gone.contains(flow.key.guest())) {
                closed += timeWaiting.contains(flow) ? 0 : 1; // one in TIME_WAIT had closed already
                owingAcks.remove(flow); // nothing more goes to the guest
                close(flow);
            }
        }
        return closed;
    }

    public void closeAll() {
        for (Flow flow : List.copyOf(flows.values())) {
            close(flow);
        }
    }
}
