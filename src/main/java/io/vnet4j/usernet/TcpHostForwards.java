package io.vnet4j.usernet;

import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.base.SocketAddresses;
import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.usernet.tcp.TcpNat;
import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * TCP host forwarding ({@code hostfwd=tcp:...}): a host listener per rule; each accepted connection is
 * opened towards the guest from where the client is, as libslirp's tcp_connect and sotranslate_accept do:
 * the client's own address and port ({@link HostForwardGuests#seenFrom}: one on the host's loopback appears as
 * the gateway's host address). Its port is a port of the gateway's own when the guest has a connection from
 * that one already.
 */
final class TcpHostForwards {
    /** One hostfwd=tcp rule and its listener. */
    record Rule(UserConfig.HostForward forward, ServerSocketChannel listener) {}

    private final TcpNat tcp;
    private final GatewayAddresses gateway;
    private final HostForwardGuests guests;
    private final VirtualPorts ports;
    /** The rules and their listeners' registrations, in the order they were added. */
    private final Map<Rule, LoopSelector.Key> rules = new LinkedHashMap<>();
    private final LoopSelector selector;

    TcpHostForwards(TcpNat tcp, GatewayAddresses gateway, HostForwardGuests guests, VirtualPorts ports,
                    LoopSelector selector) {
        this.selector = selector;
        this.tcp = tcp;
        this.gateway = gateway;
        this.guests = guests;
        this.ports = ports;
    }

    /** Binds the rule's listener; returns the rule on the port bound (see {@link UserConfig.HostForward#boundTo}). */
    UserConfig.HostForward listen(UserConfig.HostForward forward) throws IOException {
        InetSocketAddress local = new InetSocketAddress(forward.hostAddress().toInetAddress(), forward.hostPort());
        ServerSocketChannel listener = ServerSocketChannel.open(SocketAddresses.family(local));
        UserConfig.HostForward bound;
        try {
            listener.bind(local);
            listener.configureBlocking(false);
            bound = forward.boundTo(((InetSocketAddress) listener.getLocalAddress()).getPort());
        } catch (IOException e) {
            listener.close();
            throw new IOException("hostfwd=tcp:" + forward.hostAddress().toUriString() + ":" + forward.hostPort()
                    + ": " + e.getMessage(), e);
        }
        Rule rule = new Rule(bound, listener);
        try {
            rules.put(rule, selector.register(listener, SelectionKey.OP_ACCEPT, rule));
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        return bound;
    }

    void acceptable(Rule rule, long now) {
        for (int i = 0; i < 64; i++) {
            SocketChannel accepted;
            try {
                accepted = rule.listener.accept();
                if (accepted == null) {
                    return;
                }
                IpAddress guest = guests.guestOf(rule.forward);
                if (guest == null || gateway.host(guest) == null) {
                    accepted.close(); // no guest has shown an IPv6 address yet: nowhere to go, as a refused connect
                    guests.noGuestYet(rule.forward);
                    continue;
                }
                InetSocketAddress client = (InetSocketAddress) accepted.getRemoteAddress();
                IpAddress from = guests.seenFrom(IpAddress.of(client.getAddress()), guest);
                int guestPort = rule.forward.guestPort();
                int port = client.getPort();
                if (tcp.hasConnection(guest, guestPort, from, port)) {
                    port = ports.allocate(p -> tcp.hasConnection(guest, guestPort, from, p));
                }
                tcp.forward(accepted, guest, guestPort, from, port, now);
            } catch (IOException e) {
                Log.warn("hostfwd tcp " + rule.forward.hostPort() + ": " + e.getMessage());
                return;
            }
        }
    }

    /**
     * Stops the rule listening on {@code hostAddress:hostPort}: its listener closes, connections it made
     * stay (as in libslirp). False when there is none.
     */
    boolean remove(IpAddress hostAddress, int hostPort) {
        for (Rule rule : rules.keySet()) {
            if (rule.forward.listensOn(hostAddress, hostPort)) {
                selector.cancel(rules.remove(rule));
                Shutdown.closeQuietly(rule.listener);
                return true;
            }
        }
        return false;
    }

    void close() {
        for (Map.Entry<Rule, LoopSelector.Key> rule : rules.entrySet()) {
            selector.cancel(rule.getValue());
            Shutdown.closeQuietly(rule.getKey().listener);
        }
    }
}
