package io.vnet4j.usernet;

import io.vnet4j.base.Log;
import io.vnet4j.config.UserConfig;
import io.vnet4j.wire.IpAddress;
import java.util.List;

/**
 * The guest a host forward goes to: the rule's address, or, for an IPv6 rule that named none
 * ({@link UserConfig.HostForward#guestLearned()}), a global IPv6 address the gateway learnt from the guests'
 * traffic (SLAAC gives guests addresses the configuration cannot know): the first of the guest that holds
 * the address an IPv4 rule without one goes to ({@code dhcpstart}, or the {@code configure=on} TAP's), so
 * that {@code hostfwd=tcp:127.0.0.1:P-:Q} and {@code hostfwd=tcp:[::1]:P-:Q} reach the same machine; until
 * that guest has shown an IPv6 address (or with {@code ipv4=off}), the first of the guest seen last
 * ({@link NeighborTable#firstOfLatestGuest}); and where a host client appears to come from ({@link #seenFrom}).
 */
final class HostForwardGuests {
    private final UserConfig config;
    /** The user network's name in log lines. */
    private final String logName;
    private final GatewayAddresses gateway;
    private final NeighborTable neighbors;
    /** The learnt address as of {@link NeighborTable#changes()} {@code learntAt}: asked per forwarded datagram. */
    private IpAddress learnt;
    private long learntAt = -1;
    /** Connections and datagrams that came for a rule before any guest showed an IPv6 address. */
    private long beforeAnyGuest;
    private boolean toldBeforeAnyGuest;

    HostForwardGuests(String logName, UserConfig config, GatewayAddresses gateway, NeighborTable neighbors) {
        this.logName = logName;
        this.config = config;
        this.gateway = gateway;
        this.neighbors = neighbors;
    }

    /** The guest address of {@code rule} now, or null when it is to be learnt and no guest has shown one yet. */
    IpAddress guestOf(UserConfig.HostForward rule) {
        if (!rule.guestLearned()) {
            return rule.guestAddress();
        }
        if (learntAt != neighbors.changes()) {
            learnt = learn(); // a walk of the table, only after it changed
            learntAt = neighbors.changes();
        }
        return learnt;
    }

    /**
     * The IPv6 address of the guest at the IPv4 rules' default address when it has shown one, else of the guest
     * seen last: a hub with a container's TAP (.100) and a VM that came later, or two VMs, sent IPv4 forwards to
     * the first and IPv6 forwards to the newest (a helper's replay).
     */
    private IpAddress learn() {
        if (config.ipv4()) {
            long mac = neighbors.lookup(IpAddress.ofIpv4(config.forwardTarget()));
            if (mac != NeighborTable.UNKNOWN) {
                List<IpAddress> own = neighbors.addressesOf(mac, config::inIpv6Network);
                if (!own.isEmpty()) {
                    return own.getFirst(); // the oldest: the stable SLAAC address, as firstOfLatestGuest takes
                }
            }
        }
        return neighbors.firstOfLatestGuest(config::inIpv6Network);
    }

    /**
     * The address a host client at {@code client} appears from to {@code guest}, as libslirp's
     * sotranslate_accept and udp_output give it: the client's own, except that a client on the host's
     * loopback, or one the guest could not reach (of the other family, link-local, unspecified, a group, or an
     * address of the virtual network), appears as the gateway's host address of the guest's family.
     */
    IpAddress seenFrom(IpAddress client, IpAddress guest) {
        boolean reachable = client.isIpv4() == guest.isIpv4() && !client.isLoopback() && !client.isUnspecified()
                && !client.isLinkLocal() && !client.isMulticastOrBroadcast() && !config.inVirtualNetwork(client);
        return reachable ? client : gateway.host(guest);
    }

    /**
     * Notes that a connection or datagram for {@code rule} found no guest (its IPv6 address not learnt
     * yet, as in the second or two a guest spends on duplicate address detection after its link comes up):
     * it is refused, counted, and the first one is said in the log.
     */
    void noGuestYet(UserConfig.HostForward rule) {
        beforeAnyGuest++;
        if (!toldBeforeAnyGuest) {
            toldBeforeAnyGuest = true;
            Log.info(logName + ": hostfwd " + (rule.udp() ? "udp " : "tcp ") + rule.hostAddress().toUriString() + ":" + rule.hostPort()
                    + ": refused a client before any guest showed an IPv6 address (a guest shows one a second or two "
                    + "after its link comes up, once duplicate address detection is done)");
        }
    }

    /** How many connections and datagrams {@link #noGuestYet} refused. */
    long beforeAnyGuest() {
        return beforeAnyGuest;
    }
}
