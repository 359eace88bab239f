package io.vnet4j.usernet;

import io.vnet4j.base.LineBudget;
import io.vnet4j.fabric.Port;
import io.vnet4j.usernet.tcp.TcpNat;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.MacAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Lets go of what the user network held for a guest that left the hub (its VM quit or was unplugged:
 * {@link io.vnet4j.fabric.Hub.DepartureListener}). QEMU's {@code -netdev user} ends with its VM, so there the
 * host peers of the VM's connections see EOF at once and the next VM starts with an empty lease table. Here
 * the gateway outlives its guests, and kept both: host peers waited on a guest that would never answer until
 * the connection gave up (minutes, or hours for an idle one), and the lease held its address for a day, so a
 * VM started with a new MAC took the next address (a {@code hostfwd} without a guest address still pointed
 * at the first) and a small pool ran out.
 *
 * <p>Theory of operation. A departure waits {@link #GRACE_NANOS} first: a VM whose connection dropped and was
 * made again (QEMU's {@code reconnect=}), a link to another hub that came back, frames of the guest still
 * queued behind the news. Then, unless the guest is seen on the hub again or the port it left by is up again,
 * the guest's addresses (those its MAC was seen at, and its DHCP lease's while no other MAC holds it) lose
 * their TCP connections (each host socket closed: its peer reads EOF, as when QEMU exits; a reset only while
 * bytes it sent wait unread in the socket) and UDP flows, the lease ends ({@code DhcpServer#depart}) and the
 * neighbour entries go. One line says what went. The loop's thread only.
 */
final class Departures {
    /** How long a departure waits for the guest to come back before its connections and lease go. */
    static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Whether a station is on the hub: the gateway's question to its hub. */
    interface Presence {
        boolean present(long mac, Port leftBy);
    }

    private record Pending(long mac, Port leftBy, long dueNanos) {}

    private final String logName;
    private final NeighborTable neighbors;
    private final UdpServices services;
    private final TcpNat tcp;
    private final UdpNat udp;
    private final Presence presence;
    /** Departures waiting out their grace, oldest (so soonest due) first. */
    private final Queue<Pending> pending = new ArrayDeque<>();
    /** VMs come and go at a script's pace: a churn of them costs a few lines a second. */
    private final LineBudget lines = new LineBudget(20, Duration.ofSeconds(1));

    Departures(String logName, NeighborTable neighbors, UdpServices services, TcpNat tcp, UdpNat udp, Presence presence) {
        this.logName = logName;
        this.neighbors = neighbors;
        this.services = services;
        this.tcp = tcp;
        this.udp = udp;
        this.presence = presence;
    }

    /** The guest at {@code mac} left with {@code port} at {@code now} (System.nanoTime): handled after the grace. */
    void left(long mac, Port port, long now) {
        pending.add(new Pending(mac, port, now + GRACE_NANOS));
    }

    /**
     * Handles the departures whose grace is over.
     *
     * @return nanoseconds until the next one is due; {@link Long#MAX_VALUE} when none waits
     */
    long poll(long now) {
        for (Pending p; (p = pending.peek()) != null && now - p.dueNanos() >= 0; ) {
            pending.remove();
            if (!presence.present(p.mac(), p.leftBy())) {
                letGo(p.mac(), p.leftBy().id());
            }
        }
        Pending next = pending.peek();
        return next == null ? Long.MAX_VALUE : next.dueNanos() - now;
    }

    private void letGo(long mac, String portId) {
        Set<IpAddress> addresses = new LinkedHashSet<>(neighbors.forget(mac));
        int leased = services.endLease(mac);
        if (leased != 0 && neighbors.lookup(IpAddress.ofIpv4(leased)) == NeighborTable.UNKNOWN) {
            addresses.add(IpAddress.ofIpv4(leased)); // not when another MAC uses the address now (set by hand)
        }
        int connections = tcp.closeGuests(addresses);
        int flows = udp.closeGuests(addresses);
        List<String> gone = new ArrayList<>();
        if (leased != 0) {
            gone.add("lease " + Ipv4Address.format(leased) + " ended");
        }
        if (connections > 0) {
            gone.add(count(connections, "TCP connection") + " closed");
        }
        if (flows > 0) {
            gone.add(count(flows, "UDP flow") + " closed");
        }
        if (!gone.isEmpty()) {
            lines.info(logName + ": " + MacAddress.format(mac) + " left with port " + portId + ": " + String.join(", ", gone));
        }
    }

    private static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
