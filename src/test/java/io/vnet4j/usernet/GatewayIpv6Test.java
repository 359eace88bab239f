package io.vnet4j.usernet;

import static io.vnet4j.usernet.GuestFrames6.DNS;
import static io.vnet4j.usernet.GuestFrames6.GUEST;
import static io.vnet4j.usernet.GuestFrames6.GUEST_LINK_LOCAL;
import static io.vnet4j.usernet.GuestFrames6.GUEST_MAC;
import static io.vnet4j.usernet.GuestFrames6.HOST;
import static io.vnet4j.usernet.GuestFrames6.HOST_LINK_LOCAL;
import static io.vnet4j.usernet.GuestFrames6.HOST_MAC;
import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.Icmpv6Packet;
import io.vnet4j.wire.Icmpv6Type;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv6Frames;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv6Packet;
import io.vnet4j.wire.NdpOptionType;
import io.vnet4j.wire.NdpOptions;
import io.vnet4j.wire.NeighborAdvertisement;
import io.vnet4j.wire.RouterAdvertisement;
import io.vnet4j.wire.UdpPacket;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The user network's IPv6 side, frame in and frame out through an in-JVM NIC: NDP, echo, DHCPv6, counters. */
@Timeout(30)
class GatewayIpv6Test {
    private static final long ALL_ROUTERS_MAC = 0x3333_0000_0002L;
    private Network network;
    private VirtualNic guest;

    @BeforeEach
    void start() throws Exception {
        network = new Network();
        guest = network.attachNic("guest", 0);
        network.addNetdev("user,id=u,restrict=on,dnssearch=vnet.test,mtu=1400");
    }

    @AfterEach
    void stop() {
        network.close();
    }

    @Test
    void aRouterSolicitationGetsAnAdvertisementForSlaac() throws Exception {
        guest.send(GuestFrames6.icmpv6(ALL_ROUTERS_MAC, GUEST_LINK_LOCAL, Gateway.ALL_ROUTERS, 255,
                Icmpv6Type.ROUTER_SOLICITATION, new byte[4]));
        ByteBuffer frame = receiveIcmpv6(Icmpv6Type.ROUTER_ADVERTISEMENT);
        Ipv6Packet ip = ipv6(frame);
        assertThat(ip.source()).isEqualTo(HOST_LINK_LOCAL);
        assertThat(ip.destination()).isEqualTo(IpAddress.parse("ff02::1"));
        assertThat(ip.hopLimit()).isEqualTo(255);
        assertThat(new EthernetFrame().wrap(frame, 0, frame.limit()).destination()).isEqualTo(0x3333_0000_0001L);
        RouterAdvertisement ra = new RouterAdvertisement().wrap(frame, ip.upperOffset(), ip.upperLength());
        assertThat(ra.check()).isEqualTo(WireError.NONE);
        assertThat(ra.checksumValid(ip)).isTrue();
        assertThat(ra.routerLifetime()).isEqualTo(NeighborDiscovery.ROUTER_LIFETIME_SECONDS);
        List<Integer> types = new ArrayList<>();
        NdpOptions options = ra.options(new NdpOptions());
        while (options.next()) {
            types.add(options.type());
            switch (options.type()) {
                case NdpOptionType.PREFIX_INFORMATION -> {
                    assertThat(options.prefix()).isEqualTo(IpAddress.parse("fec0::"));
                    assertThat(options.prefixLength()).isEqualTo(64);
                    assertThat(options.autonomous()).isTrue();
                    assertThat(options.onLink()).isTrue();
                }
                case NdpOptionType.MTU -> assertThat(options.mtu()).isEqualTo(1400);
                case NdpOptionType.SOURCE_LINK_LAYER_ADDRESS -> assertThat(options.linkLayerAddress()).isEqualTo(HOST_MAC);
                case NdpOptionType.RDNSS -> assertThat(options.rdnssAddress(0)).isEqualTo(DNS);
                case NdpOptionType.DNSSL -> assertThat(options.dnsslNames()).containsExactly("vnet.test");
                default -> throw new AssertionError("option " + options.type());
            }
        }
        assertThat(types).containsExactlyInAnyOrder(NdpOptionType.PREFIX_INFORMATION, NdpOptionType.MTU,
                NdpOptionType.SOURCE_LINK_LAYER_ADDRESS, NdpOptionType.RDNSS, NdpOptionType.DNSSL);
    }

    @Test
    void aNeighbourSolicitationForTheGatewayGetsAnAdvertisementWithItsMac() throws Exception {
        IpAddress group = Ipv6Frames.solicitedNode(HOST);
        byte[] sourceOption = {NdpOptionType.SOURCE_LINK_LAYER_ADDRESS, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56};
        guest.send(GuestFrames6.icmpv6(Ipv6Frames.multicastMac(group), GUEST, group, 255,
                Icmpv6Type.NEIGHBOR_SOLICITATION, GuestFrames6.target(HOST, sourceOption)));
        ByteBuffer frame = receiveIcmpv6(Icmpv6Type.NEIGHBOR_ADVERTISEMENT);
        Ipv6Packet ip = ipv6(frame);
        assertThat(ip.source()).isEqualTo(HOST);
        assertThat(ip.destination()).isEqualTo(GUEST);
        assertThat(new EthernetFrame().wrap(frame, 0, frame.limit()).destination()).isEqualTo(GUEST_MAC);
        NeighborAdvertisement na = new NeighborAdvertisement().wrap(frame, ip.upperOffset(), ip.upperLength());
        assertThat(na.check()).isEqualTo(WireError.NONE);
        assertThat(na.target()).isEqualTo(HOST);
        assertThat(na.router()).isTrue();
        assertThat(na.solicited()).isTrue();
        NdpOptions options = na.options(new NdpOptions());
        assertThat(options.next()).isTrue();
        assertThat(options.linkLayerAddress()).isEqualTo(HOST_MAC);
    }

    @Test
    void neighbourDiscoveryFromOffTheLinkIsDroppedAndCounted() throws Exception {
        IpAddress group = Ipv6Frames.solicitedNode(HOST);
        guest.send(GuestFrames6.icmpv6(Ipv6Frames.multicastMac(group), GUEST, group, 64,
                Icmpv6Type.NEIGHBOR_SOLICITATION, GuestFrames6.target(HOST)));
        assertThat(guest.receive(300, TimeUnit.MILLISECONDS)).isNull();
        awaitDetail("neighbour discovery dropped 1");
    }

    @Test
    void aPingToTheGatewayAndItsDnsAddressIsAnswered() throws Exception {
        for (IpAddress target : new IpAddress[] {HOST, DNS, HOST_LINK_LOCAL}) {
            IpAddress source = target.isLinkLocal() ? GUEST_LINK_LOCAL : GUEST;
            byte[] rest = {0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g'};
            guest.send(GuestFrames6.icmpv6(GuestOutput.gatewayMac(target), source, target, 64, Icmpv6Type.ECHO_REQUEST, rest));
            ByteBuffer frame = receiveIcmpv6(Icmpv6Type.ECHO_REPLY);
            Ipv6Packet ip = ipv6(frame);
            assertThat(ip.source()).isEqualTo(target);
            assertThat(ip.destination()).isEqualTo(source);
            Icmpv6Packet icmp = new Icmpv6Packet().wrap(frame, ip.upperOffset(), ip.upperLength());
            assertThat(icmp.identifier()).isEqualTo(0x1234);
            assertThat(icmp.checksumValid(ip)).isTrue();
        }
    }

    /** restrict=on: pings to other hosts, and to the virtual network's other addresses, never reach the proxy. */
    @Test
    void pingsBeyondTheGatewayAreRestrictedAndNeverReachTheProxy() throws Exception {
        byte[] rest = {0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g'};
        for (IpAddress target : new IpAddress[] {IpAddress.parse("2001:db8::1"), IpAddress.parse("fec0::99"),
                IpAddress.parse("fe80::99")}) {
            guest.send(GuestFrames6.icmpv6(HOST_MAC, target.isLinkLocal() ? GUEST_LINK_LOCAL : GUEST, target, 64,
                    Icmpv6Type.ECHO_REQUEST, rest));
        }
        awaitDetail("restricted 3,");
        assertThat(details()).anySatisfy(line -> assertThat(line).contains("pings dropped: 0 ("));
    }

    @Test
    void duplicateAddressDetectionTeachesTheGatewayTheGuestsSlaacAddress() throws Exception {
        IpAddress group = Ipv6Frames.solicitedNode(GUEST);
        guest.send(GuestFrames6.icmpv6(Ipv6Frames.multicastMac(group), IpAddress.IPV6_ANY, group, 255,
                Icmpv6Type.NEIGHBOR_SOLICITATION, GuestFrames6.target(GUEST)));
        awaitDetail("neighbour " + GUEST + " 52:54:00:12:34:56");
    }

    /**
     * A guest that sends from the gateway's addresses (given them by hand, or spoofing), advertises them, or
     * claims them by ARP is never learnt at its MAC (a host forward or a DNS answer would then name the gateway's
     * address as the guest's); its IP packets are dropped as Linux drops a martian source, and counted.
     */
    @Test
    void theGatewaysOwnAddressesAreNeverLearntFromAGuest() throws Exception {
        byte[] rest = {0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g'};
        guest.send(GuestFrames6.icmpv6(GuestOutput.gatewayMac(DNS), HOST, DNS, 64, Icmpv6Type.ECHO_REQUEST, rest));
        guest.send(GuestFrames6.icmpv6(GuestOutput.gatewayMac(HOST), DNS, HOST, 64, Icmpv6Type.ECHO_REQUEST, rest));
        byte[] targetOption = {NdpOptionType.TARGET_LINK_LAYER_ADDRESS, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56};
        byte[] na = GuestFrames6.target(HOST_LINK_LOCAL, targetOption);
        na[0] = 0x20; // override, not solicited
        guest.send(GuestFrames6.icmpv6(0x3333_0000_0001L, GUEST_LINK_LOCAL, IpAddress.parse("ff02::1"), 255,
                Icmpv6Type.NEIGHBOR_ADVERTISEMENT, na));
        guest.send(GuestFrames.arpRequest(GuestFrames.HOST, GuestFrames.HOST)); // a gratuitous ARP for 10.0.2.2
        guest.send(GuestFrames.echoRequest(GuestFrames.HOST_MAC, GuestFrames.HOST,
                GuestFrames.DNS, 1, 1, new byte[8]));
        guest.send(GuestFrames6.icmpv6(GuestOutput.gatewayMac(HOST), GUEST, HOST, 64, Icmpv6Type.ECHO_REQUEST, rest));
        receiveIcmpv6(Icmpv6Type.ECHO_REPLY); // the guest's own ping, after the others: they were handled by now
        awaitDetail("from the gateway's addresses 4");
        awaitDetail("neighbour discovery dropped 1");
        assertThat(details()).noneSatisfy(line -> assertThat(line).matches(".*neighbour (fec0::2|fec0::3|fe80::2|10\\.0\\.2\\.2) .*"));
        assertThat(details()).anySatisfy(line -> assertThat(line).contains("neighbour " + GUEST + " 52:54:00:12:34:56"));
    }

    /**
     * A guest's duplicate address detection of an address the gateway holds (a BSD or Windows guest given fe80::2 or
     * fec0::2 by hand) is answered as RFC 4861 section 7.2.4 asks, so the guest gives the address up: to all nodes,
     * Solicited clear, Override set; and a router solicitation from :: (RFC 4861 section 6.3.7, before the guest's
     * link-local address is its own) gets an advertisement.
     */
    @Test
    void duplicateAddressDetectionOfTheGatewaysAddressIsDefendedToAllNodes() throws Exception {
        IpAddress group = Ipv6Frames.solicitedNode(HOST_LINK_LOCAL);
        guest.send(GuestFrames6.icmpv6(Ipv6Frames.multicastMac(group), IpAddress.IPV6_ANY, group, 255,
                Icmpv6Type.NEIGHBOR_SOLICITATION, GuestFrames6.target(HOST_LINK_LOCAL)));
        ByteBuffer frame = receiveIcmpv6(Icmpv6Type.NEIGHBOR_ADVERTISEMENT);
        Ipv6Packet ip = ipv6(frame);
        assertThat(ip.source()).isEqualTo(HOST_LINK_LOCAL);
        assertThat(ip.destination()).isEqualTo(NeighborDiscovery.ALL_NODES);
        assertThat(new EthernetFrame().wrap(frame, 0, frame.limit()).destination()).isEqualTo(0x3333_0000_0001L);
        NeighborAdvertisement na = new NeighborAdvertisement().wrap(frame, ip.upperOffset(), ip.upperLength());
        assertThat(na.target()).isEqualTo(HOST_LINK_LOCAL);
        assertThat(na.solicited()).isFalse();
        assertThat(na.override()).isTrue();
        NdpOptions options = na.options(new NdpOptions());
        assertThat(options.next()).isTrue();
        assertThat(options.linkLayerAddress()).isEqualTo(GuestOutput.gatewayMac(HOST_LINK_LOCAL));
        guest.send(GuestFrames6.icmpv6(ALL_ROUTERS_MAC, IpAddress.IPV6_ANY, Gateway.ALL_ROUTERS, 255,
                Icmpv6Type.ROUTER_SOLICITATION, new byte[4]));
        assertThat(ipv6(receiveIcmpv6(Icmpv6Type.ROUTER_ADVERTISEMENT)).destination()).isEqualTo(NeighborDiscovery.ALL_NODES);
    }

    /** RFC 4861 sections 6.1.1 and 7.1.1: a solicitation from :: carries no source link-layer address option. */
    @Test
    void aSolicitationFromTheUnspecifiedAddressWithASourceLinkLayerAddressIsDropped() throws Exception {
        byte[] sourceOption = {NdpOptionType.SOURCE_LINK_LAYER_ADDRESS, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56};
        IpAddress group = Ipv6Frames.solicitedNode(HOST);
        guest.send(GuestFrames6.icmpv6(Ipv6Frames.multicastMac(group), IpAddress.IPV6_ANY, group, 255,
                Icmpv6Type.NEIGHBOR_SOLICITATION, GuestFrames6.target(HOST, sourceOption)));
        byte[] rs = new byte[4 + sourceOption.length];
        System.arraycopy(sourceOption, 0, rs, 4, sourceOption.length);
        guest.send(GuestFrames6.icmpv6(ALL_ROUTERS_MAC, IpAddress.IPV6_ANY, Gateway.ALL_ROUTERS, 255,
                Icmpv6Type.ROUTER_SOLICITATION, rs));
        awaitDetail("neighbour discovery dropped 2");
        assertThat(guest.receive(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void anInformationRequestGetsTheDnsServerAndSearchListByDhcpv6() throws Exception {
        byte[] request = {11, 1, 2, 3, // Information-request, transaction-id 010203
            0, 1, 0, 10, 0, 3, 0, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56, // Client Identifier: DUID-LL
            0, 6, 0, 4, 0, 23, 0, 24}; // Option Request: DNS servers, domain list
        guest.send(GuestFrames6.udp(0x3333_0001_0002L, GUEST_LINK_LOCAL, 546, Gateway.ALL_DHCP_SERVERS, 547, request));
        ByteBuffer frame = receive(EtherType.IPV6);
        Ipv6Packet ip = ipv6(frame);
        assertThat(ip.upperProtocol()).isEqualTo(IpProtocol.UDP);
        assertThat(ip.source()).isEqualTo(HOST_LINK_LOCAL);
        UdpPacket udp = new UdpPacket().wrap(frame, ip.upperOffset(), ip.upperLength());
        assertThat(udp.destinationPort()).isEqualTo(546);
        assertThat(udp.checksumValid(ip)).isTrue();
        byte[] reply = new byte[udp.payloadLength()];
        frame.get(udp.payloadOffset(), reply);
        assertThat(reply[0]).isEqualTo((byte) 7);
        assertThat(new String(reply, java.nio.charset.StandardCharsets.ISO_8859_1)).contains("vnet");
        ByteBuffer r = ByteBuffer.wrap(reply);
        assertThat(indexOf(reply, GuestFrames6.address(DNS))).isPositive();
        assertThat(r.get(1)).isEqualTo((byte) 1);
    }

    /**
     * Stateful DHCPv6 on a restricted network, as the stateless answers are: a Rapid Commit Solicit from the guest's MAC
     * gets a Reply with that MAC in the prefix (fec0::5254:12:3456, not the SLAAC address), counted in the ipv6 line; a
     * Request to fe80::2 gets UseMulticast.
     */
    @Test
    void aRapidCommitSolicitGetsTheGuestsMacInThePrefixAndAUnicastRequestUseMulticast() throws Exception {
        byte[] clientId = {0, 1, 0, 10, 0, 3, 0, 1, 0x52, 0x54, 0, 0x12, 0x34, 0x56};
        byte[] iaNa = {0, 3, 0, 12, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0};
        ByteBuffer solicit = ByteBuffer.allocate(4 + clientId.length + 4 + iaNa.length);
        solicit.putInt(0x01_0a0b0c).put(clientId).putInt(14 << 16).put(iaNa); // Solicit, Rapid Commit
        guest.send(GuestFrames6.udp(0x3333_0001_0002L, GUEST_LINK_LOCAL, 546, Gateway.ALL_DHCP_SERVERS, 547, solicit.array()));
        ByteBuffer frame = receive(EtherType.IPV6);
        Ipv6Packet ip = ipv6(frame);
        assertThat(ip.source()).isEqualTo(HOST_LINK_LOCAL);
        assertThat(ip.destination()).isEqualTo(GUEST_LINK_LOCAL);
        UdpPacket udp = new UdpPacket().wrap(frame, ip.upperOffset(), ip.upperLength());
        assertThat(udp.checksumValid(ip)).isTrue();
        byte[] reply = new byte[udp.payloadLength()];
        frame.get(udp.payloadOffset(), reply);
        assertThat(reply[0]).isEqualTo((byte) 7);
        assertThat(indexOf(reply, GuestFrames6.address(IpAddress.parse("fec0::5254:12:3456")))).isPositive();
        assertThat(indexOf(reply, GuestFrames6.address(GUEST))).as("not the SLAAC address").isNegative();
        awaitDetail("addresses advertised 0, bound 1, renewed 0");

        byte[] serverId = {0, 2, 0, 10, 0, 3, 0, 1, 0x52, 0x56, 0, 0, 0, 2};
        ByteBuffer request = ByteBuffer.allocate(4 + clientId.length + serverId.length + iaNa.length);
        request.putInt(0x03_0a0b0d).put(clientId).put(serverId).put(iaNa);
        guest.send(GuestFrames6.udp(HOST_MAC, GUEST_LINK_LOCAL, 546, HOST_LINK_LOCAL, 547, request.array()));
        frame = receive(EtherType.IPV6);
        ip = ipv6(frame);
        udp = new UdpPacket().wrap(frame, ip.upperOffset(), ip.upperLength());
        reply = new byte[udp.payloadLength()];
        frame.get(udp.payloadOffset(), reply);
        assertThat(reply[0]).isEqualTo((byte) 7);
        assertThat(indexOf(reply, new byte[] {0, 13, 0, 19, 0, 5})).as("UseMulticast").isPositive();
        assertThat(reply).as("the identifiers and the status alone, no IA_NA")
                .hasSize(4 + clientId.length + serverId.length + 4 + 2 + "send to ff02::1:2".length());
    }

    @Test
    void aFragmentedLargePingIsReassembledAndAnsweredInFragmentsOfTheMtu() throws Exception {
        byte[] data = new byte[3000];
        new java.util.Random(6).nextBytes(data);
        byte[] icmp = GuestFrames6.echoRequest(GUEST, HOST, 0x6666, data);
        for (int offset = 0; offset < icmp.length; offset += 1232) { // 1232: a multiple of 8 under the 1280 minimum MTU
            int length = Math.min(1232, icmp.length - offset);
            guest.send(GuestFrames6.fragment(HOST_MAC, GUEST, HOST, IpProtocol.ICMPV6, 77, offset,
                    offset + length < icmp.length, java.util.Arrays.copyOfRange(icmp, offset, offset + length)));
        }
        // the reply (3008 bytes of ICMPv6) leaves in fragments of at most mtu=1400 bytes, which put together
        // are the request's data under type 129 (libslirp's CVE-2020-10756 read past a buffer at this point)
        ByteBuffer whole = ByteBuffer.allocate(icmp.length);
        int received = 0;
        while (received < icmp.length) {
            ByteBuffer frame = receive(EtherType.IPV6);
            Ipv6Packet ip = ipv6(frame);
            assertThat(frame.limit()).isLessThanOrEqualTo(EthernetFrame.HEADER_LENGTH + 1400);
            assertThat(ip.hasFragmentHeader()).isTrue();
            whole.put(ip.fragmentOffset(), frame, ip.upperOffset(), ip.upperLength());
            received += ip.upperLength();
        }
        Icmpv6Packet reply = new Icmpv6Packet().wrap(whole, 0, icmp.length);
        assertThat(reply.type()).isEqualTo(Icmpv6Type.ECHO_REPLY);
        assertThat(reply.identifier()).isEqualTo(0x6666);
        assertThat(reply.checksumValid(HOST, GUEST)).isTrue();
        assertThat(java.util.Arrays.copyOfRange(whole.array(), 8, icmp.length)).isEqualTo(data);
    }

    /**
     * A helper's replay: a Destination Options header after the Fragment header (RFC 8200 section 4.1's order)
     * left the reassembled datagram counted as unsupported, its echo unanswered; Linux answers.
     */
    @Test
    void aFragmentedPingWithDestinationOptionsAfterTheFragmentHeaderIsAnswered() throws Exception {
        byte[] icmp = GuestFrames6.echoRequest(GUEST, HOST, 0x6767, new byte[1500]);
        byte[] options = {(byte) IpProtocol.ICMPV6, 0, 1, 4, 0, 0, 0, 0}; // next header, length 0, PadN of 4
        byte[] fragmentable = new byte[options.length + icmp.length];
        System.arraycopy(options, 0, fragmentable, 0, options.length);
        System.arraycopy(icmp, 0, fragmentable, options.length, icmp.length);
        guest.send(GuestFrames6.fragment(HOST_MAC, GUEST, HOST, IpProtocol.DESTINATION_OPTIONS, 78, 0, true,
                java.util.Arrays.copyOfRange(fragmentable, 0, 1008)));
        guest.send(GuestFrames6.fragment(HOST_MAC, GUEST, HOST, IpProtocol.DESTINATION_OPTIONS, 78, 1008, false,
                java.util.Arrays.copyOfRange(fragmentable, 1008, fragmentable.length)));
        ByteBuffer frame = receive(EtherType.IPV6);
        Ipv6Packet ip = ipv6(frame);
        assertThat(ip.hasFragmentHeader()).as("1508 bytes of ICMPv6 fit mtu=1400 only in fragments").isTrue();
        assertThat(ip.upperProtocol()).isEqualTo(IpProtocol.ICMPV6);
        assertThat(frame.get(ip.upperOffset()) & 0xFF).isEqualTo(Icmpv6Type.ECHO_REPLY);
    }

    /** As for IPv4: an unknown Next Header to the gateway gets Parameter Problem, code 1 (RFC 8200 section 4). */
    @Test
    void anUnknownNextHeaderToTheGatewayIsAnsweredParameterProblem() throws Exception {
        guest.send(GuestFrames6.packet(HOST_MAC, GUEST, HOST, 200, 64, new byte[16]).array());
        ByteBuffer frame = receive(EtherType.IPV6);
        Ipv6Packet ip = ipv6(frame);
        assertThat(ip.source()).isEqualTo(HOST);
        Icmpv6Packet error = new Icmpv6Packet().wrap(frame, ip.upperOffset(), ip.upperLength());
        assertThat(error.type()).isEqualTo(Icmpv6Type.PARAMETER_PROBLEM);
        assertThat(error.code()).isEqualTo(1);
        assertThat(frame.getInt(ip.upperOffset() + 4)).as("pointer: the Next Header field").isEqualTo(6);
        assertThat(error.checksumValid(HOST, GUEST)).isTrue();
        assertThat(frame.get(ip.upperOffset() + 8 + 6) & 0xFF).as("the quoted Next Header").isEqualTo(200);
    }

    @Test
    void overlappingAndOversizedFragmentsDropTheirPacketAndAreCounted() throws Exception {
        byte[] icmp = GuestFrames6.echoRequest(GUEST, HOST, 1, new byte[2000]);
        // overlap: the second piece starts inside the first (RFC 8200 section 4.5 / RFC 5722: discard)
        guest.send(GuestFrames6.fragment(HOST_MAC, GUEST, HOST, IpProtocol.ICMPV6, 1, 0, true,
                java.util.Arrays.copyOfRange(icmp, 0, 1024)));
        guest.send(GuestFrames6.fragment(HOST_MAC, GUEST, HOST, IpProtocol.ICMPV6, 1, 1016, false,
                java.util.Arrays.copyOfRange(icmp, 1016, icmp.length)));
        assertThat(guest.receive(300, TimeUnit.MILLISECONDS)).isNull();
        awaitDetail("fragments 1");
        // a piece that would end past 65535 bytes: discarded with Parameter Problem at its Fragment Offset (RFC 8200 4.5)
        guest.send(GuestFrames6.fragment(HOST_MAC, GUEST, HOST, IpProtocol.ICMPV6, 2, 65528, false, new byte[16]));
        ByteBuffer frame = receiveIcmpv6(Icmpv6Type.PARAMETER_PROBLEM);
        Ipv6Packet ip = ipv6(frame);
        assertThat(frame.getInt(ip.upperOffset() + 4)).as("pointer: the Fragment Offset field").isEqualTo(42);
    }

    /**
     * A guest asking fec0::3 while the upstream is IPv4 and closed hears Port Unreachable from fec0::3, as when
     * both are IPv4: the flow's host socket is AF_INET, and its error queue is turned on as such (IP_RECVERR;
     * IPV6_RECVERR, the guest's family, failed with ENOPROTOOPT and no error was told).
     */
    @Test
    void aClosedIpv4UpstreamIsToldToAnIpv6GuestAsPortUnreachableFromTheDnsAddress() throws Exception {
        int closed;
        try (java.nio.channels.DatagramChannel c = java.nio.channels.DatagramChannel.open()
                .bind(new java.net.InetSocketAddress("127.0.0.1", 0))) {
            closed = ((java.net.InetSocketAddress) c.getLocalAddress()).getPort();
        }
        network.removeNetdev("u");
        network.addNetdev("user,id=u,dns-upstream=127.0.0.1:" + closed);
        byte[] query = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0,
            0, 28, 0, 1};
        guest.send(GuestFrames6.udp(GuestOutput.gatewayMac(DNS), GUEST, 5353, DNS, 53, query));
        ByteBuffer frame = receiveIcmpv6(Icmpv6Type.DESTINATION_UNREACHABLE);
        Ipv6Packet ip = ipv6(frame);
        assertThat(ip.source()).isEqualTo(DNS);
        assertThat(frame.get(ip.upperOffset() + 1)).as("code 4, port unreachable").isEqualTo((byte) 4);
    }

    @Test
    void aDnsQueryThatCannotBeForwardedIsRefusedAtOnce() throws Exception {
        byte[] query = {0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0,
            0, 28, 0, 1}; // example.test AAAA, recursion desired
        guest.send(GuestFrames6.udp(GuestOutput.gatewayMac(DNS), GUEST, 5353, DNS, 53, query));
        ByteBuffer frame = receive(EtherType.IPV6);
        Ipv6Packet ip = ipv6(frame);
        UdpPacket udp = new UdpPacket().wrap(frame, ip.upperOffset(), ip.upperLength());
        assertThat(ip.source()).isEqualTo(DNS);
        assertThat(udp.sourcePort()).isEqualTo(53);
        int dns = udp.payloadOffset();
        assertThat(frame.getShort(dns)).isEqualTo((short) 0x1234);
        assertThat(frame.getShort(dns + 2) & 0xFFFF).isEqualTo(0x8180 | 5); // QR, RD, RA, REFUSED (restrict=on)
        assertThat(udp.payloadLength()).isEqualTo(query.length); // the question echoed, no records
        awaitDetail("dns not forwarded: 1");
    }

    @Test
    void infoNetworkListsTheHostForwardsAndWhereALearntOneGoes() throws Exception {
        try (Network other = new Network()) {
            VirtualNic vm = other.attachNic("vm", 0);
            other.addNetdev("user,id=u,hostfwd=tcp:127.0.0.1:0-:22,hostfwd=udp:[::1]:0-:53");
            UsernetNetdev user = (UsernetNetdev) other.netdevs().stream().filter(n -> n.id().equals("u")).findFirst()
                    .orElseThrow();
            int tcpPort = user.hostForwards().get(0).hostPort(); // the ports bound for :0
            int udpPort = user.hostForwards().get(1).hostPort();
            assertThat(user.details()).contains("hostfwd tcp 127.0.0.1:" + tcpPort + " -> 10.0.2.15:22",
                    "hostfwd udp [::1]:" + udpPort + " -> (the guest's IPv6 address: none seen yet):53");
            vm.send(duplicateAddressDetection(GUEST, GUEST_MAC));
            awaitUserDetail(user, "hostfwd udp [::1]:" + udpPort + " -> [" + GUEST + "]:53 (learnt)");
        }
    }

    /**
     * A learnt IPv6 forward goes to the machine the IPv4 forwards without a guest address go to (10.0.2.15 here)
     * once it has shown an IPv6 address, not to the guest that showed one last: with a container's TAP and a
     * later VM on the hub, hostfwd=tcp:127.0.0.1:P-:Q reached the first and hostfwd=tcp:[::1]:P-:Q the second.
     */
    @Test
    void aLearntForwardGoesToTheGuestOfTheIpv4DefaultNotTheNewest() throws Exception {
        try (Network other = new Network()) {
            VirtualNic first = other.attachNic("first", 0);
            VirtualNic later = other.attachNic("later", 0);
            other.addNetdev("user,id=u,hostfwd=tcp:[::1]:0-:22");
            UsernetNetdev user = (UsernetNetdev) other.netdevs().stream().filter(n -> n.id().equals("u")).findFirst()
                    .orElseThrow();
            int port = user.hostForwards().get(0).hostPort();
            IpAddress second = IpAddress.parse("fec0::5054:ff:fe12:3457");
            first.send(duplicateAddressDetection(GUEST, GUEST_MAC));
            awaitUserDetail(user, "hostfwd tcp [::1]:" + port + " -> [" + GUEST + "]:22 (learnt)");
            later.send(duplicateAddressDetection(second, GUEST_MAC + 1));
            // no guest at 10.0.2.15 yet: the newest one, as before
            awaitUserDetail(user, "hostfwd tcp [::1]:" + port + " -> [" + second + "]:22 (learnt)");
            first.send(GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST)); // 10.0.2.15 is at the first's MAC
            awaitUserDetail(user, "hostfwd tcp [::1]:" + port + " -> [" + GUEST + "]:22 (learnt)");
        }
    }

    /** The neighbour solicitation of a guest's duplicate address detection for {@code address}, sent from {@code mac}. */
    private static byte[] duplicateAddressDetection(IpAddress address, long mac) {
        IpAddress group = Ipv6Frames.solicitedNode(address);
        byte[] frame = GuestFrames6.icmpv6(Ipv6Frames.multicastMac(group), IpAddress.IPV6_ANY, group, 255,
                Icmpv6Type.NEIGHBOR_SOLICITATION, GuestFrames6.target(address));
        for (int i = 0; i < 6; i++) {
            frame[6 + i] = (byte) (mac >>> (8 * (5 - i))); // the source MAC
        }
        return frame;
    }

    /** Waits up to 2 s for {@code detail} to be one of {@code user}'s lines of info network. */
    private static void awaitUserDetail(UsernetNetdev user, String detail) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (!user.details().contains(detail) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(user.details()).contains(detail);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Waits for a line of info network with {@code text}: the frame may still wait in the port's queue at first. */
    private void awaitDetail(String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (details().stream().noneMatch(line -> line.contains(text)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(details()).anySatisfy(line -> assertThat(line).contains(text));
    }

    private List<String> details() {
        return ((UsernetNetdev) network.netdevs().stream().filter(n -> n.id().equals("u")).findFirst().orElseThrow())
                .details();
    }

    private static Ipv6Packet ipv6(ByteBuffer frame) {
        Ipv6Packet ip = new Ipv6Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.check()).isEqualTo(WireError.NONE);
        return ip;
    }

    private ByteBuffer receiveIcmpv6(int type) throws InterruptedException {
        while (true) {
            ByteBuffer frame = receive(EtherType.IPV6);
            Ipv6Packet ip = ipv6(frame);
            if (ip.upperProtocol() == IpProtocol.ICMPV6 && (frame.get(ip.upperOffset()) & 0xFF) == type) {
                return frame;
            }
        }
    }

    private ByteBuffer receive(int etherType) throws InterruptedException {
        while (true) {
            byte[] f = guest.receive(5, TimeUnit.SECONDS);
            assertThat(f).as("a frame of type 0x%04x", etherType).isNotNull();
            ByteBuffer b = ByteBuffer.wrap(f);
            if (new EthernetFrame().wrap(b, 0, f.length).etherType() == etherType) {
                return b;
            }
        }
    }
}
