package io.vnet4j.usernet;

import io.vnet4j.base.Shutdown;
import io.vnet4j.base.SocketAddresses;
import io.vnet4j.config.UserConfig;
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
 * UDP host forwarding ({@code hostfwd=udp:...}): a host socket per rule. Each host client gets a port of
 * its own on the gateway's host address, so the guest's replies to that port go back to that client; the
 * pairing is forgotten after {@value UdpNat#IDLE_SECONDS} s of silence.
 */
final class UdpHostForwards {
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(UdpNat.IDLE_SECONDS);

    /** One hostfwd=udp rule and its listening socket. */
    record Rule(UserConfig.HostForward forward, DatagramChannel channel) {}

    private static final class Peer {
        final Rule rule;
        final SocketAddress client;
        final int port;
        long lastUsed;

        Peer(Rule rule, SocketAddress client, int port, long now) {
            this.rule = rule;
            this.client = client;
            this.port = port;
            this.lastUsed = now;
        }
    }

    private record ClientKey(Rule rule, SocketAddress client) {}

    private final GuestOutput out;
    private final GatewayAddresses gateway;
    private final HostForwardGuests guests;
    private final VirtualPorts ports;
    /** The rules and their sockets' registrations, in the order they were added. */
    private final Map<Rule, LoopSelector.Key> rules = new LinkedHashMap<>();
    private final Map<Integer, Peer> byPort = new HashMap<>();
    private final Map<ClientKey, Peer> byClient = new HashMap<>();
    /** Clients paired, ever. */
    private long paired;
    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(65536);
    private final LoopSelector selector;

    UdpHostForwards(GuestOutput out, GatewayAddresses gateway, HostForwardGuests guests, VirtualPorts ports,
                    LoopSelector selector) {
        this.selector = selector;
        this.guests = guests;
        this.out = out;
        this.gateway = gateway;
        this.ports = ports;
    }

    /** Opens the host socket of a rule; fails when the address is taken. */
    /** Binds the rule's socket; returns the rule on the port bound (see {@link UserConfig.HostForward#boundTo}). */
    UserConfig.HostForward listen(UserConfig.HostForward forward) throws IOException {
        InetSocketAddress local = new InetSocketAddress(forward.hostAddress().toInetAddress(), forward.hostPort());
        DatagramChannel channel = DatagramChannel.open(SocketAddresses.family(local));
        UserConfig.HostForward bound;
        try {
            channel.bind(local);
            channel.configureBlocking(false);
            bound = forward.boundTo(((InetSocketAddress) channel.getLocalAddress()).getPort());
        } catch (IOException e) {
            channel.close();
            throw new IOException("hostfwd=udp:" + forward.hostAddress().toUriString() + ":" + forward.hostPort()
                    + ": " + e.getMessage(), e);
        }
        Rule rule = new Rule(bound, channel);
        try {
            rules.put(rule, selector.register(channel, SelectionKey.OP_READ, rule));
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        return bound;
    }

    /** Datagrams from host clients of a rule go to the guest. */
    void readable(Rule rule, long now) {
        ByteBuffer in = out.payloadBuffer();
        for (int i = 0; i < 64; i++) {
            in.clear().position(8);
            SocketAddress client;
            try {
                client = rule.channel.receive(in);
            } catch (IOException e) {
                return;
            }
            if (client == null) {
                return;
            }
            ClientKey key = new ClientKey(rule, client);
            Peer peer = byClient.get(key);
            if (peer == null) {
                int port = ports.allocate(byPort::containsKey);
                peer = new Peer(rule, client, port, now);
                byClient.put(key, peer);
                byPort.put(port, peer);
                paired++;
            }
            peer.lastUsed = now;
            IpAddress guest = guests.guestOf(rule.forward);
            if (guest == null || gateway.host(guest) == null) {
                guests.noGuestYet(rule.forward); // no guest has shown an IPv6 address yet: the datagram is lost
                continue;
            }
            out.sendUdp(gateway.host(guest), peer.port, guest, rule.forward.guestPort(), NeighborTable.UNKNOWN,
                    in, 8, in.position() - 8);
        }
    }

    /** A guest's datagram to {@code port} on the host address: a reply to a forwarded client? */
    boolean fromGuest(IpAddress source, int sourcePort, int port, ByteBuffer buffer, int offset, int length, long now) {
        if (port < VirtualPorts.FIRST || byPort.isEmpty()) {
            return false; // no forwarded client has this port: every other datagram to the host address, unboxed
        }
        Peer peer = byPort.get(port);
        if (peer == null || !source.equals(guests.guestOf(peer.rule.forward)) || peer.rule.forward.guestPort() != sourcePort) {
            return false;
        }
        peer.lastUsed = now;
        sendBuffer.clear();
        sendBuffer.put(0, buffer, offset, length).limit(length);
        try {
            peer.rule.channel.send(sendBuffer, peer.client);
        } catch (IOException e) {
            // the client went away; the datagram is lost as on any network
        }
        return true;
    }

    /**
     * Forgets the clients silent for {@value UdpNat#IDLE_SECONDS} s (their ports on the host address are free again).
     *
     * @return nanoseconds until the next one's time runs out, {@link Long#MAX_VALUE} when no client is paired
     */
    long poll(long now) {
        long next = Long.MAX_VALUE;
        Iterator<Peer> it = byPort.values().iterator();
        while (it.hasNext()) {
            Peer peer = it.next();
            long left = peer.lastUsed + IDLE_NANOS - now;
            if (left < 0) {
                it.remove();
                byClient.remove(new ClientKey(peer.rule, peer.client));
            } else {
                next = Math.min(next, left + 1);
            }
        }
        return next;
    }

    /**
     * Host clients paired with a port, ever
     * (the user network's loop compares it before and after handling frames: a new one may need its timed
     * work polled sooner, see {@code Gateway#timedStarts}).
     */
    long clientsPaired() {
        return paired;
    }

    /** Host clients paired with a port now. */
    int clientCount() {
        return byPort.size();
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
                Shutdown.closeQuietly(rule.channel);
                byPort.values().removeIf(peer -> peer.rule == rule);
                byClient.values().removeIf(peer -> peer.rule == rule);
                return true;
            }
        }
        return false;
    }

    void close() {
        for (Map.Entry<Rule, LoopSelector.Key> rule : rules.entrySet()) {
            selector.cancel(rule.getValue());
            Shutdown.closeQuietly(rule.getKey().channel);
        }
    }
}
