package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IcmpPacket;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.Icmpv6Type;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.Ipv6Packet;
import io.vnet4j.wire.WireError;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code restrict=on}: the lease still names the gateway as the router, so a guest's datagram or ping to
 * beyond it gets Destination Unreachable, "communication administratively prohibited" (ICMP code 13, RFC
 * 1812 section 5.2.7.1; ICMPv6 code 1, RFC 4443 section 3.1), as its TCP connect gets a reset: its resolver
 * and ping fail at once instead of waiting out their time-outs (utmapp/UTM-style guests with a resolver of
 * their own, chainguard-dev/melange#2508). libslirp gives a restricted guest no router, so its sends fail
 * at once in the guest. Nothing leaves, and each is counted as restricted.
 */
@Timeout(30)
class RestrictedProhibitedTest {
    private static final int GUEST = Ipv4Address.parse("10.0.2.15");
    private static final int HOST = Ipv4Address.parse("10.0.2.2");
    private static final long HOST_MAC = 0x5255_0a00_0202L;
    private static final int BEYOND = Ipv4Address.parse("192.0.2.1");

    private Network network;
    private VirtualNic guest;
    private UsernetNetdev usernet;

    @BeforeEach
    void start() throws Exception {
        network = new Network();
        guest = network.attachNic("guest", 0);
        usernet = (UsernetNetdev) network.addNetdev("user,id=u,restrict=on");
    }

    @AfterEach
    void stop() {
        network.close();
    }

    @Test
    void aDatagramBeyondTheGatewayIsProhibited() throws Exception {
        guest.send(GuestFrames.udp(HOST_MAC, GUEST, 40000, BEYOND, 53, "query".getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer frame = receiveIcmp();
        Ipv4Packet ip = GuestFrames.ipv4(frame);
        assertThat(ip.source()).isEqualTo(HOST);
        IcmpPacket icmp = new IcmpPacket().wrap(frame, ip.payloadOffset(), ip.payloadLength());
        assertThat(icmp.type()).isEqualTo(IcmpType.DESTINATION_UNREACHABLE);
        assertThat(icmp.code()).isEqualTo(13);
        int quotedIp = ip.payloadOffset() + 8;
        assertThat(frame.getInt(quotedIp + 16)).isEqualTo(BEYOND);
        assertThat(frame.getShort(quotedIp + 20) & 0xFFFF).isEqualTo(40000);
        assertThat(frame.getShort(quotedIp + 22) & 0xFFFF).isEqualTo(53);
        assertThat(String.join("\n", usernet.details())).contains("restricted 1,");
    }

    @Test
    void aDatagramToTheHostIsProhibitedAndReachesNoSocket() throws Exception {
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            server.configureBlocking(false);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            guest.send(GuestFrames.udp(HOST_MAC, GUEST, 40000, HOST, port, "hello".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer frame = receiveIcmp();
            Ipv4Packet ip = GuestFrames.ipv4(frame);
            assertThat(frame.get(ip.payloadOffset()) & 0xFF).isEqualTo(IcmpType.DESTINATION_UNREACHABLE);
            assertThat(frame.get(ip.payloadOffset() + 1) & 0xFF).isEqualTo(13);
            Thread.sleep(200);
            assertThat(server.receive(ByteBuffer.allocate(100))).isNull();
        }
    }

    @Test
    void aPingBeyondTheGatewayIsProhibited() throws Exception {
        guest.send(GuestFrames.echoRequest(HOST_MAC, GUEST, BEYOND, 7, 1, new byte[8]));
        ByteBuffer frame = receiveIcmp();
        Ipv4Packet ip = GuestFrames.ipv4(frame);
        IcmpPacket icmp = new IcmpPacket().wrap(frame, ip.payloadOffset(), ip.payloadLength());
        assertThat(icmp.type()).isEqualTo(IcmpType.DESTINATION_UNREACHABLE);
        assertThat(icmp.code()).isEqualTo(13);
        int quotedEcho = ip.payloadOffset() + 8 + 20;
        assertThat(frame.get(quotedEcho) & 0xFF).isEqualTo(IcmpType.ECHO_REQUEST);
        assertThat(frame.getShort(quotedEcho + 4) & 0xFFFF).isEqualTo(7);
    }

    @Test
    void anIpv6DatagramAndPingBeyondTheGatewayAreProhibited() throws Exception {
        IpAddress beyond = IpAddress.parse("2001:db8::1");
        guest.send(GuestFrames6.udp(GuestFrames6.HOST_MAC, GuestFrames6.GUEST, 40000, beyond, 53, new byte[4]));
        guest.send(GuestFrames6.icmpv6(GuestFrames6.HOST_MAC, GuestFrames6.GUEST, beyond, 64, Icmpv6Type.ECHO_REQUEST,
                new byte[] {0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g'}));
        for (int quoted : new int[] {IpProtocol.UDP, IpProtocol.ICMPV6}) {
            ByteBuffer frame = GuestFrames.await(guest, b -> {
                Ipv6Packet ip6 = ipv6(b);
                return ip6 != null && ip6.upperProtocol() == IpProtocol.ICMPV6
                        && (b.get(ip6.upperOffset()) & 0xFF) == Icmpv6Type.DESTINATION_UNREACHABLE;
            }, "ICMPv6 error");
            Ipv6Packet ip6 = ipv6(frame);
            assertThat(ip6.source()).isEqualTo(GuestFrames6.HOST);
            assertThat(frame.get(ip6.upperOffset() + 1) & 0xFF).isEqualTo(1); // administratively prohibited
            assertThat(frame.get(ip6.upperOffset() + 8 + 6) & 0xFF).isEqualTo(quoted);
        }
    }

    private static Ipv6Packet ipv6(ByteBuffer frame) {
        EthernetFrame eth = new EthernetFrame().wrap(frame, 0, frame.limit());
        if (eth.etherType() != EtherType.IPV6) {
            return null;
        }
        Ipv6Packet ip = new Ipv6Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
        return ip.check() == WireError.NONE ? ip : null;
    }

    private ByteBuffer receiveIcmp() throws InterruptedException {
        return GuestFrames.await(guest, b -> {
            Ipv4Packet ip = GuestFrames.ipv4(b);
            return ip != null && ip.protocol() == IpProtocol.ICMP;
        }, "ICMP packet");
    }
}
