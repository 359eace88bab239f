package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The NDP message views, the option iterator and writers, and the Router Advertisement writer. */
class NdpTest {
    private static final int L4 = Golden6.L4;
    private static final IpAddress ALL_NODES = IpAddress.parse("ff02::1");
    private final NdpOptions options = new NdpOptions();

    private static int icmpLength(byte[] frame) {
        return frame.length - L4;
    }

    /** dnsmasq's advertisement as a {@link RouterAdvertisementContent}. */
    private static RouterAdvertisementContent dnsmasqAdvertisement() {
        return new RouterAdvertisementContent(64, false, true, 1800, 0, 0,
                List.of(new PrefixInformation(IpAddress.parse("2001:db8:1::"), 64, true, true,
                        PrefixInformation.INFINITE, PrefixInformation.INFINITE)),
                1500, Golden6.ROUTER_MAC, PrefixInformation.INFINITE, List.of(IpAddress.parse("2001:db8:1::3")),
                PrefixInformation.INFINITE, List.of("vnet.test", "lab.vnet.test"));
    }

    @Test
    void parsesARouterSolicitationWithItsSourceLinkLayerAddress() {
        ByteBuffer buf = Golden6.buffer(Golden6.ROUTER_SOLICITATION);
        RouterSolicitation rs = new RouterSolicitation().wrap(buf, L4, icmpLength(Golden6.ROUTER_SOLICITATION));
        assertThat(rs.check()).isEqualTo(WireError.NONE);
        assertThat(rs.type()).isEqualTo(Icmpv6Type.ROUTER_SOLICITATION);
        assertThat(rs.optionsOffset()).isEqualTo(L4 + 8);
        assertThat(rs.optionsLength()).isEqualTo(8);
        Ipv6Packet ip = new Ipv6Packet().wrap(buf, Golden6.IP, buf.capacity() - Golden6.IP);
        assertThat(ip.check()).isEqualTo(WireError.NONE);
        assertThat(rs.checksumValid(ip)).isTrue();
        rs.options(options);
        assertThat(options.next()).isTrue();
        assertThat(options.type()).isEqualTo(NdpOptionType.SOURCE_LINK_LAYER_ADDRESS);
        assertThat(options.wellFormed()).isTrue();
        assertThat(options.linkLayerAddress()).isEqualTo(Golden6.ROUTER_MAC);
        assertThat(options.next()).isFalse();
        assertThat(options.error()).isEqualTo(WireError.NONE);

        ByteBuffer out = Golden.poisoned(16);
        RouterSolicitation written = new RouterSolicitation().wrap(out, 0, 16);
        written.writeHeader();
        NdpOptionWriter.writeLinkLayerAddress(out, 8, NdpOptionType.SOURCE_LINK_LAYER_ADDRESS, Golden6.ROUTER_MAC);
        written.fillChecksum(Golden6.ROUTER_LINK_LOCAL, IpAddress.parse("ff02::2"));
        assertThat(Golden.bytes(out)).isEqualTo(Golden.slice(Golden6.ROUTER_SOLICITATION, L4, L4 + 16));
    }

    @Test
    void parsesEveryFieldAndOptionOfDnsmasqsRouterAdvertisement() {
        ByteBuffer buf = Golden6.buffer(Golden6.ROUTER_ADVERTISEMENT);
        RouterAdvertisement ra = new RouterAdvertisement().wrap(buf, L4, icmpLength(Golden6.ROUTER_ADVERTISEMENT));
        assertThat(ra.check()).isEqualTo(WireError.NONE);
        assertThat(ra.curHopLimit()).isEqualTo(64);
        assertThat(ra.managed()).isFalse();
        assertThat(ra.otherConfiguration()).isTrue();
        assertThat(ra.flags()).isEqualTo(0x40);
        assertThat(ra.routerLifetime()).isEqualTo(1800);
        assertThat(ra.reachableTime()).isZero();
        assertThat(ra.retransTimer()).isZero();
        assertThat(ra.checksum()).isEqualTo(0x40ba);

        ra.options(options);
        assertThat(options.next()).isTrue();
        assertThat(options.type()).isEqualTo(NdpOptionType.PREFIX_INFORMATION);
        assertThat(options.lengthUnits()).isEqualTo(4);
        assertThat(options.prefixLength()).isEqualTo(64);
        assertThat(options.onLink()).isTrue();
        assertThat(options.autonomous()).isTrue();
        assertThat(options.validLifetime()).isEqualTo(PrefixInformation.INFINITE);
        assertThat(options.preferredLifetime()).isEqualTo(PrefixInformation.INFINITE);
        assertThat(options.prefix()).isEqualTo(IpAddress.parse("2001:db8:1::"));
        assertThat(options.prefixInformation()).isEqualTo(dnsmasqAdvertisement().prefixes().getFirst());
        assertThat(options.next()).isTrue();
        assertThat(options.type()).isEqualTo(NdpOptionType.MTU);
        assertThat(options.mtu()).isEqualTo(1500);
        assertThat(options.next()).isTrue();
        assertThat(options.linkLayerAddress()).isEqualTo(Golden6.ROUTER_MAC);
        assertThat(options.next()).isTrue();
        assertThat(options.type()).isEqualTo(NdpOptionType.DNSSL);
        assertThat(options.length()).isEqualTo(40);
        assertThat(options.dnsLifetime()).isEqualTo(PrefixInformation.INFINITE);
        assertThat(options.dnsslNames()).containsExactly("vnet.test", "lab.vnet.test");
        assertThat(options.next()).isTrue();
        assertThat(options.type()).isEqualTo(NdpOptionType.RDNSS);
        assertThat(options.dnsLifetime()).isEqualTo(PrefixInformation.INFINITE);
        assertThat(options.rdnssCount()).isEqualTo(1);
        assertThat(options.rdnssAddress(0)).isEqualTo(IpAddress.parse("2001:db8:1::3"));
        assertThat(options.next()).isFalse();
        assertThat(options.error()).isEqualTo(WireError.NONE);
    }

    @Test
    void writesDnsmasqsRouterAdvertisementByteForByte() {
        RouterAdvertisementWriter writer = new RouterAdvertisementWriter(dnsmasqAdvertisement());
        int length = icmpLength(Golden6.ROUTER_ADVERTISEMENT);
        assertThat(writer.length()).isEqualTo(length);
        ByteBuffer out = Golden.poisoned(length + 10);
        assertThat(writer.write(out, 5, Golden6.ROUTER_LINK_LOCAL, ALL_NODES)).isEqualTo(length);
        assertThat(Golden.slice(Golden.bytes(out), 5, 5 + length)).isEqualTo(Golden.slice(Golden6.ROUTER_ADVERTISEMENT,
                L4, Golden6.ROUTER_ADVERTISEMENT.length));
        assertThat(Golden.slice(Golden.bytes(out), 0, 5)).containsOnly((byte) 0xa5);
        assertThat(Golden.slice(Golden.bytes(out), 5 + length, length + 10)).containsOnly((byte) 0xa5);
    }

    @Test
    void writesARouterAdvertisementWithoutOptionsAndOneWithSeveralPrefixesAndServers() {
        RouterAdvertisementContent bare = new RouterAdvertisementContent(0, true, false, 0, 30_000, 1000, List.of(), 0,
                RouterAdvertisementContent.NO_ADDRESS, 0, List.of(), 0, List.of());
        ByteBuffer out = Golden.poisoned(16);
        assertThat(new RouterAdvertisementWriter(bare).write(out, 0, Golden6.ROUTER_LINK_LOCAL, ALL_NODES)).isEqualTo(16);
        RouterAdvertisement ra = new RouterAdvertisement().wrap(out, 0, 16);
        assertThat(ra.check()).isEqualTo(WireError.NONE);
        assertThat(ra.managed()).isTrue();
        assertThat(ra.otherConfiguration()).isFalse();
        assertThat(ra.reachableTime()).isEqualTo(30_000);
        assertThat(ra.retransTimer()).isEqualTo(1000);
        assertThat(ra.optionsLength()).isZero();

        PrefixInformation site = new PrefixInformation(IpAddress.parse("fec0::"), 64, true, true, 86_400, 14_400);
        PrefixInformation onLinkOnly = new PrefixInformation(IpAddress.parse("2001:db8:2::"), 48, true, false, 600, 0);
        RouterAdvertisementContent full = new RouterAdvertisementContent(64, false, false, 1800, 0, 0,
                List.of(site, onLinkOnly), 0, 0x5255_0a00_0202L, 1200,
                List.of(IpAddress.parse("fec0::3"), IpAddress.parse("2001:db8::53")), 1200, List.of("a.test"));
        RouterAdvertisementWriter writer = new RouterAdvertisementWriter(full);
        ByteBuffer big = ByteBuffer.allocate(writer.length());
        writer.write(big, 0, Golden6.ROUTER_LINK_LOCAL, ALL_NODES);
        ra.wrap(big, 0, writer.length());
        assertThat(ra.check()).isEqualTo(WireError.NONE);
        ra.options(options);
        assertThat(options.next()).isTrue();
        assertThat(options.prefixInformation()).isEqualTo(site);
        assertThat(options.next()).isTrue();
        assertThat(options.prefixInformation()).isEqualTo(onLinkOnly);
        assertThat(options.next()).isTrue();
        assertThat(options.linkLayerAddress()).isEqualTo(0x5255_0a00_0202L);
        assertThat(options.next()).isTrue();
        assertThat(options.dnsslNames()).containsExactly("a.test");
        assertThat(options.length()).isEqualTo(16);
        assertThat(options.next()).isTrue();
        assertThat(options.rdnssCount()).isEqualTo(2);
        assertThat(options.rdnssAddress(1)).isEqualTo(IpAddress.parse("2001:db8::53"));
        assertThat(options.dnsLifetime()).isEqualTo(1200);
        assertThat(options.next()).isFalse();
        assertThat(options.error()).isEqualTo(WireError.NONE);
        Icmpv6Packet icmp = new Icmpv6Packet().wrap(big, 0, writer.length());
        assertThat(icmp.checksumValid(Golden6.ROUTER_LINK_LOCAL, ALL_NODES)).isTrue();
    }

    @Test
    void refusesRouterAdvertisementContentOutOfRange() {
        List<PrefixInformation> none = List.of();
        assertThatThrownBy(() -> new RouterAdvertisementContent(256, false, false, 0, 0, 0, none, 0, -1, 0, List.of(), 0,
                List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RouterAdvertisementContent(64, false, false, 65536, 0, 0, none, 0, -1, 0, List.of(),
                0, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RouterAdvertisementContent(64, false, false, 0, 0, 0, none, 0, -1, 0,
                List.of(IpAddress.parse("10.0.2.3")), 0, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RouterAdvertisementContent(64, false, false, 0, 1L << 32, 0, none, 0, -1, 0,
                List.of(), 0, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PrefixInformation(IpAddress.parse("fec0::"), 129, true, true, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        RouterAdvertisementContent badName = new RouterAdvertisementContent(64, false, false, 0, 0, 0, none, 0, -1, 0,
                List.of(), 0, List.of("a..b"));
        assertThatThrownBy(() -> new RouterAdvertisementWriter(badName)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesAndWritesANeighborSolicitation() {
        ByteBuffer buf = Golden6.buffer(Golden6.NEIGHBOR_SOLICITATION);
        int length = icmpLength(Golden6.NEIGHBOR_SOLICITATION);
        NeighborSolicitation ns = new NeighborSolicitation().wrap(buf, L4, length);
        assertThat(ns.check()).isEqualTo(WireError.NONE);
        assertThat(ns.target()).isEqualTo(Golden6.GUEST_LINK_LOCAL);
        assertThat(Golden6.GUEST_LINK_LOCAL.equalsAt(buf, ns.targetOffset())).isTrue();
        ns.options(options);
        assertThat(options.next()).isTrue();
        assertThat(options.type()).isEqualTo(NdpOptionType.SOURCE_LINK_LAYER_ADDRESS);
        assertThat(options.linkLayerAddress()).isEqualTo(Golden6.ROUTER_MAC);

        ByteBuffer out = Golden.poisoned(length);
        NeighborSolicitation written = new NeighborSolicitation().wrap(out, 0, length);
        written.writeHeader();
        written.setTarget(Golden6.GUEST_LINK_LOCAL);
        NdpOptionWriter.writeLinkLayerAddress(out, NeighborSolicitation.FIXED_LENGTH,
                NdpOptionType.SOURCE_LINK_LAYER_ADDRESS, Golden6.ROUTER_MAC);
        written.fillChecksum(Golden6.ROUTER_LINK_LOCAL, IpAddress.parse("ff02::1:ff12:3456"));
        assertThat(Golden.bytes(out)).isEqualTo(Golden.slice(Golden6.NEIGHBOR_SOLICITATION, L4,
                Golden6.NEIGHBOR_SOLICITATION.length));
    }

    @Test
    void parsesAndWritesANeighborAdvertisement() {
        ByteBuffer buf = Golden6.buffer(Golden6.NEIGHBOR_ADVERTISEMENT);
        int length = icmpLength(Golden6.NEIGHBOR_ADVERTISEMENT);
        NeighborAdvertisement na = new NeighborAdvertisement().wrap(buf, L4, length);
        assertThat(na.check()).isEqualTo(WireError.NONE);
        assertThat(na.router()).isFalse();
        assertThat(na.solicited()).isTrue();
        assertThat(na.override()).isTrue();
        assertThat(na.target()).isEqualTo(Golden6.GUEST_LINK_LOCAL);
        na.options(options);
        assertThat(options.next()).isTrue();
        assertThat(options.type()).isEqualTo(NdpOptionType.TARGET_LINK_LAYER_ADDRESS);
        assertThat(options.linkLayerAddress()).isEqualTo(Golden6.GUEST_MAC);

        ByteBuffer out = Golden.poisoned(length);
        NeighborAdvertisement written = new NeighborAdvertisement().wrap(out, 0, length);
        written.writeHeader();
        written.setFlags(false, true, true);
        written.setTarget(Golden6.GUEST_LINK_LOCAL);
        NdpOptionWriter.writeLinkLayerAddress(out, NeighborAdvertisement.FIXED_LENGTH,
                NdpOptionType.TARGET_LINK_LAYER_ADDRESS, Golden6.GUEST_MAC);
        written.fillChecksum(Golden6.GUEST_LINK_LOCAL, Golden6.ROUTER_LINK_LOCAL);
        assertThat(Golden.bytes(out)).isEqualTo(Golden.slice(Golden6.NEIGHBOR_ADVERTISEMENT, L4,
                Golden6.NEIGHBOR_ADVERTISEMENT.length));
        written.setFlags(true, false, false);
        assertThat(written.router()).isTrue();
        assertThat(written.solicited()).isFalse();
        assertThat(out.getInt(4)).isEqualTo(0x8000_0000);
    }

    @Test
    void refusesNdpMessagesOfTheWrongTypeCodeOrLengthAndMulticastTargets() {
        ByteBuffer buf = Golden6.buffer(Golden6.NEIGHBOR_SOLICITATION);
        int length = icmpLength(Golden6.NEIGHBOR_SOLICITATION);
        NeighborSolicitation ns = new NeighborSolicitation().wrap(buf, L4, length);
        assertThat(new NeighborAdvertisement().wrap(buf, L4, length).check()).isEqualTo(WireError.UNSUPPORTED);
        assertThat(ns.wrap(buf, L4, 23).check()).isEqualTo(WireError.TRUNCATED);
        buf.put(L4 + 1, (byte) 1);
        assertThat(ns.wrap(buf, L4, length).check()).isEqualTo(WireError.BAD_FIELD);
        buf.put(L4 + 1, (byte) 0);
        IpAddress.parse("ff02::1").write(buf, ns.targetOffset());
        assertThat(ns.check()).isEqualTo(WireError.BAD_FIELD);
        assertThat(new RouterAdvertisement().wrap(Golden6.buffer(Golden6.ROUTER_ADVERTISEMENT), L4, 15).check())
                .isEqualTo(WireError.TRUNCATED);
        assertThat(new RouterSolicitation().wrap(Golden6.buffer(Golden6.ROUTER_SOLICITATION), L4, 7).check())
                .isEqualTo(WireError.TRUNCATED);
    }

    @Test
    void refusesOptionsOfLengthZeroPastTheEndOrTruncated() {
        ByteBuffer buf = Golden6.buffer(Golden6.ROUTER_ADVERTISEMENT);
        int length = icmpLength(Golden6.ROUTER_ADVERTISEMENT);
        RouterAdvertisement ra = new RouterAdvertisement().wrap(buf, L4, length);
        int mtuOption = L4 + 16 + 32;
        buf.put(mtuOption + 1, (byte) 0); // length 0 (RFC 4861 section 4.6)
        assertThat(ra.check()).isEqualTo(WireError.BAD_OPTION);
        ra.options(options);
        assertThat(options.next()).isTrue();
        assertThat(options.next()).as("stops at the option of length 0").isFalse();
        assertThat(options.error()).isEqualTo(WireError.BAD_OPTION);
        assertThat(options.next()).as("and stays stopped").isFalse();

        buf.put(mtuOption + 1, (byte) 30); // runs past the message
        assertThat(ra.check()).isEqualTo(WireError.BAD_OPTION);
        buf.put(mtuOption + 1, (byte) 1);
        assertThat(ra.check()).isEqualTo(WireError.NONE);
        for (int cut = 1; cut < 24; cut++) { // the RDNSS option (the last 24 bytes) cut short
            assertThat(ra.wrap(buf, L4, length - cut).check()).as("cut %d", cut).isEqualTo(WireError.BAD_OPTION);
        }
        assertThat(ra.wrap(buf, L4, length - 24).check()).isEqualTo(WireError.NONE);
    }

    @Test
    void tellsOptionsOfTheWrongLengthForTheirTypeAndRefusesToReadThem() {
        ByteBuffer buf = ByteBuffer.wrap(Golden.hex(
                "03 01 40 c0 00 00 00 00", // prefix information of 1 unit instead of 4
                "19 02 00 00 00 00 00 3c 00 00 00 00 00 00 00 00", // RDNSS of 2 units: even
                "05 01 00 00 00 00 05 dc",
                "fe 01 01 02 03 04 05 06")); // an unknown type: taken as it is
        options.reset(buf, 0, buf.capacity());
        assertThat(options.next()).isTrue();
        assertThat(options.wellFormed()).isFalse();
        assertThatThrownBy(options::prefixLength).isInstanceOf(IllegalStateException.class);
        assertThat(options.next()).isTrue();
        assertThat(options.wellFormed()).isFalse();
        assertThatThrownBy(options::rdnssCount).isInstanceOf(IllegalStateException.class);
        assertThat(options.next()).isTrue();
        assertThat(options.wellFormed()).isTrue();
        assertThatThrownBy(options::linkLayerAddress).as("an MTU option").isInstanceOf(IllegalStateException.class);
        assertThat(options.mtu()).isEqualTo(1500);
        assertThat(options.next()).isTrue();
        assertThat(options.type()).isEqualTo(0xfe);
        assertThat(options.wellFormed()).isTrue();
        assertThat(options.next()).isFalse();
        assertThatThrownBy(options::type).as("no current option").isInstanceOf(IllegalStateException.class);
        assertThat(new NdpOptions().reset(buf, 0, buf.capacity()).walkAll()).isEqualTo(WireError.NONE);
    }

    @Test
    void writesEachOptionIntoPoisonedBytes() {
        ByteBuffer out = Golden.poisoned(8);
        assertThat(NdpOptionWriter.writeMtu(out, 0, 1500)).isEqualTo(8);
        assertThat(Golden.bytes(out)).isEqualTo(Golden.hex("05 01 00 00 00 00 05 dc"));
        out = Golden.poisoned(32);
        NdpOptionWriter.writePrefixInformation(out, 0, dnsmasqAdvertisement().prefixes().getFirst());
        assertThat(Golden.bytes(out)).isEqualTo(Golden.slice(Golden6.ROUTER_ADVERTISEMENT, L4 + 16, L4 + 48));
        out = Golden.poisoned(40);
        assertThat(NdpOptionWriter.writeDnssl(out, 0, PrefixInformation.INFINITE,
                DomainNames.encode(List.of("vnet.test", "lab.vnet.test")))).isEqualTo(40);
        assertThat(Golden.bytes(out)).isEqualTo(Golden.slice(Golden6.ROUTER_ADVERTISEMENT, L4 + 64, L4 + 104));
        out = Golden.poisoned(24);
        assertThat(NdpOptionWriter.writeRdnss(out, 0, PrefixInformation.INFINITE, List.of(IpAddress.parse("2001:db8:1::3"))))
                .isEqualTo(24);
        assertThat(Golden.bytes(out)).isEqualTo(Golden.slice(Golden6.ROUTER_ADVERTISEMENT, L4 + 104, L4 + 128));
        ByteBuffer any = ByteBuffer.allocate(64);
        assertThatThrownBy(() -> NdpOptionWriter.writeLinkLayerAddress(any, 0, 3, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NdpOptionWriter.writeRdnss(any, 0, 0, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NdpOptionWriter.writeDnssl(any, 0, 0, new byte[0])).isInstanceOf(IllegalArgumentException.class);
        assertThat(NdpOptionWriter.dnsslLength(1)).isEqualTo(16);
        assertThat(NdpOptionWriter.dnsslLength(8)).isEqualTo(16);
        assertThat(NdpOptionWriter.dnsslLength(9)).isEqualTo(24);
    }
}
