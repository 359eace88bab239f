package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.wire.DomainNames;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.Icmpv6Header;
import io.vnet4j.wire.Icmpv6Packet;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv6Header;
import io.vnet4j.wire.Ipv6Packet;
import io.vnet4j.wire.NdpMessage;
import io.vnet4j.wire.NdpOptionType;
import io.vnet4j.wire.NdpOptionWriter;
import io.vnet4j.wire.NdpOptions;
import io.vnet4j.wire.NeighborAdvertisement;
import io.vnet4j.wire.NeighborSolicitation;
import io.vnet4j.wire.PrefixInformation;
import io.vnet4j.wire.RouterAdvertisement;
import io.vnet4j.wire.RouterSolicitation;
import io.vnet4j.wire.TcpSegment;
import io.vnet4j.wire.UdpPacket;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The IPv6 views over untrusted bytes: a frame through Ethernet, the IPv6 header and its extension header
 * walk, then ICMPv6 (NDP messages with every option read), UDP or TCP; the IPv6, ICMPv6 and NDP checks also
 * see the raw bytes. Checks never throw; a walk that succeeds ends inside the packet, with the fragment
 * fields pointing at a Fragment header named by its Next Header field; the header record round-trips; the
 * allocation-free and the IpAddress checksum paths agree, and a filled checksum verifies; the NDP options
 * tile the options area, and each well-formed one written again from its values reads back the same.
 */
class Ipv6FuzzTest {
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv6Packet ip = new Ipv6Packet();
    private final Icmpv6Packet icmp = new Icmpv6Packet();
    private final UdpPacket udp = new UdpPacket();
    private final TcpSegment tcp = new TcpSegment();
    private final RouterSolicitation rs = new RouterSolicitation();
    private final RouterAdvertisement ra = new RouterAdvertisement();
    private final NeighborSolicitation ns = new NeighborSolicitation();
    private final NeighborAdvertisement na = new NeighborAdvertisement();
    private final NdpOptions options = new NdpOptions();
    private final NdpOptions copyOptions = new NdpOptions();
    private final ByteBuffer scratch = ByteBuffer.allocate(4096);

    @FuzzTest
    void packetsWalkInsideTheirBytesAndOptionsRoundTrip(byte[] bytes) {
        ByteBuffer frame = ByteBuffer.wrap(bytes);
        ip.wrap(frame, 0, bytes.length).check();
        icmp.wrap(frame, 0, bytes.length).check();
        ndp(frame, 0, bytes.length);
        new NdpOptions().reset(frame, 0, bytes.length).walkAll();
        if (eth.wrap(frame, 0, bytes.length).check() != WireError.NONE || eth.etherType() != EtherType.IPV6) {
            return;
        }
        ipv6(frame, eth.payloadOffset(), eth.payloadLength());
    }

    private void ipv6(ByteBuffer frame, int offset, int length) {
        if (ip.wrap(frame, offset, length).check() != WireError.NONE) {
            assertThat(ip.upperOffset()).isEqualTo(Ipv6Packet.NONE);
            return;
        }
        int end = offset + Ipv6Packet.HEADER_LENGTH + ip.payloadLength();
        assertThat(end).isLessThanOrEqualTo(offset + length);
        assertThat(ip.upperOffset()).isBetween(offset + Ipv6Packet.HEADER_LENGTH, end);
        assertThat(ip.upperLength()).isNotNegative();
        assertThat(ip.upperOffset() + ip.upperLength()).isLessThanOrEqualTo(end);
        assertThat(ip.extensionHeaderCount()).isBetween(0, Ipv6Packet.MAX_EXTENSION_HEADERS);
        if (ip.extensionHeaderCount() == 0) {
            assertThat(ip.upperProtocol()).isEqualTo(ip.nextHeader());
            assertThat(ip.upperOffset()).isEqualTo(ip.payloadOffset());
        }
        if (ip.upperProtocol() == IpProtocol.NO_NEXT_HEADER && !ip.fragmented()) {
            assertThat(ip.upperLength()).isZero();
        }
        if (ip.hasFragmentHeader()) {
            assertThat(ip.fragmentHeaderOffset()).isBetween(ip.payloadOffset(), end - Ipv6Packet.FRAGMENT_HEADER_LENGTH);
            assertThat(ip.fragmentableOffset()).isEqualTo(ip.fragmentHeaderOffset() + Ipv6Packet.FRAGMENT_HEADER_LENGTH);
            assertThat(ip.perFragmentNextHeaderOffset()).isLessThan(ip.fragmentHeaderOffset());
            assertThat(frame.get(ip.perFragmentNextHeaderOffset()) & 0xFF).isEqualTo(IpProtocol.FRAGMENT);
            assertThat(ip.fragmentOffset() % 8).isZero();
            if (ip.fragmented()) {
                assertThat(ip.upperOffset()).isEqualTo(ip.fragmentableOffset());
            }
        } else {
            assertThat(ip.fragmented()).isFalse();
            assertThat(ip.fragmentableOffset()).isEqualTo(Ipv6Packet.NONE);
        }
        Ipv6Header header = Ipv6Header.parse(ip);
        Ipv6Packet copy = new Ipv6Packet().wrap(ByteBuffer.allocate(Ipv6Packet.HEADER_LENGTH), 0, Ipv6Packet.HEADER_LENGTH);
        header.emit(copy);
        assertThat(Ipv6Header.parse(copy)).isEqualTo(header);
        if (ip.fragmented()) {
            return;
        }
        int l4 = ip.upperOffset();
        int l4Length = ip.upperLength();
        switch (ip.upperProtocol()) {
            case IpProtocol.ICMPV6 -> icmpv6(frame, l4, l4Length, header);
            case IpProtocol.UDP -> {
                if (udp.wrap(frame, l4, l4Length).check() == WireError.NONE) {
                    assertThat(udp.checksumValid(ip)).isEqualTo(udp.checksumValid(header.source(), header.destination()));
                    ByteBuffer again = copyOf(frame, l4, udp.datagramLength());
                    UdpPacket filled = new UdpPacket().wrap(again, 0, udp.datagramLength());
                    filled.fillChecksum(header.source(), header.destination());
                    assertThat(filled.checksum()).isNotZero();
                    assertThat(filled.checksumValid(header.source(), header.destination())).isTrue();
                }
            }
            case IpProtocol.TCP -> {
                if (tcp.wrap(frame, l4, l4Length).check() == WireError.NONE) {
                    assertThat(tcp.checksumValid(ip)).isEqualTo(tcp.checksumValid(header.source(), header.destination()));
                }
            }
            default -> { }
        }
    }

    private void icmpv6(ByteBuffer frame, int offset, int length, Ipv6Header header) {
        if (icmp.wrap(frame, offset, length).check() != WireError.NONE) {
            return;
        }
        boolean valid = icmp.checksumValid(ip);
        assertThat(icmp.checksumValid(header.source(), header.destination())).isEqualTo(valid);
        Icmpv6Packet filled = new Icmpv6Packet().wrap(copyOf(frame, offset, length), 0, length);
        filled.fillChecksum(header.source(), header.destination());
        assertThat(filled.checksumValid(header.source(), header.destination())).isTrue();
        if (length >= Icmpv6Packet.HEADER_LENGTH) {
            Icmpv6Header parsed = Icmpv6Header.parse(icmp);
            Icmpv6Packet copy = new Icmpv6Packet().wrap(ByteBuffer.allocate(8), 0, 8);
            parsed.emit(copy);
            assertThat(Icmpv6Header.parse(copy)).isEqualTo(parsed);
        }
        ndp(frame, offset, length);
    }

    /** Every NDP view's check; for the one that passes, every option read and written again. */
    private void ndp(ByteBuffer frame, int offset, int length) {
        NdpMessage[] views = {rs.wrap(frame, offset, length), ra.wrap(frame, offset, length),
                ns.wrap(frame, offset, length), na.wrap(frame, offset, length)};
        for (NdpMessage view : views) {
            if (view.check() != WireError.NONE) {
                continue;
            }
            assertThat(view.optionsOffset() + view.optionsLength()).isEqualTo(offset + length);
            int covered = 0;
            view.options(options);
            while (options.next()) {
                assertThat(options.offset()).isEqualTo(view.optionsOffset() + covered);
                assertThat(options.length()).isEqualTo(options.lengthUnits() * NdpOptions.UNIT).isPositive();
                covered += options.length();
                if (options.wellFormed()) {
                    rewrite();
                }
            }
            assertThat(options.error()).isEqualTo(WireError.NONE);
            assertThat(covered).isEqualTo(view.optionsLength());
        }
    }

    /** Writes the current (well-formed) option again from the values read and checks they read back. */
    private void rewrite() {
        int written;
        switch (options.type()) {
            case NdpOptionType.SOURCE_LINK_LAYER_ADDRESS, NdpOptionType.TARGET_LINK_LAYER_ADDRESS -> {
                written = NdpOptionWriter.writeLinkLayerAddress(scratch, 0, options.type(), options.linkLayerAddress());
                assertThat(next(written).linkLayerAddress()).isEqualTo(options.linkLayerAddress());
            }
            case NdpOptionType.PREFIX_INFORMATION -> {
                PrefixInformation prefix = options.prefixInformation();
                if (prefix != null) {
                    written = NdpOptionWriter.writePrefixInformation(scratch, 0, prefix);
                    assertThat(next(written).prefixInformation()).isEqualTo(prefix);
                }
            }
            case NdpOptionType.MTU -> {
                written = NdpOptionWriter.writeMtu(scratch, 0, options.mtu());
                assertThat(next(written).mtu()).isEqualTo(options.mtu());
            }
            case NdpOptionType.RDNSS -> {
                List<IpAddress> servers = new ArrayList<>();
                for (int i = 0; i < options.rdnssCount(); i++) {
                    servers.add(options.rdnssAddress(i));
                }
                if (servers.stream().noneMatch(IpAddress::isIpv4)) {
                    written = NdpOptionWriter.writeRdnss(scratch, 0, options.dnsLifetime(), servers);
                    NdpOptions again = next(written);
                    assertThat(again.dnsLifetime()).isEqualTo(options.dnsLifetime());
                    List<IpAddress> read = new ArrayList<>();
                    for (int i = 0; i < again.rdnssCount(); i++) {
                        read.add(again.rdnssAddress(i));
                    }
                    assertThat(read).isEqualTo(servers);
                }
            }
            case NdpOptionType.DNSSL -> {
                List<String> names = options.dnsslNames();
                byte[] encoded = encodable(names);
                if (encoded != null && encoded.length > 0) {
                    written = NdpOptionWriter.writeDnssl(scratch, 0, options.dnsLifetime(), encoded);
                    assertThat(next(written).dnsslNames()).isEqualTo(names);
                }
            }
            default -> { }
        }
    }

    private NdpOptions next(int written) {
        copyOptions.reset(scratch, 0, written);
        assertThat(copyOptions.next()).isTrue();
        assertThat(copyOptions.wellFormed()).isTrue();
        return copyOptions;
    }

    private static byte[] encodable(List<String> names) {
        if (names == null) {
            return null;
        }
        try {
            return DomainNames.encode(names);
        } catch (IllegalArgumentException notPrintable) {
            return null;
        }
    }

    private static ByteBuffer copyOf(ByteBuffer frame, int offset, int length) {
        ByteBuffer copy = ByteBuffer.allocate(length);
        copy.put(0, frame, offset, length);
        return copy;
    }
}
