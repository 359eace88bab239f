package io.vnet4j.usernet;

import io.vnet4j.base.Log;
import io.vnet4j.config.UserConfig;
import io.vnet4j.wire.Icmpv6Type;
import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The guest a host forward goes to: the rule's address, or, for an IPv6 rule that named none
 * ({@link UserConfig.HostForward#guestLearned()}), a global IPv6 address the gateway learnt from the guests'
 * traffic (SLAAC gives guests addresses the configuration cannot know): the first of the guest that holds
 * the address an IPv4 rule without one goes to ({@code dhcpstart}, or the {@code configure=on} TAP's), so
 * that {@code hostfwd=tcp:127.0.0.1:P-:Q} and {@code hostfwd=tcp:[::1]:P-:Q} reach the same machine; until
 * that guest has shown an IPv6 address (or with {@code ipv4=off}), the first of the guest seen last
 * ({@link NeighborTable#firstOfLatestGuest}); and where a host client appears to come from ({@link #seenFrom}).
 * <p>
 * A guest shows its address in its duplicate address detection, which a guest that was configured before the
 * gateway started does not repeat: a namespace's persistent TAP (its address kept across a restart of vnet4j), a
 * VM on a {@code dgram} or {@code socket} netdev. Such a silent guest is asked ({@link #askGuests}): an ICMPv6 echo
 * request from the gateway's address to all nodes (ff02::1, RFC 4291 section 2.7.1), which each guest answers from
 * the address its source selection picks towards the gateway (RFC 6724: its address in the network; a temporary
 * one where the guest prefers those), first soliciting the gateway's MAC from it; either frame teaches the table.
 * The machine at the IPv4 rules' address is asked for its MAC too (ARP), so that the rules of both families still
 * reach one machine when several answer: until it has answered, or {@link #SETTLE_NANOS} has passed, a learnt
 * guest is not {@link #settled} (a helper's replay: two silent namespaces after a restart, the IPv6 rule went to
 * whichever answered last, the IPv4 rule to the other).
 */
final class HostForwardGuests {
    /** The least time between two asks ({@link #askGuests}). */
    static final long ASK_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * How long after an ask the guest seen last is taken when the machine at the IPv4 rules' address has not shown
     * an IPv6 address ({@link #settled}): guests on the hub answer within milliseconds, a TCG guest on a busy host
     * within tens of them.
     */
    static final long SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** The echo requests' identifier: "v4" (any value would do; the answers are not matched to it). */
    static final int ECHO_IDENTIFIER = 0x7634;

    private final UserConfig config;
    /** The user network's name in log lines. */
    private final String logName;
    private final GatewayAddresses gateway;
    private final NeighborTable neighbors;
    private final GuestOutput out;
    /** The learnt address as of {@link NeighborTable#changes()} {@code learntAt}: asked per forwarded datagram. */
    private IpAddress learnt;
    private long learntAt = -1;
    /** Whether {@code learnt} is the address of the machine at the IPv4 rules' default address. */
    private boolean learntAtIpv4Target;
    /** Connections and datagrams that came for a rule before any guest showed an IPv6 address. */
    private long beforeAnyGuest;
    private boolean toldBeforeAnyGuest;
    /** When the guests were last asked ({@link #askGuests}), and how many times. */
    private long askedAt;
    private long asks;

    HostForwardGuests(String logName, UserConfig config, GatewayAddresses gateway, NeighborTable neighbors,
                      GuestOutput out) {
        this.logName = logName;
        this.config = config;
        this.gateway = gateway;
        this.neighbors = neighbors;
        this.out = out;
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
        IpAddress own = ofIpv4Target();
        learntAtIpv4Target = own != null;
        return own != null ? own : neighbors.firstOfLatestGuest(config::inIpv6Network);
    }

    /** The first IPv6 address of the machine at the IPv4 rules' default address; null when unknown or IPv4 is off. */
    private IpAddress ofIpv4Target() {
        if (config.ipv4()) {
            long mac = neighbors.lookup(IpAddress.ofIpv4(config.forwardTarget()));
            if (mac != NeighborTable.UNKNOWN) {
                List<IpAddress> own = neighbors.addressesOf(mac, config::inIpv6Network);
                if (!own.isEmpty()) {
                    return own.getFirst(); // the oldest: the stable SLAAC address, as firstOfLatestGuest takes
                }
            }
        }
        return null;
    }

    /**
     * Whether {@link #guestOf} is the guest to take for {@code rule} now: the rule names its address; or the machine at
     * the IPv4 rules' address has shown an IPv6 address (the one taken); or, with IPv4 off, any guest has; or the
     * guests were asked ({@link #askGuests}) {@link #SETTLE_NANOS} ago or longer, and the one seen last is taken.
     * False while no guest has shown an address.
     */
    boolean settled(UserConfig.HostForward rule, long now) {
        if (!rule.guestLearned()) {
            return true;
        }
        IpAddress guest = guestOf(rule); // brings learntAtIpv4Target up to date
        return guest != null && (!config.ipv4() || learntAtIpv4Target || asks > 0 && now - askedAt >= SETTLE_NANOS);
    }

    /** Nanoseconds until the last ask has waited {@link #SETTLE_NANOS} (at least 0), for the loop's next poll. */
    long settlesIn(long now) {
        return Math.max(0, askedAt + SETTLE_NANOS - now);
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
     * Asks the guests to show their IPv6 addresses, at most once a {@link #ASK_EVERY_NANOS}; nothing without IPv6: an
     * ICMPv6 echo request (RFC 4443 section 4.1, 8 bytes, no data) from the gateway's {@code ipv6-host} to all nodes,
     * and, with IPv4 on and the MAC at the IPv4 rules' address unknown, an ARP request for that address. Uses
     * {@link GuestOutput#payloadBuffer()}: call it between frames, not while one is being built there.
     */
    void askGuests(long now) {
        IpAddress source = gateway.host6();
        if (source == null || (asks > 0 && now - askedAt < ASK_EVERY_NANOS)) {
            return;
        }
        askedAt = now;
        ByteBuffer echo = out.payloadBuffer();
        echo.put(0, (byte) Icmpv6Type.ECHO_REQUEST).put(1, (byte) 0).putShort(2, (short) 0) // code 0, checksum filled
                .putShort(4, (short) ECHO_IDENTIFIER).putShort(6, (short) asks++);
        out.sendIcmp(source, NeighborDiscovery.ALL_NODES, 8);
        IpAddress ipv4Target = config.ipv4() ? IpAddress.ofIpv4(config.forwardTarget()) : null;
        if (ipv4Target != null && neighbors.lookup(ipv4Target) == NeighborTable.UNKNOWN) {
            out.ask(ipv4Target);
        }
    }

    /** How many times {@link #askGuests} asked. */
    long asks() {
        return asks;
    }

    /**
     * Notes that a connection or datagram for {@code rule} found no guest (its IPv6 address not learnt
     * yet, as in the second or two a guest spends on duplicate address detection after its link comes up): a
     * connection held while the guests were asked and not shown one, or a datagram, which is not held and is lost
     * as the guests are asked ({@link #askGuests}). It is refused, counted, and the first one is said in the log.
     */
    void noGuestYet(UserConfig.HostForward rule) {
        beforeAnyGuest++;
        if (!toldBeforeAnyGuest) {
            toldBeforeAnyGuest = true;
            Log.info(logName + ": hostfwd " + (rule.udp() ? "udp " : "tcp ") + rule.hostAddress().toUriString() + ":" + rule.hostPort()
                    + (rule.udp() ? ": lost a datagram: no guest has shown an IPv6 address yet; the guests are asked "
                            + "(an echo request to all nodes), and a later datagram goes to the one that answers"
                            : ": refused a client: no guest has shown an IPv6 address, not even when asked")
                    + " (a guest shows one a second or two after its link comes up, once duplicate address detection is done)");
        }
    }

    /** How many connections and datagrams {@link #noGuestYet} refused. */
    long beforeAnyGuest() {
        return beforeAnyGuest;
    }
}
