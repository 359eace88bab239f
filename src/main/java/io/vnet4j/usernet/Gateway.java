package io.vnet4j.usernet;

import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.tcp.TcpNat;
import io.vnet4j.wire.ArpPacket;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IcmpPacket;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.MacAddress;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSegment;
import io.vnet4j.wire.TcpSynOptions;
import io.vnet4j.wire.UdpPacket;
import io.vnet4j.wire.WireError;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * The gateway's protocol dispatch, on the usernet loop's thread: a frame from the hub goes through
 * Ethernet, ARP or IPv4 (with reassembly) to ICMP, UDP and TCP. Frames that are not for the gateway (between
 * guests on the same hub) are ignored. Every malformed frame is dropped and counted; nothing here throws
 * on guest input.
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
    private IcmpProxy icmpProxy;
    private final TcpSegment tcpSegment = new TcpSegment();
    private final Reassembler reassembler = new Reassembler();
    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arpPacket = new ArpPacket();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final IcmpPacket icmp = new IcmpPacket();
    private final UdpPacket udpPacket = new UdpPacket();
    /** The frame being handled is a large TCP segment (its TCP checksum is partial, not checked). */
    private boolean largeSegment;
    final DropCounters drops = new DropCounters();

    Gateway(UserConfig config, GatewayAddresses addresses, GuestOutput out, NeighborTable neighbors, UdpNat udp,
            UdpServices services, TcpNat tcp, GuestForwards guestForwards) {
        this.config = config;
        this.addresses = addresses;
        this.guestForwards = guestForwards;
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
        if (destination != MacAddress.BROADCAST && !isGatewayMac(destination)) {
            if (MacAddress.isMulticast(destination)) {
                drops.multicast++; // IPv6 neighbour discovery, mDNS, ...: not addressed to the gateway
            } else {
                drops.betweenGuests++;
            }
            return;
        }
        switch (eth.etherType()) {
            case EtherType.ARP -> arp(eth.payloadOffset(), eth.payloadLength());
            case EtherType.IPV4 -> ipv4(eth.source(), eth.payloadOffset(), eth.payloadLength(), now);
            default -> drops.unsupported++;
        }
    }

    private boolean isGatewayMac(long mac) {
        return (mac >>> 32) == 0x5255 && isGatewayAddress((int) mac);
    }

    /** An address the gateway answers for: the host, the DNS, or a guestfwd address. */
    private boolean isGatewayAddress(int address) {
        if (address == config.host() || address == config.dns()) {
            return true;
        }
        for (UserConfig.GuestForward g : config.guestForwards()) {
            if (g.address() == address) {
                return true;
            }
        }
        return false;
    }

    private void arp(int offset, int length) {
        if (arpPacket.wrap(eth.buffer(), offset, length).check() != WireError.NONE) {
            drops.malformed++;
            return;
        }
        if (config.inNetwork(arpPacket.senderIp())) {
            neighbors.learn(addressCache.ipv4(arpPacket.senderIp()), arpPacket.senderMac());
        }
        if (arpPacket.operation() == ArpPacket.REQUEST && isGatewayAddress(arpPacket.targetIp())) {
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
        if (config.inNetwork(ip.source())) {
            neighbors.learn(source, sourceMac);
        }
        if (ip.moreFragments() || ip.fragmentOffset() != 0) {
            largeSegment = false; // a reassembled datagram is checked in full
            Reassembler.Datagram whole = reassembler.offer(source, destination, ip.protocol(),
                    ip.identification(), ip.fragmentOffset() * 8, ip.moreFragments(), ip.buffer(),
                    ip.payloadOffset(), ip.payloadLength(), now);
            if (whole != null) {
                transport(whole.protocol(), whole.source(), whole.destination(), whole.buffer(), 0, whole.length(), now);
            }
            return;
        }
        transport(ip.protocol(), source, destination, ip.buffer(), ip.payloadOffset(), ip.payloadLength(), now);
    }

    private void transport(int protocol, IpAddress source, IpAddress destination, ByteBuffer buffer, int offset, int length,
                           long now) {
        switch (protocol) {
            case IpProtocol.ICMP -> icmp(source, destination, buffer, offset, length, now);
            case IpProtocol.UDP -> udp(source, destination, buffer, offset, length, now);
            case IpProtocol.TCP -> tcp(source, destination, buffer, offset, length, now);
            default -> drops.unsupported++;
        }
    }

    /** Pings to other hosts go through this proxy. */
    void useIcmpProxy(IcmpProxy proxy) {
        this.icmpProxy = proxy;
    }

    private void icmp(IpAddress source, IpAddress destination, ByteBuffer buffer, int offset, int length, long now) {
        if (icmp.wrap(buffer, offset, length).check() != WireError.NONE || !icmp.checksumValid()) {
            drops.malformed++;
            return;
        }
        if (icmp.type() != IcmpType.ECHO_REQUEST) {
            drops.icmpNotEcho++;
            return;
        }
        if (addresses.isHostOrDns(destination)) {
            ByteBuffer reply = out.payloadBuffer();
            reply.put(0, buffer, offset, length);
            icmp.wrap(reply, 0, length);
            icmp.setType(IcmpType.ECHO_REPLY);
            out.sendIcmp(destination, source, length);
            return;
        }
        if (config.restricted() || inVirtualNetwork(destination) || destination.isMulticastOrBroadcast()) {
            drops.restricted++;
            return;
        }
        if (icmpProxy == null) {
            drops.unsupported++;
            return;
        }
        icmpProxy.request(source, destination, buffer, offset, length, now);
    }

    private void udp(IpAddress source, IpAddress destination, ByteBuffer buffer, int offset, int length, long now) {
        if (udpPacket.wrap(buffer, offset, length).check() != WireError.NONE
                || !udpPacket.checksumValid(source.ipv4(), destination.ipv4())) {
            drops.malformed++;
            return;
        }
        int sourcePort = udpPacket.sourcePort();
        int destinationPort = udpPacket.destinationPort();
        int payload = udpPacket.payloadOffset();
        int payloadLength = udpPacket.payloadLength();
        if (services.handle(source, sourcePort, destination, destinationPort, buffer, payload, payloadLength,
                eth.source(), now)) {
            return;
        }
        if (config.restricted() || destination.isMulticastOrBroadcast()) {
            drops.restricted++;
            return;
        }
        InetSocketAddress target = hostTarget(destination, destinationPort);
        if (target == null) {
            drops.unusedAddress++;
            return;
        }
        udp.send(source, sourcePort, target, buffer, payload, payloadLength, now);
    }

    /**
     * Where a guest's connection to {@code destination} goes on the host: the host address is the host's
     * loopback, the virtual network's other addresses go nowhere (null), anything else is itself.
     */
    private InetSocketAddress hostTarget(IpAddress destination, int port) {
        if (destination.equals(addresses.host(destination))) {
            return new InetSocketAddress((destination.isIpv4() ? IpAddress.IPV4_LOOPBACK : IpAddress.IPV6_LOOPBACK)
                    .toInetAddress(), port);
        }
        if (inVirtualNetwork(destination)) {
            return null;
        }
        return new InetSocketAddress(destination.toInetAddress(), port);
    }

    /** An address of the virtual network, of either family. */
    private boolean inVirtualNetwork(IpAddress address) {
        return address.isIpv4() && config.inNetwork(address.ipv4());
    }

    private void tcp(IpAddress source, IpAddress destination, ByteBuffer buffer, int offset, int length, long now) {
        if (tcpSegment.wrap(buffer, offset, length).check() != WireError.NONE
                || !largeSegment && !tcpSegment.checksumValid(source.ipv4(), destination.ipv4())) {
            drops.malformed++;
            return;
        }
        int flags = tcpSegment.flags();
        SocketAddress target = null;
        SocketAddress forwarded = (flags & TcpFlags.SYN) != 0 ? guestForwards.target(destination, tcpSegment.destinationPort()) : null;
        if (forwarded != null) {
            target = forwarded;
        } else if ((flags & TcpFlags.SYN) != 0 && !config.restricted() && !destination.isMulticastOrBroadcast()) {
            if (destination.equals(addresses.dns(destination))) {
                // DNS over TCP goes to the first upstream resolver, as DNS over UDP does
                boolean dns = tcpSegment.destinationPort() == UdpServices.DNS_PORT && !services.dnsUpstreams().isEmpty();
                target = dns ? services.dnsUpstreams().getFirst() : null;
            } else {
                target = hostTarget(destination, tcpSegment.destinationPort());
            }
        }
        tcp.guestSegment(source, tcpSegment.sourcePort(), destination, tcpSegment.destinationPort(), flags,
                tcpSegment.sequenceNumber(), tcpSegment.acknowledgmentNumber(), tcpSegment.window(),
                (flags & TcpFlags.SYN) != 0 ? TcpSynOptions.parse(tcpSegment) : null, buffer,
                tcpSegment.payloadOffset(), tcpSegment.payloadLength(), target, now);
    }

    void poll(long now) {
        out.poll(now);
        reassembler.expire(now);
        udp.poll(now);
        services.poll(now);
        tcp.poll(now);
    }

    long reassemblyDrops() {
        return reassembler.dropped();
    }

    /** Guest frames the gateway did not answer, by cause; {@code info network} shows them. */
    static final class DropCounters {
        /** Failed a header check or a checksum. */
        long malformed;
        /** An EtherType or IP protocol the gateway does not speak, or pings with no ICMP socket. */
        long unsupported;
        /** Would leave the virtual network while {@code restrict=on}, or to broadcast/multicast. */
        long restricted;
        /** Unicast to another guest's MAC: the hub carries it, the gateway has nothing to say. */
        long betweenGuests;
        /** Multicast other than broadcast (IPv6 neighbour discovery, mDNS, ...): nothing the gateway joined. */
        long multicast;
        /** ARP requests for addresses other than the gateway's (and ARP of other operations). */
        long arpForOthers;
        /** ICMP other than echo requests (the gateway asks nothing that they could answer). */
        long icmpNotEcho;
        /** UDP to an address of the virtual network that no one serves (not the host, DNS or a guestfwd). */
        long unusedAddress;

        @Override
        public String toString() {
            return "malformed " + malformed + ", unsupported " + unsupported + ", restricted " + restricted
                    + ", between guests " + betweenGuests + ", multicast " + multicast + ", arp for others " + arpForOthers
                    + ", icmp other than echo " + icmpNotEcho + ", to unused addresses " + unusedAddress;
        }
    }
}
