package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IcmpPacket;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.Icmpv6Packet;
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
 * The gateway is a router: a packet for beyond the virtual network whose hop limit ends at it is answered
 * with Time Exceeded from the gateway's address (RFC 1812 section 5.3.1, RFC 4443 section 3.3), the first
 * hop a guest's traceroute shows; one with hops left passes on; the gateway's own addresses count no hop.
 * (The host's side, the hop limit a passed-on packet leaves with and the routers' answers, is UsernetTracerouteIT's.)
 */
@Timeout(30)
class HopLimitTest {
    private static final int GUEST = Ipv4Address.parse("10.0.2.15");
    private static final int HOST = Ipv4Address.parse("10.0.2.2");
    private static final long HOST_MAC = 0x5255_0a00_0202L;
    private static final int BEYOND = Ipv4Address.parse("127.0.0.2"); // not the gateway's: passed on to the host's 127.0.0.2
    private static final byte[] DATA = "hop".getBytes(StandardCharsets.US_ASCII);

    private Network network;
    private VirtualNic guest;
    private DatagramChannel server;
    private int port;

    @BeforeEach
    void start() throws Exception {
        server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.2", 0));
        port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        network = new Network();
        guest = network.attachNic("guest", 0);
        network.addNetdev("user,id=u");
    }

    @AfterEach
    void stop() throws Exception {
        network.close();
        server.close();
    }

    @Test
    void aDatagramWhoseTtlEndsAtTheGatewayIsAnsweredWithTimeExceededAndGoesNoFurther() throws Exception {
        guest.send(withTtl(GuestFrames.udp(HOST_MAC, GUEST, 40000, BEYOND, port, DATA), 1));

        ByteBuffer frame = receive(EtherType.IPV4);
        Ipv4Packet ip = new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(ip.source()).as("from the gateway, the hop where it ended").isEqualTo(HOST);
        assertThat(ip.protocol()).isEqualTo(IpProtocol.ICMP);
        IcmpPacket icmp = new IcmpPacket().wrap(frame, ip.payloadOffset(), ip.payloadLength());
        assertThat(icmp.checksumValid()).isTrue();
        assertThat(icmp.type()).isEqualTo(IcmpType.TIME_EXCEEDED);
        assertThat(icmp.code()).isZero();
        Ipv4Packet quoted = new Ipv4Packet().wrap(frame, ip.payloadOffset() + 8, ip.payloadLength() - 8);
        assertThat(quoted.source()).isEqualTo(GUEST);
        assertThat(quoted.destination()).isEqualTo(BEYOND);
        assertThat(quoted.ttl()).isEqualTo(1);
        assertThat(frame.getShort(quoted.payloadOffset()) & 0xFFFF).isEqualTo(40000);
        assertThat(frame.getShort(quoted.payloadOffset() + 2) & 0xFFFF).isEqualTo(port);
        assertThat(frame.get(quoted.payloadOffset() + 8)).isEqualTo((byte) 'h');

        server.configureBlocking(false);
        Thread.sleep(200);
        assertThat(server.receive(ByteBuffer.allocate(100))).as("nothing passed on").isNull();
    }

    @Test
    void aDatagramWithHopsLeftPassesOn() throws Exception {
        guest.send(withTtl(GuestFrames.udp(HOST_MAC, GUEST, 40001, BEYOND, port, DATA), 2));
        ByteBuffer got = ByteBuffer.allocate(100);
        assertThat(server.receive(got)).isNotNull();
        assertThat(new String(got.array(), 0, got.position(), StandardCharsets.US_ASCII)).isEqualTo("hop");
    }

    @Test
    void theGatewaysOwnAddressCountsNoHop() throws Exception {
        try (DatagramChannel local = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            int localPort = ((InetSocketAddress) local.getLocalAddress()).getPort();
            guest.send(withTtl(GuestFrames.udp(HOST_MAC, GUEST, 40002, HOST, localPort, DATA), 1));
            assertThat(local.receive(ByteBuffer.allocate(100))).as("10.0.2.2 is the host's loopback, no hop away").isNotNull();
        }
    }

    @Test
    void anIpv6PacketWhoseHopLimitEndsAtTheGatewayIsAnsweredWithTimeExceeded() throws Exception {
        IpAddress beyond = IpAddress.parse("::1");
        byte[] frame = GuestFrames6.udp(GuestFrames6.HOST_MAC, GuestFrames6.GUEST, 40003, beyond, port, DATA);
        new Ipv6Packet().wrap(ByteBuffer.wrap(frame), EthernetFrame.HEADER_LENGTH, Ipv6Packet.HEADER_LENGTH).setHopLimit(1);
        guest.send(frame);

        ByteBuffer error = receive(EtherType.IPV6);
        Ipv6Packet ip6 = new Ipv6Packet().wrap(error, EthernetFrame.HEADER_LENGTH, error.limit() - EthernetFrame.HEADER_LENGTH);
        assertThat(ip6.check()).isEqualTo(WireError.NONE);
        assertThat(ip6.source()).isEqualTo(GuestFrames6.HOST);
        Icmpv6Packet icmp6 = new Icmpv6Packet().wrap(error, ip6.upperOffset(), ip6.upperLength());
        assertThat(icmp6.type()).isEqualTo(Icmpv6Type.TIME_EXCEEDED);
        assertThat(icmp6.code()).isZero();
        assertThat(icmp6.checksumValid(GuestFrames6.HOST, GuestFrames6.GUEST)).isTrue();
        Ipv6Packet quoted = new Ipv6Packet().wrap(error, ip6.upperOffset() + 8, Ipv6Packet.HEADER_LENGTH);
        assertThat(quoted.hopLimit()).isEqualTo(1);
        assertThat(quoted.destination()).isEqualTo(beyond);
    }

    private static byte[] withTtl(byte[] frame, int ttl) {
        Ipv4Packet ip = new Ipv4Packet().wrap(ByteBuffer.wrap(frame), EthernetFrame.HEADER_LENGTH, frame.length - EthernetFrame.HEADER_LENGTH);
        ip.setTtl(ttl);
        ip.fillChecksum();
        return frame;
    }

    /** The next frame of {@code etherType} the gateway sends the guest (neighbour discovery and the like skipped). */
    private ByteBuffer receive(int etherType) throws InterruptedException {
        return GuestFrames.await(guest, b -> new EthernetFrame().wrap(b, 0, b.limit()).etherType() == etherType
                && !(etherType == EtherType.IPV6 && b.get(EthernetFrame.HEADER_LENGTH + 6) == IpProtocol.ICMPV6
                        && (b.get(EthernetFrame.HEADER_LENGTH + Ipv6Packet.HEADER_LENGTH) & 0xFF) >= Icmpv6Type.ROUTER_SOLICITATION),
                "frame of type " + etherType);
    }
}
