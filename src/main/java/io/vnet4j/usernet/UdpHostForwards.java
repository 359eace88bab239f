package io.vnet4j.usernet;

import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.config.UserConfig;
import io.vnet4j.os.ChannelDescriptors;
import io.vnet4j.os.DontFragment;
import io.vnet4j.os.PacketInfoSocket;
import io.vnet4j.os.SocketErrorQueue;
import io.vnet4j.usernet.flow.FlowKey;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * UDP host forwarding ({@code hostfwd=udp:...}): a host socket per rule. Theory of operation: each host
 * client is paired, on its first datagram, with the address and port it appears from to the guest, as
 * libslirp's udp_output gives them: its own ({@link HostForwardGuests#seenFrom}: one on the host's loopback
 * appears as the gateway's host address), the port being a port of the gateway's own ({@link VirtualPorts})
 * only when that pair is taken already by another client of the same guest socket. The guest's datagrams
 * from the rule's guest address and port to a paired address and port are replies: they leave through the
 * rule's socket to that client, ahead of the gateway's own services and NAT. A pairing is forgotten after
 * {@value UdpNat#IDLE_SECONDS} s of silence.
 *
 * <p>A rule on a wildcard address (0.0.0.0, ::) reads its datagrams with the local address each was sent to
 * ({@link PacketInfoSocket}) and replies from that address: on a host of several addresses, a reply from
 * the kernel's choice of source never reached a client whose connected socket asked another (slirp4netns
 * and libslirp have that fault, slirp4netns#282).
 */
final class UdpHostForwards {
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(UdpNat.IDLE_SECONDS);
    /**
     * The most host clients paired at once, all rules together: a flood from many addresses and ports (a
     * scan, spoofed sources) would otherwise grow the table for the {@value UdpNat#IDLE_SECONDS} s each is kept.
     */
    static final int MAX_CLIENTS = UdpNat.MAX_FLOWS;

    /**
     * One hostfwd=udp rule and its listening socket ({@code fd}: its descriptor, -1 when the JDK does not tell it);
     * {@code packetInfo} reads and writes that socket when it is bound to a wildcard address (null otherwise, or when
     * the descriptor cannot be had). {@code dontFragment}: whether its IPv4 datagrams may carry DF, as last set for a
     * guest's datagram ({@link DontFragment}; true: the kernel's default).
     */
    static final class Rule {
        final UserConfig.HostForward forward;
        final DatagramChannel channel;
        final PacketInfoSocket packetInfo;
        final int fd;
        boolean dontFragment = true;
        /** The client the rule's socket last sent to. */
        Peer lastSentTo;

        Rule(UserConfig.HostForward forward, DatagramChannel channel, int fd, PacketInfoSocket packetInfo) {
            this.forward = forward;
            this.channel = channel;
            this.fd = fd;
            this.packetInfo = packetInfo;
        }
    }

    /** A host client of a rule and how the guest sees it: {@code seen} holds the guest socket and the client's address and port there. */
    private static final class Peer {
        final ClientKey key;
        final FlowKey seen;
        final IpAddress clientAddress;
        /** The rule's local address the client last sent to (a wildcard rule's), where replies leave from; else null. */
        IpAddress local;
        long lastUsed;

        Peer(ClientKey key, FlowKey seen, IpAddress clientAddress, long now) {
            this.key = key;
            this.seen = seen;
            this.clientAddress = clientAddress;
            this.lastUsed = now;
        }
    }

    private record ClientKey(Rule rule, SocketAddress client) {}

    private final GuestOutput out;
    private final IcmpErrors errors;
    private final GatewayAddresses gateway;
    private final HostForwardGuests guests;
    private final VirtualPorts ports;
    /** The rules and their sockets' registrations, in the order they were added. */
    private final Map<Rule, LoopSelector.Key> rules = new LinkedHashMap<>();
    private final Map<FlowKey, Peer> bySeen = new HashMap<>();
    private final Map<ClientKey, Peer> byClient = new HashMap<>();
    /** Reused for every lookup of a guest's datagram (see FlowKey). */
    private final FlowKey probe = new FlowKey();
    /** Clients paired, ever. */
    private long paired;
    /** The table was full once ({@link #MAX_CLIENTS}): said once. */
    private boolean toldFull;
    /** A wildcard rule could not learn its datagrams' local addresses: said once. */
    private boolean toldNoPacketInfo;
    /** The client of a wildcard rule's last datagram, kept while it stays the same (no allocation per datagram). */
    private IpAddress lastSource;
    private int lastSourcePort;
    private InetSocketAddress lastClient;
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(65536);
    /** Made at the first reply whose DF differs from its rule's socket's. */
    private DontFragment dontFragmentSetter;
    /** Reads the rules' sockets' queued errors ({@code IP_RECVERR}); made with the first rule that queues them. */
    private SocketErrorQueue errorQueue;
    private final LoopSelector selector;
    /** The user network's name in log lines. */
    private final String logName;

    UdpHostForwards(String logName, GuestOutput out, IcmpErrors errors, GatewayAddresses gateway, HostForwardGuests guests,
                    VirtualPorts ports, LoopSelector selector) {
        this.logName = logName;
        this.errors = errors;
        this.selector = selector;
        this.guests = guests;
        this.out = out;
        this.gateway = gateway;
        this.ports = ports;
    }

    /** Binds the rule's socket; returns the rule on the port bound (see {@link UserConfig.HostForward#boundTo}). */
    UserConfig.HostForward listen(UserConfig.HostForward forward) throws IOException {
        DatagramChannel channel = HostForwardSockets.udpSocket(forward);
        UserConfig.HostForward bound = HostForwardSockets.bind(channel, forward);
        int fd = ChannelDescriptors.of(channel);
        Rule rule = new Rule(bound, channel, fd, forward.hostAddress().isUnspecified() ? packetInfo(fd, forward) : null);
        queueErrors(rule);
        try {
            rules.put(rule, selector.register(channel, SelectionKey.OP_READ, rule));
        } catch (IOException e) {
            closeRule(rule);
            throw e;
        }
        return bound;
    }

    /** The wildcard rule's socket ({@code fd}, -1 when unknown) as {@link PacketInfoSocket}; null (said once) when that cannot be. */
    private PacketInfoSocket packetInfo(int fd, UserConfig.HostForward forward) {
        String why = fd < 0 ? ChannelDescriptors.howToEnable() : null;
        if (fd >= 0) {
            try {
                return new PacketInfoSocket(fd, forward.hostAddress().isIpv6());
            } catch (IOException e) {
                why = e.getMessage();
            }
        }
        if (!toldNoPacketInfo) {
            toldNoPacketInfo = true;
            Log.info(logName + ": hostfwd udp on " + forward.hostAddress().toUriString() + ": replies leave from the address the "
                    + "kernel picks, not always the one a client asked: " + why);
        }
        return null;
    }

    /**
     * Turns the rule's socket's error queue on: the ICMP errors that the guest's datagrams sent through it
     * ({@link #fromForwardedPort}) meet are told to the guest, as UdpNat tells a flow's. Without it (the JDK keeps the
     * descriptor, the kernel refuses) they are lost, as libslirp loses them.
     */
    private void queueErrors(Rule rule) {
        if (rule.fd < 0) {
            return;
        }
        try {
            SocketErrorQueue.enable(rule.fd, rule.forward.hostAddress().isIpv6());
            if (errorQueue == null) {
                errorQueue = new SocketErrorQueue();
            }
        } catch (IOException e) {
            // the guest's datagrams through this rule meet their errors in silence
        }
    }

    /**
     * Tells the guest each error the rule's socket has queued for a datagram to a paired client, from the guest's
     * view: from the address the guest wrote to when that one sent it (a port unreachable), else from the router
     * that did (or, for a local error, the gateway). Errors for clients no longer paired are dropped.
     */
    private void tellQueuedErrors(Rule rule) {
        if (rule.fd < 0 || errorQueue == null) {
            return;
        }
        try {
            while (errorQueue.read(rule.fd)) {
                IpAddress hostDestination = errorQueue.destination();
                if (hostDestination == null) {
                    continue;
                }
                Peer peer = byClient.get(new ClientKey(rule,
                        new InetSocketAddress(hostDestination.toInetAddress(), errorQueue.destinationPort())));
                if (peer == null) {
                    continue;
                }
                IpAddress guest = peer.seen.guest();
                int error = IcmpErrors.ofQueued(errorQueue, guest.isIpv4());
                if (error == IcmpErrors.NONE) {
                    continue;
                }
                IpAddress from = IcmpErrors.source(errorQueue.offender(), hostDestination, guest, peer.seen.remote(),
                        gateway.host(guest), offender -> offender.isLoopback() ? peer.seen.remote() : offender);
                ByteBuffer data = errorQueue.payload();
                errors.udp(from, guest, peer.seen.guestPort(), peer.seen.remote(), peer.seen.remotePort(), error,
                        errorQueue.info(), data, 0, data.limit());
            }
        } catch (IOException e) {
            // the queue could not be read: its errors are lost
        }
    }

    private static void closeRule(Rule rule) {
        Shutdown.closeQuietly(rule.channel);
        if (rule.packetInfo != null) {
            rule.packetInfo.close();
        }
    }

    /** Datagrams from host clients of a rule go to the guest. */
    void readable(Rule rule, long now) {
        ByteBuffer in = out.payloadBuffer();
        for (int i = 0; i < 64; i++) {
            in.clear().position(8);
            SocketAddress client;
            try {
                client = rule.packetInfo == null ? rule.channel.receive(in) : receive(rule.packetInfo, in);
            } catch (IOException e) {
                tellQueuedErrors(rule); // an error is queued (POLLERR), which recvmsg reported
                return;
            }
            if (client == null) {
                // nothing to read, or an error is queued (POLLERR) whose errno the JDK's receive took and retried past
                tellQueuedErrors(rule);
                return;
            }
            IpAddress guest = guests.guestOf(rule.forward);
            if (guest == null || gateway.host(guest) == null) {
                guests.noGuestYet(rule.forward); // no guest has shown an IPv6 address yet: the datagram is lost,
                guests.askGuests(now); // and the guests are asked for the next one
                continue;
            }
            ClientKey key = new ClientKey(rule, client);
            Peer peer = byClient.get(key);
            if (peer == null || !peer.seen.guest().equals(guest)) { // new, or the rule's learnt guest changed
                if (peer != null) {
                    bySeen.remove(peer.seen);
                }
                peer = pair(key, guest, now);
            }
            peer.lastUsed = now;
            if (rule.packetInfo != null) {
                peer.local = rule.packetInfo.local();
            }
            out.sendUdp(peer.seen.remote(), peer.seen.remotePort(), guest, rule.forward.guestPort(),
                    NeighborTable.UNKNOWN, in, 8, in.position() - 8);
            if (!guests.settled(rule.forward, now)) {
                guests.askGuests(now); // sent to the guest seen last meanwhile: a datagram is not held
            }
        }
    }

    /** A wildcard rule's next datagram into {@code in}; its client, or null when none waits. */
    private InetSocketAddress receive(PacketInfoSocket socket, ByteBuffer in) throws IOException {
        if (!socket.receive(in)) {
            return null;
        }
        if (socket.source() != lastSource || socket.sourcePort() != lastSourcePort) {
            lastSource = socket.source();
            lastSourcePort = socket.sourcePort();
            lastClient = new InetSocketAddress(lastSource.toInetAddress(), lastSourcePort);
        }
        return lastClient;
    }

    private Peer pair(ClientKey key, IpAddress guest, long now) {
        if (byClient.size() >= MAX_CLIENTS) {
            forgetLeastRecentlyUsed();
        }
        InetSocketAddress client = (InetSocketAddress) key.client;
        IpAddress clientAddress = IpAddress.of(client.getAddress());
        IpAddress from = guests.seenFrom(clientAddress, guest);
        int guestPort = key.rule.forward.guestPort();
        int port = client.getPort();
        if (bySeen.containsKey(probe.set(guest, guestPort, from, port))) {
            port = ports.allocate(p -> bySeen.containsKey(probe.set(guest, guestPort, from, p)));
        }
        Peer peer = new Peer(key, FlowKey.of(guest, guestPort, from, port), clientAddress, now);
        byClient.put(key, peer);
        bySeen.put(peer.seen, peer);
        paired++;
        return peer;
    }

    /** Makes room for a client: the one silent longest is forgotten, as UdpNat's least recently used flow gives way. */
    private void forgetLeastRecentlyUsed() {
        Peer oldest = null;
        for (Peer peer : byClient.values()) {
            if (oldest == null || peer.lastUsed - oldest.lastUsed < 0) {
                oldest = peer;
            }
        }
        bySeen.remove(oldest.seen);
        byClient.remove(oldest.key);
        if (!toldFull) {
            toldFull = true;
            Log.warn(logName + ": hostfwd udp: " + MAX_CLIENTS + " host clients at once; for each new one, the one silent longest "
                    + "is forgotten (its next datagram pairs it again, perhaps from another port)");
        }
    }

    /**
     * A guest's datagram from {@code source:sourcePort} to {@code destination:destinationPort}: a reply to a
     * forwarded client? Then it is sent to that client and true returned.
     */
    boolean fromGuest(IpAddress source, int sourcePort, IpAddress destination, int destinationPort, boolean dontFragment,
                      ByteBuffer buffer, int offset, int length, long now) {
        if (bySeen.isEmpty()) {
            return false;
        }
        Peer peer = bySeen.get(probe.set(source, sourcePort, destination, destinationPort));
        if (peer == null) {
            return false;
        }
        peer.lastUsed = now;
        sendBuffer.clear();
        sendBuffer.put(0, buffer, offset, length).limit(length);
        Rule rule = peer.key.rule;
        if (dontFragment != rule.dontFragment && source.isIpv4() && rule.fd >= 0) {
            setDontFragment(rule, dontFragment);
        }
        if (peer != rule.lastSentTo && rule.fd >= 0 && errorQueue != null) {
            // another client than the last: an error the last one drew (a client gone, its port unreachable) would
            // fail this send, the datagram lost unsent (the JDK says a refused one was sent), as in UdpNat
            errorQueue.clearPending(rule.fd);
            rule.lastSentTo = peer;
        }
        try {
            sendToClient(rule, peer);
        } catch (IOException e) {
            if (rule.fd >= 0 && errorQueue != null && IcmpErrors.sendAgainAfter(e)) {
                // maybe the error the last datagram to this client drew (a router's host unreachable), pending
                try {
                    sendToClient(rule, peer);
                } catch (IOException again) {
                    // the client went away; the datagram is lost as on any network
                }
            }
        }
        return true;
    }

    private void sendToClient(Rule rule, Peer peer) throws IOException {
        sendBuffer.position(0);
        if (rule.packetInfo == null) {
            rule.channel.send(sendBuffer, peer.key.client);
        } else {
            rule.packetInfo.send(sendBuffer, peer.clientAddress, ((InetSocketAddress) peer.key.client).getPort(),
                    peer.local);
        }
    }

    /**
     * A guest's datagram from a rule's guest address and port to {@code destination:destinationPort} ({@code target}
     * on the host) that is no reply to a paired client: none has spoken yet, or the one there fell silent for
     * {@value UdpNat#IDLE_SECONDS} s. It leaves through the rule's socket, from the rule's host port, and its
     * destination is paired as a client of the rule, whose answers reach the guest through the rule; libslirp (the
     * rule's socket is the guest port's own) and pasta send it from there too. Through NAT it left from an ephemeral
     * port, and a peer that knows the forwarded port dropped it: a host client's connected socket, a WireGuard peer
     * whose server in the guest spoke first after an idle spell (podman#26438's scenario). False, for NAT to take it,
     * when no rule has that guest side, or the rule's socket cannot reach {@code target} (bound to a loopback
     * address and the target elsewhere, or of the other family), or the target is paired as another address.
     */
    boolean fromForwardedPort(IpAddress source, int sourcePort, IpAddress destination, int destinationPort,
                              InetSocketAddress target, boolean dontFragment, ByteBuffer buffer, int offset, int length,
                              long now) {
        if (rules.isEmpty()) {
            return false; // every NAT'd datagram asks: no iterator where no rule is
        }
        for (Rule rule : rules.keySet()) {
            if (rule.forward.guestPort() != sourcePort || !source.equals(guests.guestOf(rule.forward))
                    || !reaches(rule.forward, target)) {
                continue;
            }
            ClientKey key = new ClientKey(rule, target);
            if (byClient.containsKey(key)) {
                return false;
            }
            if (byClient.size() >= MAX_CLIENTS) {
                forgetLeastRecentlyUsed();
            }
            Peer peer = new Peer(key, FlowKey.of(source, sourcePort, destination, destinationPort),
                    IpAddress.of(target.getAddress()), now);
            byClient.put(key, peer);
            bySeen.put(peer.seen, peer);
            paired++;
            return fromGuest(source, sourcePort, destination, destinationPort, dontFragment, buffer, offset, length, now);
        }
        return false;
    }

    /** Whether a rule's socket can send to {@code target}: of its family (or a dual-stack wildcard), off loopback only when it is. */
    static boolean reaches(UserConfig.HostForward forward, InetSocketAddress target) {
        IpAddress bound = forward.hostAddress();
        IpAddress to = IpAddress.of(target.getAddress());
        if (bound.isIpv4() != to.isIpv4() && !(to.isIpv4() && bound.isUnspecified() && !forward.ipv6Only())) {
            return false;
        }
        return !bound.isLoopback() || to.isLoopback();
    }

    /**
     * Lets the rule's socket send with DF as the kernel chooses, or never, as the guest's reply asks: a router keeps a
     * packet's DF (RFC 1812 section 5.2.6), and a reply without DF that met a smaller MTU on the way to a client was
     * lost, the host having sent it with DF (the kernel's default), as UdpNat's datagrams were.
     */
    private void setDontFragment(Rule rule, boolean dontFragment) {
        if (dontFragmentSetter == null) {
            dontFragmentSetter = new DontFragment();
        }
        // on an AF_INET6 rule's socket it sets its IPv4-mapped replies' DF; refused (no kernel here does), the replies
        // leave with the kernel's choice
        dontFragmentSetter.set(rule.fd, dontFragment);
        rule.dontFragment = dontFragment;
    }

    /**
     * Forgets the clients silent for {@value UdpNat#IDLE_SECONDS} s.
     *
     * @return nanoseconds until the next one's time runs out, {@link Long#MAX_VALUE} when no client is paired
     */
    long poll(long now) {
        long next = Long.MAX_VALUE;
        Iterator<Peer> it = bySeen.values().iterator();
        while (it.hasNext()) {
            Peer peer = it.next();
            long left = peer.lastUsed + IDLE_NANOS - now;
            if (left < 0) {
                it.remove();
                byClient.remove(peer.key);
            } else {
                next = Math.min(next, left + 1);
            }
        }
        return next;
    }

    /**
     * Host clients paired, ever
     * (the user network's loop compares it before and after handling frames: a new one may need its timed
     * work polled sooner, see {@code Gateway#timedStarts}).
     */
    long clientsPaired() {
        return paired;
    }

    /** Host clients paired now. */
    int clientCount() {
        return bySeen.size();
    }

    /** The rules in force, in the order they were added. */
    List<Rule> rules() {
        return List.copyOf(rules.keySet());
    }

    /**
     * Stops the rule bound to {@code hostAddress:hostPort}: its socket closes and its clients are
     * forgotten. False when there is none.
     */
    boolean remove(IpAddress hostAddress, int hostPort) {
        for (Rule rule : rules.keySet()) {
            if (rule.forward.listensOn(hostAddress, hostPort)) {
                selector.cancel(rules.remove(rule));
                closeRule(rule);
                bySeen.values().removeIf(peer -> peer.key.rule == rule);
                byClient.values().removeIf(peer -> peer.key.rule == rule);
                return true;
            }
        }
        return false;
    }

    void close() {
        for (Map.Entry<Rule, LoopSelector.Key> rule : rules.entrySet()) {
            selector.cancel(rule.getValue());
            closeRule(rule.getKey());
        }
        if (dontFragmentSetter != null) {
            dontFragmentSetter.close();
        }
        if (errorQueue != null) {
            errorQueue.close();
        }
    }
}
