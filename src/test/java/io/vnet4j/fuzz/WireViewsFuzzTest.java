package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.wire.ArpHeader;
import io.vnet4j.wire.ArpPacket;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.EthernetHeader;
import io.vnet4j.wire.IcmpHeader;
import io.vnet4j.wire.IcmpPacket;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Header;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.TcpHeader;
import io.vnet4j.wire.TcpSackBlocks;
import io.vnet4j.wire.TcpSegment;
import io.vnet4j.wire.TcpSynOptions;
import io.vnet4j.wire.UdpHeader;
import io.vnet4j.wire.UdpPacket;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;

/**
 * The wire views over untrusted bytes: a whole frame goes through Ethernet (+802.1Q), ARP, IPv4, ICMP,
 * UDP and TCP as the gateway reads it, and every L3/L4 view's check also sees the raw bytes. Checks
 * never throw; a view that passes stays inside its bytes; every record parses, emits and parses again
 * to the same value; TCP SYN options emitted from their record read back the same, and so do SACK blocks.
 */
class WireViewsFuzzTest {
    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final IcmpPacket icmp = new IcmpPacket();
    private final UdpPacket udp = new UdpPacket();
    private final TcpSegment tcp = new TcpSegment();
    private final TcpSackBlocks sack = new TcpSackBlocks();

    @FuzzTest
    void framesParseWithinTheirBytesAndRecordsRoundTrip(byte[] bytes) {
        ByteBuffer frame = ByteBuffer.wrap(bytes);
        checkRaw(frame, bytes.length);
        if (eth.wrap(frame, 0, bytes.length).check() != WireError.NONE) {
            return;
        }
        EthernetHeader header = EthernetHeader.parse(eth);
        assertThat(header.length() + eth.payloadLength()).isEqualTo(bytes.length);
        EthernetFrame copy = new EthernetFrame().wrap(ByteBuffer.allocate(header.length()), 0, header.length());
        header.emit(copy);
        assertThat(EthernetHeader.parse(copy)).isEqualTo(header);
        switch (eth.etherType()) {
            case EtherType.ARP -> arp(frame, eth.payloadOffset(), eth.payloadLength());
            case EtherType.IPV4 -> ipv4(frame, eth.payloadOffset(), eth.payloadLength());
            default -> { }
        }
    }

    /** Every view's check on the raw bytes, as if a frame's payload started at its first byte. */
    private void checkRaw(ByteBuffer frame, int length) {
        arp.wrap(frame, 0, length).check();
        ip.wrap(frame, 0, length).check();
        icmp.wrap(frame, 0, length).check();
        udp.wrap(frame, 0, length).check();
        tcp.wrap(frame, 0, length).check();
    }

    private void arp(ByteBuffer frame, int offset, int length) {
        if (arp.wrap(frame, offset, length).check() != WireError.NONE) {
            return;
        }
        ArpHeader header = ArpHeader.parse(arp);
        ArpPacket copy = new ArpPacket().wrap(ByteBuffer.allocate(ArpPacket.LENGTH), 0, ArpPacket.LENGTH);
        header.emit(copy);
        assertThat(copy.check()).isEqualTo(WireError.NONE);
        assertThat(ArpHeader.parse(copy)).isEqualTo(header);
    }

    private void ipv4(ByteBuffer frame, int offset, int length) {
        if (ip.wrap(frame, offset, length).check() != WireError.NONE) {
            return;
        }
        Ipv4Header header = Ipv4Header.parse(ip);
        assertThat(ip.payloadOffset() + ip.payloadLength()).isLessThanOrEqualTo(offset + length);
        assertThat(ip.payloadLength()).isNotNegative();
        Ipv4Packet copy = new Ipv4Packet().wrap(ByteBuffer.allocate(length), 0, length);
        header.emit(copy);
        assertThat(Ipv4Header.parse(copy)).isEqualTo(header);
        int l4 = ip.payloadOffset();
        int l4Length = ip.payloadLength();
        switch (ip.protocol()) {
            case IpProtocol.ICMP -> icmp(frame, l4, l4Length);
            case IpProtocol.UDP -> udp(frame, l4, l4Length, ip.source(), ip.destination());
            case IpProtocol.TCP -> tcp(frame, l4, l4Length, ip.source(), ip.destination());
            default -> { }
        }
    }

    private void icmp(ByteBuffer frame, int offset, int length) {
        if (icmp.wrap(frame, offset, length).check() != WireError.NONE) {
            return;
        }
        icmp.checksumValid();
        assertThat(icmp.payloadOffset() + icmp.payloadLength()).isEqualTo(offset + length);
        IcmpHeader header = IcmpHeader.parse(icmp);
        IcmpPacket copy = new IcmpPacket().wrap(ByteBuffer.allocate(length), 0, length);
        header.emit(copy);
        assertThat(IcmpHeader.parse(copy)).isEqualTo(header);
    }

    private void udp(ByteBuffer frame, int offset, int length, int source, int destination) {
        if (udp.wrap(frame, offset, length).check() != WireError.NONE) {
            return;
        }
        udp.checksumValid(source, destination);
        assertThat(udp.payloadOffset() + udp.payloadLength()).isLessThanOrEqualTo(offset + length);
        assertThat(udp.payloadLength()).isNotNegative();
        UdpHeader header = UdpHeader.parse(udp);
        UdpPacket copy = new UdpPacket().wrap(ByteBuffer.allocate(length), 0, length);
        header.emit(copy);
        assertThat(UdpHeader.parse(copy)).isEqualTo(header);
    }

    private void tcp(ByteBuffer frame, int offset, int length, int source, int destination) {
        int blocks = tcp.wrap(frame, offset, length).sackBlocks(sack); // never throws, malformed or not
        assertThat(blocks).isBetween(0, TcpSackBlocks.MAX_BLOCKS);
        if (tcp.check() != WireError.NONE) {
            return;
        }
        tcp.checksumValid(source, destination);
        assertThat(tcp.payloadOffset() + tcp.payloadLength()).isEqualTo(offset + length);
        assertThat(tcp.payloadLength()).isNotNegative();
        TcpHeader header = TcpHeader.parse(tcp);
        TcpSegment copy = new TcpSegment().wrap(ByteBuffer.allocate(length), 0, length);
        header.emit(copy);
        assertThat(TcpHeader.parse(copy)).isEqualTo(header);

        TcpSynOptions options = TcpSynOptions.parse(tcp);
        int optionsLength = TcpSegment.MIN_HEADER_LENGTH + options.length();
        TcpSegment syn = new TcpSegment().wrap(ByteBuffer.allocate(optionsLength), 0, optionsLength);
        syn.setHeaderLength(optionsLength);
        options.emit(syn);
        assertThat(syn.check()).isEqualTo(WireError.NONE);
        assertThat(TcpSynOptions.parse(syn)).isEqualTo(options);

        if (blocks > 0) { // the blocks, emitted into an ACK of their own, read back the same
            int ackLength = TcpSegment.MIN_HEADER_LENGTH + sack.length();
            TcpSegment ack = new TcpSegment().wrap(ByteBuffer.allocate(ackLength), 0, ackLength);
            ack.setHeaderLength(ackLength);
            sack.emit(ack, TcpSegment.MIN_HEADER_LENGTH);
            TcpSackBlocks again = new TcpSackBlocks();
            assertThat(ack.sackBlocks(again)).isEqualTo(blocks);
            for (int i = 0; i < blocks; i++) {
                assertThat(again.left(i)).isEqualTo(sack.left(i));
                assertThat(again.right(i)).isEqualTo(sack.right(i));
            }
        }
    }
}
