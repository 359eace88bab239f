package io.vnet4j.usernet;

import static io.vnet4j.usernet.GuestFrames.GUEST;
import static io.vnet4j.usernet.GuestFrames.GUEST_MAC;
import static io.vnet4j.usernet.GuestFrames.HOST;
import static io.vnet4j.usernet.GuestFrames.HOST_MAC;
import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSegment;
import io.vnet4j.wire.UdpPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A guest that leaves the hub (its VM quit) takes its connections and its lease with it, as QEMU's
 * {@code -netdev user} goes with its VM: the host peers read EOF at once, and the address is free for the
 * next VM. helper-74's replay against QEMU 7.2: the peers hung until the gateway gave up on the guest, and
 * the lease was held for a day.
 */
@Timeout(30)
class GuestDepartureTest {
    private static final long OTHER_MAC = 0x5254_0012_3457L;
    private static final long BROADCAST_MAC = 0xFFFF_FFFF_FFFFL;
    /** DHCP message types (RFC 2132 9.6). */
    private static final int ACK = 5;
    private static final int NAK = 6;

    private final Network network = new Network();

    @AfterEach
    void stop() {
        network.close();
    }

    @Test
    void aGuestThatLeavesHasItsConnectionsAndFlowsClosedAndItsLeaseReleased() throws Exception {
        VirtualNic guest = network.attachNic("guest", 0);
        network.addNetdev("user,id=u");
        assertThat(dhcpAnswer(guest, GUEST_MAC)).as("the lease of 10.0.2.15").isEqualTo(ACK);
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             DatagramChannel udpPeer = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            guest.send(GuestFrames.tcp(HOST_MAC, GUEST, 40000, HOST, port, TcpFlags.SYN, 1000, 0, 65535, new byte[0]));
            try (SocketChannel accepted = listener.accept()) {
                ByteBuffer synAck = GuestFrames.await(guest, f -> isTcp(f, TcpFlags.SYN | TcpFlags.ACK), "SYN-ACK");
                Ipv4Packet ip = GuestFrames.ipv4(synAck);
                int ours = new TcpSegment().wrap(synAck, ip.payloadOffset(), ip.payloadLength()).sequenceNumber();
                guest.send(GuestFrames.tcp(HOST_MAC, GUEST, 40000, HOST, port, TcpFlags.ACK, 1001, ours + 1, 65535, new byte[0]));
                guest.send(GuestFrames.udp(HOST_MAC, GUEST, 40001, HOST,
                        ((InetSocketAddress) udpPeer.getLocalAddress()).getPort(), new byte[] {1}));
                udpPeer.socket().setSoTimeout(5000);
                udpPeer.socket().receive(new java.net.DatagramPacket(new byte[16], 16));
                assertThat(network.netdev("u").describe()).contains("; tcp connections 1, udp flows 1");

                network.removeNetdev("guest"); // the VM quit: its port left the hub

                accepted.socket().setSoTimeout(5000);
                assertThat(accepted.socket().getInputStream().read()).as("EOF, as when QEMU exits").isEqualTo(-1);
            }
        }
        network.netdev("u").details(); // after the loop's pass that handled the departure
        assertThat(network.netdev("u").describe()).contains("; tcp connections 0, udp flows 0");
        VirtualNic next = network.attachNic("next", 0);
        assertThat(dhcpAnswer(next, OTHER_MAC)).as("10.0.2.15 for the next VM, whatever its MAC").isEqualTo(ACK);
    }

    /** A VM whose connection dropped and was made again at once (QEMU's reconnect=) has not left. */
    @Test
    void aGuestBackOnTheHubWithinTheGraceKeepsItsConnectionsAndLease() throws Exception {
        VirtualNic guest = network.attachNic("guest", 0);
        network.addNetdev("user,id=u");
        assertThat(dhcpAnswer(guest, GUEST_MAC)).isEqualTo(ACK);
        try (ServerSocketChannel listener = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            guest.send(GuestFrames.tcp(HOST_MAC, GUEST, 40000, HOST, port, TcpFlags.SYN, 1000, 0, 65535, new byte[0]));
            try (SocketChannel accepted = listener.accept()) {
                network.removeNetdev("guest");
                VirtualNic again = network.attachNic("again", 0);
                again.send(GuestFrames.arpRequest(GUEST, HOST)); // from the guest's MAC, on its new port
                Thread.sleep(TimeUnit.NANOSECONDS.toMillis(Departures.GRACE_NANOS) + 500);
                network.netdev("u").details(); // after the loop's pass that would have let go
                assertThat(network.netdev("u").describe()).contains("tcp connections 1,");
                accepted.configureBlocking(false);
                assertThat(accepted.read(ByteBuffer.allocate(1))).as("still open, nothing to read").isZero();
                assertThat(dhcpAnswer(again, OTHER_MAC)).as("10.0.2.15 is still the guest's").isEqualTo(NAK);
            }
        }
    }

    /** The guest sends a DHCPREQUEST for 10.0.2.15 as {@code chaddr}; returns the answer's message type. */
    private static int dhcpAnswer(VirtualNic guest, long chaddr) throws InterruptedException {
        guest.send(GuestFrames.udp(BROADCAST_MAC, 0, 68, -1, 67, GuestFrames.dhcpRequest(chaddr, false)));
        ByteBuffer reply = GuestFrames.await(guest, f -> isUdpTo(f, 68), "DHCP reply");
        Ipv4Packet ip = GuestFrames.ipv4(reply);
        int options = ip.payloadOffset() + UdpPacket.HEADER_LENGTH + 240;
        for (int at = options; reply.get(at) != (byte) 255; at += 2 + (reply.get(at + 1) & 0xFF)) {
            if (reply.get(at) == 53) {
                return reply.get(at + 2);
            }
        }
        throw new AssertionError("no message type");
    }

    private static boolean isTcp(ByteBuffer frame, int flags) {
        Ipv4Packet ip = GuestFrames.ipv4(frame);
        return ip != null && ip.protocol() == IpProtocol.TCP
                && new TcpSegment().wrap(frame, ip.payloadOffset(), ip.payloadLength()).flags() == flags;
    }

    private static boolean isUdpTo(ByteBuffer frame, int port) {
        Ipv4Packet ip = GuestFrames.ipv4(frame);
        return ip != null && ip.protocol() == IpProtocol.UDP && (frame.getShort(ip.payloadOffset() + 2) & 0xFFFF) == port;
    }
}
