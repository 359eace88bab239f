package io.vnet4j.usernet;

import static io.vnet4j.usernet.GuestFrames6.GUEST;
import static io.vnet4j.usernet.GuestFrames6.GUEST_LINK_LOCAL;
import static io.vnet4j.usernet.GuestFrames6.HOST;
import static io.vnet4j.usernet.GuestFrames6.HOST_LINK_LOCAL;
import static io.vnet4j.usernet.GuestFrames6.HOST_MAC;
import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv6Packet;
import io.vnet4j.wire.UdpPacket;
import io.vnet4j.wire.WireError;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway has two IPv6 host addresses (fec0::2 and fe80::2): what it sends in answer comes from the
 * one the guest wrote to, whatever the guest's own source address. A guest's socket connected to fec0::2
 * drops a reply from fe80::2, and a guest sends from its link-local address while its SLAAC address is
 * still tentative (a replay of a helper's finding with slirp4netns --enable-ipv6, whose libslirp answers
 * from so_faddr).
 */
@Timeout(30)
class GatewayAnswersFromTheAskedAddressTest {
    private Network network;
    private VirtualNic guest;

    @AfterEach
    void stop() {
        if (network != null) {
            network.close();
        }
    }

    @Test
    void aUdpReplyFromHostLoopbackComesFromTheHostAddressTheGuestWroteTo() throws Exception {
        start("user,id=u");
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("::1", 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            assertEchoFrom(server, GUEST_LINK_LOCAL, 40001, HOST, port);
            assertEchoFrom(server, GUEST, 40002, HOST_LINK_LOCAL, port);
            // one guest socket, both addresses in turn: each reply as its datagram was addressed
            assertEchoFrom(server, GUEST, 40003, HOST, port);
            assertEchoFrom(server, GUEST, 40003, HOST_LINK_LOCAL, port);
        }
    }

    @Test
    void aTftpReplyComesFromTheHostAddressTheRequestWentTo(@TempDir Path root) throws Exception {
        Files.writeString(root.resolve("f"), "hello");
        start("user,id=u,restrict=on,tftp=" + root);
        byte[] request = "\0\1f\0octet\0".getBytes(StandardCharsets.US_ASCII);
        guest.send(GuestFrames6.udp(HOST_MAC, GUEST_LINK_LOCAL, 2000, HOST, 69, request));
        Ipv6Packet ip = receiveUdp();
        assertThat(ip.source()).isEqualTo(HOST);
        guest.send(GuestFrames6.udp(HOST_MAC, GUEST, 2001, HOST_LINK_LOCAL, 69, request));
        assertThat(receiveUdp().source()).isEqualTo(HOST_LINK_LOCAL);
    }

    private void start(String userOptions) throws Exception {
        network = new Network();
        guest = network.attachNic("guest", 0);
        network.addNetdev(userOptions);
    }

    private void assertEchoFrom(DatagramChannel server, IpAddress source, int sourcePort, IpAddress destination,
                                int port) throws Exception {
        guest.send(GuestFrames6.udp(HOST_MAC, source, sourcePort, destination, port, new byte[] {7}));
        ByteBuffer in = ByteBuffer.allocate(16);
        java.net.SocketAddress from = server.receive(in);
        server.send(in.flip(), from);
        Ipv6Packet ip = receiveUdp();
        assertThat(ip.source()).as("the reply to %s from %s", destination, source).isEqualTo(destination);
        assertThat(ip.destination()).isEqualTo(source);
    }

    /** The next UDP datagram the guest gets, past NDP and router advertisements. */
    private Ipv6Packet receiveUdp() throws InterruptedException {
        while (true) {
            byte[] f = guest.receive(5, TimeUnit.SECONDS);
            assertThat(f).as("a UDP datagram").isNotNull();
            ByteBuffer b = ByteBuffer.wrap(f);
            if (new EthernetFrame().wrap(b, 0, f.length).etherType() != EtherType.IPV6) {
                continue;
            }
            Ipv6Packet ip = new Ipv6Packet().wrap(b, EthernetFrame.HEADER_LENGTH, f.length - EthernetFrame.HEADER_LENGTH);
            assertThat(ip.check()).isEqualTo(WireError.NONE);
            if (ip.upperProtocol() == IpProtocol.UDP) {
                assertThat(new UdpPacket().wrap(b, ip.upperOffset(), ip.upperLength()).checksumValid(ip)).isTrue();
                return ip;
            }
        }
    }
}
