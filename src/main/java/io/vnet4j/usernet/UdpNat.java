package io.vnet4j.usernet;

import io.vnet4j.base.Descriptors;
import io.vnet4j.base.FailureRun;
import io.vnet4j.base.HostSockets;
import io.vnet4j.base.Log;
import io.vnet4j.base.SocketAddresses;
import io.vnet4j.os.ChannelDescriptors;
import io.vnet4j.os.DontFragment;
import io.vnet4j.os.SocketErrorQueue;
import io.vnet4j.os.UnicastHops;
import io.vnet4j.usernet.dns.DnsMessage;
import io.vnet4j.usernet.flow.FlowKey;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.usernet.flow.OutboundAddresses;
import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * UDP between the guests and host sockets. Theory of operation: each guest socket (guest address and
 * port) gets one host datagram socket, its flow, on first use; datagrams the guest sends to any
 * destination leave through it, and whatever comes back to it is delivered to that guest socket, from the
 * address it came from (the host's loopback appears as the gateway's host address of the guest's family,
 * 10.0.2.2 or fec0::2). A flow ends
 * after {@value #IDLE_SECONDS} s without traffic; at most {@value #MAX_FLOWS} flows exist, and at most a
 * quarter of the descriptors the process may open ({@link #maxFlows}), the least recently used giving way: a
 * guest that sends from many ports (a scan, a flood) would otherwise take the descriptors that TCP, DNS and the
 * host forwards need, for the {@value #IDLE_SECONDS} s its flows live (moby/vpnkit#432 replayed: under
 * {@code ulimit -n 400}, 600 one-datagram flows left no descriptor for 4 minutes; libslirp has no bound). A flow may instead be pinned to one upstream whose replies appear to come
 * from a fixed virtual address: that is how the DNS address forwards to the real resolvers. A pinned flow
 * is a DNS exchange: it closes as soon as every query it carried has had an answer, or after
 * {@value #DNS_IDLE_SECONDS} s without traffic, so the flows of past lookups do not linger for minutes. So
 * does a flow whose last datagram went to port 53 of any address (a guest that asks a resolver of its own
 * choosing, as a container whose resolv.conf lists the host's nameservers does): it ends after
 * {@value #DNS_IDLE_SECONDS} s without traffic, as libslirp's do (socket.c, SO_EXPIREFAST for a foreign
 * port 53), not after {@value #IDLE_SECONDS}.
 *
 * <p>Errors reach the guest as ICMP ({@link IcmpErrors}): a send the host refuses at once (no route, a
 * rule), and the ICMP errors that come back later for datagrams sent (port unreachable, Packet Too Big,
 * Time Exceeded), which each flow's socket queues ({@code IP_RECVERR}) when the JDK lets us have its
 * descriptor ({@link ChannelDescriptors}); without it, later errors are not told and one line says so. With
 * the descriptor, a datagram leaves with the guest's hop limit less the gateway's hop (set on the socket
 * when it changes), so a UDP traceroute meets the host's routers as it would behind any router.
 */
final class UdpNat {
    static final int IDLE_SECONDS = 240;
    static final int MAX_FLOWS = 4096;
    /** The fewest flows the descriptor limit leaves, however low it is. */
    static final int MIN_FLOWS = 16;
    /** The idle time of a DNS flow: pinned, or whose last datagram went to port 53. */
    static final int DNS_IDLE_SECONDS = 10;
    static final int DNS_PORT = 53;
    /** The most queries a pinned flow keeps waiting for at once (a resolver sends a handful, a forwarder more). */
    static final int MAX_WAITING_IDS = 1024;
    /** A guest's datagram came with DF (the socket's default) or without (never DF), or leave the socket as it is. */
    private static final int DF_SET = 1;
    private static final int DF_CLEAR = 0;
    private static final int DF_LEAVE = -1;
    /** The most of a UDP payload an ICMP error quotes (bytes): 576 less its IPv4 and ICMP headers and the datagram's. */
    static final int IPV4_QUOTED_PAYLOAD = 576 - 20 - 8 - 20 - 8;
    /** The same for ICMPv6 (bytes): 1280 less its IPv6 and ICMPv6 headers and the datagram's. */
    static final int IPV6_QUOTED_PAYLOAD = 1280 - 40 - 8 - 40 - 8;
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(IDLE_SECONDS);
    private static final long DNS_IDLE_NANOS = TimeUnit.SECONDS.toNanos(DNS_IDLE_SECONDS);

    /** One guest socket's host socket. */
    static final class Flow {
        /** The guest socket, and for a pinned flow the virtual address and port its replies come from (else null, 0). */
        final FlowKey key;
        final DatagramChannel channel;
        /** The channel's descriptor, whose error queue is on; -1 when it could not be had. */
        final int fd;
        /** The socket's family: IPv6 (an AF_INET6 socket), else IPv4. */
        final boolean ipv6;
        long lastUsed;
        /**
         * Pinned flows: the ids (a DNS message's first two bytes) of the queries sent upstream and not answered
         * yet, oldest first, one entry per query sent (a guest's retry of an id counts again); at most
         * {@value #MAX_WAITING_IDS} (a forwarder in the guest, dnsmasq, sends many from one socket), then the oldest
         * gives way and the flow no longer knows when it is over: it ends when idle.
         */
        private int[] waiting;
        private int waitingCount;
        private boolean waitingOverflowed;
        /** Pinned flows: the upstreams its queries went to (more than one after a failover); null for others. */
        private final List<InetSocketAddress> askedUpstreams;
        /** The guest's last datagram went to port 53: a lookup, kept {@value #DNS_IDLE_SECONDS} s. */
        boolean toDnsPort;
        /**
         * Where the guest's last datagram went, as the guest addressed it (libslirp's {@code so_faddr} and
         * {@code so_fport}, which udp_input sets from every datagram): one socket serves every destination.
         */
        IpAddress remote;
        int remotePort;
        LoopSelector.Key selectionKey;
        /**
         * The sender of the last datagram read and its address as the guest sees it (null for host loopback,
         * which is the host address the guest wrote to): the JDK hands back the same InetSocketAddress while
         * the sender stays the same, so a steady peer's datagrams allocate nothing.
         */
        private SocketAddress lastSender;
        private IpAddress lastSenderIp;
        /** The hop limit the socket sends with, as last set for the guest's datagrams; 0: the system's default. */
        private int hops;
        /** {@link #DF_SET} (a new socket's default) or {@link #DF_CLEAR}, as last set for the guest's IPv4 datagrams. */
        private int dontFragment = DF_SET;

        Flow(FlowKey key, DatagramChannel channel, int fd, boolean ipv6, long now) {
            this.key = key;
            this.channel = channel;
            this.fd = fd;
            this.ipv6 = ipv6;
            this.lastUsed = now;
            this.waiting = key.remote() != null ? new int[4] : null;
            this.askedUpstreams = key.remote() != null ? new java.util.ArrayList<>(2) : null;
        }

        /** Whether a query of this pinned flow went to {@code upstream}, whatever form its address came in. */
        boolean hasAsked(InetSocketAddress upstream) {
            for (InetSocketAddress asked : askedUpstreams) {
                if (DnsUpstreams.sameSocket(asked, upstream)) {
                    return true;
                }
            }
            return false;
        }

        /** A query of this id went upstream. */
        void waitFor(int id) {
            if (waitingCount == waiting.length) {
                if (waiting.length < MAX_WAITING_IDS) {
                    waiting = java.util.Arrays.copyOf(waiting, waiting.length * 2);
                } else {
                    waitingOverflowed = true;
                    System.arraycopy(waiting, 1, waiting, 0, --waitingCount);
                }
            }
            waiting[waitingCount++] = id;
        }

        /** Whether every query this pinned flow carried has had its answer, as far as it knows. */
        boolean allAnswered() {
            return waitingCount == 0 && !waitingOverflowed;
        }

        /**
         * A datagram of this id came back: true when it answers a waiting query, which stops waiting; false
         * for one no query waits for (a duplicate, another id), which must not end the exchange.
         */
        boolean answers(int id) {
            for (int i = 0; i < waitingCount; i++) {
                if (waiting[i] == id) {
                    System.arraycopy(waiting, i + 1, waiting, i, --waitingCount - i);
                    return true;
                }
            }
            return false;
        }

        boolean pinned() {
            return key.remote() != null;
        }

        /** Whether the flow carries DNS: pinned to a resolver, or its last datagram went to port 53. */
        boolean dns() {
            return pinned() || toDnsPort;
        }

        /** When the flow ends unless the guest sends again (ns, System.nanoTime). */
        long expiresAt() {
            return lastUsed + (dns() ? DNS_IDLE_NANOS : IDLE_NANOS);
        }
    }

    /** Told of each datagram a pinned flow's upstream sends back, with its sender (the DNS upstreams' failover). */
    private Consumer<InetSocketAddress> pinnedAnswered = upstream -> { };
    /** Told of each error a pinned flow's upstream gave: the upstream (a port unreachable, no route). */
    private Consumer<InetSocketAddress> pinnedFailed = upstream -> { };
    /**
     * Asked after {@link #pinnedFailed}, when the refused datagram is a query it has whole: the upstream to ask it of
     * instead (which then is sent it, and the guest hears nothing of the error), or null.
     */
    private UnaryOperator<InetSocketAddress> pinnedAskAgain = upstream -> null;
    private final LoopSelector selector;
    private final GuestOutput out;
    private final IcmpErrors errors;
    private final GatewayAddresses gateway;
    /** The user network's name in log lines ("u: udp flow: ..."). */
    private final String logName;
    /**
     * Made with the first flow whose error queue is on, or by {@link #prepare}, not at start: its native memory is
     * the user network's first use of java.lang.foreign, some 15 ms on a cold JVM (measured: docs/benchmarks.md).
     */
    private SocketErrorQueue errorQueue;
    /** Made with the first hop limit a flow is given (see {@link #errorQueue} for why not at start). */
    private UnicastHops hopsSetter;
    private DontFragment dontFragmentSetter;
    private boolean toldErrorsUnavailable;
    private final Map<FlowKey, Flow> flows = new LinkedHashMap<>(16, 0.75f, true);
    /** Reused for every lookup (see FlowKey). */
    private final FlowKey probe = new FlowKey();
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(65536);
    private long dropped;
    /** Datagrams to a pinned (DNS) flow from others than the upstreams it asked, dropped. */
    private long fromOthers;
    /** Host sockets that cannot be opened (out of descriptors): two lines however many datagrams meet it. */
    private final FailureRun socketOpens = new FailureRun(Log::warn);
    /** Flows opened, ever. */
    private long opened;

    /** The host addresses flows leave from, per family ({@code outbound-addr=}). */
    private OutboundAddresses outbound = OutboundAddresses.KERNEL;

    void outboundAddresses(OutboundAddresses addresses) {
        this.outbound = addresses;
    }

    UdpNat(String logName, LoopSelector selector, GuestOutput out, IcmpErrors errors, GatewayAddresses gateway) {
        this.logName = logName;
        this.maxFlows = maxFlows(Descriptors.limit());
        this.selector = selector;
        this.out = out;
        this.errors = errors;
        this.gateway = gateway;
    }

    /**
     * {@code answered} runs on each datagram a pinned flow's upstream sends back, with its sender; {@code failed}
     * on each error that a send to one met (at once, or later from the error queue), with that upstream; then
     * {@code askAgain}, with that upstream, names the one to send the query to instead (the DNS failover's next), or
     * null to tell the guest the error.
     */
    void onPinnedOutcome(Consumer<InetSocketAddress> answered, Consumer<InetSocketAddress> failed,
                         UnaryOperator<InetSocketAddress> askAgain) {
        this.pinnedAnswered = answered;
        this.pinnedFailed = failed;
        this.pinnedAskAgain = askAgain;
    }

    /**
     * Sends a guest's datagram, addressed to {@code destination:destinationPort}, to {@code target} on the
     * host, with the hop limit {@code hops} and, over IPv4, the guest's DF bit ({@code dontFragment}), as a
     * router passes them on (see {@link DontFragment}); replies come back from where they came from.
     */
    void send(IpAddress guestIp, int guestPort, IpAddress destination, int destinationPort, InetSocketAddress target,
              int hops, boolean dontFragment, ByteBuffer payload, int offset, int length, long now) {
        send(probe.set(guestIp, guestPort, null, 0), destination, destinationPort, target, hops,
                dontFragment ? DF_SET : DF_CLEAR, payload, offset, length, now);
    }

    /** Sends a guest's datagram to {@code upstream}; replies appear to come from {@code virtualIp:virtualPort}. */
    void sendPinned(IpAddress guestIp, int guestPort, IpAddress virtualIp, int virtualPort, InetSocketAddress upstream,
                    ByteBuffer payload, int offset, int length, long now) {
        send(probe.set(guestIp, guestPort, virtualIp, virtualPort), virtualIp, virtualPort, upstream, 0, DF_LEAVE, payload,
                offset, length, now);
    }

    /**
     * {@code hops}: the hop limit to send with (1 to 255), or 0 to leave the socket's as it is;
     * {@code dontFragment}: DF_SET, DF_CLEAR, or DF_LEAVE for the socket's as it is.
     */
    private void send(FlowKey key, IpAddress destination, int destinationPort, InetSocketAddress target, int hops,
                      int dontFragment, ByteBuffer payload, int offset, int length, long now) {
        Flow flow = flows.get(key);
        if (flow != null && flow.pinned() && flow.ipv6 != (target.getAddress() instanceof Inet6Address)) {
            // its upstream is now one of the other family (the DNS failover, a rewritten resolv.conf), which this
            // socket cannot send to (an AF_INET socket throws, an AF_INET6 one bound to outbound-addr6 fails): a new one
            flows.remove(flow.key);
            close(flow);
            flow = null;
        }
        try {
            if (flow == null) {
                flow = open(key.copy(), target, now);
            }
            flow.lastUsed = now;
            flow.toDnsPort = destinationPort == DNS_PORT;
            boolean elsewhere = flow.remote != null && (flow.remotePort != destinationPort || !destination.equals(flow.remote));
            flow.remote = destination;
            flow.remotePort = destinationPort;
            if (hops != flow.hops && hops != 0 && flow.fd >= 0) { // a system call only when the guest's hop limit changes
                setHops(flow, hops);
            }
            if (dontFragment != flow.dontFragment && dontFragment != DF_LEAVE && flow.fd >= 0 && !flow.ipv6) {
                setDontFragment(flow, dontFragment);
            }
            sendBuffer.clear();
            sendBuffer.put(0, payload, offset, length).limit(length);
            if (flow.fd >= 0 && (elsewhere || flow.dns())) {
                // the pending error would fail this send unsent, and the JDK reports a refused send as sent: taken
                // when the datagram goes elsewhere than the flow's last one (a guest socket that sends to several
                // destinations: one that refused lost the next datagram to another), and for DNS, where a
                // resolver's queries leave together to one server (glibc's and busybox's A and AAAA) and an
                // upstream that refused the one lost the other unsaid; a flow that keeps to one destination is
                // spared the system call (the error stays queued for the guest either way)
                errorQueue.clearPending(flow.fd);
            }
            sendToHost(flow, target);
            if (flow.pinned()) {
                if (!flow.hasAsked(target)) {
                    flow.askedUpstreams.add(target);
                }
                if (length >= 2) { // shorter is no DNS message: nothing to wait for
                    flow.waitFor((payload.get(offset) & 0xff) << 8 | payload.get(offset + 1) & 0xff);
                }
            }
        } catch (IOException e) {
            dropped++;
            if (flow != null && flow.pinned()) { // the send failed, not the socket's opening (a descriptor shortage)
                pinnedFailed.accept(target);
                InetSocketAddress next = length >= DnsMessage.HEADER_LENGTH ? pinnedAskAgain.apply(target) : null;
                if (next != null) { // the next upstream is asked at once; it is another each time, so this ends
                    send(key, destination, destinationPort, next, hops, dontFragment, payload, offset, length, now);
                    return;
                }
            }
            IpAddress guest = key.guest();
            errors.udp(gateway.host(guest), guest, key.guestPort(), destination, destinationPort,
                    IcmpErrors.ofException(e, guest.isIpv4()), 0, payload, offset, length);
        }
    }

    /**
     * Sends {@link #sendBuffer} to {@code target}, once more when the send fails on a socket that queues its errors
     * and the failure may be an earlier datagram's ({@link IcmpErrors#sendAgainAfter}). The JDK reports a refused send
     * as sent, so a refusal is not seen here: {@link SocketErrorQueue#clearPending} before the send is for that.
     */
    private void sendToHost(Flow flow, InetSocketAddress target) throws IOException {
        try {
            flow.channel.send(sendBuffer, target);
        } catch (IOException e) {
            if (flow.fd < 0 || !IcmpErrors.sendAgainAfter(e)) {
                throw e;
            }
            flow.channel.send(sendBuffer.position(0), target);
        }
    }

    /**
     * Makes the error queue and the hop-limit and DF setters now, where they would be made at the first flow that needs
     * them: the warm-up asks it of the daemon's networks after "ready" (so that the start does not pay for them).
     * Made at the daemon's first flow, the C2 code of {@code send} that the warm-up's thousands of flows compiled,
     * each finding them made, met a branch it had never taken, threw itself away ({@code unstable_if} in
     * {@code errorQueueOf}, {@code -Xlog:deoptimization}), and the guests' lookups ran in C1's profiling code
     * until some thousands more.
     */
    void prepare() {
        if (errorQueue == null) {
            errorQueue = new SocketErrorQueue();
        }
        if (hopsSetter == null) {
            hopsSetter = new UnicastHops();
        }
        if (dontFragmentSetter == null) {
            dontFragmentSetter = new DontFragment();
        }
    }

    private void setDontFragment(Flow flow, int dontFragment) {
        if (dontFragmentSetter == null) {
            dontFragmentSetter = new DontFragment();
        }
        // refused (no kernel here does): the datagrams leave with the kernel's choice, not lost
        dontFragmentSetter.set(flow.fd, dontFragment == DF_SET);
        flow.dontFragment = dontFragment;
    }

    private void setHops(Flow flow, int hops) {
        if (hopsSetter == null) {
            hopsSetter = new UnicastHops();
        }
        // refused (no kernel here does): the datagrams leave with the socket's own hop limit, not lost
        hopsSetter.set(flow.fd, flow.ipv6, hops);
        flow.hops = hops;
    }

    /** The JVM found no IPv6 on the host ({@link HostSockets.NoIpv6}), which was said once. */
    private boolean saidNoIpv6;
    private final int maxFlows;

    /** The flows allowed under {@code descriptorLimit} (RLIMIT_NOFILE): a quarter of it, within MIN_FLOWS..MAX_FLOWS. */
    static int maxFlows(long descriptorLimit) {
        return (int) Math.max(MIN_FLOWS, Math.min(MAX_FLOWS, descriptorLimit / 4));
    }

    private Flow open(FlowKey key, InetSocketAddress target, long now) throws IOException {
        if (flows.size() >= maxFlows) {
            Iterator<Flow> lru = flows.values().iterator();
            close(lru.next());
            lru.remove();
        }
        DatagramChannel channel;
        try {
            channel = HostSockets.udp(SocketAddresses.family(target));
        } catch (HostSockets.NoIpv6 e) { // for good, not a shortage: said once, and told as Network Unreachable
            if (!saidNoIpv6) {
                saidNoIpv6 = true;
                Log.warnOfHost(logName + ": udp: " + e.getMessage() + ": guests' datagrams over IPv6 are told Network Unreachable");
            }
            throw e;
        } catch (IOException e) {
            socketOpens.failed(logName + ": udp: cannot open a host socket: " + e.getMessage() + "; until one opens, the guests' "
                    + "datagrams that would start a flow are dropped and told unreachable");
            throw e;
        }
        socketOpens.succeeded(failed -> logName + ": udp: host sockets open again, after " + failed
                + (failed == 1 ? " datagram" : " datagrams") + " dropped");
        Flow flow;
        try { // a bind to the outbound address can fail (EADDRNOTAVAIL): the socket goes with it
            channel.configureBlocking(false);
            channel.bind(outbound.localFor(target));
            boolean ipv6 = target.getAddress() instanceof Inet6Address;
            flow = new Flow(key, channel, errorQueueOf(channel, ipv6), ipv6, now);
            flow.selectionKey = selector.register(channel, SelectionKey.OP_READ, flow);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        flows.put(key, flow);
        opened++;
        return flow;
    }

    /**
     * The descriptor of a new flow's channel with its error queue on ({@code ipv6}: the socket's family, which
     * is not the guest's for a DNS upstream of the other family), or -1: when the JDK keeps descriptors
     * to itself (the user network's start-up line said so), or when the kernel refuses (said once here).
     */
    private int errorQueueOf(DatagramChannel channel, boolean ipv6) {
        int fd = ChannelDescriptors.of(channel);
        if (fd < 0) {
            return -1;
        }
        try {
            SocketErrorQueue.enable(fd, ipv6);
            if (errorQueue == null) {
                errorQueue = new SocketErrorQueue();
            }
            return fd;
        } catch (IOException e) {
            if (!toldErrorsUnavailable) {
                toldErrorsUnavailable = true;
                Log.info(logName + ": udp: ICMP errors that come back for guests' datagrams are not passed to them: " + e.getMessage());
            }
            return -1;
        }
    }

    /**
     * Tells the guest of a flow each error its socket has queued, from the guest's view: host loopback is
     * the gateway's host address, a pinned flow's upstream its virtual address, and the error comes from the
     * address it went to when that one sent it (a port unreachable), else from the router that did (or,
     * for a local error, the gateway).
     */
    private void tellQueuedErrors(Flow flow, long now) {
        if (flow.fd < 0) {
            return;
        }
        IpAddress guest = flow.key.guest();
        List<AskedAgain> again = null;
        try {
            while (errorQueue.read(flow.fd)) {
                IpAddress hostDestination = errorQueue.destination();
                int error = IcmpErrors.ofQueued(errorQueue, guest.isIpv4());
                if (hostDestination == null || error == IcmpErrors.NONE) {
                    dropped++;
                    continue;
                }
                ByteBuffer data = errorQueue.payload();
                if (flow.pinned()) {
                    InetSocketAddress upstream = new InetSocketAddress(hostDestination.toInetAddress(),
                            errorQueue.destinationPort());
                    pinnedFailed.accept(upstream);
                    InetSocketAddress next = quotedWhole(data.limit(), flow.ipv6 && !hostDestination.isIpv4())
                            ? pinnedAskAgain.apply(upstream) : null;
                    if (next != null) {
                        flow.answers((data.get(0) & 0xff) << 8 | data.get(1) & 0xff); // waited for again when sent
                        byte[] query = new byte[data.limit()];
                        data.get(0, query);
                        if (again == null) {
                            again = new java.util.ArrayList<>(2);
                        }
                        again.add(new AskedAgain(query, next));
                        continue;
                    }
                }
                IpAddress destination = flow.pinned() ? flow.key.remote() : guestView(hostDestination, flow);
                int destinationPort = flow.pinned() ? flow.key.remotePort() : errorQueue.destinationPort();
                IpAddress from = IcmpErrors.source(errorQueue.offender(), hostDestination, guest, destination,
                        gateway.host(guest), offender -> guestView(offender, flow));
                errors.udp(from, guest, flow.key.guestPort(), destination, destinationPort, error, errorQueue.info(),
                        data, 0, data.limit());
            }
        } catch (IOException e) {
            dropped++;
        }
        // sent once the queue is read: a query asked of an upstream of the other family gives the flow a new socket,
        // and this one closes with what it still holds (a resolver's A and AAAA are refused together)
        for (int i = 0; again != null && i < again.size(); i++) {
            AskedAgain a = again.get(i);
            send(flow.key, flow.key.remote(), flow.key.remotePort(), a.next(), 0, DF_LEAVE, ByteBuffer.wrap(a.query()), 0,
                    a.query().length, now);
        }
    }

    /** A refused query, the error's copy of it, to be asked of {@code next} as the guest's own datagram. */
    private record AskedAgain(byte[] query, InetSocketAddress next) {
    }

    /**
     * Whether the copy of a refused datagram that an ICMP error quoted, {@code length} bytes of it, may be asked of
     * another upstream: a DNS message (shorter is none, and an upstream that does not answer it must not look
     * silent), and whole. An error quotes the datagram up to 576 bytes of IPv4 (RFC 1812 section 4.3.2.3; Linux's
     * icmp_send), {@value #IPV4_QUOTED_PAYLOAD} bytes of the payload, or up to 1280 of IPv6 (RFC 4443 section 2.4),
     * {@value #IPV6_QUOTED_PAYLOAD}: a copy of that length may have been cut short, and a longer query was asked of
     * the next upstream cut so (520 bytes of a 600-byte one), a message it cannot read.
     */
    private static boolean quotedWhole(int length, boolean icmpv6) {
        // both bounds lie below the error queue's buffer (SocketErrorQueue.PAYLOAD_MAX), which holds any quote whole
        return length >= DnsMessage.HEADER_LENGTH && length < (icmpv6 ? IPV6_QUOTED_PAYLOAD : IPV4_QUOTED_PAYLOAD);
    }

    private IpAddress guestView(IpAddress hostAddress, Flow flow) {
        return hostAddress.isLoopback() ? hostAsAddressed(flow) : hostAddress;
    }

    /**
     * The gateway's host address that host loopback is to a flow's guest: the one its last datagram went
     * to (fd00::2 or fe80::2, whichever the guest wrote to, as libslirp's sotranslate_in takes so_faddr),
     * else the host address of the guest's own scope. A reply from another address than the one asked is
     * dropped by a connected socket.
     */
    private IpAddress hostAsAddressed(Flow flow) {
        return gateway.isHost(flow.remote) ? flow.remote : gateway.host(flow.key.guest());
    }

    /** Reads what arrived on a flow's host socket and delivers it to the guest. */
    void readable(Flow flow, long now) {
        ByteBuffer in = out.payloadBuffer();
        for (int i = 0; i < 64; i++) {
            in.clear().position(8);
            SocketAddress from;
            try {
                from = flow.channel.receive(in);
            } catch (IOException e) {
                dropped++;
                return;
            }
            if (!(from instanceof InetSocketAddress source)) {
                // readable with nothing to read: an error is queued (POLLERR), whose errno the JDK's receive took
                // and retried past, as it does on an unconnected channel
                tellQueuedErrors(flow, now);
                return;
            }
            flow.lastUsed = now;
            int length = in.position() - 8;
            IpAddress sourceIp;
            int sourcePort;
            if (flow.pinned()) {
                if (!flow.hasAsked(source)) {
                    // the guest sees every answer come from the DNS address, so cannot check the sender as a
                    // resolver does (glibc, dig): a datagram from anyone else to this socket (any host that can
                    // reach its port) would pass as the resolver's answer
                    fromOthers++;
                    continue;
                }
                sourceIp = flow.key.remote();
                sourcePort = flow.key.remotePort();
            } else {
                if (source != flow.lastSender) {
                    flow.lastSender = source;
                    flow.lastSenderIp = source.getAddress().isLoopbackAddress() ? null : IpAddress.of(source.getAddress());
                }
                sourceIp = flow.lastSenderIp != null ? flow.lastSenderIp : hostAsAddressed(flow);
                sourcePort = source.getPort();
            }
            if (sourceIp == null || sourceIp.isIpv4() != flow.key.guest().isIpv4()) {
                dropped++; // from the other family than the guest socket's: nothing to say it as
                continue;
            }
            out.sendUdp(sourceIp, sourcePort, flow.key.guest(), flow.key.guestPort(), NeighborTable.UNKNOWN, in, 8, length);
            if (flow.pinned()) {
                pinnedAnswered.accept(source);
            }
            // every query answered: the exchange is over. Only an answer to a waiting query counts: a second copy
            // of an answer, or a datagram of another id, ended the flow while a query still waited, whose answer
            // the closed socket then lost (busybox's nslookup waited for its retry; dig, given a stray id first,
            // timed out where slirp4netns delivers the answer that follows)
            if (flow.pinned() && length >= 2 && flow.answers((in.get(8) & 0xff) << 8 | in.get(9) & 0xff) && flow.allAnswered()) {
                flows.remove(flow.key);
                close(flow);
                return;
            }
        }
    }

    /**
     * Closes flows idle for too long.
     *
     * @return nanoseconds until the next flow's idle time runs out, {@link Long#MAX_VALUE} when there is none
     */
    long poll(long now) {
        long next = Long.MAX_VALUE;
        Iterator<Flow> it = flows.values().iterator();
        while (it.hasNext()) {
            Flow flow = it.next();
            long left = flow.expiresAt() - now;
            if (left < 0) {
                close(flow);
                it.remove();
            } else {
                next = Math.min(next, left + 1);
            }
        }
        return next;
    }

    /** One line per flow, for {@code info network}. */
    void describe(List<String> lines, long now) {
        for (Flow flow : flows.values()) {
            lines.add("udp " + flow.key.guest().toUriString() + ":" + flow.key.guestPort() + " -> "
                    + flow.remote.toUriString() + ":" + flow.remotePort + (flow.dns() ? " (dns)" : "") + ", idle "
                    + TimeUnit.NANOSECONDS.toSeconds(now - flow.lastUsed) + " s, ends in "
                    + TimeUnit.NANOSECONDS.toSeconds(Math.max(0, flow.expiresAt() - now)) + " s");
        }
    }

    /**
     * One flow for {@code query-network} and {@code info usernet}: the guest socket, where its last datagram
     * went, whether it carries DNS, seconds since that datagram and seconds until the flow ends.
     */
    record FlowInfo(IpAddress guest, int guestPort, IpAddress remote, int remotePort, boolean dns, long idleSeconds,
                    long secondsLeft) {}

    /** The flows now, least recently used first. */
    List<FlowInfo> flows(long now) {
        List<FlowInfo> list = new java.util.ArrayList<>(flows.size());
        for (Flow flow : flows.values()) {
            list.add(new FlowInfo(flow.key.guest(), flow.key.guestPort(), flow.remote, flow.remotePort, flow.dns(),
                    TimeUnit.NANOSECONDS.toSeconds(now - flow.lastUsed),
                    TimeUnit.NANOSECONDS.toSeconds(Math.max(0, flow.expiresAt() - now))));
        }
        return list;
    }

    /**
     * Flows opened so far, ever
     * (the user network's loop compares it before and after handling frames: a new one may need its timed
     * work polled sooner, see {@code Gateway#timedStarts}).
     */
    long flowsOpened() {
        return opened;
    }

    int flowCount() {
        return flows.size();
    }

    long dropped() {
        return dropped;
    }

    /** Datagrams to the DNS flows from others than the upstreams they asked, dropped. */
    long dnsFromOthers() {
        return fromOthers;
    }

    /** Closes the flows of the guest addresses in {@code gone} (a guest that left the hub); returns how many. */
    int closeGuests(Set<IpAddress> gone) {
        int closed = 0;
        for (Iterator<Flow> it = flows.values().iterator(); it.hasNext(); ) {
            Flow flow = it.next();
            if (gone.contains(flow.key.guest())) {
                close(flow);
                it.remove();
                closed++;
            }
        }
        return closed;
    }

    void closeAll() {
        flows.values().forEach(this::close);
        flows.clear();
        if (errorQueue != null) {
            errorQueue.close();
        }
        if (hopsSetter != null) {
            hopsSetter.close();
        }
        if (dontFragmentSetter != null) {
            dontFragmentSetter.close();
        }
    }

    private void close(Flow flow) {
        if (flow.selectionKey != null) {
            selector.cancel(flow.selectionKey);
        }
        try {
            flow.channel.close();
        } catch (IOException e) {
            Log.warn(logName + ": udp flow: " + e.getMessage());
        }
    }
}
