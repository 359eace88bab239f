package io.vnet4j.usernet;

import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.Icmpv6Packet;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv6Packet;
import io.vnet4j.wire.UdpPacket;
import java.nio.ByteBuffer;

/** IPv6 frames as a guest sends them, for the gateway's tests (no extension headers unless built by hand). */
final class GuestFrames6 {
    static final long GUEST_MAC = GuestFrames.GUEST_MAC;
    static final IpAddress GUEST = IpAddress.parse("fec0::5054:ff:fe12:3456");
    static final IpAddress GUEST_LINK_LOCAL = IpAddress.parse("fe80::5054:ff:fe12:3456");
    static final IpAddress HOST = IpAddress.parse("fec0::2");
    static final IpAddress HOST_LINK_LOCAL = IpAddress.parse("fe80::2");
    static final IpAddress DNS = IpAddress.parse("fec0::3");
    static final long HOST_MAC = 0x5256_0000_0002L; // libslirp's in6_compute_ethaddr: 52:56 for IPv6
    static final int ETH = EthernetFrame.HEADER_LENGTH;
    static final int IP6 = Ipv6Packet.HEADER_LENGTH;

    private GuestFrames6() {}

    /** An IPv6 packet from {@code source} carrying {@code body} as {@code protocol}, hop limit as given. */
    static ByteBuffer packet(long destinationMac, IpAddress source, IpAddress destination, int protocol, int hopLimit,
                             byte[] body) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(60, ETH + IP6 + body.length));
        EthernetFrame eth = new EthernetFrame().wrap(b, 0, b.limit());
        eth.setDestination(destinationMac);
        eth.setSource(GUEST_MAC);
        eth.setUntagged(EtherType.IPV6);
        Ipv6Packet ip = new Ipv6Packet().wrap(b, ETH, IP6 + body.length);
        ip.setVersionClassFlow(0, 0);
        ip.setPayloadLength(body.length);
        ip.setNextHeader(protocol);
        ip.setHopLimit(hopLimit);
        ip.setSource(source);
        ip.setDestination(destination);
        b.put(ETH + IP6, body);
        return b;
    }

    /** An ICMPv6 message (type, code 0, then {@code rest}) with its checksum filled. */
    static byte[] icmpv6(long destinationMac, IpAddress source, IpAddress destination, int hopLimit, int type,
                         byte[] rest) {
        byte[] body = new byte[4 + rest.length];
        body[0] = (byte) type;
        System.arraycopy(rest, 0, body, 4, rest.length);
        ByteBuffer b = packet(destinationMac, source, destination, IpProtocol.ICMPV6, hopLimit, body);
        new Icmpv6Packet().wrap(b, ETH + IP6, body.length).fillChecksum(source, destination);
        return b.array();
    }

    /** A UDP datagram with its checksum filled. */
    static byte[] udp(long destinationMac, IpAddress source, int sourcePort, IpAddress destination, int destinationPort,
                      byte[] data) {
        byte[] body = new byte[UdpPacket.HEADER_LENGTH + data.length];
        System.arraycopy(data, 0, body, UdpPacket.HEADER_LENGTH, data.length);
        ByteBuffer b = packet(destinationMac, source, destination, IpProtocol.UDP, 64, body);
        UdpPacket udp = new UdpPacket().wrap(b, ETH + IP6, body.length);
        udp.setSourcePort(sourcePort);
        udp.setDestinationPort(destinationPort);
        udp.setDatagramLength(body.length);
        udp.fillChecksum(source, destination);
        return b.array();
    }

    /** A TCP segment (no options) with its checksum filled. */
    static byte[] tcp(long destinationMac, IpAddress source, int sourcePort, IpAddress destination, int destinationPort,
                      int flags, int sequence, int acknowledgment, int window, byte[] data) {
        byte[] body = new byte[io.vnet4j.wire.TcpSegment.MIN_HEADER_LENGTH + data.length];
        ByteBuffer b = packet(destinationMac, source, destination, IpProtocol.TCP, 64, body);
        io.vnet4j.wire.TcpSegment tcp = new io.vnet4j.wire.TcpSegment().wrap(b, ETH + IP6, body.length);
        tcp.setSourcePort(sourcePort);
        tcp.setDestinationPort(destinationPort);
        tcp.setSequenceNumber(sequence);
        tcp.setAcknowledgmentNumber(acknowledgment);
        tcp.setHeaderLength(io.vnet4j.wire.TcpSegment.MIN_HEADER_LENGTH);
        tcp.setFlags(flags);
        tcp.setWindow(window);
        tcp.setUrgentPointer(0);
        b.put(ETH + IP6 + io.vnet4j.wire.TcpSegment.MIN_HEADER_LENGTH, data);
        tcp.fillChecksum(source, destination);
        return b.array();
    }

    /**
     * One fragment of an IPv6 packet from the guest: a Fragment header (RFC 8200 section 4.5) with
     * {@code nextHeader}, {@code offset} in bytes, the M flag and {@code id}, then {@code data}.
     */
    static byte[] fragment(long destinationMac, IpAddress source, IpAddress destination, int nextHeader, int id,
                           int offset, boolean more, byte[] data) {
        byte[] body = new byte[8 + data.length];
        ByteBuffer b = ByteBuffer.wrap(body);
        b.put(0, (byte) nextHeader).putShort(2, (short) (offset | (more ? 1 : 0))).putInt(4, id);
        b.put(8, data);
        return packet(destinationMac, source, destination, IpProtocol.FRAGMENT, 64, body).array();
    }

    /** An ICMPv6 echo request's bytes (type 128) with {@code data}, checksum filled for the addresses. */
    static byte[] echoRequest(IpAddress source, IpAddress destination, int identifier, byte[] data) {
        byte[] icmp = new byte[8 + data.length];
        ByteBuffer b = ByteBuffer.wrap(icmp);
        b.put(0, (byte) 128).putShort(4, (short) identifier).putShort(6, (short) 1).put(8, data);
        new Icmpv6Packet().wrap(b, 0, icmp.length).fillChecksum(source, destination);
        return icmp;
    }

    /** A neighbour message's body after the checksum: the reserved (flags) word, the target, then {@code options}. */
    static byte[] target(IpAddress target, byte... options) {
        ByteBuffer b = ByteBuffer.allocate(4 + 16 + options.length);
        target.write(b, 4);
        b.put(20, options);
        return b.array();
    }

    /** The 16 bytes of an address. */
    static byte[] address(IpAddress a) {
        ByteBuffer b = ByteBuffer.allocate(16);
        a.write(b, 0);
        return b.array();
    }
}
