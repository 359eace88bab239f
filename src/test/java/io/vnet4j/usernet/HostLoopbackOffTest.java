package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IcmpPacket;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.TcpFlags;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code host-loopback=off} (libslirp's disable_host_loopback, slirp4netns's --disable-host-loopback): the
 * gateway's host address no longer leads to the host's 127.0.0.1; a connection or datagram there gets ICMP
 * Destination Unreachable (network), as a guest of slirp4netns meets it (connect fails with ENETUNREACH),
 * counted, while pings to the gateway are still answered.
 */
@Timeout(30)
class HostLoopbackOffTest {
    private static final int GUEST = Ipv4Address.parse("10.0.2.100");
    private static final int HOST = Ipv4Address.parse("10.0.2.2");
    private static final long HOST_MAC = 0x5255_0a00_0202L;

    private Network network;
    private VirtualNic guest;
    private UsernetNetdev usernet;

    @BeforeEach
    void start() throws Exception {
        network = new Network();
        guest = network.attachNic("guest", 0);
        usernet = (UsernetNetdev) network.addNetdev("user,id=u,ipv6=off,host-loopback=off");
    }

    @AfterEach
    void stop() {
        network.close();
    }

    @Test
    void aConnectionToTheHostsLoopbackIsAnUnreachableNetwork() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = server.getLocalPort();
            guest.send(GuestFrames.tcp(HOST_MAC, GUEST, 40000, HOST, port, TcpFlags.SYN, 1000, 0, 65535, new byte[0]));
            ByteBuffer frame = receiveIcmp();
            Ipv4Packet ip = new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
            IcmpPacket icmp = new IcmpPacket().wrap(frame, ip.payloadOffset(), ip.payloadLength());
            assertThat(icmp.type()).isEqualTo(IcmpType.DESTINATION_UNREACHABLE);
            assertThat(icmp.code()).isZero(); // network unreachable
            int quotedTcp = ip.payloadOffset() + 8 + 20; // the SYN's ports and sequence number
            assertThat(frame.getShort(quotedTcp + 2) & 0xFFFF).isEqualTo(port);
            assertThat(frame.getInt(quotedTcp + 4)).isEqualTo(1000);
            server.setSoTimeout(300);
            assertThat(acceptsNothing(server)).isTrue();
        }
        assertThat(String.join("\n", usernet.details())).contains("to the host's loopback (host-loopback=off) 1");
    }

    @Test
    void aDatagramToTheHostsLoopbackIsAnUnreachableNetwork() throws Exception {
        try (DatagramChannel server = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            server.configureBlocking(false);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            guest.send(GuestFrames.udp(HOST_MAC, GUEST, 40000, HOST, port, "hello".getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer frame = receiveIcmp();
            Ipv4Packet ip = new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
            assertThat(ip.source()).isEqualTo(HOST);
            assertThat(frame.get(ip.payloadOffset()) & 0xFF).isEqualTo(IcmpType.DESTINATION_UNREACHABLE);
            Thread.sleep(200);
            assertThat(server.receive(ByteBuffer.allocate(100))).isNull();
        }
        assertThat(String.join("\n", usernet.details())).contains("to the host's loopback (host-loopback=off) 1");
    }

    @Test
    void pingsToTheGatewayAreStillAnswered() throws Exception {
        guest.send(GuestFrames.echoRequest(HOST_MAC, GUEST, HOST, 7, 1, new byte[8]));
        while (true) {
            byte[] frame = guest.receive(10, TimeUnit.SECONDS);
            assertThat(frame).isNotNull();
            ByteBuffer b = ByteBuffer.wrap(frame);
            if (new EthernetFrame().wrap(b, 0, frame.length).etherType() == EtherType.IPV4
                    && new Ipv4Packet().wrap(b, EthernetFrame.HEADER_LENGTH, frame.length - EthernetFrame.HEADER_LENGTH)
                            .protocol() == IpProtocol.ICMP) {
                return;
            }
        }
    }

    /**
     * {@code builtin-dns=off} (libslirp's disable_dns, slirp4netns's --disable-dns): a query to the DNS
     * address gets no answer, a connection there no reply at all (it times out in the guest), both counted;
     * a ping is still answered, as libslirp answers it.
     */
    @Test
    void withBuiltinDnsOffTheDnsAddressIsSilent() throws Exception {
        network.removeNetdev("u");
        UsernetNetdev silent = (UsernetNetdev) network.addNetdev("user,id=u2,ipv6=off,builtin-dns=off");
        int dns = Ipv4Address.parse("10.0.2.3");
        long dnsMac = 0x5255_0a00_0203L;
        guest.send(GuestFrames.udp(dnsMac, GUEST, 40000, dns, 53, new byte[] {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}));
        guest.send(GuestFrames.tcp(dnsMac, GUEST, 40001, dns, 53, TcpFlags.SYN, 1000, 0, 65535, new byte[0]));
        assertThat(guest.receive(500, TimeUnit.MILLISECONDS)).isNull();
        assertThat(String.join("\n", silent.details())).contains("to the DNS address (builtin-dns=off) 2");
        guest.send(GuestFrames.echoRequest(dnsMac, GUEST, dns, 7, 1, new byte[8]));
        assertThat(guest.receive(5, TimeUnit.SECONDS)).isNotNull();
    }

    private static boolean acceptsNothing(ServerSocket server) throws Exception {
        try {
            server.accept().close();
            return false;
        } catch (java.net.SocketTimeoutException e) {
            return true;
        }
    }

    private ByteBuffer receiveIcmp() throws InterruptedException {
        return GuestFrames.await(guest, b -> {
            Ipv4Packet ip = GuestFrames.ipv4(b);
            return ip != null && ip.protocol() == IpProtocol.ICMP;
        }, "ICMP packet");
    }
}
