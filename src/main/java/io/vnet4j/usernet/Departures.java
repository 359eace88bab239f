package io.vnet4j.usernet;

import io.vnet4j.base.LineBudget;
import io.vnet4j.usernet.tcp.TcpNat;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.MacAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Lets go of what the user network held for a guest that left the hub (its VM quit or was unplugged:
 * {@link io.vnet4j.fabric.Hub.DepartureListener}). QEMU's {@code -netdev user} ends with its VM, so there the
 * host peers of the VM's connections see EOF at once and the next VM starts with an empty lease table. Here
 * the gateway outlives its guests, and kept both: host peers waited on a guest that would never answer until
 * the connection gave up (minutes, or hours for an idle one), and the lease held its address for a day, so a
 * VM started with a new MAC took the next address (a {@code hostfwd} without a guest address still pointed
 * at the first) and a small pool ran out.
 *
 * <p>So the guest's addresses (those its MAC was seen at, and its DHCP lease's) lose their TCP connections
 * (each host socket closed: its peer reads EOF, as when QEMU exits) and UDP flows, the lease is released as by
 * a DHCPRELEASE, and the neighbour entries go. One line says what went. The loop's thread only.
 */
final class Departures {
    private final String logName;
    private final NeighborTable neighbors;
    private final UdpServices services;
    private final TcpNat tcp;
    private final UdpNat udp;
    /** VMs come and go at a script's pace: a churn of them costs a few lines a second. */
    private final LineBudget lines = new LineBudget(20, Duration.ofSeconds(1));

    Departures(String logName, NeighborTable neighbors, UdpServices services, TcpNat tcp, UdpNat udp) {
        this.logName = logName;
        this.neighbors = neighbors;
        this.services = services;
        this.tcp = tcp;
        this.udp = udp;
    }

    /** The guest at {@code mac} left with port {@code portId}: its connections, flows, lease and neighbour entries go. */
    void left(long mac, String portId) {
        Set<IpAddress> addresses = new LinkedHashSet<>(neighbors.forget(mac));
        int leased = services.release(mac);
        if (leased != 0) {
            addresses.add(IpAddress.ofIpv4(leased));
        }
        int connections = tcp.closeGuests(addresses);
        int flows = udp.closeGuests(addresses);
        List<String> gone = new ArrayList<>();
        if (leased != 0) {
            gone.add("lease " + Ipv4Address.format(leased) + " released");
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
