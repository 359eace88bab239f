package io.vnet4j.wire;

import java.nio.ByteBuffer;

/**
 * Builds the IPv4 frames a guest sends (an ARP request, an ICMP echo request, a UDP datagram, a TCP segment
 * without options) into a caller's buffer at offset 0, checksums filled, zero-padded to Ethernet's 60-byte
 * minimum; each returns the frame's length in bytes. IPv4 headers are 20 bytes with identification 7, DF set
 * and TTL 64. For the daemon's warm-up and the tests, not the packet path: the buffer must hold the frame
 * ({@link IndexOutOfBoundsException} otherwise).
 */
public final class Ipv4Frames {
    private static final int ETH = EthernetFrame.HEADER_LENGTH;
    private static final int IP = Ipv4Packet.MIN_HEADER_LENGTH;

    private Ipv4Frames() {}

    /** A broadcast ARP request from {@code sourceMac}/{@code senderIp} for {@code targetIp}. */
    public static int arpRequest(ByteBuffer b, long sourceMac, int senderIp, int targetIp) {
        EthernetFrame eth = new EthernetFrame().wrap(b, 0, EthernetFrame.MIN_LENGTH);
        eth.setDestination(MacAddress.BROADCAST);
        eth.setSource(sourceMac);
        eth.setUntagged(EtherType.ARP);
        ArpPacket arp = new ArpPacket().wrap(b, ETH, ArpPacket.LENGTH);
        arp.setEthernetIpv4();
        arp.setOperation(ArpPacket.REQUEST);
        arp.setSenderMac(sourceMac);
        arp.setSenderIp(senderIp);
        arp.setTargetMac(0);
        arp.setTargetIp(targetIp);
        return EthernetFrame.pad(b, ETH + ArpPacket.LENGTH);
    }

    /** An ICMP echo request carrying {@code data}. */
    public static int echoRequest(ByteBuffer b, long sourceMac, long destinationMac, int source, int destination, int id,
                                  int sequence, byte[] data) {
        int icmpLength = IcmpPacket.HEADER_LENGTH + data.length;
        ipv4(b, sourceMac, destinationMac, source, destination, IpProtocol.ICMP, icmpLength);
        IcmpPacket icmp = new IcmpPacket().wrap(b, ETH + IP, icmpLength);
        icmp.setType(IcmpType.ECHO_REQUEST);
        icmp.setCode(0);
        icmp.setIdentifier(id);
        icmp.setSequence(sequence);
        b.put(ETH + IP + IcmpPacket.HEADER_LENGTH, data);
        icmp.fillChecksum();
        return EthernetFrame.pad(b, ETH + IP + icmpLength);
    }

    /** A UDP datagram carrying {@code data}. */
    public static int udp(ByteBuffer b, long sourceMac, long destinationMac, int source, int sourcePort, int destination,
                          int destinationPort, byte[] data) {
        int udpLength = UdpPacket.HEADER_LENGTH + data.length;
        ipv4(b, sourceMac, destinationMac, source, destination, IpProtocol.UDP, udpLength);
        UdpPacket udp = new UdpPacket().wrap(b, ETH + IP, udpLength);
        udp.setSourcePort(sourcePort);
        udp.setDestinationPort(destinationPort);
        udp.setDatagramLength(udpLength);
        b.put(ETH + IP + UdpPacket.HEADER_LENGTH, data);
        udp.fillChecksum(source, destination);
        return EthernetFrame.pad(b, ETH + IP + udpLength);
    }

    /**
     * A TCP segment carrying {@code options} (whole 32-bit words, as a SYN's) and then {@code data};
     * {@code flags} are {@link TcpFlags} bits.
     *
     * @throws IllegalArgumentException when the options are not whole 32-bit words
     */
    public static int tcp(ByteBuffer b, long sourceMac, long destinationMac, int source, int sourcePort, int destination,
                          int destinationPort, int flags, int sequence, int acknowledgment, int window, byte[] options,
                          byte[] data) {
        if (options.length % 4 != 0) {
            throw new IllegalArgumentException("TCP options of " + options.length + " bytes: whole 32-bit words only");
        }
        int header = TcpSegment.MIN_HEADER_LENGTH + options.length;
        int length = header + data.length;
        ipv4(b, sourceMac, destinationMac, source, destination, IpProtocol.TCP, length);
        TcpSegment tcp = new TcpSegment().wrap(b, ETH + IP, length);
        new TcpHeader(sourcePort, destinationPort, sequence, acknowledgment, header, flags, window, 0, 0).emit(tcp);
        b.put(ETH + IP + TcpSegment.MIN_HEADER_LENGTH, options);
        b.put(ETH + IP + header, data);
        tcp.fillChecksum(source, destination);
        return EthernetFrame.pad(b, ETH + IP + length);
    }

    /** The Ethernet and IPv4 headers (checksum filled) of a packet with {@code payload} bytes after them. */
    public static void ipv4(ByteBuffer b, long sourceMac, long destinationMac, int source, int destination, int protocol,
                            int payload) {
        EthernetFrame eth = new EthernetFrame().wrap(b, 0, ETH + IP + payload);
        eth.setDestination(destinationMac);
        eth.setSource(sourceMac);
        eth.setUntagged(EtherType.IPV4);
        Ipv4Packet ip = new Ipv4Packet().wrap(b, ETH, IP + payload);
        ip.setHeaderLength(IP);
        ip.setTos(0);
        ip.setTotalLength(IP + payload);
        ip.setIdentification(7);
        ip.setFragmentation(true, false, 0);
        ip.setTtl(64);
        ip.setProtocol(protocol);
        ip.setSource(source);
        ip.setDestination(destination);
        ip.fillChecksum();
    }

}
