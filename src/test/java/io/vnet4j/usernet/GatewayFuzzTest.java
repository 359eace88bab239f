package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.base.Log;
import io.vnet4j.config.ConfigException;
import io.vnet4j.config.ConfigParser;
import io.vnet4j.config.NetdevConfig;
import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.usernet.tcp.TcpNat;
import io.vnet4j.wire.ArpPacket;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IcmpPacket;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.TcpSegment;
import io.vnet4j.wire.UdpPacket;
import io.vnet4j.wire.WireError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Whole Ethernet frames from a guest into the user network's {@link Gateway}, built as
 * {@code UsernetNetdev.start} builds it but driven on the test's thread with a fake clock (here, not in
 * io.vnet4j.fuzz: the gateway's classes are package-private). Each frame is 4 header bytes then the frame:
 * <pre>
 *   flags (1 byte: bit 0 a large TCP segment from an offloading port, bit 1 poll the timers afterwards)
 *   clock step (1 byte, in 100 ms units)
 *   frame length (16 bits, big-endian, cut to the bytes left)
 * </pre>
 * Nothing throws; every frame the gateway sends is at most 14 + MTU bytes, an ARP packet or an IPv4 packet
 * that passes its checks (header checksum included) and, unfragmented, carries a valid ICMP, UDP or TCP
 * checksum; the tables stay bounded (leases, TCP connections, UDP flows, ARP). Memory is bounded by the
 * fuzz profile's heap limit (an OutOfMemoryError is a finding).
 *
 * <p>Network safety: the gateway is configured {@code restrict=on} with no hostfwd, no guestfwd, no ICMP
 * proxy and a DNS upstream of 127.0.0.1:9. Restricted, {@code Gateway.udp} drops everything that is not
 * for its own services before NAT, {@code UdpServices} drops DNS instead of forwarding it, ICMP to other
 * hosts is dropped, and TCP SYNs get no host target (so {@code TcpNat} answers RST and opens no socket).
 * Two tripwires stand behind that reading of the code: NAT and TCP get a closed selector, so a UDP NAT
 * flow fails when it registers its socket, before its first send; and Jazzer's SSRF detector refuses any
 * TCP connect before it happens.
 */
class GatewayFuzzTest {
    private static final int HEADER = 4;
    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int MAX_LEASES = 240;
    private static final int MAX_ARP_ENTRIES = 4096;
    private static Path tftp;
    private static UserConfig config;
    private static Selector closedSelector;

    private final EthernetFrame eth = new EthernetFrame();
    private final ArpPacket arp = new ArpPacket();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final io.vnet4j.wire.Ipv6Packet ip6 = new io.vnet4j.wire.Ipv6Packet();
    private final io.vnet4j.wire.Icmpv6Packet icmp6 = new io.vnet4j.wire.Icmpv6Packet();
    private final IcmpPacket icmp = new IcmpPacket();
    private final UdpPacket udp = new UdpPacket();
    private final TcpSegment tcp = new TcpSegment();
    /** The fake clock GuestOutput reads (how long frames wait for ARP), in nanoseconds. */
    private long clock;

    @BeforeAll
    static void configure() throws IOException, ConfigException {
        Log.quiet(true);
        tftp = Files.createTempDirectory("vnet4j-gateway-fuzz");
        Files.writeString(tftp.resolve("pxelinux.0"), "a boot loader, or so it says\n");
        ConfigParser parser = new ConfigParser();
        // the smallest MTU, so that more of what the gateway sends (TFTP data, echo replies) goes in fragments
        parser.netdev("user,id=u,restrict=on,dns-upstream=127.0.0.1:9,hostname=vm1,domainname=vnet.test,mtu=576,tftp="
                + tftp);
        config = ((NetdevConfig.User) parser.build().netdevs().getFirst()).user();
        assertThat(config.reach().restricted()).isTrue();
        assertThat(config.hostForwards()).isEmpty();
        assertThat(config.guestForwards()).isEmpty();
        closedSelector = Selector.open();
        closedSelector.close();
    }

    @AfterAll
    static void cleanUp() throws IOException {
        Log.quiet(false);
        Files.delete(tftp.resolve("pxelinux.0"));
        Files.delete(tftp);
    }

    @FuzzTest
    void framesNeverThrowAndEverythingSentIsWellFormed(byte[] input) throws IOException {
        NeighborTable arpTable = new NeighborTable();
        GuestOutput out = new GuestOutput("u", this::checkSent, arpTable, config.mtu(), () -> clock);
        GatewayParts parts = TestGateways.build(config, out, arpTable, LoopSelector.of(closedSelector));
        Gateway gateway = parts.gateway();
        UdpNat nat = parts.udp();
        TcpNat tcpNat = parts.tcp();
        UdpServices services = parts.services();
        GuestForwards guestForwards = parts.guestForwards();
        ByteBuffer in = ByteBuffer.wrap(input);
        long now = 0;
        clock = 0;
        try {
            for (int at = 0; at + HEADER <= input.length; ) {
                int flags = in.get(at);
                now += (in.get(at + 1) & 0xFF) * STEP_NANOS;
                clock = now;
                int length = Math.min(in.getShort(at + 2) & 0xFFFF, input.length - at - HEADER);
                int frame = at + HEADER;
                at = frame + length;

                gateway.frame(in, frame, length, (flags & 1) != 0, now);
                tcpNat.flushAcks();
                if ((flags & 2) != 0) {
                    gateway.poll(now, UsernetNetdev.POLL_INTERVAL_NANOS);
                }
                assertThat(tcpNat.connectionCount()).isZero();
                assertThat(nat.flowCount()).isZero();
                assertThat(services.dhcpServer().leases().size()).isLessThanOrEqualTo(MAX_LEASES);
                assertThat(out.pending().bytes()).isLessThanOrEqualTo(PendingFrames.MAX_BYTES);
            }
            assertThat(arpTable.snapshot().size()).isLessThanOrEqualTo(MAX_ARP_ENTRIES);
        } finally {
            tcpNat.closeAll();
            nat.closeAll();
            services.close();
            guestForwards.close();
        }
    }

    /** A frame the gateway sends to the guests. */
    private void checkSent(ByteBuffer frame, int offset, int length, int segmentSize) {
        assertThat(segmentSize).isZero();
        assertThat(length).isBetween(EthernetFrame.HEADER_LENGTH, EthernetFrame.HEADER_LENGTH + config.mtu());
        assertThat(eth.wrap(frame, offset, length).check()).isEqualTo(WireError.NONE);
        if (eth.etherType() == EtherType.ARP) {
            assertThat(arp.wrap(frame, eth.payloadOffset(), eth.payloadLength()).check()).isEqualTo(WireError.NONE);
            return;
        }
        if (eth.etherType() == EtherType.IPV6) {
            checkSentIpv6(frame);
            return;
        }
        assertThat(eth.etherType()).isEqualTo(EtherType.IPV4);
        assertThat(ip.wrap(frame, eth.payloadOffset(), eth.payloadLength()).check()).isEqualTo(WireError.NONE);
        if (ip.moreFragments() || ip.fragmentOffset() != 0) {
            return;
        }
        int l4 = ip.payloadOffset();
        int l4Length = ip.payloadLength();
        switch (ip.protocol()) {
            case IpProtocol.ICMP -> assertThat(icmp.wrap(frame, l4, l4Length).checksumValid()).isTrue();
            case IpProtocol.UDP -> {
                assertThat(udp.wrap(frame, l4, l4Length).check()).isEqualTo(WireError.NONE);
                assertThat(udp.checksumValid(ip.source(), ip.destination())).isTrue();
            }
            case IpProtocol.TCP -> {
                assertThat(tcp.wrap(frame, l4, l4Length).check()).isEqualTo(WireError.NONE);
                assertThat(tcp.checksumValid(ip.source(), ip.destination())).isTrue();
            }
            default -> throw new AssertionError("the gateway sent IP protocol " + ip.protocol());
        }
    }

    /** An IPv6 frame the gateway sends: a valid header, and an unfragmented one a valid ICMPv6, UDP or TCP checksum. */
    private void checkSentIpv6(ByteBuffer frame) {
        assertThat(ip6.wrap(frame, eth.payloadOffset(), eth.payloadLength()).check()).isEqualTo(WireError.NONE);
        if (ip6.hasFragmentHeader()) {
            return;
        }
        int l4 = ip6.upperOffset();
        int l4Length = ip6.upperLength();
        switch (ip6.upperProtocol()) {
            case IpProtocol.ICMPV6 -> assertThat(icmp6.wrap(frame, l4, l4Length).checksumValid(ip6)).isTrue();
            case IpProtocol.UDP -> assertThat(udp.wrap(frame, l4, l4Length).checksumValid(ip6)).isTrue();
            case IpProtocol.TCP -> assertThat(tcp.wrap(frame, l4, l4Length).checksumValid(ip6)).isTrue();
            default -> throw new AssertionError("the gateway sent IPv6 next header " + ip6.upperProtocol());
        }
    }
}
