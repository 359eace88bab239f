package io.vnet4j.usernet;

import io.vnet4j.base.Acceptor;
import io.vnet4j.base.FailureRun;
import io.vnet4j.base.LineBudget;
import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.usernet.tcp.TcpNat;
import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * TCP host forwarding ({@code hostfwd=tcp:...}): a host listener per rule; each accepted connection is
 * opened towards the guest from where the client is, as libslirp's tcp_connect and sotranslate_accept do:
 * the client's own address and port ({@link HostForwardGuests#seenFrom}: one on the host's loopback appears as
 * the gateway's host address). Its port is a port of the gateway's own when the guest has a connection from
 * that one already. A client of an IPv6 rule whose guest has not shown its address yet, or not surely
 * ({@link HostForwardGuests#settled}), is held (up to {@link #MAX_HELD} of them, each for at most {@link #HOLD_NANOS})
 * while the guests are asked ({@link HostForwardGuests#askGuests}), and opened towards the guest as soon as the
 * answers settle it ({@link #openHeld}); one still without a guest at the end is closed, as a refused connection.
 */
final class TcpHostForwards {
    /** The pause of a rule whose accept failed: the daemon's other listeners' ({@link Acceptor#RETRY_MILLIS}). */
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(Acceptor.RETRY_MILLIS);

    /** The most clients held for a guest to show its address ({@link #openHeld}); more are refused at once. */
    static final int MAX_HELD = 64;
    /** How long a client is held for a guest to show its address: the guests answer an ask within milliseconds. */
    static final long HOLD_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** A hostfwd=tcp rule, its listener, and the run of failed accepts it is in (said once when it starts, once when it ends). */
    record Rule(UserConfig.HostForward forward, ServerSocketChannel listener, FailureRun accepts) {}

    /** A client accepted for {@code rule} before its guest showed an address, held until {@code until} (ns). */
    private record Held(Rule rule, SocketChannel client, long until) {}

    private final TcpNat tcp;
    private final GatewayAddresses gateway;
    private final HostForwardGuests guests;
    private final VirtualPorts ports;
    /** The rules and their listeners' registrations, in the order they were added. */
    private final Map<Rule, LoopSelector.Key> rules = new LinkedHashMap<>();
    private final LoopSelector selector;
    /** Rules whose accept failed, and when each listens again ({@link #acceptable}). */
    private final Map<Rule, Long> paused = new LinkedHashMap<>();
    private long pauses;
    private long holds;
    /** Clients waiting for their guest's address, oldest first. */
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    /** How a listener accepts: its own accept, or a test's that fails. */
    private Accepting accepting = ServerSocketChannel::accept;
    /** The user network's name in log lines. */
    private final String logName;
    /** Lines for host clients whose connection could not be opened towards the guest: they come at will. */
    private final LineBudget clientLines = new LineBudget(10, Duration.ofSeconds(10));

    TcpHostForwards(String logName, TcpNat tcp, GatewayAddresses gateway, HostForwardGuests guests, VirtualPorts ports,
                    LoopSelector selector) {
        this.logName = logName;
        this.selector = selector;
        this.tcp = tcp;
        this.gateway = gateway;
        this.guests = guests;
        this.ports = ports;
    }

    /** Binds the rule's listener; returns the rule on the port bound (see {@link UserConfig.HostForward#boundTo}). */
    UserConfig.HostForward listen(UserConfig.HostForward forward) throws IOException {
        ServerSocketChannel listener = HostForwardSockets.tcpListener(forward);
        UserConfig.HostForward bound = HostForwardSockets.bind(listener, forward);
        Rule rule = new Rule(bound, listener, new FailureRun(line -> Log.warn(name(bound) + ": " + line)));
        try {
            rules.put(rule, selector.register(listener, SelectionKey.OP_ACCEPT, rule));
        } catch (IOException e) {
            listener.close();
            throw e;
        }
        return bound;
    }

    /**
     * Accepts the rule's waiting clients (up to 64 a call) and opens each towards the guest. An accept that
     * fails (EMFILE: the process is out of descriptors) leaves the client in the listen queue, which keeps
     * the listener ready: the loop met it again at once, a core spun and each pass wrote a warning (90,000 lines
     * a second in a helper's replay). The rule stops listening for {@value Acceptor#RETRY_MILLIS} ms instead
     * ({@link #poll} resumes it), says so once and says when it accepts again.
     */
    void acceptable(Rule rule, long now) {
        for (int i = 0; i < 64; i++) {
            SocketChannel accepted;
            try {
                accepted = accepting.accept(rule.listener);
            } catch (IOException e) {
                pause(rule, now, e);
                return;
            }
            if (accepted == null) {
                return;
            }
            rule.accepts.succeeded(Acceptor::recoveredLine);
            IpAddress guest = guests.guestOf(rule.forward);
            boolean reachable = guest != null && gateway.host(guest) != null;
            if (reachable && guests.settled(rule.forward, now)) {
                open(rule, accepted, guest, now);
            } else if (rule.forward.guestLearned() && held.size() < MAX_HELD) {
                held.add(new Held(rule, accepted, now + HOLD_NANOS)); // its guest's IPv6 address not (surely) known
                holds++;
                guests.askGuests(now);
            } else if (reachable) {
                open(rule, accepted, guest, now); // no room to hold it: the guest seen last
            } else {
                refuse(rule, accepted);
            }
        }
    }

    /** Opens {@code accepted} towards {@code guest}, from where the client appears to be. */
    private void open(Rule rule, SocketChannel accepted, IpAddress guest, long now) {
        try {
            InetSocketAddress client = (InetSocketAddress) accepted.getRemoteAddress();
            IpAddress from = guests.seenFrom(IpAddress.of(client.getAddress()), guest);
            int guestPort = rule.forward.guestPort();
            int port = client.getPort();
            if (tcp.hasConnection(guest, guestPort, from, port)) {
                port = ports.allocate(p -> tcp.hasConnection(guest, guestPort, from, p));
            }
            tcp.forward(accepted, guest, guestPort, from, port, now);
        } catch (IOException | RuntimeException e) { // a bug's exception too: the client goes, the rule stays
            Shutdown.closeQuietly(accepted);
            clientLines.warn(name(rule) + ": " + e.getMessage());
        }
    }

    /** Closes a client that has no guest to go to, as a refused connection. */
    private void refuse(Rule rule, SocketChannel client) {
        Shutdown.closeQuietly(client);
        guests.noGuestYet(rule.forward);
    }

    /**
     * Opens the held clients whose guest is settled since ({@link HostForwardGuests#settled}), and at the end of
     * their {@link #HOLD_NANOS} those with any guest, refusing the others; the loop calls it after each round of
     * frames while any is held ({@link #holding}), and at its polls. Under the gateway lock, on the loop.
     */
    void openHeld(long now) {
        for (Iterator<Held> it = held.iterator(); it.hasNext(); ) {
            Held h = it.next();
            IpAddress guest = guests.guestOf(h.rule.forward);
            boolean over = now - h.until >= 0;
            if (guest != null && gateway.host(guest) != null && (over || guests.settled(h.rule.forward, now))) {
                it.remove();
                open(h.rule, h.client, guest, now);
            } else if (over) {
                it.remove();
                refuse(h.rule, h.client);
            }
        }
    }

    /** Whether clients wait for their guest's address ({@link #openHeld}). */
    boolean holding() {
        return !held.isEmpty();
    }

    private void pause(Rule rule, long now, IOException e) {
        rule.accepts.failed(Acceptor.failedLine(e));
        LoopSelector.Key key = rules.get(rule);
        if (key != null && paused.putIfAbsent(rule, now + RETRY_NANOS) == null) {
            selector.interest(key, 0);
            pauses++;
        }
    }

    /**
     * Listens again on the rules whose pause ({@link #acceptable}) is over, and opens or refuses the held clients
     * ({@link #openHeld}); under the gateway lock, on the loop.
     *
     * @return nanoseconds until the next pause or hold ends, {@link Long#MAX_VALUE} when none is paused or held
     */
    long poll(long now) {
        openHeld(now);
        long next = held.isEmpty() ? Long.MAX_VALUE : Math.min(held.getFirst().until - now, guests.settlesIn(now));
        for (Iterator<Map.Entry<Rule, Long>> it = paused.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Rule, Long> pause = it.next(); // a removed rule's pause went with it (remove)
            if (now - pause.getValue() >= 0) {
                selector.interest(rules.get(pause.getKey()), SelectionKey.OP_ACCEPT);
                it.remove();
            } else {
                next = Math.min(next, pause.getValue() - now);
            }
        }
        return next;
    }

    /**
     * Pauses begun and clients held so far: when this moves, the loop's next poll of timed work must come soon
     * ({@link #poll}).
     */
    long timedStarts() {
        return pauses + holds;
    }

    /** A listener's accept; tests put one that fails in its place ({@link #acceptWith}). */
    @FunctionalInterface
    interface Accepting {
        SocketChannel accept(ServerSocketChannel listener) throws IOException;
    }

    void acceptWith(Accepting accepting) {
        this.accepting = accepting;
    }

    private String name(Rule rule) {
        return name(rule.forward);
    }

    private String name(UserConfig.HostForward forward) {
        return logName + ": hostfwd tcp " + forward.hostPort();
    }

    /**
     * Stops the rule listening on {@code hostAddress:hostPort}: its listener closes, connections it made
     * stay (as in libslirp). False when there is none.
     */
    boolean remove(IpAddress hostAddress, int hostPort) {
        for (Rule rule : rules.keySet()) {
            if (rule.forward.listensOn(hostAddress, hostPort)) {
                selector.cancel(rules.remove(rule));
                paused.remove(rule);
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
        held.forEach(h -> Shutdown.closeQuietly(h.client));
        held.clear();
    }
}
