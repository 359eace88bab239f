package io.vnet4j.usernet;

import io.vnet4j.wire.ArpPacket;
import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IcmpPacket;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.MacAddress;
import io.vnet4j.wire.TcpSackBlocks;
import io.vnet4j.wire.TcpSegment;
import io.vnet4j.wire.TcpSynOptions;
import io.vnet4j.wire.UdpPacket;
import java.nio.ByteBuffer;
import java.util.function.LongSupplier;

/**
 * Builds the frames the gateway sends to the guests: Ethernet with the gateway's MAC for the address it
 * speaks as (QEMU's 52:55:IP), IPv4 with checksums, fragmented to the MTU when larger, and hands each to
 * the hub. The destination MAC comes from the {@link NeighborTable}; when a guest's MAC is unknown, the
 * finished frame waits in {@link PendingFrames} while an ARP request asks for it, and leaves when the
 * guest answers (or is dropped and counted after about a second), as Linux and libslirp do.
 */
final class GuestOutput {
    /** What actually puts a finished frame on the hub. */
    interface FrameSink {
        /** {@code segmentSize} > 0: a TCP segment larger than a frame, to be cut to that size where needed. */
        void send(ByteBuffer frame, int offset, int length, int segmentSize);
    }

    private static final int ETH = EthernetFrame.HEADER_LENGTH;
    private static final int IP = Ipv4Packet.MIN_HEADER_LENGTH;
    private static final int DEFAULT_TTL = 64;

    private final FrameSink sink;
    private final NeighborTable neighbors;
    private final LongSupplier clock;
    private final PendingFrames pending = new PendingFrames();
    private final int mtu;
    private final ByteBuffer frame = ByteBuffer.allocateDirect(ETH + 65536);
    private final ByteBuffer payload = ByteBuffer.allocateDirect(65536);
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final UdpPacket udp = new UdpPacket();
    private final IcmpPacket icmp = new IcmpPacket();
    private final ArpPacket arpPacket = new ArpPacket();
    private final TcpSegment tcp = new TcpSegment();
    private int nextId = 1;

    /**
     * @param clock the time in nanoseconds (System::nanoTime, or a test's), for how long a frame waits
     *              for its guest's MAC
     */
    GuestOutput(FrameSink sink, NeighborTable neighbors, int mtu, LongSupplier clock) {
        this.sink = sink;
        this.neighbors = neighbors;
        this.mtu = mtu;
        this.clock = clock;
        neighbors.onLearn((ip, mac) -> pending.release(ip, mac, sink));
    }

    /** The MAC the gateway uses when it speaks as {@code ip}: 52:55 followed by the address, as in QEMU. */
    static long gatewayMac(int ip) {
        return 0x5255_0000_0000L | (ip & 0xFFFFFFFFL);
    }

    /** The gateway's MAC as {@code ip}: QEMU's 52:55 and the IPv4 address, or the last four bytes of an IPv6 one. */
    static long gatewayMac(IpAddress ip) {
        return gatewayMac((int) ip.low());
    }

    /** A scratch buffer for building a payload before {@link #sendUdp} or {@link #sendIcmp}. */
    ByteBuffer payloadBuffer() {
        return payload;
    }

    /** The frames that wait, or waited, for a guest's MAC. */
    PendingFrames pending() {
        return pending;
    }

    /** Drops the frames whose guest did not answer ARP in time. */
    void poll(long now) {
        pending.expire(now);
    }

    /** Sends an ARP packet (request or reply) as {@code senderIp}. */
    void sendArp(int operation, int senderIp, long targetMac, int targetIp, long destinationMac) {
        eth.wrap(frame, 0, ETH + ArpPacket.LENGTH);
        eth.setDestination(destinationMac);
        eth.setSource(gatewayMac(senderIp));
        eth.setUntagged(EtherType.ARP);
        arpPacket.wrap(frame, ETH, ArpPacket.LENGTH);
        arpPacket.setEthernetIpv4();
        arpPacket.setOperation(operation);
        arpPacket.setSenderMac(gatewayMac(senderIp));
        arpPacket.setSenderIp(senderIp);
        arpPacket.setTargetMac(targetMac);
        arpPacket.setTargetIp(targetIp);
        int length = ETH + ArpPacket.LENGTH;
        for (int i = length; i < 60; i++) {
            frame.put(i, (byte) 0);
        }
        sink.send(frame, 0, Math.max(length, 60), 0);
    }

    /**
     * Sends a UDP datagram to a guest; the payload is {@code src[offset, offset + length)}.
     * {@code destinationMac} may be {@link NeighborTable#UNKNOWN} to look it up, or broadcast.
     */
    void sendUdp(IpAddress source, int sourcePort, IpAddress destination, int destinationPort, long destinationMac,
                 ByteBuffer src, int offset, int length) {
        ByteBuffer body = payload;
        if (src != payload || offset != UdpPacket.HEADER_LENGTH) {
            payload.put(UdpPacket.HEADER_LENGTH, src, offset, length);
        }
        udp.wrap(body, 0, UdpPacket.HEADER_LENGTH + length);
        udp.setSourcePort(sourcePort);
        udp.setDestinationPort(destinationPort);
        udp.setDatagramLength(UdpPacket.HEADER_LENGTH + length);
        udp.fillChecksum(source.ipv4(), destination.ipv4());
        sendIp(IpProtocol.UDP, source, destination, destinationMac, body, UdpPacket.HEADER_LENGTH + length);
    }

    /**
     * Sends a TCP segment to a guest, built in place in the frame, with SYN options or SACK blocks if
     * given; the payload is copied from the connection's send queue. A segment with more payload than
     * {@code segmentSize} goes out as a large segment, its checksum only the pseudo-header sum (see
     * Port#deliver with a segment size).
     */
    void sendTcp(IpAddress source, int sourcePort, IpAddress destination, int destinationPort, int flags, int sequence,
                 int acknowledgment, int window, io.vnet4j.usernet.tcp.TcpConnection connection, int payloadFromFront,
                 int payloadLength, TcpSynOptions options, TcpSackBlocks sack, int segmentSize) {
        long mac = neighbors.lookup(destination);
        int optionsLength = (options == null ? 0 : options.length()) + (sack == null ? 0 : sack.length());
        int headerLength = TcpSegment.MIN_HEADER_LENGTH + optionsLength;
        int length = headerLength + payloadLength;
        tcp.wrap(frame, ETH + IP, length);
        tcp.setSourcePort(sourcePort);
        tcp.setDestinationPort(destinationPort);
        tcp.setSequenceNumber(sequence);
        tcp.setAcknowledgmentNumber(acknowledgment);
        tcp.setHeaderLength(headerLength);
        tcp.setFlags(flags);
        tcp.setWindow(window);
        tcp.setUrgentPointer(0);
        if (options != null) {
            options.emit(tcp);
        }
        if (sack != null) {
            sack.emit(tcp, headerLength - sack.length());
        }
        if (payloadLength > 0) {
            connection.copyPayload(payloadFromFront, frame, ETH + IP + headerLength, payloadLength);
        }
        boolean large = payloadLength > segmentSize && segmentSize > 0;
        if (large) {
            tcp.setChecksum(Checksum.fold(Checksum.pseudoHeaderSum(source.ipv4(), destination.ipv4(), IpProtocol.TCP, length)));
        } else {
            tcp.fillChecksum(source.ipv4(), destination.ipv4());
        }
        writeHeaders(IpProtocol.TCP, source, destination, mac, nextId++ & 0xFFFF, length, false, 0);
        send(ETH + IP + length, large ? segmentSize : 0, source, destination, mac);
    }

    /** Sends an ICMP message whose header and body are in {@link #payloadBuffer()} at 0; fills its checksum. */
    void sendIcmp(IpAddress source, IpAddress destination, int length) {
        icmp.wrap(payload, 0, length);
        icmp.fillChecksum();
        sendIp(IpProtocol.ICMP, source, destination, NeighborTable.UNKNOWN, payload, length);
    }

    /** Sends an IP packet with {@code body} as its payload, in fragments when it exceeds the MTU. */
    void sendIp(int protocol, IpAddress source, IpAddress destination, long destinationMac, ByteBuffer body, int length) {
        long mac = destinationMac != NeighborTable.UNKNOWN ? destinationMac : neighbors.lookup(destination);
        int id = nextId++ & 0xFFFF;
        int maxData = (mtu - IP) & ~7;
        int offset = 0;
        do {
            int chunk = Math.min(length - offset, maxData);
            boolean more = offset + chunk < length;
            writeHeaders(protocol, source, destination, mac, id, chunk, more, offset / 8);
            frame.put(ETH + IP, body, offset, chunk);
            send(ETH + IP + chunk, 0, source, destination, mac);
            offset += chunk;
        } while (offset < length);
    }

    /**
     * Writes the Ethernet and IPv4 headers in front of {@code dataLength} bytes at ETH + IP in the frame;
     * an unknown MAC is written as it is and replaced when the frame leaves {@link PendingFrames}.
     */
    private void writeHeaders(int protocol, IpAddress source, IpAddress destination, long mac, int id, int dataLength,
                              boolean moreFragments, int fragmentOffset) {
        eth.wrap(frame, 0, ETH + IP + dataLength);
        eth.setDestination(mac);
        eth.setSource(gatewayMac(source));
        eth.setUntagged(EtherType.IPV4);
        ip.wrap(frame, ETH, IP + dataLength);
        ip.setHeaderLength(IP);
        ip.setTos(0);
        ip.setTotalLength(IP + dataLength);
        ip.setIdentification(id);
        ip.setFragmentation(false, moreFragments, fragmentOffset);
        ip.setTtl(DEFAULT_TTL);
        ip.setProtocol(protocol);
        ip.setSource(source.ipv4());
        ip.setDestination(destination.ipv4());
        ip.fillChecksum();
    }

    /**
     * Pads the frame to Ethernet's 60-byte minimum and hands it to the hub, or, when the guest's MAC is
     * unknown, holds it and asks for the MAC by ARP as {@code source} (once per wait).
     */
    private void send(int frameLength, int segmentSize, IpAddress source, IpAddress destination, long mac) {
        for (int i = frameLength; i < 60; i++) {
            frame.put(i, (byte) 0);
        }
        int length = Math.max(frameLength, 60);
        if (mac != NeighborTable.UNKNOWN) {
            sink.send(frame, 0, length, segmentSize);
        } else if (pending.hold(destination, frame, 0, length, segmentSize, clock.getAsLong())) {
            sendArp(ArpPacket.REQUEST, source.ipv4(), 0, destination.ipv4(), MacAddress.BROADCAST);
        }
    }
}
