package io.vnet4j.usernet;

import io.vnet4j.base.InternalErrors;
import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.config.UserConfig;
import io.vnet4j.fabric.FrameQueue;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.Netdev;
import io.vnet4j.fabric.Port;
import io.vnet4j.fabric.QueuedPort;
import io.vnet4j.fabric.ReadingLoop;
import io.vnet4j.os.KernelRandom;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.usernet.tcp.TcpNat;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * {@code -netdev user}: the user-mode gateway as a port on a hub. Theory of operation: one platform
 * thread runs the gateway, so no state is shared: it takes the frames the hub queued for this port,
 * waits on its {@link LoopSelector} (an epoll of its own) for the host sockets of the NAT flows, and polls
 * the time-driven work (retransmission, reassembly and flow expiry, TFTP) every {@code POLL_INTERVAL_NANOS}
 * while there is any. When nothing waits on time (no connection, flow or fragment; the next router
 * advertisement far off) it sleeps until a frame, a socket or a task wakes it; a frame that begins
 * something timed (a connection, a flow) brings the next poll forward ({@link #timedStartsSeen}). An idle
 * daemon wakes about once in many seconds, as slirp4netns's loop does (each wake-up of an idle virtual CPU
 * cost about a millisecond of CPU time on the machine of docs/benchmarks.md's eighth pass).
 * A frame queued by the hub wakes the loop only when it is asleep. A TAP on the hub lends the loop its
 * reads ({@link #adopt}): the loop reads it in the same epoll and handles each frame as it reads it, so a
 * guest's request, the host socket's answer and the frame back all run on this one thread. Other ports'
 * small frames are handled on their own threads while the loop sleeps ({@link #writeThrough}).
 */
public final class UsernetNetdev extends QueuedPort implements Netdev, ReadingLoop {
    /**
     * Timed work (retransmission, expiry, TFTP) is polled this often at most, not after every batch of
     * frames: a poll walks every connection and flow. Every timer in the gateway is 200 ms or longer. After
     * a frame that began a connection or flow the loop polls within this time.
     */
    static final long POLL_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Where the DNS upstreams are read when {@code dns-upstream=} names none. */
    private static final Path RESOLV_CONF = Path.of("/etc/resolv.conf");
    /** How far ahead {@link #nextPoll} lies when nothing waits on time: never, in effect (about 73 years). */
    static final long IDLE_NANOS = Long.MAX_VALUE / 4;
    /**
     * The hub's queue towards the gateway: room for several connections' full windows (TcpNat.BUFFER_BYTES
     * each). A dropped segment costs the guest a retransmission, so the queue must hold what the guests
     * may send: the windows of the connections that are sending (they share {@link #TCP_WINDOW_BUDGET}),
     * plus one batch the loop has acknowledged but not yet given back to the queue (it frees a batch's
     * space when the batch is done), plus room for frame overhead and other traffic.
     */
    static final int QUEUE_BYTES = 8 << 20;
    /** The largest frame a hub thread may handle at once (see {@link #writeThrough}). */
    static final int AT_ONCE_MAX_FRAME = 256;
    /** What one pass of the loop takes from the queue at most. */
    static final int BATCH_BYTES = 1 << 20;
    /** Passes of the loop per call of {@link #passes}: few, so a thread leaves an interpreted call soon. */
    static final int PASSES_PER_CALL = 16;
    /** The same once the warm-up has compiled the loop ({@link #loopCompiled}). */
    static final int PASSES_PER_COMPILED_CALL = 1024;
    /** {@link #PASSES_PER_CALL}, then {@link #PASSES_PER_COMPILED_CALL}: every user network's. */
    private static volatile int passesPerCall = PASSES_PER_CALL;
    static final int TCP_WINDOW_BUDGET = QUEUE_BYTES - 2 * BATCH_BYTES;

    private final UserConfig config;
    private final String settings;
    private final Hub hub;
    /**
     * The time the loop's current work is handled at: the frames it drains from its queue, then the ready
     * sockets and the frames it reads itself from a lent port ({@link #handleOnLoop}). The loop's thread only.
     */
    private long frameTime;
    /**
     * When the loop's timed work is due next ({@link System#nanoTime()}); {@link #IDLE_NANOS} ahead when nothing
     * waits on time, so the loop sleeps until woken. Written by the loop under the gateway lock. One deadline,
     * moved by {@link Math#min}/{@link Math#max}, and no flag for "idle": a branch on such a flag is one the
     * warm-up's network, never idle while its compiled code is made, would not take, and C2 compiles a branch
     * never taken as a trap: the daemon's idle loop sprang it and ran interpreted ({@code -Xlog:deoptimization},
     * docs/benchmarks.md, tenth pass).
     */
    private long nextPoll;
    /**
     * {@link Gateway#timedStarts()} when the loop last looked (under the gateway lock): when it moved, what
     * was handled began something that waits on time (a connection's SYN-ACK may need resending), so the
     * timed work is polled within {@link #POLL_INTERVAL_NANOS}. A ping or an ACK moves nothing and costs no
     * wake-up of the loop.
     */
    private long timedStartsSeen;
    /** When the loop last had work (a frame or task taken, a socket ready; System.nanoTime): {@link #pollBusily}. */
    private long lastWork;
    /**
     * Held by whoever runs the gateway: the loop while it works (never while it waits on the selector), or
     * a hub thread that handles a small frame at once (see {@link #writeThrough}).
     */
    private final ReentrantLock gatewayLock = new ReentrantLock();
    private final FrameQueue.FrameHandler fromHub = this::frameFromHub;
    /** What the loop waits on: the host sockets of the flows and forwards. */
    private LoopSelector loopSelector;
    /** Hands a ready host socket to its owner ({@link #dispatch}); one object for every pass. */
    private final Consumer<LoopSelector.Key> dispatch = this::dispatch;
    private Gateway gateway;
    /** The hub's way to our leases, for its log lines (a VM leaving names its lease). */
    private final java.util.function.LongFunction<String> leaseBook = this::leaseOf;
    /** Hears from the hub of guests that left it, and hands each to {@link #departures} on the loop. */
    private final Hub.DepartureListener departureListener = this::stationLeft;
    private Departures departures;
    private GuestOutput out;
    private UdpNat nat;
    private IcmpErrors errors;
    private TcpNat tcp;
    private UdpServices services;
    private UdpHostForwards udpForwards;
    private TcpHostForwards tcpForwards;
    private IcmpProxy icmp;
    private GuestForwards guestForwards;
    private DnsOverTcpBridge dnsOverTcp;
    /** The IPv4 addresses of the configure=on TAPs on the hub ({@link #holdTapAddress}), which DHCP leases to no one. */
    private final Set<Integer> tapAddresses = ConcurrentHashMap.newKeySet();
    /** The host forwards in force: the configured ones and those added at run time; changed on the loop only. */
    private final List<UserConfig.HostForward> hostForwards = new ArrayList<>();
    private NeighborTable neighbors;
    /** Null when IPv6 is off. */
    private NeighborDiscovery ndp;
    private Thread loop;
    /** What {@link #details}, {@link #state} and {@link #counts} show; made and read on the loop only. */
    private UsernetReport report;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /**
     * The answers {@link #onLoop} callers wait for: failed at once when the loop ends, whose queued tasks then
     * never run (a call racing netdev_del waited its whole 2 s, then said the loop did not answer).
     */
    private final Set<CompletableFuture<?>> waiting = ConcurrentHashMap.newKeySet();
    /** The ports whose descriptors this loop reads for them ({@link #adopt}), under the gateway lock. */
    private final Map<ReadingLoop.Reader, LoopSelector.Key> lentReads = new LinkedHashMap<>();
    private volatile boolean sleeping;
    private volatile boolean closed;
    /**
     * Frames and passes that ended on an exception, a bug: said and counted, and the network goes on. Ending
     * the loop would leave every guest of the network without it for good.
     */
    private final InternalErrors internalErrors;
    /** {@link #passes}'s limit besides {@link #passesPerCall}: 0 once closed (why a number: see there). */
    private volatile int passLimit = Integer.MAX_VALUE;
    /** The loop ended (closed, or stopped on an error): no hub thread may run the gateway any more. */
    private volatile boolean stopped;

    public UsernetNetdev(String id, String settings, UserConfig config, Hub hub) {
        super(id, "user", QUEUE_BYTES);
        this.internalErrors = new InternalErrors(id);
        this.config = config;
        this.settings = settings;
        this.hub = hub;
    }

    /**
     * Two user networks on one hub both answer its guests' DHCP, ARP and DNS (QEMU lets it be, silently); a
     * guest takes whichever offer comes first, which looks like a flaky network rather than a mistake.
     *
     * @return the warning to give when {@code user} shares its hub with another of {@code netdevs}; null when not
     */
    public static String sharedHub(UsernetNetdev user, List<? extends Netdev> netdevs) {
        for (Netdev other : netdevs) {
            if (other != user && other instanceof UsernetNetdev && other.hub() == user.hub()) {
                return user.id() + ": hub " + user.hub().id() + " has the user network " + other.id() + " already; both "
                        + "answer its guests' DHCP, ARP and DNS (give each its own hubid=)";
            }
        }
        return null;
    }

    /** The hub this netdev was made for: it stays when the port is detached (see {@link #attachedHub}). */
    @Override
    public Hub hub() {
        return hub;
    }

    @Override
    public String describe() {
        UdpNat n = nat;
        return settings
                + (config.ipv4() ? ",host=" + Ipv4Address.format(config.host()) + ",dns=" + Ipv4Address.format(config.dns())
                        + (config.dhcpStart() == UserConfig.defaultDhcpStart(config.network(), config.netmask()) ? ""
                                : ",dhcpstart=" + Ipv4Address.format(config.dhcpStart())) : "")
                + config.ipv6().map(v6 -> ",ipv6-net=" + v6.network() + ",ipv6-host=" + v6.host() + ",ipv6-dns=" + v6.dns())
                        .orElse(",ipv6=off")
                + (config.hostname() == null ? "" : ",hostname=" + config.hostname())
                + (config.domainName() == null ? "" : ",domainname=" + config.domainName())
                + config.dnsSearch().stream().map(d -> ",dnssearch=" + d).collect(java.util.stream.Collectors.joining())
                + (config.mtu() == UserConfig.DEFAULT_MTU ? "" : ",mtu=" + config.mtu())
                + (config.tftpRoot() == null ? "" : ",tftp=" + config.tftpRoot().toAbsolutePath())
                + (config.bootFile() == null ? "" : ",bootfile=" + config.bootFile())
                + (config.leaseFile() == null ? "" : ",leasefile=" + config.leaseFile())
                + config.guestForwards().stream().filter(g -> g.target() instanceof UserConfig.GuestForwardTarget.Smb)
                        .findFirst().map(g -> ",smb=" + ((UserConfig.GuestForwardTarget.Smb) g.target()).share()
                                + ",smbserver=" + Ipv4Address.format(g.address())).orElse("")
                // the live counts after the options, not in their key=value form: they are no options to set
                + (n == null ? "" : "; tcp connections " + tcp.connectionCount() + ", udp flows " + n.flowCount());
    }

    /** Leases, connections, flows and drop counts, read on the loop's thread (never concurrently with it). */
    @Override
    public List<String> details() {
        try {
            return onLoop(() -> report.lines(System.nanoTime()));
        } catch (IOException e) {
            return List.of("(" + e.getMessage() + ")");
        }
    }

    /**
     * Leases, neighbours, host forwards, TCP connections and UDP flows as structured values, read on the
     * loop (see {@link Netdev#state()}); empty when the network is stopped.
     */
    @Override
    public Map<String, Object> state() {
        try {
            return onLoop(() -> report.structured(System.nanoTime()));
        } catch (IOException e) {
            return Map.of();
        }
    }

    private String leaseOf(long mac) {
        UdpServices s = services;
        return s == null ? null : s.leaseOf(mac);
    }

    /** A hub thread's news of a guest that left: noted on the loop, and handled there after its grace ({@link Departures}). */
    private void stationLeft(long mac, Port port) {
        if (closed) {
            return;
        }
        tasks.add(() -> { // under the gateway lock
            long now = System.nanoTime();
            departures.left(mac, port, now);
            nextPoll = now + Math.min(nextPoll - now, Departures.GRACE_NANOS);
        });
        loopSelector.wakeup();
    }


    /**
     * Makes, on the loop, what the gateway would make at a guest's first flow ({@link UdpNat#prepare}), and runs
     * on the calling thread the look at resolv.conf that a network without {@code dns-upstream=} makes at a guest's
     * lookup ({@link DnsUpstreams#prepareCode}); the warm-up asks it of the daemon's networks after "ready", before
     * its rounds. Nothing on the loop when the network is stopped.
     */
    public void prepareForGuests() {
        if (config.dnsUpstreams().isEmpty()) {
            DnsUpstreams.prepareCode(RESOLV_CONF);
        }
        try {
            onLoop(() -> {
                nat.prepare();
                return null;
            });
        } catch (IOException e) {
            // stopped: nothing to prepare
        }
    }

    /** The numbers {@code /metrics} shows, read on the loop; null when the network is stopped. */
    public UsernetCounts counts() {
        try {
            return onLoop(() -> report.counts());
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * A {@code configure=on} TAP on the hub holds {@code address} (its namespace has it, and may say nothing for
     * a long time): DHCP leases it to no one until {@link #releaseTapAddress}. Any thread, before or after start.
     *
     * @param address the IPv4 address, in an int in network order
     */
    public void holdTapAddress(int address) {
        tapAddresses.add(address);
    }

    /** The TAP that held {@code address} went away: DHCP may lease it again. Any thread. */
    public void releaseTapAddress(int address) {
        tapAddresses.remove(address);
    }

    /**
     * The IPv4 addresses in use on the hub as far as this network knows: its running leases and the addresses its
     * guests were seen at, each in an int in network order (read on the loop).
     *
     * @throws IOException when the network is stopped
     */
    public Set<Integer> ipv4AddressesInUse() throws IOException {
        return onLoop(() -> services.ipv4AddressesInUse());
    }

    /** The settings this user network started with. */
    public UserConfig config() {
        return config;
    }

    /**
     * Adds a host forward while running (QEMU's HMP {@code hostfwd_add}): its host socket is bound on the
     * loop, and from then on it works as one given at start.
     *
     * @return the rule as bound: on host port 0, the port the kernel picked
     * @throws IOException when the address cannot be bound (the rule is then not added), or the network is stopped
     */
    public UserConfig.HostForward addHostForward(UserConfig.HostForward forward) throws IOException {
        return onLoop(() -> {
            UserConfig.HostForward bound = listen(forward);
            Log.info(id() + ": forwarding " + UsernetStartLines.forward(config, bound) + " (added)");
            return bound;
        });
    }

    /**
     * Binds a host forward's socket and adds it to those in force, on the port bound; on start, or on the
     * loop. Returns the rule as bound.
     */
    private UserConfig.HostForward listen(UserConfig.HostForward forward) throws IOException {
        UserConfig.HostForward bound = forward.udp() ? udpForwards.listen(forward) : tcpForwards.listen(forward);
        hostForwards.add(bound);
        return bound;
    }

    /**
     * Removes the host forward listening on {@code hostAddress:hostPort} (QEMU's {@code hostfwd_remove}):
     * its socket closes; connections it already made stay, as in libslirp.
     *
     * @return false when no such forward exists
     * @throws IOException when the network is stopped
     */
    public boolean removeHostForward(boolean udp, IpAddress hostAddress, int hostPort) throws IOException {
        return onLoop(() -> {
            boolean removed = udp ? udpForwards.remove(hostAddress, hostPort) : tcpForwards.remove(hostAddress, hostPort);
            if (removed) {
                // a channel registered with a JDK selector really closes when its cancelled key is flushed, so
                // the port is free once this returns (the keys selected here wait for the loop's handleSelected;
                // with epoll the close was immediate, and what this wait takes the next one reports again)
                loopSelector.selectNow();
                hostForwards.removeIf(f -> f.udp() == udp && f.listensOn(hostAddress, hostPort));
                Log.info(id() + ": no longer forwarding " + (udp ? "udp " : "tcp ") + hostAddress.toUriString() + ":" + hostPort);
            }
            return removed;
        });
    }

    /** The host forwards in force, in the order they were added. */
    public List<UserConfig.HostForward> hostForwards() throws IOException {
        return onLoop(() -> List.copyOf(hostForwards));
    }

    /** Something to do on the loop's thread, never concurrently with it. */
    private interface LoopTask<T> {
        T run() throws IOException;
    }

    /** Runs {@code task} on the loop and waits (at most 2 s) for its result or its IOException. */
    private <T> T onLoop(LoopTask<T> task) throws IOException {
        if (loop == null || stopped || closed) {
            throw stoppedError();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        waiting.add(result);
        tasks.add(() -> {
            try {
                // the frames that came before the task first, so that it sees what they did
                while (!queue.isEmpty()) {
                    queue.drainInPlace(fromHub, BATCH_BYTES, 256, 0);
                }
                result.complete(task.run());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the loop is stopping
                result.completeExceptionally(e);
            } catch (IOException | RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        if (stopped) { // the loop ended before the task was queued: failWaiting did not see it
            result.completeExceptionally(stoppedError());
        }
        loopSelector.wakeup();
        try {
            return result.get(2, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("state not available: the user network's loop did not answer");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } finally {
            waiting.remove(result);
        }
    }

    /** What a call on the loop is told once the network has stopped (netdev_del, or an error that ended it). */
    private IOException stoppedError() {
        return new IOException("the user network " + id() + " has stopped");
    }

    /** The gateway takes TCP segments of any size (up to an IP packet's 64 KiB) whole. */
    @Override
    public boolean takesLargeSegments() {
        return true;
    }

    @Override
    public List<Port> ports() {
        return List.of(this);
    }

    @Override
    public void start() throws IOException {
        loopSelector = LoopSelector.open();
        neighbors = new NeighborTable();
        out = new GuestOutput(id(), (frame, offset, length, segmentSize) -> deliver(frame, offset, length, segmentSize),
                neighbors, config.mtu(), System::nanoTime);
        GatewayParts parts;
        try {
            parts = GatewayParts.build(id(), config, out, neighbors, tapAddresses, loopSelector,
                    RESOLV_CONF, new KernelRandom(), System.nanoTime());
        } catch (IOException e) {
            loopSelector.close();
            throw e;
        }
        errors = parts.errors();
        nat = parts.udp();
        tcp = parts.tcp();
        udpForwards = parts.udpForwards();
        tcpForwards = parts.tcpForwards();
        services = parts.services();
        guestForwards = parts.guestForwards();
        dnsOverTcp = parts.dnsOverTcp();
        ndp = parts.ndp();
        gateway = parts.gateway();
        try {
            services.openLeaseFile();
            for (UserConfig.HostForward f : config.hostForwards()) {
                listen(f);
            }
        } catch (IOException e) {
            udpForwards.close();
            tcpForwards.close();
            guestForwards.close();
            services.close();
            loopSelector.close();
            throw new IOException(id() + ": " + e.getMessage(), e);
        }
        gateway.drops.onFirstOfAKind = line -> Log.info(id() + ": " + line);
        UsernetStartLines.warnings(id(), config, ndp);
        services.portOf = hub::portSendingFrom;
        // back on the hub, or the port it left by up again (a reconnecting stream netdev's): not gone
        departures = new Departures(id(), neighbors, services, tcp, nat,
                (mac, leftBy) -> hub.stationPresent(mac) || leftBy.attachedHub() == hub && leftBy.linkUp());
        hub.addLeaseBook(leaseBook);
        hub.addDepartureListener(departureListener);
        hub.attach(this);
        loop = Thread.ofPlatform().name("vnet4j-" + id() + "-usernet").start(Log.hushedIfNow(() -> run(parts)));
        UsernetStartLines.started(id(), config, services.dnsUpstreams(), hostForwards);
    }

    private void frameFromHub(ByteBuffer ring, int offset, int length, int segmentSize) {
        try {
            gateway.frame(ring, offset, length, segmentSize > 0, frameTime);
        } catch (RuntimeException e) {
            internalErrors.record("a frame was dropped", e);
        }
    }

    /**
     * A small frame (a ping, an ACK, a DNS query, a handshake, a short request, also one whose TCP checksum
     * the guest left to the TAP) that finds the loop asleep and nothing
     * queued is handled at once on the hub's thread, under the gateway lock: its answer leaves without
     * waiting for the loop to wake, one thread hand-off less. The loop is woken afterwards only when it has
     * something to take up: a socket registered or its interest changed that only its next select applies
     * ({@link LoopSelector#pendingChanges()}: never with epoll), or a
     * task queued, or the frame began something that waits on time (a connection, a flow) while the loop's
     * next poll is far off; a ping or a data segment that changed nothing leaves it asleep. Bulk data is left to the
     * loop's thread, so reading the guest's frames and handling them still run side by side.
     */
    @Override
    protected int writeThrough(ByteBuffer frame, int offset, int length, int segmentSize) {
        if (Thread.currentThread() == loop) {
            return handleOnLoop(frame, offset, length, segmentSize);
        }
        if (length > AT_ONCE_MAX_FRAME || !sleeping || !gatewayLock.tryLock()) {
            return NOT_WRITTEN;
        }
        boolean loopNeeded;
        try {
            if (stopped || !sleeping || !queue.isEmpty()) {
                return NOT_WRITTEN;
            }
            long changes = loopSelector.pendingChanges();
            long starts = gateway.timedStarts();
            long now = System.nanoTime();
            gateway.frame(frame, offset, length, segmentSize > 0, now);
            tcp.flushAcks();
            loopNeeded = loopSelector.pendingChanges() != changes || !tasks.isEmpty()
                    || gateway.timedStarts() != starts && pollFarOff(now) || holdingForGuests();
        } catch (RuntimeException e) {
            internalErrors.record("a frame was dropped", e);
            return WRITE_FAILED;
        } finally {
            gatewayLock.unlock();
        }
        if (loopNeeded) {
            loopSelector.wakeup();
        }
        return WRITTEN;
    }

    /**
     * A frame this loop read itself, from a port that lent it its reads ({@link #adopt}), any size: handled
     * at once, under the gateway lock the loop holds, without a copy into the queue; after frames already
     * queued, which keep it for the next pass so that the order holds. The ACKs it leaves owing go out
     * after the batch ({@link #handleSelected}).
     */
    private int handleOnLoop(ByteBuffer frame, int offset, int length, int segmentSize) {
        if (!queue.isEmpty()) {
            return NOT_WRITTEN;
        }
        try {
            gateway.frame(frame, offset, length, segmentSize > 0, frameTime);
            return WRITTEN;
        } catch (RuntimeException e) {
            internalErrors.record("a frame was dropped", e);
            return WRITE_FAILED;
        }
    }

    @Override
    protected void frameQueued() {
        if (sleeping) {
            loopSelector.wakeup();
        }
    }

    /**
     * The loop's thread. The loop itself is entered once, so HotSpot could compile it only by on-stack
     * replacement and left it interpreted; each pass is a method of its own ({@link #pass}), compiled as
     * any other.
     */
    private void run(GatewayParts parts) {
        try {
            openIcmpProxy(parts.addresses());
            report = new UsernetReport(parts, neighbors, out, icmp, hostForwards);
            nextPoll = System.nanoTime();
            while (!closed) {
                try {
                    passes();
                } catch (RuntimeException e) {
                    internalErrors.record("a pass of the loop ended", e);
                    Thread.sleep(1); // what threw may throw again at the next pass: no hot spin
                }
            }
        } catch (IOException | InterruptedException e) {
            if (!closed) {
                Log.warn(id() + ": the user network stopped: " + e.getMessage());
            }
        } catch (RuntimeException e) { // in the set-up before the loop
            Log.warn(id() + ": the user network stopped on an internal error: " + e);
        } finally {
            List<ReadingLoop.Reader> returned;
            gatewayLock.lock(); // a hub thread may be handling a frame
            try {
                stopped = true;
                waiting.forEach(w -> w.completeExceptionally(stoppedError())); // their tasks will not run now
                returned = List.copyOf(lentReads.keySet());
                // their keys are not cancelled: no pass waits on the epoll any more, which close() closes (a
                // descriptor that closes first leaves it by itself); cancelling a descriptor's key, which the
                // warm-up's rounds never do, sprang a trap in the compiled EpollLoopSelector.cancel at the
                // warm-up's end, and every connection's close ran it interpreted until it was compiled again
                // (bench/warmup-traps.sh)
                lentReads.clear();
                tcp.closeAll();
                nat.closeAll();
                udpForwards.close();
                tcpForwards.close();
                services.close();
                if (icmp != null) {
                    icmp.close();
                }
                guestForwards.close();
                dnsOverTcp.close();
            } finally {
                gatewayLock.unlock();
            }
            returned.forEach(ReadingLoop.Reader::readsReturned);
        }
    }

    /**
     * Reads a port's descriptor in this loop (a TAP on the hub, see {@link ReadingLoop}): its frames are then
     * read on the loop's thread and handled as they are read ({@link #handleOnLoop}), with no thread woken
     * between the guest's frame and the answer. Registering needs no wake-up of the loop (epoll).
     */
    @Override
    public boolean adopt(int fd, ReadingLoop.Reader reader) {
        gatewayLock.lock();
        try {
            if (stopped || closed || loopSelector == null || !loopSelector.watchesDescriptors()) {
                return false;
            }
            lentReads.put(reader, loopSelector.registerDescriptor(fd, SelectionKey.OP_READ, reader));
            return true;
        } catch (IOException e) {
            Log.warn(id() + ": cannot read a port's descriptor in the loop (" + e.getMessage() + "); it reads by itself");
            return false;
        } finally {
            gatewayLock.unlock();
        }
    }

    @Override
    public void release(ReadingLoop.Reader reader) {
        gatewayLock.lock(); // the loop calls readers only under it, so none is running when this returns
        try {
            LoopSelector.Key key = lentReads.remove(reader);
            if (key != null) {
                loopSelector.cancel(key);
            }
        } finally {
            gatewayLock.unlock();
        }
    }

    /**
     * Opens the ping sockets on the loop's thread, before its first pass: not at the first ping, so that the
     * one line on how pings go comes with the start-up lines; not before "ready", because the first native
     * calls bind java.lang.foreign's stubs, about 70 ms on a cold JVM (measured: docs/benchmarks.md,
     * start-up). Frames that arrive meanwhile wait in the queue: {@link #writeThrough} takes none before the
     * loop first sleeps. With restrict=on no ping goes anywhere, so no socket is opened (a raw one would read
     * all the host's pings).
     */
    private void openIcmpProxy(GatewayAddresses addresses) {
        boolean egress = !config.reach().restricted();
        gatewayLock.lock();
        try {
            icmp = IcmpProxy.open(id(), out, errors, addresses, egress && config.ipv4(),
                    egress && config.ipv6().isPresent(), this, answer -> {
                        if (Thread.currentThread() == loop) { // read in the loop's epoll, under the gateway lock
                            icmp.deliver(answer);
                        } else {
                            tasks.add(() -> icmp.deliver(answer));
                            loopSelector.wakeup();
                        }
                    });
            gateway.useIcmpProxy(icmp);
        } finally {
            gatewayLock.unlock();
        }
    }

    /**
     * Up to {@link #passesPerCall} passes. {@link #run}'s loop is entered once and never left, so HotSpot
     * would compile it only by on-stack replacement, after some 60,000 passes: until then every pass went
     * through the interpreter (a tenth of the loop's Java time per ping, perf, and the interpreter's code and
     * the method's metadata touched by every frame). This method returns every few passes and is compiled
     * as any method called often (the warm-up's network calls it too), so a thread that entered it before
     * it was compiled leaves soon. Once the warm-up has compiled it, a call makes more passes (a call begun
     * keeps the number it began with): returning every 16, pings at 100/s had 2-5% of the loop thread's
     * samples in {@link #run}'s interpreted loop (perf, 2026-12-01). It notices a close by its one loop test
     * ({@link #close} sets {@link #passLimit} to 0; {@code Math.min} is a conditional move, not a branch),
     * not by a test of its own: C2 compiles a branch never taken as a trap, and the warm-up network's close
     * then threw the compiled loop away (an {@code unstable_if}, {@code -Xlog:deoptimization}), leaving the
     * daemon's loop in slower code.
     */
    private void passes() throws IOException, InterruptedException {
        int perCall = passesPerCall;
        for (int i = 0; i < Math.min(perCall, passLimit); i++) {
            pass();
        }
    }

    /**
     * Tells every user network that the warm-up has compiled the loop: their calls of {@link #passes} make
     * {@link #PASSES_PER_COMPILED_CALL} passes from their next call on.
     */
    public static void loopCompiled() {
        passesPerCall = PASSES_PER_COMPILED_CALL;
    }

    /**
     * One pass: the tasks and queued frames (under the gateway lock), then the wait for host sockets (without
     * it), then the ready sockets and, when due, the timed work.
     */
    private void pass() throws IOException, InterruptedException {
        long now = System.nanoTime();
        gatewayLock.lock();
        try {
            frameTime = now;
            if (!tasks.isEmpty() || !queue.isEmpty()) {
                lastWork = now;
            }
            for (Runnable task; (task = tasks.poll()) != null; ) {
                task.run();
            }
            queue.drainInPlace(fromHub, BATCH_BYTES, 256, 0);
            retryHeld(now);
            tcp.flushAcks();
            tcp.sendLargeSegments(hub.anotherPortTakesLargeSegments(this));
            pollSoonAfterStarts(now); // before the wait, which has no limit when no timer was due
        } finally {
            gatewayLock.unlock();
        }
        sleeping = true;
        boolean ready;
        if (queue.isEmpty() && tasks.isEmpty()) {
            // idle: beyond any time-out, which select clamps
            ready = pollBusily(now) || loopSelector.select((nextPoll - now) / 1_000_000);
        } else {
            ready = loopSelector.selectNow();
        }
        sleeping = false;
        now = System.nanoTime();
        if (ready) {
            lastWork = now;
        }
        gatewayLock.lock();
        try {
            handleSelected(now);
            pollSoonAfterStarts(now);
            if (now - nextPoll >= 0) {
                long due = Math.min(Math.min(gateway.poll(now, POLL_INTERVAL_NANOS), tcpForwards.poll(now)),
                        departures.poll(now));
                nextPoll = now + Math.min(Math.max(due, POLL_INTERVAL_NANOS), IDLE_NANOS);
            }
        } finally {
            gatewayLock.unlock();
        }
    }

    /**
     * Polls the loop's sockets and VMs without sleeping until something is ready or {@link BusyPoll}'s window
     * since the loop's last work has passed, giving the CPU to any other runnable thread between two polls.
     *
     * @return whether something is ready: the selector holds it, or a frame or task is queued
     */
    private boolean pollBusily(long now) throws IOException {
        long until = lastWork + BusyPoll.windowNanos();
        while (until - now > 0) {
            if (loopSelector.selectNow() || !queue.isEmpty() || !tasks.isEmpty()) {
                return true;
            }
            Thread.yield();
            now = System.nanoTime();
        }
        return false;
    }

    /**
     * Brings the next poll of timed work within {@link #POLL_INTERVAL_NANOS} when something that waits on
     * time began since the loop last looked (by its own hand or a hub thread's). Under the gateway lock.
     */
    private void pollSoonAfterStarts(long now) {
        long starts = gateway.timedStarts() + tcpForwards.timedStarts();
        if (starts != timedStartsSeen) {
            timedStartsSeen = starts;
            nextPoll = now + Math.min(nextPoll - now, POLL_INTERVAL_NANOS);
        }
    }

    /**
     * Whether the loop's next poll of timed work is further off than {@link #POLL_INTERVAL_NANOS} (or there
     * is none). Under the gateway lock.
     */
    private boolean pollFarOff(long now) {
        return nextPoll - now > POLL_INTERVAL_NANOS;
    }

    /** Hands each ready host socket to its owner. */
    private void handleSelected(long now) {
        frameTime = now;
        loopSelector.forEachReady(dispatch);
        retryHeld(now); // a lent port's frames may have shown a guest held work waits for
        tcp.flushAcks(); // owed by frames read from a lent port's descriptor and handled at once
    }

    /**
     * Work held until a guest shows itself, tried again after a round of frames, which may have shown it: host
     * forwards' clients waiting for their guest's IPv6 address ({@link TcpHostForwards#openHeld}), and DISCOVERs
     * waiting for the ARP check of the address to offer ({@link DhcpAddressChecks#offerChecked}). Their time-outs
     * come from the timed work. A frame handled on the writer's thread ({@link #writeThrough}) wakes the loop for this.
     */
    private void retryHeld(long now) {
        if (tcpForwards.holding()) {
            tcpForwards.openHeld(now);
        }
        DhcpAddressChecks checks = services.addressChecks();
        if (checks.holding()) {
            checks.offerChecked();
        }
    }

    /** Whether {@link #retryHeld} has work to try. */
    private boolean holdingForGuests() {
        return tcpForwards.holding() || services.addressChecks().holding();
    }

    private void dispatch(LoopSelector.Key key) {
        long now = frameTime;
        try {
            switch (key.attachment()) {
                case TcpNat.Flow flow -> tcp.ready(flow, now);
                case UdpNat.Flow flow -> nat.readable(flow, now);
                case UdpHostForwards.Rule rule -> udpForwards.readable(rule, now);
                case TcpHostForwards.Rule rule -> tcpForwards.acceptable(rule, now);
                case DnsOverTcpBridge.Ready socket -> socket.ready(key, now);
                case ReadingLoop.Reader reader -> {
                    if (!reader.readWaiting()) {
                        release(reader);
                    }
                }
                default -> loopSelector.cancel(key);
            }
        } catch (RuntimeException e) {
            internalErrors.record("a host socket's event was dropped", e);
            if (!(key.attachment() instanceof ReadingLoop.Reader)) {
                // a socket left unread stays ready: every pass would meet it, and the same exception, at once
                // (a port's reader consumed the frame that threw; its next frame is news)
                loopSelector.cancel(key);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        passLimit = 0;
        hub.removeLeaseBook(leaseBook);
        hub.removeDepartureListener(departureListener);
        super.close();
        if (loopSelector != null) {
            loopSelector.wakeup();
            if (Shutdown.join(loop)) {
                loopSelector.close();
            } else {
                Shutdown.leftRunning(id());
            }
        }
    }
}
