package io.vnet4j.usernet;

import io.vnet4j.wire.ArpPacket;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IcmpPacket;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.UdpPacket;
import java.nio.ByteBuffer;

/** Builds the frames a guest would send, for the usernet tests. */
final class GuestFrames {
    static final long GUEST_MAC = 0x5254_0012_3456L;
    /** QEMU's default addresses: the first lease, the gateway and its MAC, the DNS address. */
    static final int GUEST = Ipv4Address.parse("10.0.2.15");
    static final int HOST = Ipv4Address.parse("10.0.2.2");
    static final long HOST_MAC = 0x5255_0a00_0202L;
    static final int DNS = Ipv4Address.parse("10.0.2.3");
    static final int ETH = EthernetFrame.HEADER_LENGTH;
    static final int IP = Ipv4Packet.MIN_HEADER_LENGTH;

    private GuestFrames() {}

    static byte[] arpRequest(int senderIp, int targetIp) {
        ByteBuffer b = ByteBuffer.allocate(60);
        EthernetFrame eth = new EthernetFrame().wrap(b, 0, 60);
        eth.setDestination(0xFFFF_FFFF_FFFFL);
        eth.setSource(GUEST_MAC);
        eth.setUntagged(EtherType.ARP);
        ArpPacket arp = new ArpPacket().wrap(b, ETH, ArpPacket.LENGTH);
        arp.setEthernetIpv4();
        arp.setOperation(ArpPacket.REQUEST);
        arp.setSenderMac(GUEST_MAC);
        arp.setSenderIp(senderIp);
        arp.setTargetMac(0);
        arp.setTargetIp(targetIp);
        return b.array();
    }

    static byte[] echoRequest(long destinationMac, int source, int destination, int id, int sequence, byte[] data) {
        int icmpLength = IcmpPacket.HEADER_LENGTH + data.length;
        ByteBuffer b = ipFrame(destinationMac, source, destination, IpProtocol.ICMP, icmpLength);
        IcmpPacket icmp = new IcmpPacket().wrap(b, ETH + IP, icmpLength);
        icmp.setType(IcmpType.ECHO_REQUEST);
        icmp.setCode(0);
        icmp.setIdentifier(id);
        icmp.setSequence(sequence);
        b.put(ETH + IP + IcmpPacket.HEADER_LENGTH, data);
        icmp.fillChecksum();
        return b.array();
    }

    static byte[] udp(long destinationMac, int source, int sourcePort, int destination, int destinationPort, byte[] data) {
        int udpLength = UdpPacket.HEADER_LENGTH + data.length;
        ByteBuffer b = ipFrame(destinationMac, source, destination, IpProtocol.UDP, udpLength);
        UdpPacket udp = new UdpPacket().wrap(b, ETH + IP, udpLength);
        udp.setSourcePort(sourcePort);
        udp.setDestinationPort(destinationPort);
        udp.setDatagramLength(udpLength);
        b.put(ETH + IP + UdpPacket.HEADER_LENGTH, data);
        udp.fillChecksum(source, destination);
        return b.array();
    }

    /** A TCP segment from the guest (no options), checksum filled. */
    static byte[] tcp(long destinationMac, int source, int sourcePort, int destination, int destinationPort, int flags,
                      int sequence, int acknowledgment, int window, byte[] data) {
        int length = io.vnet4j.wire.TcpSegment.MIN_HEADER_LENGTH + data.length;
        ByteBuffer b = ipFrame(destinationMac, source, destination, IpProtocol.TCP, length);
        io.vnet4j.wire.TcpSegment tcp = new io.vnet4j.wire.TcpSegment().wrap(b, ETH + IP, length);
        tcp.setSourcePort(sourcePort);
        tcp.setDestinationPort(destinationPort);
        tcp.setSequenceNumber(sequence);
        tcp.setAcknowledgmentNumber(acknowledgment);
        tcp.setHeaderLength(io.vnet4j.wire.TcpSegment.MIN_HEADER_LENGTH);
        tcp.setFlags(flags);
        tcp.setWindow(window);
        tcp.setUrgentPointer(0);
        b.put(ETH + IP + io.vnet4j.wire.TcpSegment.MIN_HEADER_LENGTH, data);
        tcp.fillChecksum(source, destination);
        return b.array();
    }

    /** An IPv4 frame with any payload bytes and fragment fields (for hostile-input tests). */
    static byte[] rawIpv4(long destinationMac, int source, int destination, int protocol, int id, boolean more,
                          int fragmentOffset8, byte[] payload) {
        ByteBuffer b = ipFrame(destinationMac, source, destination, protocol, payload.length);
        Ipv4Packet ip = new Ipv4Packet().wrap(b, ETH, IP + payload.length);
        ip.setIdentification(id);
        ip.setFragmentation(false, more, fragmentOffset8);
        ip.fillChecksum();
        b.put(ETH + IP, payload);
        return b.array();
    }

    private static ByteBuffer ipFrame(long destinationMac, int source, int destination, int protocol, int payload) {
        int length = Math.max(60, ETH + IP + payload);
        ByteBuffer b = ByteBuffer.allocate(length);
        EthernetFrame eth = new EthernetFrame().wrap(b, 0, length);
        eth.setDestination(destinationMac);
        eth.setSource(GUEST_MAC);
        eth.setUntagged(EtherType.IPV4);
        Ipv4Packet ip = new Ipv4Packet().wrap(b, ETH, IP + payload);
        ip.setHeaderLength(IP);
        ip.setTotalLength(IP + payload);
        ip.setIdentification(7);
        ip.setFragmentation(true, false, 0);
        ip.setTtl(64);
        ip.setProtocol(protocol);
        ip.setSource(source);
        ip.setDestination(destination);
        ip.fillChecksum();
        return b;
    }
}
