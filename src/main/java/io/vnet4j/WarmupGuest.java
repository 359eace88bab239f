package io.vnet4j;

import io.vnet4j.usernet.UsernetNetdev;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.Ipv4Frames;
import io.vnet4j.wire.Ipv6Frames;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.Ipv6Packet;
import io.vnet4j.wire.MacAddress;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSegment;
import io.vnet4j.wire.WireError;
import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.offload.ChecksumCompletion;
import io.vnet4j.wire.offload.VirtioNetFrame;
import io.vnet4j.wire.offload.VirtioNetHeader;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One guest of the warm-up's private network ({@link Warmup}, whose comment gives the theory): it plays a Linux
 * guest's frames through its end of a port ({@link WarmupLink}: a TAP pair, a stream connection, a vhost-user
 * driver in this process) and takes the gateway's answers: ARP, pings of both families, DNS through the NAT, TCP
 * connections with requests, echoes, bulk exchanges of large segments and both ways of closing. A round that
 * does not come back in {@value #REPLY_TIMEOUT_MILLIS} ms ends the warm-up early.
 */
final class WarmupGuest {
    /** TCP requests in each round of the second kind, and on each connection. */
    static final int REQUESTS_PER_ROUND = 3;
    static final int REQUESTS_PER_CONNECTION = 2;
    static final int BATCH = 500;
    static final long QUIET_COMPILE_MILLIS = 20;
    static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(4);
    static final int PINGS_PER_ROUND = 4;
    /**
     * DNS queries in each round of the second kind, each from a guest port of its own, as resolvers send them: with
     * one, the UDP NAT's per-datagram methods ({@code UdpNat.send}, {@code readable}, {@code open}, {@code close})
     * were left in C1's profiling code (tier 3, -XX:+PrintCompilation), and every guest's DNS lookup ran there until
     * some thousands of them.
     */
    static final int DNS_QUERIES_PER_ROUND = 3;
    static final int NEW_GUEST_EVERY = 16;
    /** Rounds between two looks at the guests' frame count. */
    private static final int YIELD_CHECK_EVERY = 10;
    /**
     * Rounds between two reads of the user network's counters, as {@code /metrics} and {@code info network}
     * read them: a task handed to its loop, which an eventfd wakes. Without them the loop was never woken so
     * during the warm-up (its TAP's reads are its own), C2 compiled that branch of the loop's wait as a trap,
     * and the wake-up that stopped the warm-up's network threw the compiled loop away: the daemon's network
     * then ran its loop in the interpreter and in C1's code (-Xlog:deoptimization: {@code Epoll.await},
     * {@code unstable_if}, in {@code UsernetNetdev.pass}).
     */
    private static final int READ_COUNTERS_EVERY = 4;
    private static final long GATEWAY_MAC = 0x5255_0a00_0202L;
    private static final long DNS_MAC = 0x5255_0a00_0203L;
    private static final int GATEWAY = Ipv4Address.parse("10.0.2.2");
    private static final int DNS = Ipv4Address.parse("10.0.2.3");
    /** The gateway's IPv6 address on the default prefix, and its MAC (52:56 and its last four bytes). */
    private static final IpAddress GATEWAY6 = IpAddress.parse("fec0::2");
    private static final long GATEWAY6_MAC = 0x5256_0000_0002L;
    private static final long SITE_PREFIX = 0xfec0_0000_0000_0000L;
    private static final long LINK_LOCAL_PREFIX = 0xfe80_0000_0000_0000L;
    /** Rounds between two router solicitations (a guest sends them as its link comes up). */
    private static final int SOLICIT_ROUTER_EVERY = 8;
    private static final long REPLY_TIMEOUT_MILLIS = 2000;
    /** How long a port must stay quiet for {@link #discardWaiting} to be done, ms. */
    private static final int QUIET_PORT_MILLIS = 20;
    /** A query for warmup.invalid. (RFC 2606), type A, class IN, recursion desired. */
    private static final byte[] DNS_QUERY = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
            6, 'w', 'a', 'r', 'm', 'u', 'p', 7, 'i', 'n', 'v', 'a', 'l', 'i', 'd', 0, 0, 1, 0, 1};
    private static final byte[] ONE_BYTE = {'x'};
    /** Where the frames the gateway drops go (see {@link #dropped}): mDNS's group, MLDv2's, another guest. */
    private static final long MDNS_MAC = 0x0100_5e00_00fbL;
    private static final int MDNS = Ipv4Address.parse("224.0.0.251");
    /** ff02::16, MLDv2's reports (RFC 3810 section 5.2.14). */
    private static final IpAddress MLDV2 = IpAddress.ofIpv6(0xff02_0000_0000_0000L, 0x16);
    private static final long OTHER_GUEST_MAC = 0x5254_0012_3499L;
    private static final int OTHER_GUEST = Ipv4Address.parse("10.0.2.254");
    private static final byte[] NOTHING = {};

    /** The virtio-net header before each frame on the TAP. */
    private static final int VNET = VirtioNetFrame.HEADER_LENGTH;
    /** Where the TCP and UDP checksum fields lie in their headers: the csum_offset of a partial checksum. */
    private static final int TCP_CHECKSUM_AT = 16;
    private static final int UDP_CHECKSUM_AT = 6;
    private static final int L4 = EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH;
    /** The virtio-net headers of a TCP and of a UDP frame whose checksum the guest left partial (NEEDS_CSUM). */
    private static final byte[] TCP_PARTIAL_CHECKSUM = virtioHeader(VirtioNetHeader.GSO_NONE, 0, 0, TCP_CHECKSUM_AT);
    private static final byte[] UDP_PARTIAL_CHECKSUM = virtioHeader(VirtioNetHeader.GSO_NONE, 0, 0, UDP_CHECKSUM_AT);
    /** A Linux guest's SYN options: MSS 1460, SACK permitted, timestamps, NOP, window scale 7. */
    private static final byte[] SYN_OPTIONS = {2, 4, 0x05, (byte) 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
    /** Every this many requests is 1 KiB, which the user network's loop takes from its queue; the others 1 byte. */
    private static final int LARGE_REQUEST_EVERY = 4;
    /**
     * Every this many connections of the request rounds, the host's side closes first: its last request is
     * {@link #QUIT}, which the peer echoes and then closes on, as an HTTP/1.0 server does. Closed only by the
     * guest, the warm-up never sent a FIN of the gateway's own or saw it acknowledged, C2 compiled those
     * branches of {@code TcpConnection.transmit}, {@code acknowledge}, {@code receive} and
     * {@code TcpNat.settle} as traps, and the first HTTP request of a guest after the warm-up threw that code
     * away for every TCP connection ({@code -Xlog:deoptimization}, a namespace's busybox wget, 2026-12-01).
     * Not more often: the gateway's side of such a connection waits in TIME-WAIT for 2 s, its buffers
     * outlive young collections, and every fourth connection left 25 MB of direct memory (NMT's "Other")
     * to the full collection an idle daemon never makes (the resident set 15 s after start 108 MB
     * against 79 MB; now 79-82).
     */
    private static final int HOST_CLOSES_EVERY = 16;
    /** The request on which the TCP peer closes after its echo (see {@link #HOST_CLOSES_EVERY}). */
    static final byte[] QUIT = {'q'};
    /**
     * With IPv6, every this many connections of the request rounds go over it, to the gateway's fec0::2 and
     * a peer on the host's ::1: a guest's first TCP connection over IPv6 sprang traps in code that every
     * segment of either family runs ({@code GuestOutput.sendTcp}, {@code IpAddress.isIpv4}) besides the
     * connect's own ({@code Gateway.hostTarget}, {@code OutboundAddresses.localFor}; -Xlog:deoptimization).
     * Their checksums are complete (the partial ones of an offloading guest are IPv4's only here).
     */
    private static final int IPV6_CONNECTION_EVERY = 3;
    private static final byte[] ONE_KIB = new byte[1024];
    /**
     * Every this many rounds of the second kind, a bulk exchange: {@value #BULK_SEGMENTS} large segments of
     * {@value #BULK_BYTES} bytes up (TSO, as an offloading guest's TCP sends), echoed back down in the
     * gateway's large segments, more than the guest's window holds. Without it a guest's first bulk transfer
     * took compiled code down branches the warm-up never took (uncommon traps in the gateway's TCP output, the
     * TAP's GSO header, the queues), ran interpreted while C2 recompiled, and went at half speed for its first
     * two seconds (4.6-5.4 against 8-10 Gbit/s at MTU 65520, docs/benchmarks.md).
     */
    static final int BULK_EVERY = 2;
    /** The payload of each of the guest's large segments. */
    static final int BULK_BYTES = 60 * 1024;
    /** The guest's large segments in a bulk exchange: their echo is more than its window (502 << 7 = 64,256). */
    static final int BULK_SEGMENTS = 2;
    /** The payload bytes per segment the guest's large segment is cut to (its MSS: MTU 1500, no options). */
    private static final int GUEST_MSS = 1460;
    /** The virtio-net header of the guest's large segment: NEEDS_CSUM and TSO (GSO_TCPV4) at {@link #GUEST_MSS}. */
    private static final byte[] TCP_LARGE_SEGMENT = virtioHeader(VirtioNetHeader.GSO_TCPV4, L4 + TcpSegment.MIN_HEADER_LENGTH,
            GUEST_MSS, TCP_CHECKSUM_AT);

    /** The bulk exchange's payload (made per warm-up, not kept for the process's life). */
    private final byte[] bulk = new byte[BULK_BYTES];
    private final ByteBuffer out = ByteBuffer.allocate(EthernetFrame.HEADER_LENGTH + Ipv4Packet.MIN_HEADER_LENGTH
            + TcpSegment.MIN_HEADER_LENGTH + BULK_BYTES);
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final Ipv6Packet ip6 = new Ipv6Packet();
    private final TcpSegment tcp = new TcpSegment();
    /** This guest's end of its port: the TAP, or a connection to the stream server. */
    private final WarmupLink link;
    private final long guestMac;
    private final int guest;
    private final int newGuests;
    /** The warm-up's network: its hub forwards as the guests' network does ({@link Warmup.Shape}). */
    private Network network;
    /** The warm-up's user network. */
    private UsernetNetdev user;
    private ByteBuffer in;
    private int tcpPort;
    /** True once the guests are busy enough that the warm-up should stop. */
    private BooleanSupplier busy;
    private int guestPort = 40000;
    private int sequence;
    private int acknowledgment;
    /**
     * The other connection's {@link #tcpPort}, {@link #guestPort}, {@link #sequence}, {@link #acknowledgment},
     * {@link #connected} and {@link #overIpv6}, swapped in by {@link #swapConnections}: the request/response rounds open a new
     * connection every few requests, the bulk exchanges keep one connection for the whole warm-up, whose
     * buffers grow once (a new one per exchange took the resident set 15 s after start from 74 to 89 MB).
     */
    private int otherTcpPort;
    private int otherGuestPort = 61000;
    private int otherSequence;
    private int otherAcknowledgment;
    private boolean otherConnected;
    private boolean otherOverIpv6;
    /** The payload bytes of the last segment {@link #awaitSegment} took, and whether it carried a FIN. */
    private int received;
    private boolean finReceived;
    private boolean connected;
    /** The guests' network has IPv6, so this one has too, and the rounds send IPv6 beside IPv4 ({@link Warmup.Shape}). */
    private boolean ipv6;
    /** The TCP peer on the host's ::1, which the gateway's fec0::2 reaches; 0 without one. */
    int tcpPort6;
    /** The current connection is over IPv6, to {@link #tcpPort6} (see {@link #IPV6_CONNECTION_EVERY}). */
    private boolean overIpv6;
    /** Connections the request rounds opened. */
    private int connections;

    WarmupGuest(WarmupLink link, long guestMac, int guest, int newGuests) {
        this.link = link;
        this.guestMac = guestMac;
        this.guest = guest;
        this.newGuests = newGuests;
        this.in = link.in();
    }

    /**
     * Drops the frames waiting for this guest's port, until none has come for {@value #QUIET_PORT_MILLIS} ms
     * (at most {@value #REPLY_TIMEOUT_MILLIS} ms):
     * on a hub, what the gateway still sends the VM that left (resent segments) is flooded to the TAP, and
     * (when the TAP was there during the VM's rounds) filled its queue, so that the answers of the TAP's first
     * round were dropped.
     */
    void discardWaiting() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPLY_TIMEOUT_MILLIS);
        while (link.read(QUIET_PORT_MILLIS) > 0 && System.nanoTime() - deadline < 0) {
            // dropped
        }
    }

    /** The network, its user network, the TCP peers' ports, whether it has IPv6, and the look at the guests' business. */
    void setUp(Network network, UsernetNetdev user, int tcpPort, int otherTcpPort, boolean ipv6,
                       BooleanSupplier busy) {
        this.network = network;
        this.user = user;
        this.tcpPort = tcpPort;
        this.otherTcpPort = otherTcpPort;
        this.ipv6 = ipv6;
        this.busy = busy;
    }

    /**
     * First the frames the reader's thread answers by itself (ARP, pings to the gateway: a few microseconds
     * each once compiled), so that path is compiled within a fraction of a second; then the rounds that
     * cross threads and sockets (DNS through the NAT, TCP), a few hundred microseconds each.
     */
    int rounds(int rounds, Warmup.Shape shape) throws IOException {
        for (int i = 0; i < rounds; i++) {
            if (guestsBusy(i)) {
                return i;
            }
            // every NEW_GUEST_EVERY rounds from a guest the gateway has not seen yet (up to newGuests of them),
            // so that learning a guest's MAC is compiled, not left to a trap at the first real guest
            int k = i % NEW_GUEST_EVERY == 0 ? 1 + (i / NEW_GUEST_EVERY) % newGuests : 0;
            readCounters(i);
            send(Ipv4Frames.arpRequest(out, guestMac + k, guest + k, GATEWAY), 0);
            for (int p = 0; p < PINGS_PER_ROUND; p++) {
                send(Ipv4Frames.echoRequest(out, guestMac + k, GATEWAY_MAC, guest + k, GATEWAY, 7, i & 0xFFFF, ONE_BYTE), 0);
            }
            dropped(i);
            if (!awaitFrames(1 + PINGS_PER_ROUND + (ipv6 ? ipv6Round(i, guestMac + k) : 0))) {
                return 0;
            }
        }
        // guests on hubs and on switches: the pings on the hub, the traffic on the switch
        if (shape.switches() && network.hubs().hub(0).switchId() == null) {
            Warmup.learn(network);
        }
        int done = traffic(0, rounds);
        closeBoth();
        return rounds + done;
    }

    /** Reads the user network's counters on its loop every {@value #READ_COUNTERS_EVERY} rounds (see there). */
    private void readCounters(int round) {
        if (round % READ_COUNTERS_EVERY == 0) {
            user.counts();
        }
    }

    /** Whether the warm-up stops before round {@code round}; it looks every {@value #YIELD_CHECK_EVERY} rounds. */
    private boolean guestsBusy(int round) {
        return round % YIELD_CHECK_EVERY == 0 && busy.getAsBoolean();
    }

    /**
     * Rounds of the second kind in batches until the JIT is quiet (see
     * {@link Warmup#run(int, Warmup.Shape, boolean, BooleanSupplier)}); how many ran.
     */
    int untilCompiled(int from) throws IOException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return 0;
        }
        long deadline = System.nanoTime() + MAX_NANOS;
        int done = 0;
        while (System.nanoTime() - deadline < 0) {
            long compilersCpu = CompilerThreads.cpuMillis();
            long compiling = jit.getTotalCompilationTime();
            int ran = traffic(from + done, BATCH);
            done += ran;
            // the compiler threads' CPU time where /proc gives it: a long compilation counts as it runs (a
            // negative difference, a compiler thread that ended meanwhile, says nothing: not quiet)
            long compilersCpuNow = compilersCpu >= 0 ? CompilerThreads.cpuMillis() : -1;
            long worked = compilersCpuNow >= 0 ? compilersCpuNow - compilersCpu : jit.getTotalCompilationTime() - compiling;
            if (ran < BATCH || worked >= 0 && worked < QUIET_COMPILE_MILLIS) {
                break;
            }
        }
        closeBoth();
        return done;
    }

    /**
     * Rounds {@code first} to {@code first + count - 1} of the second kind: a DNS query and a ping, then TCP requests
     * on the current connection (a new one every {@value #REQUESTS_PER_CONNECTION}); how many completed.
     */
    private int traffic(int first, int count) throws IOException {
        for (int i = first; i < first + count; i++) {
            if (guestsBusy(i)) {
                return i - first;
            }
            readCounters(i);
            for (int q = 0; q < DNS_QUERIES_PER_ROUND; q++) { // each from a port of its own: a flow opened and closed
                send(Ipv4Frames.udp(out, guestMac, DNS_MAC, guest, 30000 + ((i * DNS_QUERIES_PER_ROUND + q) & 0x3FF), DNS,
                        53, DNS_QUERY), (i + q) % 2 == 0 ? UDP_CHECKSUM_AT : 0);
            }
            // and a ping: C2 compiles Gateway.transport during these rounds, and with its ICMP branch cold here it
            // called Gateway.icmp out of line, whose C1 code then answered a guest's pings
            send(Ipv4Frames.echoRequest(out, guestMac, GATEWAY_MAC, guest, GATEWAY, 7, i & 0xFFFF, ONE_BYTE), 0);
            if (ipv6) {
                send(Ipv6Frames.echoRequest(out, guestMac, GATEWAY6_MAC, siteAddress(guestMac), GATEWAY6, 7, i & 0xFFFF,
                        ONE_BYTE), 0);
            }
            dropped(i);
            if (!awaitFrames(DNS_QUERIES_PER_ROUND + (ipv6 ? 2 : 1))) {
                return i - first;
            }
            for (int r = 0; r < REQUESTS_PER_ROUND; r++) {
                int request = i * REQUESTS_PER_ROUND + r;
                boolean fresh = request % REQUESTS_PER_CONNECTION == 0 || !connected;
                boolean quit = request % (REQUESTS_PER_CONNECTION * HOST_CLOSES_EVERY) == REQUESTS_PER_CONNECTION - 1;
                if (fresh && (!close() || !connect(true)) || !requestResponse(request, quit)) {
                    return i - first;
                }
                if (quit && !closedByHost(request / REQUESTS_PER_CONNECTION / HOST_CLOSES_EVERY)) {
                    return i - first;
                }
            }
            if (i % BULK_EVERY == 0 && link.offloads() && !bulk()) {
                return i - first;
            }
        }
        return count;
    }

    /**
     * What a guest with IPv6 sends as it comes up and pings, from {@code mac}: a router solicitation every
     * {@value #SOLICIT_ROUTER_EVERY} rounds (answered by an advertisement to all nodes), a neighbour
     * solicitation for the gateway from its SLAAC address (which also tells the gateway the guest's MAC, so
     * that the echo reply needs no solicitation of its own) and a ping to the gateway. How many frames come
     * back.
     */
    private int ipv6Round(int round, long mac) throws IOException {
        int replies = 0;
        if (round % SOLICIT_ROUTER_EVERY == 0) {
            send(Ipv6Frames.routerSolicitation(out, mac, IpAddress.ofIpv6(LINK_LOCAL_PREFIX, interfaceId(mac))), 0);
            replies++;
        }
        IpAddress site = siteAddress(mac);
        send(Ipv6Frames.neighborSolicitation(out, mac, site, GATEWAY6), 0);
        send(Ipv6Frames.echoRequest(out, mac, GATEWAY6_MAC, site, GATEWAY6, 7, round & 0xFFFF, ONE_BYTE), 0);
        return replies + 2;
    }

    /** The SLAAC address of {@code mac} in the default prefix, fec0::/64. */
    private static IpAddress siteAddress(long mac) {
        return IpAddress.ofIpv6(SITE_PREFIX, interfaceId(mac));
    }

    /** The modified EUI-64 interface identifier of {@code mac} (RFC 4291 appendix A). */
    private static long interfaceId(long mac) {
        return ((mac >>> 24) << 40 | 0xFFFEL << 24 | (mac & 0xFF_FFFFL)) ^ 0x0200_0000_0000_0000L;
    }

    /**
     * One of the frames a guest sends that the gateway drops without a reply, by turns: an mDNS query (IPv4
     * multicast), an IPv6 frame to MLDv2's group (a Linux guest sends such at boot, IPv6 on or not: reports,
     * router solicitations), a datagram to another guest's MAC. Without them the gateway's test of the
     * destination MAC never failed during the warm-up, C2 compiled that branch as a trap, and a namespace's
     * first multicast frame threw away the compiled {@code UsernetNetdev.writeThrough} that had inlined it
     * ({@code Gateway.isGatewayMac}, {@code unstable_if}, seen at 13 s, after the warm-up): the next pings
     * ran it, {@code Gateway.frame} and their callees in C1's code.
     */
    private void dropped(int round) throws IOException {
        switch (round % 3) {
            case 0 -> send(Ipv4Frames.udp(out, guestMac, MDNS_MAC, guest, 5353, MDNS, 5353, ONE_BYTE), 0);
            // from ::, hop limit 1: on a network without IPv6 the gateway drops it by its MAC alone
            case 1 -> send(Ipv6Frames.toGroupCarryingNothing(out, guestMac, IpAddress.IPV6_ANY, MLDV2, 1), 0);
            default -> send(Ipv4Frames.udp(out, guestMac, OTHER_GUEST_MAC, guest, 40000, OTHER_GUEST, 40000, ONE_BYTE), 0);
        }
    }

    /**
     * Writes the frame built in {@link #out} to the TAP after its virtio-net header: with {@code checksumAt}
     * 0 a header of zeros (a complete frame), else as an offloading Linux guest sends TCP and UDP: NEEDS_CSUM,
     * the transport checksum field (at {@code checksumAt} in its header) holding only the pseudo-header's sum.
     */
    private void send(int length, int checksumAt) throws IOException {
        send(length, checksumAt, checksumAt == TCP_CHECKSUM_AT ? TCP_PARTIAL_CHECKSUM : UDP_PARTIAL_CHECKSUM);
    }

    /**
     * As {@link #send(int, int)}, with {@code header} as the virtio-net header of a partial checksum. A port
     * without offloads (a VM's stream) gets the checksum completed here, as QEMU's virtio-net does before its
     * stream netdev.
     */
    private void send(int length, int checksumAt, byte[] header) throws IOException {
        if (checksumAt > 0) {
            ip.wrap(out, EthernetFrame.HEADER_LENGTH, length - EthernetFrame.HEADER_LENGTH);
            out.putShort(L4 + checksumAt, (short) Checksum.fold(Checksum.pseudoHeaderSum(ip.source(), ip.destination(),
                    ip.protocol(), ip.payloadLength())));
            if (!link.offloads()) {
                ChecksumCompletion.complete(out, 0, length, L4, checksumAt);
            }
        }
        link.send(out, length, checksumAt > 0 && link.offloads() ? header : null);
    }

    /** A virtio-net header with a partial checksum (NEEDS_CSUM) from {@link #L4}, {@code checksumAt} into it. */
    private static byte[] virtioHeader(int gsoType, int headerLength, int gsoSize, int checksumAt) {
        ByteBuffer header = ByteBuffer.allocate(VNET);
        new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, gsoType, headerLength, gsoSize, L4, checksumAt, 0)
                .emit(new VirtioNetFrame().wrap(header, 0, VNET));
        return header.array();
    }

    /** Takes {@code count} frames other than TCP (the ARP reply, the echo reply, the DNS answer). */
    private boolean awaitFrames(int count) throws IOException {
        for (int i = 0; i < count; ) {
            int n = nextFrame();
            if (n < 0) {
                return false;
            }
            if (!isTcp(n)) {
                i++;
            }
        }
        return true;
    }

    /**
     * Whether the frame of {@code n} bytes in {@code in} is TCP over IPv4 or IPv6; wraps {@link #ip} or
     * {@link #ip6} over it, and {@link #tcp} over its segment when it is.
     */
    private boolean isTcp(int n) {
        int type = eth.wrap(in, VNET, n).etherType();
        if (type == EtherType.IPV4) {
            ip.wrap(in, VNET + EthernetFrame.HEADER_LENGTH, n - EthernetFrame.HEADER_LENGTH);
            if (ip.protocol() != IpProtocol.TCP) {
                return false;
            }
            tcp.wrap(in, ip.payloadOffset(), ip.payloadLength());
            return true;
        }
        if (type == EtherType.IPV6) {
            ip6.wrap(in, VNET + EthernetFrame.HEADER_LENGTH, n - EthernetFrame.HEADER_LENGTH);
            if (ip6.check() != WireError.NONE || ip6.upperProtocol() != IpProtocol.TCP) {
                return false;
            }
            tcp.wrap(in, ip6.upperOffset(), ip6.upperLength());
            return true;
        }
        return false;
    }

    /**
     * Reads the next frame for this guest from its port into {@link #in} at {@link #VNET}; its length, or -1
     * after the timeout. Frames not from the gateway to this guest (or its new guests' MACs, or a group) are
     * skipped: on a hub the guest also sees what the gateway sends the other warm-up guest, whose TCP ports
     * are the same numbers (a VM's SYN-ACKs, resent after it left, ended the TAP's rounds at the first
     * request after a bulk exchange).
     */
    private int nextFrame() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPLY_TIMEOUT_MILLIS);
        for (long left = deadline - System.nanoTime(); left > 0; left = deadline - System.nanoTime()) {
            int n = link.read((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            if (n >= EthernetFrame.HEADER_LENGTH && fromTheGatewayToThisGuest()) {
                return n;
            }
        }
        return -1;
    }

    /** Whether the frame in {@link #in} comes from one of the gateway's MACs (52:55, 52:56) to this guest. */
    private boolean fromTheGatewayToThisGuest() {
        long destination = MacAddress.read(in, VNET);
        long source = MacAddress.read(in, VNET + 6);
        long above = destination - guestMac;
        return (source >>> 32 == 0x5255 || source >>> 32 == 0x5256)
                && (MacAddress.isMulticast(destination) || above >= 0 && above <= newGuests);
    }

    /**
     * The next TCP segment to the guest's current port with all of {@code flags}, or with data when
     * {@code flags} is 0; other frames are skipped.
     */
    private boolean awaitSegment(int flags) throws IOException {
        while (true) {
            int n = nextFrame();
            if (n < 0) {
                return false;
            }
            if (!isTcp(n)) {
                continue;
            }
            if (tcp.destinationPort() != guestPort || (tcp.flags() & TcpFlags.RST) != 0) {
                if (tcp.destinationPort() == guestPort) {
                    return false;
                }
                continue;
            }
            int length = tcp.payloadLength();
            if (flags == 0 ? length > 0 : (tcp.flags() & flags) == flags) {
                acknowledgment = tcp.sequenceNumber() + length + ((tcp.flags() & (TcpFlags.SYN | TcpFlags.FIN)) != 0 ? 1 : 0);
                received = length;
                finReceived = (tcp.flags() & TcpFlags.FIN) != 0;
                return true;
            }
        }
    }

    /** Opens a connection; over IPv6 every {@value #IPV6_CONNECTION_EVERY}th time when {@code mayUseIpv6}. */
    private boolean connect(boolean mayUseIpv6) throws IOException {
        guestPort = guestPort == 60000 ? 40000 : guestPort + 1;
        sequence = guestPort * 7919;
        overIpv6 = mayUseIpv6 && tcpPort6 > 0 && ++connections % IPV6_CONNECTION_EVERY == 0;
        if (overIpv6) {
            send(Ipv6Frames.tcp(out, guestMac, GATEWAY6_MAC, siteAddress(guestMac), guestPort, GATEWAY6, tcpPort6,
                    TcpFlags.SYN, sequence, 0, 64240, SYN_OPTIONS, NOTHING), 0);
        } else {
            send(Ipv4Frames.tcp(out, guestMac, GATEWAY_MAC, guest, guestPort, GATEWAY, tcpPort, TcpFlags.SYN,
                    sequence, 0, 64240, SYN_OPTIONS, NOTHING), TCP_CHECKSUM_AT);
        }
        sequence++;
        if (!awaitSegment(TcpFlags.SYN | TcpFlags.ACK)) {
            return false;
        }
        segment(TcpFlags.ACK, NOTHING);
        connected = true;
        return true;
    }

    /**
     * One request and its echo: {@link #QUIT} when {@code quit}, else 1 KiB every {@value #LARGE_REQUEST_EVERY}th
     * time, else 1 byte. The guest acknowledges every other response by itself; the next request carries the
     * acknowledgment of the others, as a Linux guest's delayed ACK does.
     */
    private boolean requestResponse(int request, boolean quit) throws IOException {
        byte[] data = quit ? QUIT : request % LARGE_REQUEST_EVERY == LARGE_REQUEST_EVERY - 1 ? ONE_KIB : ONE_BYTE;
        segment(TcpFlags.PSH | TcpFlags.ACK, data);
        sequence += data.length;
        for (int got = 0; got < data.length; got += received) {
            if (!awaitSegment(0)) {
                return false;
            }
        }
        if (request % 2 == 0) {
            segment(TcpFlags.ACK, NOTHING);
        }
        return true;
    }

    /**
     * {@value #BULK_SEGMENTS} large segments up and their bytes back down, which fill the guest's window: the
     * guest acknowledges each segment that brings data, as Linux acknowledges each large segment it takes in
     * one piece, and so opens the window again.
     */
    private boolean bulk() throws IOException {
        swapConnections();
        try {
            return (connected || connect(false)) && bulkExchange();
        } finally {
            swapConnections();
        }
    }

    private boolean bulkExchange() throws IOException {
        for (int i = 0; i < BULK_SEGMENTS; i++) {
            send(Ipv4Frames.tcp(out, guestMac, GATEWAY_MAC, guest, guestPort, GATEWAY, tcpPort,
                    TcpFlags.ACK | (i == BULK_SEGMENTS - 1 ? TcpFlags.PSH : 0), sequence, acknowledgment, 502, NOTHING, bulk),
                    TCP_CHECKSUM_AT, TCP_LARGE_SEGMENT);
            sequence += BULK_BYTES;
        }
        for (int got = 0; got < BULK_SEGMENTS * BULK_BYTES; got += received) {
            if (!awaitSegment(0)) {
                return false;
            }
            segment(TcpFlags.ACK, NOTHING);
        }
        return true;
    }

    /** Makes the other connection (see {@link #otherTcpPort}) the current one. */
    private void swapConnections() {
        int t = tcpPort;
        tcpPort = otherTcpPort;
        otherTcpPort = t;
        t = guestPort;
        guestPort = otherGuestPort;
        otherGuestPort = t;
        t = sequence;
        sequence = otherSequence;
        otherSequence = t;
        t = acknowledgment;
        acknowledgment = otherAcknowledgment;
        otherAcknowledgment = t;
        boolean c = connected;
        connected = otherConnected;
        otherConnected = c;
        c = overIpv6;
        overIpv6 = otherOverIpv6;
        otherOverIpv6 = c;
    }

    /** Closes both connections, this one first. */
    private boolean closeBoth() throws IOException {
        boolean closed = close();
        swapConnections();
        try {
            return close() && closed;
        } finally {
            swapConnections();
        }
    }

    /**
     * The end of a connection the host's side closed, as a Linux guest ends it: an ACK of the echo alone
     * (the gateway's FIN may be on its way), the gateway's FIN and its ACK, then the guest's FIN; the
     * gateway's last ACK comes to a port no longer awaited; every other time the guest's FIN comes before
     * its ACK of the gateway's (the two crossed). With only one ACK, of the FIN, the gateway never met an
     * acknowledgment short of its FIN, nor sent while its FIN was in flight, nor a FIN before its own was
     * acknowledged, and those branches trapped at a guest's first HTTP request.
     */
    private boolean closedByHost(int connection) throws IOException {
        connected = false;
        int finAcknowledged = acknowledgment;
        acknowledgment -= finReceived ? 1 : 0;
        segment(TcpFlags.ACK, NOTHING);
        acknowledgment = finAcknowledged;
        if (!finReceived && !awaitSegment(TcpFlags.FIN)) {
            return false;
        }
        if (connection % 2 == 0) {
            segment(TcpFlags.ACK, NOTHING);
            segment(TcpFlags.FIN | TcpFlags.ACK, NOTHING);
        } else { // its FIN before the ACK of the gateway's, as the two crossed
            acknowledgment--;
            segment(TcpFlags.FIN | TcpFlags.ACK, NOTHING);
            acknowledgment++;
            sequence++;
            segment(TcpFlags.ACK, NOTHING);
            return true;
        }
        sequence++;
        return true;
    }

    /** Closes the current connection, if there is one. */
    private boolean close() throws IOException {
        if (!connected) {
            return true;
        }
        connected = false;
        segment(TcpFlags.FIN | TcpFlags.ACK, NOTHING);
        sequence++;
        if (!awaitFinOrReset()) {
            return false;
        }
        if (finReceived) {
            segment(TcpFlags.ACK, NOTHING);
        }
        return true;
    }

    /**
     * After the guest's FIN: the gateway's FIN (finReceived), or its RST when the peer reset the connection
     * (see {@link Warmup#GRACEFUL_CLOSE_EVERY}); false when neither comes in time.
     */
    private boolean awaitFinOrReset() throws IOException {
        while (true) {
            int n = nextFrame();
            if (n < 0) {
                return false;
            }
            if (!isTcp(n) || tcp.destinationPort() != guestPort) {
                continue;
            }
            if ((tcp.flags() & TcpFlags.RST) != 0) {
                finReceived = false;
                return true;
            }
            if ((tcp.flags() & TcpFlags.FIN) != 0) {
                acknowledgment = tcp.sequenceNumber() + tcp.payloadLength() + 1;
                finReceived = true;
                return true;
            }
        }
    }

    /**
     * A segment of the guest's connection; over IPv4 one in eight has a complete checksum, as without
     * offloads, over IPv6 all.
     */
    private void segment(int flags, byte[] data) throws IOException {
        int ack = (flags & TcpFlags.ACK) != 0 ? acknowledgment : 0;
        if (overIpv6) {
            send(Ipv6Frames.tcp(out, guestMac, GATEWAY6_MAC, siteAddress(guestMac), guestPort, GATEWAY6, tcpPort6, flags,
                    sequence, ack, 502, NOTHING, data), 0);
        } else {
            send(Ipv4Frames.tcp(out, guestMac, GATEWAY_MAC, guest, guestPort, GATEWAY, tcpPort, flags, sequence, ack,
                    502, NOTHING, data), (sequence & 7) == 0 ? 0 : TCP_CHECKSUM_AT);
        }
    }

}
