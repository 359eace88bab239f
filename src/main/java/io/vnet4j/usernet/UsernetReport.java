package io.vnet4j.usernet;

import io.vnet4j.base.SocketAddresses;
import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.dhcp.DhcpCounters;
import io.vnet4j.usernet.dhcp.Lease;
import io.vnet4j.usernet.tcp.TcpNat;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.MacAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a user network holds, for people and programs: the lines of {@code info network}, the structured
 * state of {@code query-network} (and the page of {@code --http}), and the numbers {@code /metrics} shows.
 * Reads the gateway's parts, so it runs on the network's loop only ({@link UsernetNetdev} hands it the work
 * there).
 */
final class UsernetReport {
    private final UdpServices services;
    private final DnsOverTcpBridge dnsOverTcp;
    private final Gateway gateway;
    private final UdpNat nat;
    private final TcpNat tcp;
    private final HostForwardGuests hostForwardGuests;
    private final IcmpErrors errors;
    /** Null when IPv6 is off. */
    private final NeighborDiscovery ndp;
    private final NeighborTable neighbors;
    private final GuestOutput out;
    private final IcmpProxy icmp;
    /** The host forwards in force, the loop's own list (it changes them at run time). */
    private final List<UserConfig.HostForward> hostForwards;

    UsernetReport(GatewayParts parts, NeighborTable neighbors, GuestOutput out, IcmpProxy icmp,
                  List<UserConfig.HostForward> hostForwards) {
        this.services = parts.services();
        this.dnsOverTcp = parts.dnsOverTcp();
        this.gateway = parts.gateway();
        this.nat = parts.udp();
        this.tcp = parts.tcp();
        this.hostForwardGuests = parts.guests();
        this.errors = parts.errors();
        this.ndp = parts.ndp();
        this.neighbors = neighbors;
        this.out = out;
        this.icmp = icmp;
        this.hostForwards = hostForwards;
    }

    /**
     * The numbers of {@code /metrics}. Its drop causes are every loss {@link #lines} tells, but for frames
     * between guests (the hub delivers them; the gateway only does not answer) and DHCP requests for another
     * server (not ours to answer).
     */
    UsernetCounts counts() {
        long wallNow = System.currentTimeMillis();
        int leases = 0;
        for (Lease lease : services.dhcpServer().leases()) {
            if (!lease.expired(wallNow)) {
                leases++;
            }
        }
        Gateway.DropCounters d = gateway.drops;
        DhcpCounters dhcp = services.dhcpServer().counters();
        Map<String, Long> dropped = new LinkedHashMap<>();
        dropped.put("malformed", d.malformed);
        dropped.put("unsupported", d.unsupported);
        dropped.put("restricted", d.restricted);
        dropped.put("multicast", d.multicast);
        dropped.put("arp_for_others", d.arpForOthers);
        dropped.put("from_gateway_address", d.fromGatewayAddress);
        dropped.put("icmp_not_echo", d.icmpNotEcho);
        dropped.put("unused_address", d.unusedAddress);
        dropped.put("host_loopback_off", d.hostLoopback);
        dropped.put("builtin_dns_off", d.builtinDnsOff);
        dropped.put("hop_limit_exceeded", d.hopLimitExceeded);
        dropped.put("fragments", gateway.reassemblyDrops());
        dropped.put("no_arp_reply", out.pending().dropped());
        dropped.put("dhcp_malformed", dhcp.malformed());
        dropped.put("dhcp_no_free_address", dhcp.exhausted());
        dropped.put("udp_send_error", nat.dropped());
        dropped.put("too_long_for_ipv4", out.tooLongForIpv4());
        dropped.put("dns_from_others", nat.dnsFromOthers());
        dropped.put("ping", icmp.dropped());
        long tftpCompleted = 0;
        long tftpFailed = 0;
        var tftp = services.tftpCounters();
        if (tftp != null) {
            tftpCompleted = tftp.completed();
            tftpFailed = tftp.refused() + tftp.expired() + tftp.aborted();
            dropped.put("tftp_malformed", tftp.malformed());
        }
        if (ndp != null) {
            dropped.put("ndp", ndp.dropped);
            dropped.put("dhcpv6_malformed", services.dhcpv6Server().counters().malformed());
        }
        LeaseFile leaseFile = services.leaseFile();
        return new UsernetCounts(tcp.connectionCount(), tcp.resent(), tcp.resentAtTimeout(), nat.flowCount(), leases,
                services.dnsForwarded(), services.dnsAnswered(), services.dnsDropped(), services.dnsFailovers(),
                tftpCompleted, tftpFailed, leaseFile == null ? -1 : leaseFile.writes(),
                leaseFile == null ? -1 : leaseFile.writeFailures(), dropped);
    }

    /** Leases, neighbours, host forwards, TCP connections and UDP flows as structured values ({@code now}: ns). */
    Map<String, Object> structured(long now) {
        long wallNow = System.currentTimeMillis();
        List<Object> leases = new ArrayList<>();
        for (Lease lease : services.dhcpServer().leases()) {
            if (!lease.expired(wallNow)) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("address", Ipv4Address.format(lease.address()));
                l.put("mac", MacAddress.format(lease.mac()));
                l.put("hostname", lease.clientHostname());
                l.put("expires", lease.expiryText(wallNow));
                l.put("expires-in-seconds", lease.infinite() ? null : Math.max(0, (lease.expiresAtMillis() - wallNow) / 1000));
                leases.add(l);
            }
        }
        List<Object> neighbours = new ArrayList<>();
        neighbors.snapshot().forEach((ip, mac) -> neighbours.add(ordered("address", ip.toString(), "mac", MacAddress.format(mac))));
        List<Object> forwards = new ArrayList<>();
        for (UserConfig.HostForward f : hostForwards) {
            IpAddress guest = hostForwardGuests.guestOf(f);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("protocol", f.udp() ? "udp" : "tcp");
            m.put("host-address", f.hostAddress().toString());
            m.put("host-port", f.hostPort());
            m.put("ipv6-only", f.ipv6Only());
            m.put("guest-address", guest == null ? null : guest.toString());
            m.put("guest-port", f.guestPort());
            m.put("guest-learnt", f.guestLearned());
            forwards.add(m);
        }
        List<Object> connections = new ArrayList<>();
        for (TcpNat.ConnectionInfo c : tcp.connections()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("guest-address", c.guest().toString());
            m.put("guest-port", c.guestPort());
            m.put("remote-address", c.remote().toString());
            m.put("remote-port", c.remotePort());
            m.put("state", c.state());
            m.put("queued-to-guest-bytes", c.queuedToGuestBytes());
            m.put("queued-to-host-bytes", c.queuedToHostBytes());
            m.put("resent-segments", c.resent());
            m.put("resent-at-timeout", c.resentAtTimeout());
            if (c.hostForward() != null) { // a host client's, through a forward: where it connected
                m.put("host-address", IpAddress.of(c.hostForward().getAddress()).toString());
                m.put("host-port", c.hostForward().getPort());
            }
            connections.add(m);
        }
        List<Object> flows = new ArrayList<>();
        for (UdpNat.FlowInfo f : nat.flows(now)) {
            flows.add(ordered("guest-address", f.guest().toString(), "guest-port", f.guestPort(),
                    "remote-address", f.remote().toString(), "remote-port", f.remotePort(), "dns", f.dns(),
                    "idle-seconds", f.idleSeconds(), "expires-in-seconds", f.secondsLeft()));
        }
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("leases", leases);
        state.put("neighbours", neighbours);
        state.put("forwards", forwards);
        state.put("tcp", connections);
        state.put("tcp-resent-segments", tcp.resent());
        state.put("tcp-resent-at-timeout", tcp.resentAtTimeout());
        state.put("icmp-errors-sent", errors.sent());
        state.put("icmp-errors-over-rate-limit", errors.limited());
        state.put("udp", flows);
        state.put("dropped", droppedByCause());
        return state;
    }

    /**
     * {@code /metrics}' drop counts by cause, keyed as this JSON's other members are ({@code too-long-for-ipv4} for
     * the label {@code too_long_for_ipv4}), so that a program reading {@code query-network} sees every drop too.
     */
    private Map<String, Long> droppedByCause() {
        Map<String, Long> dropped = new LinkedHashMap<>();
        counts().dropped().forEach((cause, n) -> dropped.put(cause.replace('_', '-'), n));
        return dropped;
    }

    /** The same and the drop counts, a line each, for people ({@code now}: ns). */
    List<String> lines(long now) {
        List<String> lines = new ArrayList<>();
        long wallNow = System.currentTimeMillis();
        Set<IpAddress> leased = new HashSet<>();
        for (Lease lease : services.dhcpServer().leases()) {
            if (!lease.expired(wallNow)) {
                leased.add(IpAddress.ofIpv4(lease.address()));
                lines.add("lease " + Ipv4Address.format(lease.address()) + " " + MacAddress.format(lease.mac())
                        + (lease.clientHostname() == null ? "" : " " + lease.clientHostname())
                        + ", " + lease.expiryText(wallNow));
            }
        }
        // a guest with a lease is shown by it; one with an address of its own (a configure=on TAP, a static
        // address) and every IPv6 neighbour only here
        neighbors.snapshot().forEach((ip, mac) -> {
            if (!leased.contains(ip)) {
                lines.add("neighbour " + ip + " " + MacAddress.format(mac));
            }
        });
        for (UserConfig.HostForward f : hostForwards) {
            IpAddress guest = hostForwardGuests.guestOf(f);
            lines.add("hostfwd " + (f.udp() ? "udp " : "tcp ") + f.hostAddress().toUriString() + ":" + f.hostPort()
                    + (f.ipv6Only() ? " (IPv6 only)" : "") + " -> "
                    + (guest == null ? "(the guest's IPv6 address: none seen yet)" : guest.toUriString()) + ":"
                    + f.guestPort() + (f.guestLearned() && guest != null ? " (learnt)" : ""));
        }
        if (hostForwardGuests.asks() > 0) {
            lines.add("hostfwd to a learnt IPv6 guest: guests asked " + hostForwardGuests.asks()
                    + " times, clients refused for want of a guest's IPv6 address " + hostForwardGuests.beforeAnyGuest());
        }
        tcp.describe(lines);
        nat.describe(lines, now);
        lines.add("not answered: " + gateway.drops + ", fragments " + gateway.reassemblyDrops());
        PendingFrames pending = out.pending();
        lines.add("held for ARP/NDP: " + pending.waiting() + " waiting, " + pending.released() + " sent after the reply, "
                + pending.dropped() + " dropped (no reply within 1 s, or over the bound); longer than IPv4 carries, dropped: "
                + out.tooLongForIpv4());
        DhcpCounters dhcp = services.dhcpServer().counters();
        lines.add("dhcp not answered: malformed " + dhcp.malformed() + ", not for this server " + dhcp.ignored()
                + ", no free address " + dhcp.exhausted() + "; addresses checked before an offer "
                + services.addressChecks().started() + ", found in use " + services.addressChecks().answered()
                + ", declined by clients " + services.dhcpServer().declined());
        LeaseFile leaseFile = services.leaseFile();
        if (leaseFile != null) {
            lines.add("leasefile " + leaseFile.path() + ": written " + leaseFile.writes() + " times, failed "
                    + leaseFile.writeFailures());
        }
        InetSocketAddress dnsInUse = services.dnsInUse();
        lines.add("dns not forwarded: " + services.dnsDropped() + ", upstream in use: "
                + (dnsInUse == null ? "none" : SocketAddresses.format(dnsInUse)) + ", moved on to the next upstream: "
                + services.dnsFailovers() + ", tcp connections: " + dnsOverTcp.sessions() + " open, "
                + dnsOverTcp.served() + " served, " + dnsOverTcp.closedForRoom() + " closed for room"
                + ", answers from others than the upstream dropped: " + nat.dnsFromOthers()
                + ", udp send errors: " + nat.dropped()
                + ", pings dropped: " + icmp.dropped() + " (" + icmp.carriers() + "), icmp errors told to guests: "
                + errors.sent() + (errors.limited() == 0 ? "" : " (" + errors.limited() + " more over the rate limit)"));
        services.describeTftp(lines);
        if (ndp != null) {
            var d6 = services.dhcpv6Server().counters();
            lines.add("ipv6: router advertisements sent " + ndp.advertisementsSent + ", neighbour discovery dropped "
                    + ndp.dropped + "; dhcpv6 answered: information requests " + d6.informed() + ", addresses advertised "
                    + d6.advertised() + ", bound " + d6.bound() + ", renewed " + d6.renewed() + ", released " + d6.released()
                    + ", declined " + d6.declined() + "; not answered: malformed " + d6.malformed() + ", ignored " + d6.ignored());
        }
        return lines;
    }

    /** A map of {@code key, value, ...} in that order, so that the JSON lists its keys as every other entry does. */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }
}
