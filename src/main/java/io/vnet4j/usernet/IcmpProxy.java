package io.vnet4j.usernet;

import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.fabric.ReadingLoop;
import io.vnet4j.os.DontFragment;
import io.vnet4j.os.NativeDatagramSocket;
import io.vnet4j.os.SocketErrorQueue;
import io.vnet4j.os.Sysctl;
import io.vnet4j.os.UnicastHops;
import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.Icmpv6Type;
import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Pings from guests to addresses other than the gateway's, IPv4 and IPv6 alike, carried by one
 * unprivileged echo socket per family ({@code SOCK_DGRAM} with {@code IPPROTO_ICMP} or
 * {@code IPPROTO_ICMPV6}). Each request goes out on the socket of its destination's family with a sequence
 * number of ours, remembered with the guest, its identifier and sequence and the destination for
 * {@value #PENDING_SECONDS} s (at most {@value #MAX_PENDING}, one table for both families); a reply is
 * matched by that number and its source and delivered to the guest as if from the pinged host, an echo
 * reply of the request's family. The gateway's loop reads each socket in its own epoll (or, where it cannot, a
 * platform thread per socket reads it and hands each reply to the loop).
 *
 * <p>When the kernel refuses such a socket (the user's group is outside {@code net.ipv4.ping_group_range},
 * which rules ICMPv6 echo sockets too) but the process has CAP_NET_RAW (root, say), a raw socket does the
 * same work: there the identifier is ours too, and replies come among every other echo reply to the host.
 * A raw IPv4 socket wants our checksum and gives replies with their IPv4 header; a raw ICMPv6 socket
 * computes the checksum itself, gives replies without the IPv6 header and is filtered to echo replies.
 * When neither is allowed, one log line says so and such pings are dropped and counted. With
 * {@code outbound-addr=} (or {@code outbound-addr6=}) the family's socket is bound to that address, so pings
 * leave from where the NAT's TCP and UDP leave from ({@link GatewayAddresses#outbound()}).
 *
 * <p>Errors reach the guest as ICMP errors quoting its request ({@link IcmpErrors}): a send the host refuses
 * at once (no route, a rule), and the errors routers send back (host unreachable, time exceeded), which
 * every kind of echo socket here queues ({@code IP_RECVERR}) with the request they answer; a raw socket
 * sees those of every ping on the host and keeps those with its identifier.
 */
final class IcmpProxy {
    static final int PENDING_SECONDS = 30;
    static final int MAX_PENDING = 4096;
    private static final long PENDING_NANOS = TimeUnit.SECONDS.toNanos(PENDING_SECONDS);
    /** Type, code, checksum, identifier, sequence: the same eight bytes in ICMP and ICMPv6 echo messages. */
    static final int ECHO_HEADER = 8;

    private record Pending(IpAddress guestIp, int guestId, int guestSequence, IpAddress destination, long sentAt) {}

    /** What a reader thread read for a request, to be delivered on the loop. */
    sealed interface Answer permits Reply, Failure {
        /** Our sequence number of the request answered. */
        int sequence();
    }

    /** An echo reply, and the TTL or hop limit it reached this host with (-1: unknown). */
    record Reply(IpAddress source, int sequence, byte[] data, int hopLimit) implements Answer {}

    /**
     * An error for a request to {@code destination}, from {@code offender} (null: this host), of
     * {@code error} (see {@link IcmpErrors}) with its rest-of-header {@code info}; {@code data} is what
     * followed the request's echo header.
     */
    record Failure(IpAddress destination, IpAddress offender, int sequence, int error, int info, byte[] data)
            implements Answer {}

    /** One family's echo socket as the proxy sends on it; the real ones are read by the loop (or a thread). */
    interface EchoSocket {
        /** True for a raw socket: requests carry the proxy's identifier (and, over IPv4, its checksum). */
        boolean raw();

        /**
         * Sends {@code length} bytes of {@code message} to {@code destination} with a hop limit of {@code hops}
         * (1 to 255) and, over IPv4, DF as {@code dontFragment} says: 0, else the errno.
         */
        int send(byte[] message, int length, IpAddress destination, int hops, boolean dontFragment);

        /** Stops reading and frees the socket. */
        void close();
    }

    private final GuestOutput out;
    private final IcmpErrors errors;
    private final GatewayAddresses gateway;
    /** Null when pings of that family cannot be carried. */
    private final EchoSocket ipv4;
    private final EchoSocket ipv6;
    /** A raw socket's identifier: random, so proxies sharing a host (or a JVM) do not take each other's replies. */
    private final int identifier;
    private final Map<Integer, Pending> pending = new LinkedHashMap<>();
    private final byte[] scratch = new byte[NativeDatagramSocket.MAX_DATAGRAM];
    private int nextSequence;
    private long dropped;

    IcmpProxy(GuestOutput out, IcmpErrors errors, GatewayAddresses gateway, EchoSocket ipv4, EchoSocket ipv6,
              int identifier) {
        this.out = out;
        this.errors = errors;
        this.gateway = gateway;
        this.ipv4 = ipv4;
        this.ipv6 = ipv6;
        this.identifier = identifier;
    }

    /**
     * Opens the echo sockets of the families asked for, each an unprivileged one or else a raw one; a family
     * with neither drops its pings, and one log line (per outcome, not per family) says which went how.
     */
    static IcmpProxy open(String logName, GuestOutput out, IcmpErrors errors, GatewayAddresses gateway, boolean withIpv4,
                          boolean withIpv6, ReadingLoop loop, Consumer<Answer> toLoop) {
        int identifier = ThreadLocalRandom.current().nextInt(0x10000);
        Opened v4 = withIpv4 ? Opened.of(logName, false, gateway.outbound().ipv4(), identifier, loop, toLoop) : null;
        Opened v6 = withIpv6 ? Opened.of(logName, true, gateway.outbound().ipv6(), identifier, loop, toLoop) : null;
        List<String> raw = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        List<String> unbound = new ArrayList<>();
        for (Opened o : new Opened[] {v4, v6}) {
            if (o != null && o.socket != null && o.socket.raw()) {
                raw.add(o.family);
            } else if (o != null && o.socket == null && o.bindFailure != null) {
                unbound.add(o.family + ": " + o.bindFailure);
            } else if (o != null && o.socket == null) {
                refused.add(o.family + ": " + o.refusal);
            }
        }
        if (!raw.isEmpty()) {
            Log.info(logName + ": pings to other " + String.join(" and ", raw) + " hosts go through raw sockets "
                    + "(CAP_NET_RAW; the group is outside net.ipv4.ping_group_range \"" + pingGroupRange() + "\")");
        }
        if (!refused.isEmpty()) {
            Log.warnOfHost(logName + ": pings to hosts other than the gateway are not available (" + String.join("; ", refused)
                    + "): unprivileged ICMP and ICMPv6 sockets need the group in net.ipv4.ping_group_range (now \""
                    + pingGroupRange() + "\"), raw ones CAP_NET_RAW; allow the first with: "
                    + "sysctl -w net.ipv4.ping_group_range=\"0 2147483647\"");
        }
        if (!unbound.isEmpty()) {
            Log.warnOfHost(logName + ": pings to hosts other than the gateway are not available (" + String.join("; ", unbound)
                    + "): they would leave from another address than outbound-addr= names");
        }
        return new IcmpProxy(out, errors, gateway, v4 == null ? null : v4.socket, v6 == null ? null : v6.socket,
                identifier);
    }

    /**
     * One family's outcome: its socket (null when refused or not bound) and, when refused, why; when its bind to
     * the outbound address failed, why that failed.
     */
    private record Opened(String family, EchoSocket socket, String refusal, String bindFailure) {
        /**
         * Opens the family's echo socket (else a raw one) and binds it to {@code outbound} when that is not null,
         * so that pings leave from the address TCP and UDP leave from, as libslirp binds its ICMP sockets too
         * (slirp4netns 1.2 with {@code --outbound-addr}: its pings left from that address; vnet4j's from the
         * kernel's pick, a replay of rootless-containers/slirp4netns#346 found).
         */
        static Opened of(String logName, boolean ipv6, IpAddress outbound, int identifier, ReadingLoop loop,
                         Consumer<Answer> toLoop) {
            String family = ipv6 ? "IPv6" : "IPv4";
            NativeDatagramSocket s;
            boolean raw = false;
            try {
                s = ipv6 ? NativeDatagramSocket.icmpv6() : NativeDatagramSocket.icmp();
            } catch (IOException refused) {
                try {
                    s = ipv6 ? NativeDatagramSocket.rawIcmpv6() : NativeDatagramSocket.rawIcmp();
                    raw = true;
                } catch (IOException e) {
                    return new Opened(family, null, refused.getMessage(), null);
                }
            }
            if (outbound != null) {
                try {
                    s.bindAddress(outbound);
                } catch (IOException e) {
                    s.release();
                    return new Opened(family, null, null, e.getMessage());
                }
            }
            return new Opened(family, new KernelEchoSocket(logName, s, ipv6, raw, identifier, loop, toLoop), null, null);
        }
    }

    private static String pingGroupRange() {
        try {
            return String.join(" ", Sysctl.words("net/ipv4/ping_group_range"));
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * Sends a guest's echo request (ICMP or ICMPv6 header and data in {@code buffer}) to {@code destination}
     * on the socket of its family, with {@code hops} as its hop limit (the guest's less the gateway's hop), so
     * a router on the way whose hop it is answers with Time Exceeded, as traceroute -I asks, and over IPv4 with
     * the guest's DF bit ({@code dontFragment}; see {@link DontFragment}): a router on the way fragments a
     * request without it, and answers one with it that is over its MTU with Fragmentation Needed.
     */
    void request(IpAddress guestIp, IpAddress destination, int hops, boolean dontFragment, ByteBuffer buffer, int offset,
                 int length, long now) {
        EchoSocket socket = destination.isIpv4() ? ipv4 : ipv6;
        if (socket == null || length < ECHO_HEADER || length > scratch.length) {
            dropped++;
            return;
        }
        expire(now);
        if (pending.size() >= MAX_PENDING) {
            Iterator<Integer> oldest = pending.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        int sequence = nextSequence++ & 0xFFFF;
        pending.put(sequence, new Pending(guestIp, buffer.getShort(offset + 4) & 0xFFFF,
                buffer.getShort(offset + 6) & 0xFFFF, destination, now));
        buffer.get(offset, scratch, 0, length);
        ByteBuffer request = ByteBuffer.wrap(scratch, 0, length);
        request.putShort(6, (short) sequence);
        if (socket.raw()) { // an echo socket sets the identifier itself, and every checksum
            request.putShort(4, (short) identifier).putShort(2, (short) 0);
            if (destination.isIpv4()) { // a raw ICMPv6 socket computes it over the pseudo-header it builds
                request.putShort(2, (short) Checksum.compute(request, 0, length));
            }
        }
        int errno = socket.send(scratch, length, destination, hops, dontFragment);
        if (IcmpErrors.sendAgainAfter(errno)) {
            // maybe not this request's: an earlier request's host unreachable, to another address, pending
            errno = socket.send(scratch, length, destination, hops, dontFragment);
        }
        if (errno != 0) {
            pending.remove(sequence);
            int error = IcmpErrors.ofFailedCall(errno, destination.isIpv4());
            if (error == IcmpErrors.NONE) {
                dropped++; // nothing to tell the guest (out of buffers, say): the request is lost
                return;
            }
            errors.echo(gateway.host(guestIp), guestIp, destination, buffer.getShort(offset + 4) & 0xFFFF,
                    buffer.getShort(offset + 6) & 0xFFFF, error, 0, buffer, offset + ECHO_HEADER, length - ECHO_HEADER);
        }
    }

    /**
     * Where in a message a socket received the echo reply for this proxy starts, or -1 when it is none: past
     * a raw IPv4 socket's IPv4 header, of the family's echo reply type, with our identifier on a raw socket
     * (an echo socket gets only its own replies).
     */
    static int echoReplyAt(boolean ipv6, boolean raw, int identifier, ByteBuffer in, int length) {
        int at = raw && !ipv6 && length > 0 ? (in.get(0) & 0x0F) * 4 : 0;
        if (length - at < ECHO_HEADER || (in.get(at) & 0xFF) != (ipv6 ? Icmpv6Type.ECHO_REPLY : IcmpType.ECHO_REPLY)
                || raw && (in.getShort(at + 4) & 0xFFFF) != identifier) {
            return -1;
        }
        return at;
    }

    /**
     * The reply whose echo message starts at {@code at} of the {@code length} bytes received from {@code source},
     * with the hop limit it arrived with ({@code hopLimit}; -1: unknown).
     */
    static Reply reply(IpAddress source, int hopLimit, ByteBuffer in, int at, int length) {
        byte[] data = new byte[length - at - ECHO_HEADER];
        in.get(at + ECHO_HEADER, data);
        return new Reply(source, in.getShort(at + 6) & 0xFFFF, data, hopLimit);
    }

    /**
     * The error queued for one of our requests, or null when the request is not ours (a raw socket sees the
     * errors of every ping on the host) or too short to tell.
     */
    static Failure failure(SocketErrorQueue queued, boolean ipv6, boolean raw, int identifier) {
        ByteBuffer request = queued.payload();
        int error = IcmpErrors.ofQueued(queued, !ipv6);
        if (request.limit() < ECHO_HEADER || queued.destination() == null || error == IcmpErrors.NONE
                || raw && (request.getShort(4) & 0xFFFF) != identifier) {
            return null;
        }
        byte[] data = new byte[request.limit() - ECHO_HEADER];
        request.get(ECHO_HEADER, data);
        return new Failure(queued.destination(), queued.offender(), request.getShort(6) & 0xFFFF, error, queued.info(),
                data);
    }

    /** On the loop: delivers what came for a request to the guest that asked. */
    void deliver(Answer answer) {
        Pending p = pending.get(answer.sequence());
        IpAddress from = answer instanceof Reply reply ? reply.source() : ((Failure) answer).destination();
        if (p == null || !p.destination().equals(from)) {
            dropped++; // late, or not ours (a raw socket sees every ping's replies): the request keeps waiting
            return;
        }
        pending.remove(answer.sequence());
        switch (answer) {
            case Reply reply -> deliverReply(p, reply);
            case Failure failure -> {
                ByteBuffer data = ByteBuffer.wrap(failure.data());
                IpAddress offender = failure.offender();
                errors.echo(offender == null || offender.isLoopback() ? gateway.host(p.guestIp()) : offender,
                        p.guestIp(), p.destination(), p.guestId(), p.guestSequence(), failure.error(), failure.info(),
                        data, 0, data.limit());
            }
        }
    }

    /**
     * Delivers a reply to the guest that asked, from the pinged address, as an echo reply of its family (the
     * checksum, over the IPv6 pseudo-header for ICMPv6, filled by {@link GuestOutput}), with the hop limit it
     * reached the host with less the gateway's hop ({@link #forwardedHopLimit}), as the request left with the
     * guest's less one: the guest's ping shows the pinged host's distance, as on a routed network.
     */
    private void deliverReply(Pending p, Reply reply) {
        ByteBuffer body = out.payloadBuffer();
        int length = ECHO_HEADER + reply.data().length;
        body.put(0, (byte) (p.destination().isIpv4() ? IcmpType.ECHO_REPLY : Icmpv6Type.ECHO_REPLY));
        body.put(1, (byte) 0);
        body.putShort(2, (short) 0);
        body.putShort(4, (short) p.guestId());
        body.putShort(6, (short) p.guestSequence());
        body.put(ECHO_HEADER, reply.data());
        out.sendIcmp(p.destination(), p.guestIp(), NeighborTable.UNKNOWN, forwardedHopLimit(reply.hopLimit()), length);
    }

    /**
     * The hop limit a reply that reached the host with {@code arrived} goes on to the guest with: one less, at
     * least 1 (a router would drop one that arrived with 1, but the host's socket took it in, and the request's
     * answer is better delivered than lost); {@link GuestOutput#DEFAULT_TTL} when the kernel did not say
     * (libslirp's replies carry 255 always: icmp_reflect in its src/ip_icmp.c).
     */
    static int forwardedHopLimit(int arrived) {
        return arrived < 0 ? GuestOutput.DEFAULT_TTL : Math.max(arrived - 1, 1);
    }

    private void expire(long now) {
        Iterator<Pending> it = pending.values().iterator();
        while (it.hasNext() && now - it.next().sentAt() > PENDING_NANOS) {
            it.remove();
        }
    }

    long dropped() {
        return dropped;
    }

    /** Requests waiting for their reply. */
    int pendingCount() {
        return pending.size();
    }

    /** How each family's pings go, for {@code info network}: {@code ipv4 by ping socket, ipv6 by raw socket}. */
    String carriers() {
        return "ipv4 " + carrier(ipv4) + ", ipv6 " + carrier(ipv6);
    }

    private static String carrier(EchoSocket socket) {
        return socket == null ? "not carried" : socket.raw() ? "by raw socket" : "by ping socket";
    }

    void close() {
        if (ipv4 != null) {
            ipv4.close();
        }
        if (ipv6 != null) {
            ipv6.close();
        }
    }

    /**
     * A kernel echo socket, ping or raw, whose replies the gateway's loop reads in its own epoll ({@link ReadingLoop}),
     * so that a reply wakes the one thread that delivers it, as slirp4netns's single loop is woken; where the
     * loop cannot watch a descriptor, or has stopped, a platform thread of its own reads them and hands each to
     * the loop. Before, that thread always read them, and a ping beyond the gateway woke two threads.
     */
    private static final class KernelEchoSocket implements EchoSocket, ReadingLoop.Reader {
        /** Datagrams one {@link #readWaiting} takes at most, so that the loop's other work is not held up. */
        private static final int READS_PER_CALL = 64;
        private final NativeDatagramSocket socket;
        private final boolean ipv6;
        private final boolean raw;
        private final int identifier;
        /** "u: icmp" or "u: icmp6": the user network's name and the family, for log lines. */
        private final String logPrefix;
        private final Consumer<Answer> toLoop;
        /** The loop that reads the socket, or null when the thread does. */
        private volatile ReadingLoop borrower;
        private Thread reader;
        /** Where the errors queued on the socket are read, by the loop or else the thread (one at a time). */
        private final SocketErrorQueue errorQueue = new SocketErrorQueue();
        /** The hop limit the socket sends with now; 0 until the first request sets it (on the loop). */
        private int hops;
        private UnicastHops hopsSetter;
        /** 1 while the (IPv4) socket may send with DF (a new socket's default), 0 while it never does. */
        private int dontFragment = 1;
        private DontFragment dontFragmentSetter;

        KernelEchoSocket(String logName, NativeDatagramSocket socket, boolean ipv6, boolean raw, int identifier,
                         ReadingLoop loop, Consumer<Answer> toLoop) {
            this.logPrefix = logName + ": " + (ipv6 ? "icmp6" : "icmp");
            try {
                socket.queueErrors();
            } catch (IOException e) {
                Log.info(logPrefix + ": errors for pings are not passed to guests: " + e.getMessage());
            }
            try {
                socket.receiveHopLimits();
            } catch (IOException e) {
                Log.info(logPrefix + ": echo replies reach guests with TTL " + GuestOutput.DEFAULT_TTL + ", not the one "
                        + "they arrived with: " + e.getMessage());
            }
            this.socket = socket;
            this.ipv6 = ipv6;
            this.raw = raw;
            this.identifier = identifier;
            this.toLoop = toLoop;
            if (loop != null && loop.adopt(socket.descriptor(), this)) {
                borrower = loop;
            } else {
                readsReturned();
            }
        }

        @Override
        public boolean raw() {
            return raw;
        }

        @Override
        public int send(byte[] message, int length, IpAddress destination, int hops, boolean dontFragment) {
            if (hops != this.hops) { // a system call only when a guest's hop limit changes (traceroute)
                if (hopsSetter == null) {
                    hopsSetter = new UnicastHops();
                }
                // refused (no kernel here does): the request leaves with the socket's own hop limit, not lost
                socket.unicastHops(hopsSetter, hops);
                this.hops = hops;
            }
            int df = dontFragment ? 1 : 0;
            if (!ipv6 && df != this.dontFragment) { // a system call only when the guest's DF changes
                if (dontFragmentSetter == null) {
                    dontFragmentSetter = new DontFragment();
                }
                // refused (no kernel here does): the request leaves with the kernel's choice, not lost
                socket.dontFragment(dontFragmentSetter, dontFragment);
                this.dontFragment = df;
            }
            MemorySegment.copy(message, 0, socket.sendBuffer(), ValueLayout.JAVA_BYTE, 0, length);
            return socket.send(length, socket.prepareDestination(destination, 0));
        }

        /** On the loop: the replies and errors waiting, delivered as they are read. */
        @Override
        public boolean readWaiting() {
            try {
                for (int i = 0; i < READS_PER_CALL; i++) {
                    int length = socket.receiveNow();
                    if (length == NativeDatagramSocket.NOTHING_WAITS) {
                        return true;
                    }
                    if (length < 0 && length != NativeDatagramSocket.ERROR_QUEUED) {
                        return false; // closed
                    }
                    take(length);
                }
                return true;
            } catch (IOException e) {
                Log.warn(logPrefix + ": the echo socket failed: " + e.getMessage());
                return false;
            }
        }

        /**
         * The loop stopped (or never took the reads): a thread of the socket's own reads it from now on, unless the
         * socket is closed already (the loop's stop closes the proxy before it returns the reads it held).
         */
        @Override
        public void readsReturned() {
            borrower = null;
            if (socket.isClosed()) {
                return;
            }
            reader = Thread.ofPlatform().daemon().name(ipv6 ? "vnet4j-icmp6" : "vnet4j-icmp").start(this::readLoop);
        }

        private void readLoop() {
            try {
                while (!socket.isClosed()) {
                    int length = socket.receive();
                    if (length >= 0 || length == NativeDatagramSocket.ERROR_QUEUED) {
                        take(length);
                    }
                }
            } catch (IOException e) {
                Log.warn(logPrefix + ": the echo socket failed: " + e.getMessage());
            }
        }

        /** What one receive got ({@code length} bytes, or {@link NativeDatagramSocket#ERROR_QUEUED}), to the loop. */
        private void take(int length) throws IOException {
            if (length == NativeDatagramSocket.ERROR_QUEUED) {
                while (socket.readError(errorQueue)) {
                    Failure failure = failure(errorQueue, ipv6, raw, identifier);
                    if (failure != null) {
                        toLoop.accept(failure);
                    }
                }
                return;
            }
            ByteBuffer in = socket.receivedBuffer();
            int at = echoReplyAt(ipv6, raw, identifier, in, length);
            if (at >= 0) {
                toLoop.accept(reply(socket.lastSource(), socket.lastHopLimit(), in, at, length));
            }
        }

        @Override
        public void close() {
            ReadingLoop loop = borrower;
            if (loop != null) {
                loop.release(this); // no readWaiting after this returns
            }
            socket.close();
            Thread thread = reader;
            if (thread == null || Shutdown.join(thread)) {
                socket.release();
                errorQueue.close();
            } else {
                Shutdown.leftRunning(thread.getName()); // its memory, the socket's and the queue's, stays
            }
            if (hopsSetter != null) {
                hopsSetter.close();
            }
            if (dontFragmentSetter != null) {
                dontFragmentSetter.close();
            }
        }
    }
}
