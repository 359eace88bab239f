package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The user network's loop sleeps without a time limit when nothing waits on time, or until its next timed
 * work; a frame that sets a timer sooner must bring the poll forward, also when a hub thread handled the
 * frame while the loop slept (a {@link VirtualNic}'s send is handled on the sender's thread).
 */
@Timeout(30)
class LoopTimersTest {
    static final int GUEST_PORT = 40000;

    /** Nothing waited on time: the SYN-ACK, unanswered, is still sent again after its RTO (1 s). */
    @Test
    void anUnansweredSynAckIsResentWhenTheLoopHadNoTimer() throws Exception {
        try (Network network = new Network(); ServerSocketChannel server = listener()) {
            VirtualNic guest = guestOnAUserNetwork(network);
            Thread.sleep(300); // the loop's first polls are over: it sleeps without a limit now
            assertSynAckResent(guest, port(server));
        }
    }

    /** A UDP flow's expiry (240 s) was the next timer: the SYN's retransmission is due long before it. */
    @Test
    void anUnansweredSynAckIsResentWhenTheLoopsNextPollWasFarOff() throws Exception {
        try (Network network = new Network(); ServerSocketChannel server = listener();
             DatagramChannel udp = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            VirtualNic guest = guestOnAUserNetwork(network);
            int udpPort = ((InetSocketAddress) udp.getLocalAddress()).getPort();
            guest.send(GuestFrames.udp(GuestFrames.HOST_MAC, GuestFrames.GUEST, 5000, GuestFrames.HOST, udpPort, new byte[] {1}));
            udp.receive(ByteBuffer.allocate(16)); // the flow exists
            Thread.sleep(300); // polled since: its next poll is the flow's expiry
            assertSynAckResent(guest, port(server));
        }
    }

    /**
     * An established connection that went quiet (its buffers freed, nothing in flight: no timer) gets data
     * from the host; the guest does not acknowledge it, and the gateway must send it again after its RTO.
     */
    @Test
    void dataToAQuietConnectionIsResentWhenUnacknowledged() throws Exception {
        try (Network network = new Network(); ServerSocketChannel server = listener()) {
            VirtualNic guest = guestOnAUserNetwork(network);
            sendSyn(guest, port(server));
            TcpSegment synAck = segment(guest, TcpFlags.SYN | TcpFlags.ACK);
            guest.send(GuestFrames.tcp(GuestFrames.HOST_MAC, GuestFrames.GUEST, GUEST_PORT, GuestFrames.HOST, port(server),
                    TcpFlags.ACK, 1001, synAck.sequenceNumber() + 1, 65535, new byte[0]));
            try (java.nio.channels.SocketChannel host = server.accept()) {
                Thread.sleep(1000); // polled since: the connection holds nothing, the loop's next poll is far off
                host.write(ByteBuffer.wrap(new byte[] {'x'}));
                long first = System.nanoTime();
                segment(guest, TcpFlags.ACK | TcpFlags.PSH);
                segment(guest, TcpFlags.ACK | TcpFlags.PSH); // not acknowledged: sent again
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - first)).isBetween(150L, 5000L);
            }
        }
    }

    private static ServerSocketChannel listener() throws Exception {
        return ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0)); // the kernel completes handshakes
    }

    private static int port(ServerSocketChannel server) throws Exception {
        return ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    /** A guest on hub 0 of {@code network} with a user network, whose MAC the gateway has learnt. */
    private static VirtualNic guestOnAUserNetwork(Network network) throws Exception {
        VirtualNic guest = network.attachNic("guest", 0);
        network.addNetdev("user,id=u,ipv6=off");
        guest.send(GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST));
        HostForwardFamiliesTest.receive(guest, EtherType.ARP);
        return guest;
    }

    /** The guest's SYN from {@link #GUEST_PORT} to the host's {@code port}, sequence number 1000. */
    private static void sendSyn(VirtualNic guest, int port) {
        guest.send(GuestFrames.tcp(GuestFrames.HOST_MAC, GuestFrames.GUEST, GUEST_PORT, GuestFrames.HOST, port,
                TcpFlags.SYN, 1000, 0, 65535, new byte[0]));
    }

    private static void assertSynAckResent(VirtualNic guest, int port) throws InterruptedException {
        sendSyn(guest, port);
        long first = synAck(guest);
        long again = synAck(guest); // no ACK from us: the gateway's RTO sends it again
        assertThat(TimeUnit.NANOSECONDS.toMillis(again - first)).isBetween(500L, 5000L);
    }

    /** Waits for a SYN-ACK to the guest's port; returns when it came. */
    private static long synAck(VirtualNic guest) throws InterruptedException {
        segment(guest, TcpFlags.SYN | TcpFlags.ACK);
        return System.nanoTime();
    }

    /** Waits for a TCP segment to the guest's port with exactly these flags. */
    private static TcpSegment segment(VirtualNic guest, int flags) throws InterruptedException {
        ByteBuffer b = GuestFrames.await(guest, frame -> {
            Ipv4Packet ip = GuestFrames.ipv4(frame);
            if (ip == null || ip.protocol() != IpProtocol.TCP) {
                return false;
            }
            TcpSegment tcp = new TcpSegment().wrap(frame, ip.payloadOffset(), ip.payloadLength());
            return tcp.destinationPort() == GUEST_PORT && tcp.flags() == flags;
        }, "TCP segment with flags " + flags);
        Ipv4Packet ip = GuestFrames.ipv4(b);
        return new TcpSegment().wrap(b, ip.payloadOffset(), ip.payloadLength());
    }
}
