package io.vnet4j.usernet;

import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.usernet.flow.OutboundAddresses;
import io.vnet4j.usernet.tcp.TcpNat;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * A user network's gateway and the parts its loop drives, built from the network's configuration and wired
 * to each other: the UDP and TCP NATs (leaving from {@code outbound-addr=}), the host forwards (not yet
 * listening: {@link UdpHostForwards#listen} and {@link TcpHostForwards#listen} each rule), the gateway's own
 * services, guest forwards, the DNS-over-TCP bridge, NDP (null when the network has no IPv6) and the {@link Gateway} that dispatches
 * guests' frames to them. {@link UsernetNetdev} builds one at start; tests and benchmarks build the same.
 */
record GatewayParts(GatewayAddresses addresses, IcmpErrors errors, UdpNat udp, TcpNat tcp, HostForwardGuests guests,
                    UdpHostForwards udpForwards, TcpHostForwards tcpForwards, UdpServices services,
                    GuestForwards guestForwards, DnsOverTcpBridge dnsOverTcp, NeighborDiscovery ndp, Gateway gateway) {
    /**
     * @param name the network's id, for log lines
     * @param out where frames to guests go
     * @param tapAddresses the IPv4 addresses of the {@code configure=on} TAPs on the hub, which DHCP leases to no
     *                     one; a set any thread may change
     * @param resolvConf where the DNS upstreams are read when the configuration names none
     * @param random the TCP initial sequence numbers' key and NDP's timing (the kernel's, os.KernelRandom, in a daemon)
     * @param now the clock (ns) at the start, for NDP's first router advertisement
     * @throws IOException when a {@code guestfwd=} rule's listener cannot be set up ({@link GuestForwards})
     */
    static GatewayParts build(String name, UserConfig config, GuestOutput out, NeighborTable neighbors,
                              Set<Integer> tapAddresses, LoopSelector selector, Path resolvConf, RandomGenerator random, long now)
            throws IOException {
        GatewayAddresses addresses = GatewayAddresses.of(config);
        out.askAs(addresses);
        IcmpErrors errors = new IcmpErrors(out);
        OutboundAddresses outbound = addresses.outbound();
        UdpNat udp = new UdpNat(name, selector, out, errors, addresses);
        udp.outboundAddresses(outbound);
        TcpNat tcp = new TcpNat(name, selector, out::sendTcp, config.mtu(), UsernetNetdev.TCP_WINDOW_BUDGET, random);
        tcp.outboundAddresses(outbound);
        tcp.onUnreachable((remote, remotePort, guest, guestPort, sequence, cause) -> errors.tcp(addresses.host(guest),
                guest, guestPort, remote, remotePort, sequence, IcmpErrors.ofException(cause, guest.isIpv4())));
        HostForwardGuests guests = new HostForwardGuests(name, config, addresses, neighbors, out);
        VirtualPorts ports = new VirtualPorts();
        UdpHostForwards udpForwards = new UdpHostForwards(name, out, errors, addresses, guests, ports, selector);
        TcpHostForwards tcpForwards = new TcpHostForwards(name, tcp, addresses, guests, ports, selector);
        DnsUpstreams dnsUpstreams = new DnsUpstreams(name, config, resolvConf, DnsUpstreams.SYSTEM_CLOCK);
        udp.onPinnedOutcome(dnsUpstreams::answered, dnsUpstreams::failed, dnsUpstreams::askAgain);
        UdpServices services = new UdpServices(name, config, addresses, udp, out, neighbors, tapAddresses,
                dnsUpstreams, udpForwards);
        // DNS over TCP is answered as UDP's; an upstream that leaves it unanswered or refuses it may be down
        DnsOverTcpBridge dnsOverTcp = new DnsOverTcpBridge(name, selector, new DnsOverTcpAnswers(services, dnsUpstreams),
                outbound);
        GuestForwards guestForwards = new GuestForwards(name, config.guestForwards());
        NeighborDiscovery ndp = config.ipv6().isEmpty() ? null
                : new NeighborDiscovery(config, addresses, out, neighbors, random, now);
        Gateway gateway = new Gateway(config, addresses, out, neighbors, udp, services, tcp, guestForwards, dnsOverTcp,
                ndp, errors);
        return new GatewayParts(addresses, errors, udp, tcp, guests, udpForwards, tcpForwards, services, guestForwards,
                dnsOverTcp, ndp, gateway);
    }
}
