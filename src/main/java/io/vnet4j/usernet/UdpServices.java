package io.vnet4j.usernet;

import io.vnet4j.base.LineBudget;
import io.vnet4j.base.Log;
import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.dhcp.DhcpMessageType;
import io.vnet4j.usernet.dhcp.Lease;
import io.vnet4j.usernet.dhcpv6.Dhcpv6Pool;
import io.vnet4j.usernet.dhcpv6.Dhcpv6Server;
import io.vnet4j.usernet.dhcpv6.Dhcpv6Settings;
import io.vnet4j.usernet.dns.DnsMessage;
import io.vnet4j.usernet.dns.LocalResolver;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.MacAddress;
import io.vnet4j.usernet.dhcp.DhcpReply;
import io.vnet4j.usernet.dhcp.DhcpServer;
import io.vnet4j.usernet.dhcp.DhcpSettings;
import io.vnet4j.usernet.tftp.TftpCounters;
import io.vnet4j.usernet.tftp.TftpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * The gateway's own UDP services, tried before NAT: DHCP (port 67), DHCPv6 (port 547, to
 * All_DHCP_Relay_Agents_and_Servers or the gateway; the reply comes from the host's link-local address), TFTP at the host address (port 69,
 * when {@code tftp=} is set), DNS at the DNS address (port 53: the names guests gave in DHCP are answered
 * here, {@code NAME.DOMAIN} or bare {@code NAME}, so VMs find each other; everything else is forwarded to
 * the upstream resolvers, whose replies appear to come from the DNS address); before them all, the replies to
 * host-forwarded UDP clients ({@link UdpHostForwards#fromGuest}).
 */
final class UdpServices {
    static final int DNS_PORT = 53;
    static final int DHCP_SERVER_PORT = 67;
    static final int DHCP_CLIENT_PORT = 68;
    static final int MAX_TFTP_TRANSFERS = 64;
    static final int DHCPV6_CLIENT_PORT = 546;
    static final int DHCPV6_SERVER_PORT = 547;
    private final UserConfig config;
    private final UdpNat nat;
    private final GuestOutput out;
    private final NeighborTable neighbors;
    private final DhcpAddressChecks addressChecks;
    private final GatewayAddresses gateway;
    private final DnsUpstreams dnsUpstreams;
    private final DhcpServer dhcp;
    /** Null without {@code leasefile=}. */
    private final LeaseFile leaseFile;
    /** Null when IPv6 is off. */
    private final Dhcpv6Server dhcpv6;
    private final ByteBuffer dhcpv6Out;
    private final TftpServer tftp;
    private final UdpHostForwards hostForwards;
    private final DhcpReply dhcpReply = new DhcpReply();
    private final ByteBuffer dhcpOut;
    private final io.vnet4j.usernet.tftp.TftpOutput tftpOut;
    private final LocalResolver localNames;
    private final ByteBuffer dnsOut = ByteBuffer.allocate(LocalResolver.MAX_RESPONSE_LENGTH);
    private final String logName;
    /** Each leased MAC's lease for other threads' log lines ({@link #leaseOf}); MACs holding a lease only. */
    private final Map<Long, String> leaseTexts = new ConcurrentHashMap<>();
    /**
     * A guest that repeats its DHCPREQUEST as fast as it can is one line a second after the first 20, not 4,000;
     * it cannot spend the budget of the new leases (another guest's first line), which is larger.
     */
    private final LineBudget repeatedLeaseLines = new LineBudget(20, Duration.ofSeconds(1));
    private final LineBudget newLeaseLines = new LineBudget(100, Duration.ofMillis(100));
    /** A pool that ran out is said, at most once a minute after a few: a new VM's DHCP client asks every few seconds. */
    private final LineBudget exhaustedLines = new LineBudget(3, Duration.ofMinutes(1));
    private final LineBudget declineLines = new LineBudget(3, Duration.ofMinutes(1));
    /** A DHCPv6 address given (a Request, a Rapid Commit Solicit): a client repeating its Request cannot flood the log. */
    private final LineBudget dhcpv6Lines = new LineBudget(20, Duration.ofSeconds(1));
    /** Names the port a MAC sends from, for the lease line; set by the user network once on its hub. */
    LongFunction<String> portOf = mac -> null;
    private long dnsDropped;
    private long dnsForwarded;
    private long dnsAnswered;

    /**
     * @param tapAddresses the IPv4 addresses of the {@code configure=on} TAPs on the hub, which DHCP leases to no
     *                     one; a set any thread may change ({@link UsernetNetdev#holdTapAddress})
     */
    UdpServices(String logName, UserConfig config, GatewayAddresses gateway, UdpNat nat, GuestOutput out,
                NeighborTable neighbors, Set<Integer> tapAddresses,
                DnsUpstreams dnsUpstreams, UdpHostForwards hostForwards) {
        this.logName = logName;
        this.config = config;
        this.nat = nat;
        this.out = out;
        this.neighbors = neighbors;
        this.gateway = gateway;
        this.dnsUpstreams = dnsUpstreams;
        this.hostForwards = hostForwards;
        this.addressChecks = new DhcpAddressChecks(neighbors, tapAddresses, out,
                // only DISCOVERs are held, and their OFFERs are broadcast to port 68: no source to keep
                (mac, held, at, n) -> dhcp(mac, 0, DHCP_CLIENT_PORT, held, at, n));
        this.dhcp = new DhcpServer(new DhcpSettings(config.network(), config.prefixLength(), config.host(),
                config.reach().builtinDns() ? config.dns() : DhcpSettings.NO_DNS_SERVER,
                config.dhcpStart(), DhcpSettings.QEMU_LEASE_SECONDS, config.domainName(), config.dnsSearch(),
                config.hostname(), config.tftpServerName(), config.bootFile(),
                config.mtu() == UserConfig.DEFAULT_MTU ? 0 : config.mtu(), config.dhcpStatic(),
                config.gatewayIpv4Addresses()), addressChecks);
        this.leaseFile = config.leaseFile() == null ? null : new LeaseFile(logName, config.leaseFile());
        // a client offering a larger maximum message size (option 57) gets up to one full frame
        this.dhcpOut = ByteBuffer.allocate(Math.min(config.mtu(), UserConfig.DEFAULT_MTU) - DhcpServer.IP_UDP_HEADERS);
        int over = dhcp.bytesOverSmallestReply();
        if (over > 0) {
            Log.warn(logName + ": the DHCP options (dnssearch=, domainname=, hostname=, bootfile=, ...) are " + over
                    + " bytes too long for a 548-byte reply: clients that offer no larger maximum message size "
                    + "(DHCP option 57) get their replies without the options that do not fit (the search list first)");
        }
        this.dhcpv6 = config.ipv6().isEmpty() ? null : new Dhcpv6Server(dhcpv6Settings(logName, config, gateway));
        this.dhcpv6Out = dhcpv6 == null ? null : ByteBuffer.allocate(dhcpv6.maxReplyLength());
        this.localNames = new LocalResolver(config.domainName() == null ? "" : config.domainName(),
                new GuestDirectory(config, dhcp, neighbors));
        this.tftp = config.tftpRoot() == null ? null : new TftpServer(config.tftpRoot(), MAX_TFTP_TRANSFERS);
        this.tftpOut = (serverIp, clientIp, clientPort, payload, offset, length) ->
                out.sendUdp(serverIp, TftpServer.PORT, clientIp, clientPort, NeighborTable.UNKNOWN, payload, offset, length);
    }

    /**
     * The IPv4 addresses in use on the hub as far as this network knows: its running leases and those its
     * guests were seen at, each in an int in network order; for a {@code configure=on} TAP added at run time,
     * which takes none of them.
     */
    Set<Integer> ipv4AddressesInUse() {
        Set<Integer> inUse = new java.util.HashSet<>();
        long now = System.currentTimeMillis();
        for (Lease lease : dhcp.leases()) {
            if (!lease.expired(now)) {
                inUse.add(lease.address());
            }
        }
        neighbors.snapshot().keySet().forEach(ip -> {
            if (ip.isIpv4()) {
                inUse.add(ip.ipv4());
            }
        });
        return inUse;
    }

    /** What the DHCPv6 server hands out; a boot file name no URL can carry is left out, with a warning. */
    private static Dhcpv6Settings dhcpv6Settings(String logName, UserConfig config, GatewayAddresses gateway) {
        List<String> search = SearchList.fitting(SearchList.of(config), Dhcpv6Settings.MAX_SEARCH_LIST);
        long mac = GuestOutput.gatewayMac(gateway.hostLinkLocal());
        IpAddress dns = config.reach().builtinDns() ? gateway.dns6() : null;
        UserConfig.Ipv6 v6 = config.ipv6().orElseThrow();
        // stateful DHCPv6 (IA_NA): each guest's MAC in the prefix, for as long as a DHCPv4 lease (Dhcpv6Pool)
        Dhcpv6Pool pool = new Dhcpv6Pool(v6.prefix(), v6.prefixLength(), DhcpSettings.QEMU_LEASE_SECONDS, v6.host(), v6.dns());
        if (config.bootFile() != null) {
            try {
                return new Dhcpv6Settings(dns, search,
                        Dhcpv6Settings.tftpBootFileUrl(gateway.host6(), config.bootFile()), mac, pool);
            } catch (IllegalArgumentException e) {
                Log.warn(logName + ": bootfile= cannot go in a DHCPv6 boot file URL (" + Log.printable(e.getMessage())
                        + "): IPv6 guests are not told it");
            }
        }
        return new Dhcpv6Settings(dns, search, null, mac, pool);
    }

    /**
     * Handles a datagram when it is for one of the services; false lets NAT take it. {@code dontFragment}: the
     * guest's IPv4 DF bit, kept on a reply to a forwarded host client.
     */
    boolean handle(IpAddress source, int sourcePort, IpAddress destination, int destinationPort, boolean dontFragment,
                   ByteBuffer buffer, int offset, int length, long sourceMac, long now) {
        if (hostForwards.fromGuest(source, sourcePort, destination, destinationPort, dontFragment, buffer, offset, length,
                now)) {
            return true; // a reply to a forwarded host client, which may be at any address and port
        }
        boolean toHost = gateway.isHost(destination);
        if (destinationPort == DHCP_SERVER_PORT && source.isIpv4() && (toHost || destination.ipv4() == -1)) {
            dhcp(sourceMac, source.ipv4(), sourcePort, buffer, offset, length);
            return true;
        }
        if (destinationPort == DHCPV6_SERVER_PORT && dhcpv6 != null && source.isLinkLocal()
                && (toHost || destination.equals(Gateway.ALL_DHCP_SERVERS))) {
            long declinedBefore = dhcpv6.declined();
            long boundBefore = dhcpv6.bound();
            int n = dhcpv6.handle(buffer, offset, length, sourceMac, toHost, System.currentTimeMillis(), dhcpv6Out, 0);
            if (dhcpv6.declined() != declinedBefore) {
                sayDeclined(dhcpv6.lastDeclined().toString(), sourceMac, "not given to it by DHCPv6 for "
                        + Dhcpv6Server.DECLINE_HOLD_MILLIS / 60_000 + " min");
            }
            if (dhcpv6.bound() != boundBefore) {
                String port = portOf.apply(sourceMac);
                dhcpv6Lines.info(logName + ": dhcpv6 address " + dhcpv6.lastBound() + " to " + MacAddress.format(sourceMac)
                        + (port == null ? "" : " on port " + port));
            }
            if (n != Dhcpv6Server.NO_REPLY) {
                out.sendUdp(gateway.hostLinkLocal(), DHCPV6_SERVER_PORT, source, sourcePort, NeighborTable.UNKNOWN,
                        dhcpv6Out, 0, n);
            }
            return true;
        }
        if (toHost && destinationPort == TftpServer.PORT && tftp != null) {
            tftp.receive(destination, source, sourcePort, buffer, offset, length, now, tftpOut);
            return true;
        }
        if (gateway.isDns(destination)) {
            if (destinationPort == DNS_PORT) {
                int n = localNames.answer(buffer, offset, length, dnsOut, 0);
                if (n > 0) {
                    dnsAnswered++;
                    out.sendUdp(destination, DNS_PORT, source, sourcePort, NeighborTable.UNKNOWN, dnsOut, 0, n);
                    return true;
                }
            }
            InetSocketAddress upstream = destinationPort == DNS_PORT ? dnsUpstreams.target() : null;
            if (destinationPort != DNS_PORT || config.reach().restricted() || upstream == null) {
                dnsDropped++;
                int n = destinationPort != DNS_PORT ? LocalResolver.FORWARD : refuseHere(buffer, offset, length);
                if (n > 0) { // the guest's resolver hears at once that no answer is coming
                    out.sendUdp(destination, DNS_PORT, source, sourcePort, NeighborTable.UNKNOWN, dnsOut, 0, n);
                }
            } else {
                dnsForwarded++;
                if (length >= DnsMessage.HEADER_LENGTH) {
                    // first: a send that fails at once moves on, and the next upstream owes nothing. A datagram
                    // shorter than a DNS header is passed on, but no resolver answers it (dnsmasq drops it): one such
                    // datagram from a guest had moved every guest's queries off the first upstream for 30 s
                    dnsUpstreams.sent();
                }
                nat.sendPinned(source, sourcePort, destination, DNS_PORT, upstream, buffer, offset, length, now);
            }
            return true;
        }
        return false;
    }

    /**
     * A guest's datagram that NAT would send to {@code target}: from a {@code hostfwd=udp} rule's guest port, it
     * leaves through the rule's socket instead ({@link UdpHostForwards#fromForwardedPort}); false leaves it to NAT.
     */
    boolean fromForwardedPort(IpAddress source, int sourcePort, IpAddress destination, int destinationPort,
                              InetSocketAddress target, boolean dontFragment, ByteBuffer buffer, int offset, int length,
                              long now) {
        return hostForwards.fromForwardedPort(source, sourcePort, destination, destinationPort, target, dontFragment,
                buffer, offset, length, now);
    }

    /** A client's DECLINE (DHCPv4 or DHCPv6) of {@code address}, said: what the gateway does with it is {@code held}. */
    private void sayDeclined(String address, long mac, String held) {
        declineLines.warn(logName + ": " + address + " declined by " + MacAddress.format(mac)
                + ", which found it in use by another station: " + held);
    }

    /** A DHCP message from a guest, then the bindings saved when it changed them ({@code leasefile=}). */
    private void dhcp(long sourceMac, int sourceAddress, int sourcePort, ByteBuffer buffer, int offset, int length) {
        answerDhcp(sourceMac, sourceAddress, sourcePort, buffer, offset, length);
        if (leaseFile != null) {
            leaseFile.saveIfChanged(dhcp, System.nanoTime());
        }
    }

    /**
     * Answers a DHCP message that came from {@code sourceAddress}:{@code sourcePort}. A reply unicast to a client's
     * ciaddr goes to the port the message came from when it came from that address, else to port 68, as dnsmasq's
     * dhcp.c addresses it ("if the client's idea of its own address tallys with the source address ... we believe
     * the source port too"): an INFORM from another port (dhcping, a test client beside the system's own on 68)
     * had its ACK sent to port 68, where nothing of its own listened.
     */
    private void answerDhcp(long sourceMac, int sourceAddress, int sourcePort, ByteBuffer buffer, int offset, int length) {
        long exhaustedBefore = dhcp.exhausted();
        long declinedBefore = dhcp.declined();
        addressChecks.beforeMessage();
        int n = dhcp.handle(buffer, offset, length, System.currentTimeMillis(), dhcpOut, dhcpReply);
        if (n == DhcpServer.NO_REPLY) {
            addressChecks.hold(sourceMac, buffer, offset, length); // when the message waits for a check
            if (dhcp.exhausted() != exhaustedBefore) {
                // only a counter before: a VM that got no address said nothing in the log (helper-111)
                exhaustedLines.warn(logName + ": no free DHCP address for " + MacAddress.format(sourceMac)
                        + ": every address of the pool is leased, or " + DhcpServer.MAX_BINDINGS + " leases are held (a VM's lease ends 2 s"
                        + " after it leaves the hub)");
            }
            if (dhcp.declined() != declinedBefore) {
                // RFC 2131 section 4.3.3: the server SHOULD tell its administrator; before, nothing said why a VM skipped it
                sayDeclined(Ipv4Address.format(dhcp.lastDeclined()), sourceMac, "out of the pool for "
                        + DhcpServer.DECLINE_HOLD_MILLIS / 60_000 + " min");
            }
            return;
        }
        if (dhcpReply.clientAddress() != 0) {
            neighbors.learn(IpAddress.ofIpv4(dhcpReply.clientAddress()), dhcpReply.clientMac());
        }
        if (dhcpReply.messageType() == DhcpMessageType.ACK) {
            logLease(sourceMac, dhcpReply.clientStarting(), dhcpReply.nameTakenFrom()); // the client's: a reply to a client without an address goes to ff:ff:ff:ff:ff:ff
        }
        int destination = dhcpReply.destinationAddress();
        int port = destination == sourceAddress && sourcePort != 0 ? sourcePort : DHCP_CLIENT_PORT;
        out.sendUdp(gateway.host4(), DHCP_SERVER_PORT, IpAddress.ofIpv4(destination), port, dhcpReply.destinationMac(),
                dhcpOut, 0, n);
    }

    /**
     * One line per lease a DHCP client takes as it starts (a VM booting or restarting, also with the lease it
     * had, or its client restarted) or renews under a new hostname, so the operator sees each VM arrive; a
     * plain renewal says nothing. A lease that took its host name from another MAC's (two guests of one name:
     * the newer answers for it in DNS) says whose it was.
     */
    private void logLease(long mac, boolean clientStarting, long nameTakenFrom) {
        List<Lease> leases = dhcp.leases();
        // a MAC whose address went to another keeps no text: the map stays as bounded as the lease table
        if (leaseTexts.size() >= leases.size()) {
            java.util.Set<Long> holders = new java.util.HashSet<>();
            leases.forEach(l -> holders.add(l.mac()));
            leaseTexts.keySet().retainAll(holders);
        }
        for (Lease lease : leases) {
            if (lease.mac() == mac) {
                String named = Ipv4Address.format(lease.address())
                        + (lease.clientHostname() == null ? "" : " (" + lease.clientHostname() + ")");
                String text = "lease " + named;
                boolean news = !text.equals(leaseTexts.put(mac, text)) || nameTakenFrom != -1;
                if (news || clientStarting) {
                    String port = portOf.apply(mac);
                    (news ? newLeaseLines : repeatedLeaseLines).info(logName + ": " + text + " to "
                            + MacAddress.format(mac) + (port == null ? "" : " on port " + port)
                            + (nameTakenFrom == -1 ? "" : "; the name was " + MacAddress.format(nameTakenFrom) + "'s until now"));
                }
                return;
            }
        }
    }

    /** The DHCP server's checks of addresses before an offer: held DISCOVERs and the counters. */
    DhcpAddressChecks addressChecks() {
        return addressChecks;
    }

    /** TFTP transfers begun, UDP host-forward clients paired and addresses checked, ever (see {@code Gateway#timedStarts}). */
    long timedStarts() {
        return hostForwards.clientsPaired() + (tftp == null ? 0 : tftp.transfersStarted()) + addressChecks.started()
                + (leaseFile == null ? 0 : leaseFile.deferred());
    }

    /**
     * TFTP's retransmissions and expiry, the forgetting of silent UDP host-forward clients, DISCOVERs whose
     * address's check ended, and a lease file's write held back ({@link LeaseFile#poll}).
     *
     * @return nanoseconds until the next of them is due, {@link Long#MAX_VALUE} when none is
     */
    long poll(long now) {
        long next = hostForwards.poll(now);
        addressChecks.offerChecked();
        next = Math.min(next, addressChecks.nanosUntilDue());
        if (leaseFile != null) {
            next = Math.min(next, leaseFile.poll(dhcp, now));
        }
        if (tftp != null) {
            tftp.poll(now, tftpOut);
            long at = tftp.pollAt();
            if (at != Long.MAX_VALUE) {
                next = Math.min(next, Math.max(0, at - now));
            }
        }
        return next;
    }

    /** The TFTP server's counters, one line, when it runs. */
    void describeTftp(List<String> lines) {
        if (tftp != null) {
            var c = tftp.counters();
            lines.add("tftp: completed " + c.completed() + ", refused " + c.refused() + ", malformed " + c.malformed()
                    + ", strays " + c.strays() + ", duplicate acks " + c.duplicateAcks() + ", retransmissions "
                    + c.retransmissions() + ", expired " + c.expired() + ", aborted " + c.aborted());
        }
    }

    /** The DHCPv6 server, or null when IPv6 is off. */
    Dhcpv6Server dhcpv6Server() {
        return dhcpv6;
    }

    /** The file the DHCP bindings are kept in ({@code leasefile=}), or null. */
    LeaseFile leaseFile() {
        return leaseFile;
    }

    DhcpServer dhcpServer() {
        return dhcp;
    }

    /** Ends the MAC's DHCP lease (the guest left the hub: {@link DhcpServer#depart}); returns its address, or 0 when none was running. */
    int endLease(long mac) {
        leaseTexts.remove(mac);
        int address = dhcp.depart(mac, System.currentTimeMillis());
        if (leaseFile != null) {
            leaseFile.saveIfChanged(dhcp, System.nanoTime());
        }
        return address;
    }

    /** {@code lease 10.0.2.15 (alpha)} for a MAC given a lease here, else null; any thread. */
    String leaseOf(long mac) {
        return leaseTexts.get(mac);
    }

    /**
     * A DNS-over-TCP query's verdict ({@link DnsOverTcpBridge}), as a datagram's to port 53 above: a guest's own
     * name is answered here; with restrict=on, or no upstream, the guest hears REFUSED or SERVFAIL (both counted);
     * else it goes to {@code connected}, or to the upstream in use when the session has none yet, and is counted
     * when it went ({@link #forwardedOverTcp}). A message that is no query, with nowhere to go, gets
     * {@link DnsOverTcpBridge.Verdict#NONE}.
     */
    DnsOverTcpBridge.Verdict decideOverTcp(byte[] query, InetSocketAddress connected) {
        ByteBuffer in = ByteBuffer.wrap(query);
        int n = localNames.answer(in, 0, query.length, dnsOut, 0);
        if (n > 0) {
            dnsAnswered++;
            return DnsOverTcpBridge.Verdict.answer(copyOf(dnsOut, n));
        }
        InetSocketAddress upstream = connected != null ? connected : dnsUpstreams.target();
        if (config.reach().restricted() || upstream == null) {
            dnsDropped++;
            n = refuseHere(in, 0, query.length);
            return n > 0 ? DnsOverTcpBridge.Verdict.answer(copyOf(dnsOut, n)) : DnsOverTcpBridge.Verdict.NONE;
        }
        return DnsOverTcpBridge.Verdict.forward(upstream);
    }

    /**
     * A DNS-over-TCP query went to {@code upstream}: counted as forwarded, and the failover's clock starts when it
     * is long enough to be a query (as over UDP: no resolver answers less), at {@code now} (the loop's
     * System.nanoTime).
     */
    void forwardedOverTcp(InetSocketAddress upstream, byte[] query, long now) {
        dnsForwarded++;
        if (query.length >= DnsMessage.HEADER_LENGTH) {
            dnsUpstreams.askedOverTcp(upstream, now);
        }
    }

    /**
     * The refusal of a query that goes nowhere, over either transport, into {@link #dnsOut}: REFUSED with
     * restrict=on, else SERVFAIL (no upstream); its length, or {@link LocalResolver#FORWARD} when it is no query
     * to answer.
     */
    private int refuseHere(ByteBuffer in, int offset, int length) {
        return localNames.refuse(in, offset, length, dnsOut, 0,
                config.reach().restricted() ? DnsMessage.RCODE_REFUSED : DnsMessage.RCODE_SERVFAIL);
    }

    /**
     * SERVFAIL for a DNS-over-TCP query that no upstream took, counted as not forwarded; null when it is no query to
     * answer.
     */
    byte[] serverFailure(byte[] query) {
        dnsDropped++;
        int n = localNames.refuse(ByteBuffer.wrap(query), 0, query.length, dnsOut, 0, DnsMessage.RCODE_SERVFAIL);
        return n > 0 ? copyOf(dnsOut, n) : null;
    }

    private static byte[] copyOf(ByteBuffer buffer, int length) {
        byte[] bytes = new byte[length];
        buffer.get(0, bytes);
        return bytes;
    }

    /** Queries to the DNS address that went nowhere: UDP's here and TCP's, and TCP connections refused by the gateway. */
    long dnsDropped() {
        return dnsDropped;
    }

    /** A guest's connection to the DNS address was refused: not port 53 (counted as UDP's queries are). */
    void notForwarded() {
        dnsDropped++;
    }

    long dnsForwarded() {
        return dnsForwarded;
    }

    long dnsAnswered() {
        return dnsAnswered;
    }

    /** The TFTP server's counters, or null when it does not run. */
    TftpCounters tftpCounters() {
        return tftp == null ? null : tftp.counters();
    }

    /** The DNS upstreams now, in order ({@link DnsUpstreams#current}). */
    List<InetSocketAddress> dnsUpstreams() {
        return dnsUpstreams.current();
    }

    /** The DNS upstream in use ({@link DnsUpstreams#inUse}); null when there is none. */
    InetSocketAddress dnsInUse() {
        return dnsUpstreams.inUse();
    }

    /** How many times DNS queries moved on to the next upstream, the one in use having refused or not answered. */
    long dnsFailovers() {
        return dnsUpstreams.failovers();
    }

    /**
     * Takes the lease file ({@code leasefile=}) and the bindings it keeps, before the first message.
     *
     * @throws IOException when another process keeps its leases in it ({@link LeaseFileLock})
     */
    void openLeaseFile() throws IOException {
        if (leaseFile != null) {
            leaseFile.open(dhcp, System.currentTimeMillis());
        }
    }

    void close() {
        if (leaseFile != null) {
            leaseFile.close(dhcp);
        }
        if (tftp != null) {
            tftp.close();
        }
    }
}
