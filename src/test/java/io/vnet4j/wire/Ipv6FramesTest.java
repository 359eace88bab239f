package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The frames {@link Ipv6Frames} builds read back as RFC 4861 and RFC 4443 say, checksums valid. */
class Ipv6FramesTest {
    static final long MAC = 0x0200_0000_0001L;
    static final IpAddress LINK_LOCAL = IpAddress.parse("fe80::ff:fe00:1");
    static final IpAddress SITE = IpAddress.parse("fec0::ff:fe00:1");
    static final IpAddress GATEWAY = IpAddress.parse("fec0::2");

    private final ByteBuffer b = ByteBuffer.allocate(1514);

    private Ipv6Packet ip(int length, long destinationMac) {
        EthernetFrame eth = new EthernetFrame().wrap(b, 0, length);
        assertThat(eth.etherType()).isEqualTo(EtherType.IPV6);
        assertThat(eth.source()).isEqualTo(MAC);
        assertThat(eth.destination()).isEqualTo(destinationMac);
        Ipv6Packet ip = new Ipv6Packet().wrap(b, EthernetFrame.HEADER_LENGTH, length - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.check()).isEqualTo(WireError.NONE);
        assertThat(ip.upperProtocol()).isEqualTo(IpProtocol.ICMPV6);
        return ip;
    }

    @Test
    void aRouterSolicitationGoesToAllRoutersWithItsLinkLayerAddress() {
        int n = Ipv6Frames.routerSolicitation(b, MAC, LINK_LOCAL);
        Ipv6Packet ip = ip(n, 0x3333_0000_0002L);
        assertThat(ip.hopLimit()).isEqualTo(255);
        assertThat(ip.destination()).isEqualTo(IpAddress.parse("ff02::2"));
        RouterSolicitation rs = new RouterSolicitation().wrap(b, ip.upperOffset(), ip.upperLength());
        assertThat(rs.check()).isEqualTo(WireError.NONE);
        assertThat(rs.checksumValid(ip)).isTrue();
        NdpOptions options = rs.options(new NdpOptions());
        assertThat(options.next()).isTrue();
        assertThat(options.type()).isEqualTo(NdpOptionType.SOURCE_LINK_LAYER_ADDRESS);
        assertThat(options.linkLayerAddress()).isEqualTo(MAC);
    }

    @Test
    void aNeighborSolicitationGoesToTheTargetsSolicitedNodeGroup() {
        int n = Ipv6Frames.neighborSolicitation(b, MAC, SITE, GATEWAY);
        Ipv6Packet ip = ip(n, 0x3333_ff00_0002L);
        assertThat(ip.hopLimit()).isEqualTo(255);
        assertThat(ip.source()).isEqualTo(SITE);
        assertThat(ip.destination()).isEqualTo(IpAddress.parse("ff02::1:ff00:2"));
        NeighborSolicitation ns = new NeighborSolicitation().wrap(b, ip.upperOffset(), ip.upperLength());
        assertThat(ns.check()).isEqualTo(WireError.NONE);
        assertThat(ns.checksumValid(ip)).isTrue();
        assertThat(ns.target()).isEqualTo(GATEWAY);
        NdpOptions options = ns.options(new NdpOptions());
        assertThat(options.next()).isTrue();
        assertThat(options.linkLayerAddress()).isEqualTo(MAC);
    }

    @Test
    void anEchoRequestCarriesItsIdentifierSequenceAndData() {
        int n = Ipv6Frames.echoRequest(b, MAC, 0x5256_0000_0002L, SITE, GATEWAY, 7, 300, new byte[] {'x'});
        assertThat(n).isEqualTo(63); // 14 + 40 + 8 + 1 bytes, above Ethernet's 60
        Ipv6Packet ip = ip(n, 0x5256_0000_0002L);
        assertThat(ip.hopLimit()).isEqualTo(64);
        Icmpv6Packet icmp = new Icmpv6Packet().wrap(b, ip.upperOffset(), ip.upperLength());
        assertThat(icmp.type()).isEqualTo(Icmpv6Type.ECHO_REQUEST);
        assertThat(icmp.identifier()).isEqualTo(7);
        assertThat(icmp.sequence()).isEqualTo(300);
        assertThat(icmp.checksumValid(ip)).isTrue();
        assertThat(b.get(icmp.payloadOffset())).isEqualTo((byte) 'x');
    }

    @Test
    void aTcpSegmentCarriesItsOptionsInItsHeaderAndThenItsData() {
        int n = Ipv6Frames.tcp(b, MAC, 0x5256_0000_0002L, SITE, 40001, GATEWAY, 8080, TcpFlags.SYN | TcpFlags.ACK, 1000,
                2000, 64240, FrameSegments.OPTIONS, FrameSegments.DATA);
        assertThat(n).isEqualTo(14 + 40 + 24 + 2);
        Ipv6Packet ip = new Ipv6Packet().wrap(b, EthernetFrame.HEADER_LENGTH, n - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.check()).isEqualTo(WireError.NONE);
        assertThat(ip.upperProtocol()).isEqualTo(IpProtocol.TCP);
        assertThat(ip.hopLimit()).isEqualTo(64);
        TcpSegment tcp = new TcpSegment().wrap(b, ip.upperOffset(), ip.upperLength());
        FrameSegments.assertIsTheSegment(tcp);
        assertThat(Checksum.fold(ip.pseudoHeaderSum(IpProtocol.TCP, ip.upperLength())
                + Checksum.sum(b, ip.upperOffset(), ip.upperLength()))).isEqualTo(0xFFFF);
    }

    /** The frame the warm-up sends to MLDv2's group: Ethernet and IPv6 headers, nothing after, padded to 60 bytes. */
    @Test
    void aPacketToAGroupCarryingNothingIsTheHeadersPaddedTo60Bytes() {
        int n = Ipv6Frames.toGroupCarryingNothing(b, MAC, IpAddress.IPV6_ANY, IpAddress.parse("ff02::16"), 1);
        byte[] frame = new byte[n];
        b.get(0, frame);
        assertThat(java.util.HexFormat.of().formatHex(frame)).isEqualTo("333300000016" + "020000000001" + "86dd"
                + "60000000" + "0000" + "3b" + "01" + "00".repeat(16) + "ff02" + "00".repeat(13) + "16" + "00".repeat(6));
    }
}
