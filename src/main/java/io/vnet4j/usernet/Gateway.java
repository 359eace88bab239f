package io.vnet4j.usernet;

import io.vnet4j.config.UserConfig;
import io.vnet4j.os.Errno;
import io.vnet4j.usernet.tcp.TcpNat;
import io.vnet4j.wire.ArpPacket;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IcmpPacket;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.Icmpv6Packet;
import io.vnet4j.wire.Icmpv6Type;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.Ipv6Packet;
import io.vnet4j.wire.MacAddress;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSackBlocks;
import io.vnet4j.wire.TcpSegment;
import io.vnet4j.wire.TcpSynOptions;
import io.vnet4j.wire.UdpPacket;
import io.vnet4j.wire.WireError;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The gateway's protocol dispatch, on the usernet loop's thread: a frame from the hub goes through
 * Ethernet, ARP, IPv4 or IPv6 (extension headers walked, fragments reassembled) to ICMP, ICMPv6 (echo here,
 * neighbour discovery in {@link NeighborDiscovery}), UDP and TCP, which are the same code for both
 * families. Frames that are not for the gateway (between guests on the same hub, multicast groups it did
 * not join) are ignored. Every malformed frame is dropped and counted; nothing here throws on guest input.
 */
final class Gateway {
    private final UserConfig config;
    private final GuestOutput out;
    private final GatewayAddresses addresses;
    private final NeighborTable neighbors;
    private final AddressCache addressCache = new AddressCache();
    private final UdpNat udp;
    private final UdpServices services;
    private final TcpNat tcp;
    private final GuestForwards guestForwards;
    private final DnsOverTcpBridge dnsOverTcp;
    private IcmpProxy icmpProxy;
    private final NeighborDiscovery ndp;
    private final TcpSegment tcpSegment = new TcpSegment();
    private final TcpSackBlocks guestSack = new TcpSackBlocks();
    private final Reassembler reassembler;
    private final IpInputErrors inputErrors;
    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arpPacket = new ArpPacket();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final Ipv6Packet ip6 = new Ipv6Packet();
    private final Icmpv6Packet icmp6 = new Icmpv6Packet();
    /**
     * The hop limit (IPv4's TTL) of the packet being handled: neighbour discovery requires 255, and a packet
     * the gateway passes on leaves with one less ({@link #endsHere}).
     */
    private int hopLimit;
    /**
     * The packet being handled has DF set (IPv4; never a reassembled one): a datagram or ping the gateway
     * passes on leaves with it, as a router passes it on (RFC 1812 section 5.2.6).
     */
    private boolean dontFragment;
    private final IcmpPacket icmp = new IcmpPacket();
    private final UdpPacket udpPacket = new UdpPacket();
    /** The frame being handled is a large TCP segment (its TCP checksum is partial, not checked). */
    private boolean largeSegment;
    final DropCounters drops = new DropCounters();
    private final IcmpErrors errors;
    /** {@link #datagramTarget}'s last answer ({@code lastTarget}, maybe null) and the destination it was for. */
    private IpAddress lastTargetOf;
    private int lastTargetPort;
    private InetSocketAddress lastTarget;

    /** @param ndp the IPv6 router and neighbour side; null when IPv6 is off */
    Gateway(UserConfig config, GatewayAddresses addresses, GuestOutput out, NeighborTable neighbors, UdpNat udp,
            UdpServices services, TcpNat tcp, GuestForwards guestForwards, DnsOverTcpBridge dnsOverTcp,
            NeighborDiscovery ndp, IcmpErrors errors) {
        this.ndp = ndp;
        this.errors = errors;
        this.inputErrors = new IpInputErrors(config, addresses, errors);
        this.reassembler = new Reassembler(inputErrors::reassemblyTimedOut);
        this.config = config;
        this.addresses = addresses;
        this.guestForwards = guestForwards;
        this.dnsOverTcp = dnsOverTcp;
        this.tcp = tcp;
        this.out = out;
        this.neighbors = neighbors;
        this.udp = udp;
        this.services = services;
    }

    /**
     * One frame from the hub; {@code largeSegment}: a large TCP segment from a local offloading TAP, whose
     * checksum is only the pseudo-header sum and is not checked (see Port#deliver with a segment size).
     */
    void frame(ByteBuffer buffer, int offset, int length, boolean largeSegment, long now) {
        this.largeSegment = largeSegment;
        if (eth.wrap(buffer, offset, length).check() != WireError.NONE) {
            drops.malformed++;
            return;
        }
        long destination = eth.destination();
        int type = eth.etherType();
        boolean ipv6Multicast = (destination >>> 32) == 0x3333 && ndp != null && type == EtherType.IPV6; // which group: the IP layer sees
        if (destination != MacAddress.BROADCAST && !isGatewayMac(destination) && !ipv6Multicast) {
            if (MacAddress.isMulticast(destination)) {
                drops.multicast++; // mDNS, groups of a family that is off, ...: not addressed to the gateway
            } else {
                drops.betweenGuests++;
            }
            return;
        }
        if (type == EtherType.IPV6 && ndp != null) {
            ipv6(eth.source(), eth.payloadOffset(), eth.payloadLength(), now);
        } else if (type == EtherType.IPV4 && config.ipv4()) {
            ipv4(eth.source(), eth.payloadOffset(), eth.payloadLength(), now);
        } else if (type == EtherType.ARP && config.ipv4()) {
            arp(eth.payloadOffset(), eth.payloadLength());
        } else {
            drops.unsupported++;
        }
    }

    private boolean isGatewayMac(long mac) {
        return (mac >>> 32) == 0x5255 && config.gatewayHolds((int) mac) || addresses.isIpv6GatewayMac(mac);
    }


    private void arp(int offset, int length) {
        if (arpPacket.wrap(eth.buffer(), offset, length).check() != WireError.NONE) {
            drops.malformed++;
            return;
        }
        if (config.gatewayHolds(arpPacket.senderIp())) { // never learnt, as Linux learns none of its own addresses
            drops.fromGatewayAddress(addressCache.ipv4(arpPacket.senderIp()), arpPacket.senderMac());
            return;
        }
        if (config.inNetwork(arpPacket.senderIp())) {
            neighbors.learn(addressCache.ipv4(arpPacket.senderIp()), arpPacket.senderMac());
        }
        if (arpPacket.operation() == ArpPacket.REQUEST && config.gatewayHolds(arpPacket.targetIp())) {
            out.sendArp(ArpPacket.REPLY, arpPacket.targetIp(), arpPacket.senderMac(), arpPacket.senderIp(),
                    arpPacket.senderMac());
        } else if (arpPacket.operation() != ArpPacket.REPLY) {
            drops.arpForOthers++; // a reply was learnt from above; a request for another host is not ours to answer
        }
    }

    private void ipv4(long sourceMac, int offset, int length, long now) {
        if (ip.wrap(eth.buffer(), offset, length).check() != WireError.NONE) {
            drops.malformed++;
            return;
        }
        IpAddress source = addressCache.ipv4(ip.source());
        IpAddress destination = addressCache.ipv4(ip.destination());
        if (config.gatewayHolds(ip.source())) {
            drops.fromGatewayAddress(source, sourceMac); // as Linux drops a martian source
            return;
        }
        if (config.inNetwork(ip.source())) {
            neighbors.learn(source, sourceMac);
        }
        if (ip.headerLength() > Ipv4Packet.MIN_HEADER_LENGTH && inputErrors.refusedOptions(ip, source, destination)) {
            drops.malformed++;
            return;
        }
        hopLimit = ip.ttl();
        dontFragment = ip.dontFragment();
        if (ip.moreFragments() || ip.fragmentOffset() != 0) {
            dontFragment = false; // its sender fragmented it: onward it may be fragmented again
            largeSegment = false; // a reassembled datagram is checked in full
            boolean quoted = ip.fragmentOffset() == 0 && inputErrors.answerable(source, destination, ip.protocol(),
                    ip.buffer(), ip.payloadOffset(), ip.payloadLength());
            Reassembler.Datagram whole = reassembler.offer(source, destination, ip.protocol(),
                    ip.identification(), ip.fragmentOffset() * 8, ip.moreFragments(), ip.buffer(),
                    ip.payloadOffset(), ip.payloadLength(), quoted ? ip.offset() : Reassembler.NO_QUOTE, now);
            if (whole != null) {
                transport(whole.protocol(), whole.source(), whole.destination(), whole.buffer(), 0, whole.length(), now);
            }
            return;
        }
        transport(ip.protocol(), source, destination, ip.buffer(), ip.payloadOffset(), ip.payloadLength(), now);
    }

    private void ipv6(long sourceMac, int offset, int length, long now) {
        WireError error = ip6.wrap(eth.buffer(), offset, length).check();
        if (error != WireError.NONE) {
            if (error == WireError.UNSUPPORTED) {
                drops.unsupported++; // jumbograms, IPv4-mapped addresses
            } else {
                drops.malformed++;
            }
            return;
        }
        IpAddress source = addressCache.ipv6(ip6.buffer(), ip6.sourceOffset());
        IpAddress destination = addressCache.ipv6(ip6.buffer(), ip6.destinationOffset());
        if (source.isMulticastOrBroadcast()) {
            drops.malformed++;
            return;
        }
        if (addresses.isHostOrDns(source)) {
            drops.fromGatewayAddress(source, sourceMac);
            return;
        }
        if (destination.isMulticastOrBroadcast() && !isGroupOfGateway(destination)) {
            drops.multicast++; // MLD reports, mDNS, ...: nothing for the gateway
            return;
        }
        if (config.inIpv6Network(source) || source.isLinkLocal()) {
            neighbors.learn(source, sourceMac);
        }
        if (ip6.extensionHeaderCount() != 0 && inputErrors.refusedHeaders(ip6, source, destination)) {
            drops.unsupported++;
            return;
        }
        hopLimit = ip6.hopLimit();
        dontFragment = false; // IPv6 has no DF: routers never fragment
        if (ip6.fragmented()) {
            largeSegment = false;
            if (inputErrors.refusedFragment(ip6, source, destination)) {
                drops.malformed++;
                return;
            }
            int upper = ip6.firstFragmentUpperOffset();
            boolean quoted = upper != Ipv6Packet.NONE && inputErrors.answerable(source, destination,
                    ip6.firstFragmentUpperProtocol(), ip6.buffer(), upper, ip6.upperOffset() + ip6.upperLength() - upper);
            Reassembler.Datagram whole = reassembler.offer(source, destination, ip6.upperProtocol(),
                    ip6.fragmentIdentification(), ip6.fragmentOffset(), ip6.moreFragments(), ip6.buffer(),
                    ip6.upperOffset(), ip6.upperLength(), quoted ? ip6.offset() : Reassembler.NO_QUOTE, now);
            if (whole != null) {
                reassembled6(whole, now);
            }
            return;
        }
        transport(ip6.upperProtocol(), source, destination, ip6.buffer(), ip6.upperOffset(), ip6.upperLength(), now);
    }

    /**
     * An IPv6 datagram put back together: the Destination Options headers that may follow its Fragment header
     * (RFC 8200 section 4.1's order; at most two) are stepped over to the upper layer, which a helper's replay
     * found counted as unsupported (its UDP lost, its echo unanswered, where Linux answers). One to the
     * gateway with an unrecognized option not to be skipped (RFC 8200 section 4.2) drops the datagram,
     * untold: its Parameter Problem would quote the datagram whole, whose headers are not kept.
     */
    private void reassembled6(Reassembler.Datagram whole, long now) {
        ByteBuffer b = whole.buffer();
        int protocol = whole.protocol();
        int at = 0;
        int length = whole.length();
        for (int headers = 0; protocol == IpProtocol.DESTINATION_OPTIONS; headers++) {
            int headerLength = length < 8 ? Integer.MAX_VALUE : ((b.get(at + 1) & 0xFF) + 1) * 8;
            if (headers == 2 || headerLength > length) {
                drops.malformed++;
                return;
            }
            int option = Ipv6Packet.unrecognizedOption(b, at + 2, at + headerLength);
            if (option == Ipv6Packet.MALFORMED_OPTIONS) {
                drops.malformed++;
                return;
            }
            if (option != Ipv6Packet.NONE && (addresses.isHostOrDns(whole.destination())
                    || whole.destination().isMulticastOrBroadcast())) {
                drops.unsupported++;
                return;
            }
            protocol = b.get(at) & 0xFF;
            at += headerLength;
            length -= headerLength;
        }
        transport(protocol, whole.source(), whole.destination(), b, at, length, now);
    }

    /**
     * The multicast groups the gateway listens to: all nodes, all routers (router solicitations),
     * All_DHCP_Relay_Agents_and_Servers, and every solicited-node group: those of its own addresses carry
     * solicitations for them, the guests' carry their duplicate address detection, from which
     * {@link NeighborDiscovery} learns their SLAAC addresses.
     */
    private static boolean isGroupOfGateway(IpAddress group) {
        return group.equals(NeighborDiscovery.ALL_NODES) || group.equals(ALL_ROUTERS) || group.equals(ALL_DHCP_SERVERS)
                || NeighborDiscovery.isSolicitedNodeGroup(group);
    }

    static final IpAddress ALL_ROUTERS = IpAddress.parse("ff02::2");
    static final IpAddress ALL_DHCP_SERVERS = IpAddress.parse("ff02::1:2");

    private void transport(int protocol, IpAddress source, IpAddress destination, ByteBuffer buffer, int offset, int length,
                           long now) {
        boolean v4 = source.isIpv4();
        if ((protocol == IpProtocol.UDP || protocol == IpProtocol.TCP) && isSilencedDns(destination)) {
            drops.builtinDnsOff++;
            return;
        }
        if (endsHere(destination)) {
            drops.hopLimitExceeded++;
            errors.packet(addresses.host(source), source, destination, protocol, hopLimit, IcmpErrors.timeExceeded(v4),
                    buffer, offset, length);
            return;
        }
        switch (protocol) {
            case IpProtocol.ICMP -> {
                if (v4) {
                    icmp(source, destination, buffer, offset, length, now);
                } else {
                    unknownProtocol(protocol, source, destination, buffer, offset, length);
                }
            }
            case IpProtocol.ICMPV6 -> {
                if (!v4) {
                    icmpv6(source, destination, buffer, offset, length, now);
                } else {
                    unknownProtocol(protocol, source, destination, buffer, offset, length);
                }
            }
            case IpProtocol.UDP -> udp(source, destination, buffer, offset, length, now);
            case IpProtocol.TCP -> tcp(source, destination, buffer, offset, length, now);
            default -> unknownProtocol(protocol, source, destination, buffer, offset, length);
        }
    }

    /**
     * A protocol the gateway does not speak (in this family): counted; to the gateway itself (GRE, SCTP, ...)
     * said as a host says it, where the guest heard nothing.
     */
    private void unknownProtocol(int protocol, IpAddress source, IpAddress destination, ByteBuffer buffer, int offset,
                                 int length) {
        drops.unsupported++;
        if (addresses.isHostOrDns(destination) && protocol != IpProtocol.NO_NEXT_HEADER) {
            errors.packet(destination, source, destination, protocol, hopLimit,
                    IcmpErrors.protocolUnreachable(source.isIpv4()), buffer, offset, length);
        }
    }

    private void icmpv6(IpAddress source, IpAddress destination, ByteBuffer buffer, int offset, int length, long now) {
        if (icmp6.wrap(buffer, offset, length).check() != WireError.NONE) {
            drops.malformed++;
            return;
        }
        if (!icmp6.checksumValid(source, destination)) {
            drops.badChecksum("ICMPv6", source);
            return;
        }
        int type = icmp6.type();
        if (type >= Icmpv6Type.ROUTER_SOLICITATION && type <= Icmpv6Type.REDIRECT) {
            ndp.message(type, source, destination, hopLimit, eth.source(), buffer, offset, length);
            return;
        }
        if (type == Icmpv6Type.ECHO_REPLY && addresses.isHost(destination)) {
            return; // an answer to the gateway's ask of all nodes (HostForwardGuests.askGuests): its source is learnt
        }
        if (type != Icmpv6Type.ECHO_REQUEST) {
            drops.icmpNotEcho++;
            return;
        }
        echo(source, destination, buffer, offset, length, now);
    }

    /**
     * A packet for beyond the virtual network (one the gateway would pass on to the host's network: not to
     * its own addresses, the virtual network, a group or a link-local address) whose hop limit ends at the
     * gateway: as a router, it answers Time Exceeded instead of passing it on (RFC 1812 section 5.3.1,
     * RFC 4443 section 3.3), which is the first hop a guest's traceroute shows. libslirp answers only a TTL
     * of 0 so, and passes on a TTL of 1, so a traceroute through it shows one hop, the destination.
     */
    private boolean endsHere(IpAddress destination) {
        return hopLimit <= 1 && !destination.isMulticastOrBroadcast() && !destination.isLinkLocal()
                && !addresses.isHostOrDns(destination) && !config.inVirtualNetwork(destination)
                && !config.reach().restricted();
    }

    /**
     * The hop limit a packet the gateway passes on to {@code destination} leaves with: its own less the
     * gateway's hop, or 0 (the host socket's own) when it goes to the host's loopback, which counts no hops.
     */
    private int hopsOnward(IpAddress destination) {
        return addresses.isHost(destination) ? 0 : Math.max(1, hopLimit - 1);
    }

    /**
     * With {@code builtin-dns=off} the DNS addresses serve nothing: the guest's TCP and UDP to them are
     * dropped (counted by the caller), so a connection to 10.0.2.3:53 times out as slirp4netns's own test
     * of --disable-dns expects. (libslirp's disable_dns sends such packets on to the real 10.0.2.3 through
     * the host's routes; vnet4j keeps the virtual network's addresses off the host's network.) ARP, NDP
     * and pings still answer for them, as in libslirp.
     */
    private boolean isSilencedDns(IpAddress destination) {
        return !config.reach().builtinDns() && addresses.isDns(destination);
    }

    /** Pings to other hosts go through this proxy. */
    void useIcmpProxy(IcmpProxy proxy) {
        this.icmpProxy = proxy;
    }

    private void icmp(IpAddress source, IpAddress destination, ByteBuffer buffer, int offset, int length, long now) {
        if (icmp.wrap(buffer, offset, length).check() != WireError.NONE) {
            drops.malformed++;
            return;
        }
        if (!icmp.checksumValid()) {
            drops.badChecksum("ICMP", source);
            return;
        }
        if (icmp.type() != IcmpType.ECHO_REQUEST) {
            drops.icmpNotEcho++;
            return;
        }
        echo(source, destination, buffer, offset, length, now);
    }

    /**
     * An echo request of either family, checked: answered here when it is for the gateway's own addresses
     * (the same bytes as an echo reply, ICMP type 0 or ICMPv6 type 129), else carried by the proxy unless
     * it is for a group or the virtual network (dropped), or {@code restrict=on}: then one for a link-local
     * address is dropped too, and for any other the guest, to which the lease still names the gateway as its
     * router, is told "communication administratively prohibited", as its TCP connect is reset, so that its
     * ping fails at once.
     */
    private void echo(IpAddress source, IpAddress destination, ByteBuffer buffer, int offset, int length, long now) {
        if (addresses.isHostOrDns(destination)) {
            ByteBuffer reply = out.payloadBuffer();
            reply.put(0, buffer, offset, length);
            reply.put(0, (byte) (source.isIpv4() ? IcmpType.ECHO_REPLY : Icmpv6Type.ECHO_REPLY));
            out.sendIcmp(destination, source, length);
        } else if (destination.isMulticastOrBroadcast()) {
            drops.multicast++;
        } else if (config.inVirtualNetwork(destination) || config.reach().restricted() && destination.isLinkLocal()) {
            drops.restricted++;
        } else if (config.reach().restricted()) {
            drops.restricted++;
            errors.packet(addresses.host(source), source, destination,
                    source.isIpv4() ? IpProtocol.ICMP : IpProtocol.ICMPV6, hopLimit, IcmpErrors.prohibited(source.isIpv4()),
                    buffer, offset, length);
        } else if (isRefusedHostLoopback(destination)) {
            drops.hostLoopback++; // 127.0.0.1 itself, which the proxy would ping on the host's loopback: unreachable
            errors.packet(hostLoopbackErrorSource(destination, source), source, destination,
                    source.isIpv4() ? IpProtocol.ICMP : IpProtocol.ICMPV6, hopLimit,
                    IcmpErrors.ofErrno(Errno.ENETUNREACH, source.isIpv4()), buffer, offset, length);
        } else {
            proxyEcho(source, destination, buffer, offset, length, now);
        }
    }

    /** An echo request of either family to another host: through the proxy, which counts what it cannot send. */
    private void proxyEcho(IpAddress source, IpAddress destination, ByteBuffer buffer, int offset, int length, long now) {
        if (icmpProxy == null) {
            drops.unsupported++;
            return;
        }
        icmpProxy.request(source, destination, hopsOnward(destination), dontFragment, buffer, offset, length, now);
    }

    private void udp(IpAddress source, IpAddress destination, ByteBuffer buffer, int offset, int length, long now) {
        if (udpPacket.wrap(buffer, offset, length).check() != WireError.NONE) {
            drops.malformed++;
            return;
        }
        if (!udpPacket.checksumValid(source, destination)) {
            drops.badChecksum("UDP", source);
            return;
        }
        int sourcePort = udpPacket.sourcePort();
        int destinationPort = udpPacket.destinationPort();
        int payload = udpPacket.payloadOffset();
        int payloadLength = udpPacket.payloadLength();
        if (services.handle(source, sourcePort, destination, destinationPort, dontFragment, buffer, payload, payloadLength,
                eth.source(), now)) {
            return;
        }
        if (destination.isMulticastOrBroadcast()) {
            drops.multicast++;
            return;
        }
        if (config.reach().restricted()) {
            drops.restricted++;
            if (!destination.isLinkLocal()) {
                errors.udp(addresses.host(source), source, sourcePort, destination, destinationPort,
                        IcmpErrors.prohibited(source.isIpv4()), 0, buffer, payload, payloadLength);
            }
            return;
        }
        if (isRefusedHostLoopback(destination)) {
            drops.hostLoopback++;
            errors.udp(hostLoopbackErrorSource(destination, source), source, sourcePort, destination, destinationPort,
                    IcmpErrors.ofErrno(Errno.ENETUNREACH, destination.isIpv4()), 0, buffer, payload, payloadLength);
            return;
        }
        InetSocketAddress target = datagramTarget(destination, destinationPort);
        if (target == null) {
            drops.unusedAddress++;
            if (isUnusedHost(source, destination)) {
                // an address the gateway holds (a guestfwd's: the host's and DNS's never come here) has no such
                // port; any other has nobody
                boolean held = destination.isIpv4() && config.gatewayHolds(destination.ipv4());
                errors.udp(held ? destination : addresses.host(source), source, sourcePort, destination, destinationPort,
                        IcmpErrors.ofErrno(held ? Errno.ECONNREFUSED : Errno.EHOSTUNREACH, source.isIpv4()), 0,
                        buffer, payload, payloadLength);
            }
            return;
        }
        if (services.fromForwardedPort(source, sourcePort, destination, destinationPort, target, dontFragment, buffer,
                payload, payloadLength, now)) {
            return; // from a hostfwd=udp rule's guest port: out of the rule's host port, as libslirp and pasta send it
        }
        udp.send(source, sourcePort, destination, destinationPort, target, hopsOnward(destination), dontFragment, buffer,
                payload, payloadLength, now);
    }

    /**
     * Where a guest's connection or datagram to {@code destination} goes on the host: the host address is the
     * host's loopback, the virtual network's other addresses go nowhere (null), anything else is itself.
     */
    private InetSocketAddress hostTarget(IpAddress destination, int port) {
        if (addresses.isHost(destination)) {
            return new InetSocketAddress((destination.isIpv4() ? IpAddress.IPV4_LOOPBACK : IpAddress.IPV6_LOOPBACK)
                    .toInetAddress(), port);
        }
        if (config.inVirtualNetwork(destination)) {
            return null;
        }
        return new InetSocketAddress(destination.toInetAddress(), port);
    }

    /**
     * {@link #hostTarget} for a datagram: the last answer is kept, so a flow of datagrams to one place
     * allocates nothing per datagram. (A connection asks once, at its SYN, and not here: the warm-up's
     * connections all go to one place, so compiled code that met only that would be thrown away at the first
     * real connection elsewhere.)
     */
    private InetSocketAddress datagramTarget(IpAddress destination, int port) {
        if (port != lastTargetPort || !destination.equals(lastTargetOf)) {
            lastTarget = hostTarget(destination, port);
            lastTargetOf = destination;
            lastTargetPort = port;
        }
        return lastTarget;
    }

    /**
     * Whether a datagram to an address of the virtual network that nothing serves is told so: Host
     * Unreachable (IPv6: Address Unreachable), a router's answer when ARP or NDP for it fails (slirp4netns
     * answers unreachable too: its host has no route there), or Port Unreachable for an address the gateway
     * holds. Only for one host's datagram to one unicast address, never for a link-layer broadcast or
     * multicast, the subnet's broadcast or network address (NetBIOS and discovery send to 10.0.2.255), or
     * from an unspecified, broadcast or multicast source (RFC 1122 section 3.2.2).
     */
    private boolean isUnusedHost(IpAddress source, IpAddress destination) {
        if (MacAddress.isMulticast(eth.destination()) || !IpInputErrors.isAnswerableSource(source)) {
            return false;
        }
        if (!destination.isIpv4()) {
            return true;
        }
        int host = destination.ipv4() & ~config.netmask();
        return host != 0 && host != ~config.netmask();
    }

    /**
     * Where the error for a refused host-loopback destination comes from: the host address itself, or for
     * 127.0.0.0/8, 0.0.0.0/8, ::1 and :: the gateway's host address, since a guest drops a packet from those
     * as a martian (and never learns its connect failed).
     */
    private IpAddress hostLoopbackErrorSource(IpAddress destination, IpAddress guest) {
        return destination.isNeverForwarded() ? addresses.host(guest) : destination;
    }

    /**
     * With {@code host-loopback=off}, the host address stands for nothing: a connection or datagram to it
     * gets Destination Unreachable (network), as libslirp's disable_host_loopback answers (counted by the
     * caller). So do the addresses that name the host's loopback themselves (127.0.0.0/8, 0.0.0.0/8, ::1,
     * ::), which NAT would otherwise carry there: a helper's replay reached the host's loopback services past
     * the option that way (slirp4netns 1.2 lets them through too).
     */
    private boolean isRefusedHostLoopback(IpAddress destination) {
        return !config.reach().hostLoopback() && (addresses.isHost(destination) || destination.isNeverForwarded());
    }

    private void tcp(IpAddress source, IpAddress destination, ByteBuffer buffer, int offset, int length, long now) {
        if (tcpSegment.wrap(buffer, offset, length).check() != WireError.NONE) {
            drops.malformed++;
            return;
        }
        if (!largeSegment && !tcpSegment.checksumValid(source, destination)) {
            drops.badChecksum("TCP", source);
            return;
        }
        int flags = tcpSegment.flags();
        SocketAddress target = null;
        SocketAddress forwarded = (flags & TcpFlags.SYN) != 0 ? guestForwards.target(destination, tcpSegment.destinationPort()) : null;
        if (forwarded != null) {
            target = forwarded;
        } else if ((flags & TcpFlags.SYN) != 0 && addresses.isDns(destination)) {
            // DNS over TCP is answered as DNS over UDP is, with restrict=on too: the guests' names by the bridge,
            // the rest by the upstream that UDP's go to
            target = tcpSegment.destinationPort() == UdpServices.DNS_PORT ? dnsOverTcp.address() : null;
            if (target == null && (flags & TcpFlags.ACK) == 0) {
                services.notForwarded(); // refused with RST by TcpNat: not port 53 (or no bridge, said)
            }
        } else if ((flags & (TcpFlags.SYN | TcpFlags.ACK)) == TcpFlags.SYN && config.reach().restricted()) {
            drops.restricted++; // refused with RST by TcpNat (no target)
        } else if ((flags & TcpFlags.SYN) != 0 && !config.reach().restricted() && !destination.isMulticastOrBroadcast()) {
            if ((flags & TcpFlags.ACK) == 0 && isRefusedHostLoopback(destination)) {
                drops.hostLoopback++;
                errors.tcp(hostLoopbackErrorSource(destination, source), source, tcpSegment.sourcePort(), destination,
                        tcpSegment.destinationPort(),
                        tcpSegment.sequenceNumber(), IcmpErrors.ofErrno(Errno.ENETUNREACH, destination.isIpv4()));
                return;
            } else {
                target = hostTarget(destination, tcpSegment.destinationPort());
            }
        }
        tcp.guestSegment(source, tcpSegment.sourcePort(), destination, tcpSegment.destinationPort(), flags,
                tcpSegment.sequenceNumber(), tcpSegment.acknowledgmentNumber(), tcpSegment.window(),
                (flags & TcpFlags.SYN) != 0 ? TcpSynOptions.parse(tcpSegment) : null,
                (flags & TcpFlags.ACK) != 0 && tcpSegment.sackBlocks(guestSack) > 0 ? guestSack : null, buffer,
                tcpSegment.payloadOffset(), tcpSegment.payloadLength(), target, now);
    }

    /**
     * How many times something began to wait on time, ever: flows, host-forward clients, TFTP transfers,
     * datagrams in reassembly, addresses whose frames wait for ARP, and TCP events after which a connection
     * has a timer or buffers ({@link TcpNat#timedEvents}). Whoever handles frames or sockets compares it
     * before and after: when it moved, something may be due before the loop's next poll. A ping, ARP or DNS
     * answered by the gateway itself moves nothing.
     */
    long timedStarts() {
        return out.pending().addressesHeld() + reassembler.started() + udp.flowsOpened() + services.timedStarts()
                + tcp.timedEvents() + dnsOverTcp.timedStarts();
    }

    /**
     * The timed work: ARP's held frames, router advertisements, reassembly, UDP flows and host-forward
     * clients, TFTP, DNS over TCP's sessions, TCP's timers.
     *
     * @param busyEvery how soon the loop polls again while TCP connections are busy (see {@link TcpNat#poll})
     * @return nanoseconds until the next of it is due, {@link Long#MAX_VALUE} when nothing waits on time (the
     *     loop then sleeps until a frame, a socket or a task)
     */
    long poll(long now, long busyEvery) {
        long next = out.poll(now);
        List<IpAddress> unanswered = out.pending().unanswered();
        for (int i = 0; i < unanswered.size(); i++) { // no iterator: the poll allocates nothing
            tcp.guestUnresolved(unanswered.get(i), now);
        }
        if (ndp != null) {
            next = Math.min(next, ndp.poll(now));
        }
        next = Math.min(next, reassembler.expire(now));
        next = Math.min(next, udp.poll(now));
        next = Math.min(next, services.poll(now));
        next = Math.min(next, dnsOverTcp.poll(now));
        return Math.min(next, tcp.poll(now, busyEvery));
    }

    long reassemblyDrops() {
        return reassembler.dropped();
    }

    /** Guest frames the gateway did not answer, by cause; {@code info network} shows them. */
    static final class DropCounters {
        /** Failed a header check or a checksum. */
        long malformed;
        /** Told the first checksum failure and the first packet from a gateway's address (lines for the log); set by the user network. */
        java.util.function.Consumer<String> onFirstOfAKind = line -> { };
        private boolean toldBadChecksum;

        /** A packet whose checksum is wrong: counted as malformed, and the first one told. */
        void badChecksum(String protocol, IpAddress source) {
            malformed++;
            if (!toldBadChecksum) {
                toldBadChecksum = true;
                onFirstOfAKind.accept("dropped a " + protocol + " packet from " + source + " with a wrong checksum; "
                        + "if it came from a Linux interface in a namespace of this host (a veth, a vxlan device "
                        + "reached over one), that interface leaves checksums to an offload that never happens there: "
                        + "ethtool -K DEV tx off on it "
                        + "(this line once; info network counts them as malformed)");
            }
        }
        /**
         * An EtherType or IP protocol the gateway does not speak, pings with no ICMP socket, or an IPv6 option or
         * routing type it may not ignore.
         */
        long unsupported;
        /**
         * From one of the gateway's own addresses (a guest given it by hand, or one spoofing it; ARP too): dropped
         * and never learnt as a neighbour, as Linux drops a packet from one of its own addresses (a martian
         * source) and learns none of them.
         */
        long fromGatewayAddress;

        /** A packet (ARP too) from {@code address}, one of the gateway's, by the guest at {@code mac}: counted, the first told. */
        void fromGatewayAddress(IpAddress address, long mac) {
            if (fromGatewayAddress++ == 0) {
                onFirstOfAKind.accept("the guest at " + MacAddress.format(mac) + " sends from " + address + ", the gateway's own "
                        + "address: its packets are dropped and counted, and on a hub (not a switch) other guests may take "
                        + "it for the gateway; give it another address (this line once)");
            }
        }
        /** Would leave the virtual network while {@code restrict=on}, or a ping to its other addresses. */
        long restricted;
        /** Unicast to another guest's MAC: the hub carries it, the gateway has nothing to say. */
        long betweenGuests;
        /** Multicast or broadcast the gateway does not serve (mDNS, MLD, pings to groups, ...). */
        long multicast;
        /** ARP requests for addresses other than the gateway's (and ARP of other operations). */
        long arpForOthers;
        /** ICMP other than echo requests (the gateway asks nothing that they could answer). */
        long icmpNotEcho;
        /**
         * UDP to an address of the virtual network that no one serves (not the host, DNS or a guestfwd): told
         * Host Unreachable (IPv6: Address Unreachable).
         */
        long unusedAddress;
        /**
         * Connections, datagrams and pings (told as unreachable) to a loopback address, and connections and
         * datagrams to the host address, with {@code host-loopback=off}.
         */
        long hostLoopback;
        /** TCP and UDP to the DNS addresses with {@code builtin-dns=off}. */
        long builtinDnsOff;
        /** Packets for beyond the virtual network whose hop limit ended at the gateway (told as Time Exceeded). */
        long hopLimitExceeded;

        @Override
        public String toString() {
            return "malformed " + malformed + ", unsupported " + unsupported + ", restricted " + restricted
                    + ", between guests " + betweenGuests + ", multicast " + multicast + ", arp for others " + arpForOthers
                    + ", icmp other than echo " + icmpNotEcho + ", to unused addresses " + unusedAddress
                    + (fromGatewayAddress == 0 ? "" : ", from the gateway's addresses " + fromGatewayAddress)
                    + (hostLoopback == 0 ? "" : ", to the host's loopback (host-loopback=off) " + hostLoopback)
                    + (builtinDnsOff == 0 ? "" : ", to the DNS address (builtin-dns=off) " + builtinDnsOff)
                    + (hopLimitExceeded == 0 ? "" : ", hop limit exceeded " + hopLimitExceeded);
        }
    }
}
