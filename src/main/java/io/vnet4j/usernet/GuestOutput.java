package io.vnet4j.usernet;

import io.vnet4j.base.LineBudget;
import io.vnet4j.base.Log;
import io.vnet4j.usernet.tcp.OutgoingSegment;
import io.vnet4j.wire.ArpPacket;
import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IcmpPacket;
import io.vnet4j.wire.Icmpv6Packet;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv6Frames;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.Ipv6Packet;
import io.vnet4j.wire.NdpOptionType;
import io.vnet4j.wire.NdpOptionWriter;
import io.vnet4j.wire.NeighborSolicitation;
import io.vnet4j.wire.MacAddress;
import io.vnet4j.wire.TcpSackBlocks;
import io.vnet4j.wire.TcpSegment;
import io.vnet4j.wire.TcpSynOptions;
import io.vnet4j.wire.UdpPacket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Builds the frames the gateway sends to the guests: Ethernet with the gateway's MAC for the address it
 * speaks as (QEMU's 52:55 and the IPv4 address, 52:56 and the last four bytes of an IPv6 one), IPv4 or IPv6 (by the family of the
 * addresses) with checksums, fragmented to the MTU when larger (IPv6 with a Fragment header, RFC 8200
 * section 4.5), and hands each to the hub. The destination MAC comes from the {@link NeighborTable}, or
 * for IPv6 multicast from the address (33:33 and its last four bytes, RFC 2464 section 7); when a guest's
 * MAC is unknown, the finished frame waits in {@link PendingFrames} while an ARP request or a neighbour
 * solicitation asks for it, and leaves when the guest answers (or is dropped and counted after about a
 * second), as Linux and libslirp do.
 */
final class GuestOutput {
    /** What actually puts a finished frame on the hub. */
    interface FrameSink {
        /** {@code segmentSize} > 0: a TCP segment larger than a frame, to be cut to that size where needed. */
        void send(ByteBuffer frame, int offset, int length, int segmentSize);
    }

    private static final int ETH = EthernetFrame.HEADER_LENGTH;
    private static final int IP = Ipv4Packet.MIN_HEADER_LENGTH;
    private static final int IP6 = Ipv6Packet.HEADER_LENGTH;
    private static final int FRAGMENT = Ipv6Packet.FRAGMENT_HEADER_LENGTH;
    static final int DEFAULT_TTL = 64;
    /** RFC 4861 section 7.1: neighbour discovery goes with hop limit 255, which proves it stayed on the link. */
    static final int NDP_HOP_LIMIT = 255;
    /** The most an IPv4 packet holds, header included (its Total Length field, RFC 791 section 3.1). */
    static final int IPV4_MAX_TOTAL_LENGTH = 65535;

    private final FrameSink sink;
    private final NeighborTable neighbors;
    private final LongSupplier clock;
    private final PendingFrames pending = new PendingFrames();
    private final int mtu;
    private final ByteBuffer frame = ByteBuffer.allocateDirect(ETH + IP6 + FRAGMENT + 65536);
    private final ByteBuffer payload = ByteBuffer.allocateDirect(65536);
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final Ipv6Packet ip6 = new Ipv6Packet();
    private final Icmpv6Packet icmp6 = new Icmpv6Packet();
    private final NeighborSolicitation solicitation = new NeighborSolicitation();
    private GatewayAddresses askAs;
    /** Where a neighbour solicitation is built: not {@link #payload}, which may hold a datagram being sent. */
    private final ByteBuffer ndpScratch = ByteBuffer.allocate(64);
    private final UdpPacket udp = new UdpPacket();
    private final IcmpPacket icmp = new IcmpPacket();
    private final ArpPacket arpPacket = new ArpPacket();
    private final TcpSegment tcp = new TcpSegment();
    private int nextId = 1;
    /** Packets for an IPv4 guest longer than IPv4 can carry, dropped (see {@link #sendIp}). */
    private long tooLongForIpv4;
    /** The user network's id, which begins this class's log lines. */
    private final String logName;
    /** A host client's datagrams can cause {@link #tooLongForIpv4}'s drops at will: a few lines, then one a minute. */
    private final LineBudget tooLongLines;

    /**
     * @param logName the user network's id, for the log
     * @param clock the time in nanoseconds (System::nanoTime, or a test's), for how long a frame waits
     *              for its guest's MAC
     */
    GuestOutput(String logName, FrameSink sink, NeighborTable neighbors, int mtu, LongSupplier clock) {
        this.logName = logName;
        this.sink = sink;
        this.neighbors = neighbors;
        this.mtu = mtu;
        this.clock = clock;
        this.tooLongLines = new LineBudget(3, Duration.ofMinutes(1).toNanos(), clock.getAsLong());
        neighbors.onLearn((ip, mac) -> pending.release(ip, mac, sink));
    }

    /**
     * The gateway's own addresses, as which it asks for a guest's MAC (see {@link #send}); until set, a frame's
     * source.
     */
    void askAs(GatewayAddresses addresses) {
        this.askAs = addresses;
    }

    /** The MAC the gateway uses when it speaks as {@code ip}: 52:55 followed by the address, as in QEMU. */
    static long gatewayMac(int ip) {
        return 0x5255_0000_0000L | (ip & 0xFFFFFFFFL);
    }

    /**
     * The gateway's MAC as {@code ip}: QEMU's 52:55 and the IPv4 address, or for IPv6 52:56 and the
     * address's last four bytes (libslirp's in6_compute_ethaddr).
     */
    static long gatewayMac(IpAddress ip) {
        return ip.isIpv4() ? gatewayMac((int) ip.low()) : 0x5256_0000_0000L | (ip.low() & 0xFFFF_FFFFL);
    }

    /** Packets for IPv4 guests dropped because IPv4 cannot carry their length (see {@link #sendIp}). */
    long tooLongForIpv4() {
        return tooLongForIpv4;
    }

    /** A scratch buffer for building a payload before {@link #sendUdp} or {@link #sendIcmp}. */
    ByteBuffer payloadBuffer() {
        return payload;
    }

    /** The frames that wait, or waited, for a guest's MAC. */
    PendingFrames pending() {
        return pending;
    }

    /**
     * Drops the frames whose guest did not answer ARP in time.
     *
     * @return nanoseconds until the next frame's time runs out, {@link Long#MAX_VALUE} when none waits
     */
    long poll(long now) {
        return pending.expire(now);
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
        sink.send(frame, 0, EthernetFrame.pad(frame, ETH + ArpPacket.LENGTH), 0);
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
        udp.fillChecksum(source, destination);
        sendIp(IpProtocol.UDP, source, destination, destinationMac, body, UdpPacket.HEADER_LENGTH + length);
    }

    /**
     * Sends a TCP segment to a guest, built in place in the frame, with its SYN options or SACK blocks; the
     * payload is copied from the connection's send queue. A large segment ({@link OutgoingSegment#isLarge})
     * goes out as one, its checksum only the pseudo-header sum (see Port#deliver with a segment size).
     */
    void sendTcp(OutgoingSegment segment) {
        IpAddress source = segment.source();
        IpAddress destination = segment.destination();
        TcpSynOptions options = segment.synOptions();
        TcpSackBlocks sack = segment.sack();
        long mac = macOf(destination, NeighborTable.UNKNOWN);
        int ipLength = destination.isIpv4() ? IP : IP6;
        int optionsLength = (options == null ? 0 : options.length()) + (sack == null ? 0 : sack.length());
        int headerLength = TcpSegment.MIN_HEADER_LENGTH + optionsLength;
        int length = headerLength + segment.payloadLength();
        tcp.wrap(frame, ETH + ipLength, length);
        tcp.setSourcePort(segment.sourcePort());
        tcp.setDestinationPort(segment.destinationPort());
        tcp.setSequenceNumber(segment.sequence());
        tcp.setAcknowledgmentNumber(segment.acknowledgment());
        tcp.setHeaderLength(headerLength);
        tcp.setFlags(segment.flags());
        tcp.setWindow(segment.window());
        tcp.setUrgentPointer(0);
        if (options != null) {
            options.emit(tcp);
        }
        if (sack != null) {
            sack.emit(tcp, headerLength - sack.length());
        }
        segment.copyPayload(frame, ETH + ipLength + headerLength);
        boolean large = segment.isLarge();
        if (large) {
            tcp.setChecksum(Checksum.fold(Checksum.pseudoHeaderSum(source, destination, IpProtocol.TCP, length)));
        } else {
            tcp.fillChecksum(source, destination);
        }
        int headers = writeHeaders(IpProtocol.TCP, source, destination, mac, nextId++, length, false, -1);
        send(headers + length, large ? segment.segmentSize() : 0, source, destination, mac);
        probeIfStale(source, destination, mac);
    }

    /**
     * Sends an ICMP message (ICMPv6 between IPv6 addresses) whose header and body are in
     * {@link #payloadBuffer()} at 0; fills its checksum.
     */
    void sendIcmp(IpAddress source, IpAddress destination, int length) {
        sendIcmp(source, destination, NeighborTable.UNKNOWN, DEFAULT_TTL, length);
    }

    /** As {@link #sendIcmp(IpAddress, IpAddress, int)} to a known MAC (or UNKNOWN) with a given hop limit. */
    void sendIcmp(IpAddress source, IpAddress destination, long destinationMac, int hopLimit, int length) {
        sendIcmp(source, destination, destinationMac, hopLimit, payload, length);
    }

    /** An ICMP or ICMPv6 message of {@code length} bytes at 0 of {@code body}: its checksum filled, then sent. */
    private void sendIcmp(IpAddress source, IpAddress destination, long destinationMac, int hopLimit, ByteBuffer body,
                          int length) {
        if (source.isIpv4()) {
            icmp.wrap(body, 0, length);
            icmp.fillChecksum();
            sendIp(IpProtocol.ICMP, source, destination, destinationMac, hopLimit, body, length);
        } else {
            icmp6.wrap(body, 0, length);
            icmp6.fillChecksum(source, destination);
            sendIp(IpProtocol.ICMPV6, source, destination, destinationMac, hopLimit, body, length);
        }
    }

    /** An ICMP or ICMPv6 message of {@code length} bytes at 0 of {@code body} (not {@link #payloadBuffer()}), to a guest. */
    void sendIcmp(IpAddress source, IpAddress destination, ByteBuffer body, int length) {
        sendIcmp(source, destination, NeighborTable.UNKNOWN, DEFAULT_TTL, body, length);
    }

    /**
     * Sends an IP packet with {@code body} as its payload, in fragments when it exceeds the MTU. One longer than
     * IPv4 carries, for an IPv4 guest, is dropped, counted ({@link #tooLongForIpv4}) and said in the log: a datagram
     * of 65,508 to 65,527 bytes from an IPv6 host client of a rule that forwards to an IPv4 guest
     * ({@code hostfwd=udp:[::1]:P-10.0.2.15:P}), or an answer that long from an IPv6 DNS upstream to an IPv4 guest,
     * went as fragments that add up past 65,535 bytes, which the guest's reassembly discards (Linux counts IpReasmFails; moby/vpnkit#116
     * is the same bound from the other side, datagrams up to 65,507 bytes).
     */
    void sendIp(int protocol, IpAddress source, IpAddress destination, long destinationMac, ByteBuffer body, int length) {
        sendIp(protocol, source, destination, destinationMac, DEFAULT_TTL, body, length);
    }

    private void sendIp(int protocol, IpAddress source, IpAddress destination, long destinationMac, int hopLimit,
                        ByteBuffer body, int length) {
        boolean v4 = destination.isIpv4();
        if (v4 && IP + length > IPV4_MAX_TOTAL_LENGTH) {
            tooLongForIpv4++;
            String more = tooLongLines.take(clock.getAsLong());
            if (more != null) {
                Log.info(logName + ": a packet of " + (IP + length) + " bytes from " + source + " to " + destination
                        + " dropped: IPv4 carries at most " + IPV4_MAX_TOTAL_LENGTH + " (the total length field)" + more);
            }
            return;
        }
        long mac = macOf(destination, destinationMac);
        int id = nextId++;
        int ipLength = v4 ? IP : IP6;
        boolean fragmented = ipLength + length > mtu;
        // only fragments other than the last hold a multiple of 8 bytes: a packet that fits goes whole, even
        // when the room the MTU leaves is no multiple of 8 (IPv6 at 1500, IPv4 at 9000 or 65520)
        int maxData = fragmented ? (mtu - ipLength - (v4 ? 0 : FRAGMENT)) & ~7 : length;
        int offset = 0;
        do {
            int chunk = Math.min(length - offset, maxData);
            boolean more = offset + chunk < length;
            int headers = writeHeaders(protocol, source, destination, mac, id, chunk, more, fragmented ? offset / 8 : -1);
            if (!v4) {
                ip6.setHopLimit(hopLimit);
            } else if (hopLimit != DEFAULT_TTL) {
                ip.setTtl(hopLimit);
                ip.fillChecksum();
            }
            frame.put(headers, body, offset, chunk);
            send(headers + chunk, 0, source, destination, mac);
            offset += chunk;
        } while (offset < length);
        if (destinationMac == NeighborTable.UNKNOWN) {
            probeIfStale(source, destination, mac);
        }
    }

    /**
     * After a frame went to {@code mac}, the neighbour table's entry for {@code destination}: asks for it again
     * when its guest has been silent long enough ({@link NeighborTable#dueForProbe}); an answer from another MAC
     * moves the entry there.
     */
    private void probeIfStale(IpAddress source, IpAddress destination, long mac) {
        if (mac != NeighborTable.UNKNOWN && !destination.isMulticastOrBroadcast() && neighbors.dueForProbe(destination, mac)) {
            ask(source, destination);
        }
    }

    /** The MAC for {@code destination}: the one given, the multicast group's, or the neighbour table's. */
    private long macOf(IpAddress destination, long given) {
        if (given != NeighborTable.UNKNOWN) {
            return given;
        }
        if (destination.isIpv6() && destination.isMulticastOrBroadcast()) {
            return Ipv6Frames.multicastMac(destination);
        }
        return neighbors.lookup(destination);
    }

    /**
     * Writes the Ethernet and IP headers in front of {@code dataLength} bytes of upper-layer data and
     * returns where that data starts in the frame. IPv6 gets a Fragment header when
     * {@code fragmentOffset} (in 8-byte units) is not -1. An unknown MAC is written as it is and replaced
     * when the frame leaves {@link PendingFrames}.
     */
    private int writeHeaders(int protocol, IpAddress source, IpAddress destination, long mac, int id, int dataLength,
                             boolean moreFragments, int fragmentOffset) {
        if (destination.isIpv6()) {
            return writeIpv6Headers(protocol, source, destination, mac, id, dataLength, moreFragments, fragmentOffset);
        }
        eth.wrap(frame, 0, ETH + IP + dataLength);
        eth.setDestination(mac);
        eth.setSource(gatewayMac(source));
        eth.setUntagged(EtherType.IPV4);
        ip.wrap(frame, ETH, IP + dataLength);
        ip.setHeaderLength(IP);
        ip.setTos(0);
        ip.setTotalLength(IP + dataLength);
        ip.setIdentification(id & 0xFFFF);
        ip.setFragmentation(false, moreFragments, Math.max(fragmentOffset, 0));
        ip.setTtl(DEFAULT_TTL);
        ip.setProtocol(protocol);
        ip.setSource(source.ipv4());
        ip.setDestination(destination.ipv4());
        ip.fillChecksum();
        return ETH + IP;
    }

    private int writeIpv6Headers(int protocol, IpAddress source, IpAddress destination, long mac, int id,
                                 int dataLength, boolean moreFragments, int fragmentOffset) {
        int extension = fragmentOffset < 0 ? 0 : FRAGMENT;
        eth.wrap(frame, 0, ETH + IP6 + extension + dataLength);
        eth.setDestination(mac);
        eth.setSource(gatewayMac(source));
        eth.setUntagged(EtherType.IPV6);
        ip6.wrap(frame, ETH, IP6 + extension + dataLength);
        ip6.setVersionClassFlow(0, 0);
        ip6.setPayloadLength(extension + dataLength);
        ip6.setHopLimit(DEFAULT_TTL);
        ip6.setSource(source);
        ip6.setDestination(destination);
        if (extension == 0) {
            ip6.setNextHeader(protocol);
            return ETH + IP6;
        }
        ip6.setNextHeader(IpProtocol.FRAGMENT);
        int at = ETH + IP6;
        frame.put(at, (byte) protocol).put(at + 1, (byte) 0);
        frame.putShort(at + 2, (short) (fragmentOffset << 3 | (moreFragments ? 1 : 0)));
        frame.putInt(at + 4, id);
        return at + FRAGMENT;
    }

    /**
     * Pads the frame to Ethernet's 60-byte minimum and hands it to the hub, or, when the guest's MAC is
     * unknown, holds it and asks for the MAC (once per wait): by ARP, or by a neighbour solicitation to the
     * solicited-node group (RFC 4861 section 7.2.2). It asks as the gateway's own address, as libslirp's
     * if_encap does, whatever the frame's source: asked as a host beyond the gateway (a forwarded client's
     * address, a NAT'd reply's sender), the guest answers to a MAC the gateway does not take, and the frame
     * would wait in vain.
     */
    private void send(int frameLength, int segmentSize, IpAddress source, IpAddress destination, long mac) {
        int length = EthernetFrame.pad(frame, frameLength);
        if (mac != NeighborTable.UNKNOWN) {
            sink.send(frame, 0, length, segmentSize);
        } else if (pending.hold(destination, frame, 0, length, segmentSize, clock.getAsLong())) {
            ask(source, destination);
        }
    }

    /**
     * Asks for {@code destination}'s MAC as the gateway (its address of that family, {@link #askAs}): an ARP request
     * (broadcast) or a neighbour solicitation; the answer teaches the neighbour table.
     */
    void ask(IpAddress destination) {
        ask(askAs.host(destination), destination);
    }

    /** Asks for {@code destination}'s MAC: an ARP request (broadcast) or a neighbour solicitation, as the gateway. */
    private void ask(IpAddress source, IpAddress destination) {
        IpAddress asker = askAs == null || askAs.host(destination) == null ? source : askAs.host(destination);
        if (destination.isIpv4()) {
            sendArp(ArpPacket.REQUEST, asker.ipv4(), 0, destination.ipv4(), MacAddress.BROADCAST);
        } else {
            sendNeighborSolicitation(asker, destination);
        }
    }

    /** A neighbour solicitation for {@code target}, with the source link-layer address option. */
    private void sendNeighborSolicitation(IpAddress source, IpAddress target) {
        int length = NeighborSolicitation.FIXED_LENGTH + NdpOptionWriter.LINK_LAYER_ADDRESS_LENGTH;
        IpAddress group = Ipv6Frames.solicitedNode(target);
        solicitation.wrap(ndpScratch, 0, length);
        solicitation.writeHeader();
        solicitation.setTarget(target);
        NdpOptionWriter.writeLinkLayerAddress(ndpScratch, NeighborSolicitation.FIXED_LENGTH,
                NdpOptionType.SOURCE_LINK_LAYER_ADDRESS, gatewayMac(source));
        sendIcmp(source, group, NeighborTable.UNKNOWN, NDP_HOP_LIMIT, ndpScratch, length);
    }
}
