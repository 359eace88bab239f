package io.vnet4j.wire;

import java.nio.ByteBuffer;

/**
 * Builds the IPv6 frames a guest sends as it comes up, pings and connects (a router solicitation, a
 * neighbour solicitation, an ICMPv6 echo request, a TCP segment, a packet to a group that carries nothing)
 * into a caller's buffer at offset 0, checksums filled, zero-padded to Ethernet's 60-byte minimum; each
 * returns the frame's length in bytes. Neighbour discovery's messages carry the source link-layer address
 * option and hop limit 255 (RFC 4861 sections 4.1, 4.3, 6.1.1), so their source must be an address, not ::
 * (which must not carry the option), the others hop limit 64. The builders are for the daemon's warm-up
 * and the tests, not the packet path: the buffer must hold the frame ({@link IndexOutOfBoundsException}
 * otherwise). The IPv4 counterpart is {@link Ipv4Frames}. {@link #multicastMac} and {@link #solicitedNode}
 * serve the gateway's own output too.
 */
public final class Ipv6Frames {
    /** ff02::2, all routers on the link (RFC 4291 section 2.7.1). */
    public static final IpAddress ALL_ROUTERS = IpAddress.ofIpv6(0xff02_0000_0000_0000L, 2);
    private static final int ETH = EthernetFrame.HEADER_LENGTH;
    private static final int IP = Ipv6Packet.HEADER_LENGTH;
    private static final int NDP_HOP_LIMIT = 255;
    private static final int HOP_LIMIT = 64;

    private Ipv6Frames() {}

    /** A router solicitation from {@code sourceMac}/{@code source} (its link-local address) to all routers. */
    public static int routerSolicitation(ByteBuffer b, long sourceMac, IpAddress source) {
        int length = RouterSolicitation.FIXED_LENGTH + NdpOptionWriter.LINK_LAYER_ADDRESS_LENGTH;
        ipv6(b, sourceMac, multicastMac(ALL_ROUTERS), source, ALL_ROUTERS, IpProtocol.ICMPV6, NDP_HOP_LIMIT, length);
        RouterSolicitation rs = new RouterSolicitation().wrap(b, ETH + IP, length);
        rs.writeHeader();
        NdpOptionWriter.writeLinkLayerAddress(b, ETH + IP + RouterSolicitation.FIXED_LENGTH,
                NdpOptionType.SOURCE_LINK_LAYER_ADDRESS, sourceMac);
        rs.fillChecksum(source, ALL_ROUTERS);
        return EthernetFrame.pad(b, ETH + IP + length);
    }

    /**
     * A neighbour solicitation from {@code sourceMac}/{@code source} for {@code target}'s MAC, to the target's
     * solicited-node group (address resolution, RFC 4861 section 7.2.2).
     */
    public static int neighborSolicitation(ByteBuffer b, long sourceMac, IpAddress source, IpAddress target) {
        int length = NeighborSolicitation.FIXED_LENGTH + NdpOptionWriter.LINK_LAYER_ADDRESS_LENGTH;
        IpAddress group = solicitedNode(target);
        ipv6(b, sourceMac, multicastMac(group), source, group, IpProtocol.ICMPV6, NDP_HOP_LIMIT, length);
        NeighborSolicitation ns = new NeighborSolicitation().wrap(b, ETH + IP, length);
        ns.writeHeader();
        ns.setTarget(target);
        NdpOptionWriter.writeLinkLayerAddress(b, ETH + IP + NeighborSolicitation.FIXED_LENGTH,
                NdpOptionType.SOURCE_LINK_LAYER_ADDRESS, sourceMac);
        ns.fillChecksum(source, group);
        return EthernetFrame.pad(b, ETH + IP + length);
    }

    /** An ICMPv6 echo request carrying {@code data}. */
    public static int echoRequest(ByteBuffer b, long sourceMac, long destinationMac, IpAddress source,
                                  IpAddress destination, int id, int sequence, byte[] data) {
        int length = Icmpv6Packet.HEADER_LENGTH + data.length;
        ipv6(b, sourceMac, destinationMac, source, destination, IpProtocol.ICMPV6, HOP_LIMIT, length);
        Icmpv6Packet icmp = new Icmpv6Packet().wrap(b, ETH + IP, length);
        icmp.setType(Icmpv6Type.ECHO_REQUEST);
        icmp.setCode(0);
        icmp.setIdentifier(id);
        icmp.setSequence(sequence);
        b.put(ETH + IP + Icmpv6Packet.HEADER_LENGTH, data);
        icmp.fillChecksum(source, destination);
        return EthernetFrame.pad(b, ETH + IP + length);
    }

    /**
     * A TCP segment carrying {@code options} (whole 32-bit words, as a SYN's) and then {@code data};
     * {@code flags} are {@link TcpFlags} bits.
     *
     * @throws IllegalArgumentException when the options are not whole 32-bit words
     */
    public static int tcp(ByteBuffer b, long sourceMac, long destinationMac, IpAddress source, int sourcePort,
                          IpAddress destination, int destinationPort, int flags, int sequence, int acknowledgment,
                          int window, byte[] options, byte[] data) {
        if (options.length % 4 != 0) {
            throw new IllegalArgumentException("TCP options of " + options.length + " bytes: whole 32-bit words only");
        }
        int header = TcpSegment.MIN_HEADER_LENGTH + options.length;
        int length = header + data.length;
        ipv6(b, sourceMac, destinationMac, source, destination, IpProtocol.TCP, HOP_LIMIT, length);
        TcpSegment tcp = new TcpSegment().wrap(b, ETH + IP, length);
        new TcpHeader(sourcePort, destinationPort, sequence, acknowledgment, header, flags, window, 0, 0).emit(tcp);
        b.put(ETH + IP + TcpSegment.MIN_HEADER_LENGTH, options);
        b.put(ETH + IP + header, data);
        tcp.fillChecksum(source, destination);
        return EthernetFrame.pad(b, ETH + IP + length);
    }

    /**
     * A packet from {@code sourceMac}/{@code source} to multicast {@code group} that carries nothing (next
     * header 59, RFC 8200 section 4.7), with {@code hopLimit}.
     */
    public static int toGroupCarryingNothing(ByteBuffer b, long sourceMac, IpAddress source, IpAddress group,
                                             int hopLimit) {
        ipv6(b, sourceMac, multicastMac(group), source, group, IpProtocol.NO_NEXT_HEADER, hopLimit, 0);
        return EthernetFrame.pad(b, ETH + IP);
    }

    /** The Ethernet address of an IPv6 multicast group: 33:33 and the group's last four bytes (RFC 2464 section 7). */
    public static long multicastMac(IpAddress group) {
        return 0x3333_0000_0000L | (group.low() & 0xFFFF_FFFFL);
    }

    /** The solicited-node group of {@code address}: ff02::1:ff and its last three bytes (RFC 4291 section 2.7.1). */
    public static IpAddress solicitedNode(IpAddress address) {
        return IpAddress.ofIpv6(0xff02_0000_0000_0000L, 0x0000_0001_ff00_0000L | (address.low() & 0xFF_FFFFL));
    }

    private static void ipv6(ByteBuffer b, long sourceMac, long destinationMac, IpAddress source,
                             IpAddress destination, int nextHeader, int hopLimit, int payloadLength) {
        EthernetFrame eth = new EthernetFrame().wrap(b, 0, ETH);
        eth.setDestination(destinationMac);
        eth.setSource(sourceMac);
        eth.setUntagged(EtherType.IPV6);
        Ipv6Packet ip = new Ipv6Packet().wrap(b, ETH, IP + payloadLength);
        ip.setVersionClassFlow(0, 0);
        ip.setPayloadLength(payloadLength);
        ip.setNextHeader(nextHeader);
        ip.setHopLimit(hopLimit);
        ip.setSource(source);
        ip.setDestination(destination);
    }

}
