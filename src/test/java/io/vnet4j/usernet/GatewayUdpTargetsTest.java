package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.wire.Ipv4Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Selector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where a guest's datagrams go on the host when they go to several places in turn (the gateway keeps its last
 * answer), and one to an address of the virtual network nobody holds (told Host Unreachable).
 */
@Timeout(30)
class GatewayUdpTargetsTest {
    /** The frames the gateway sent the guest. */
    private final java.util.List<byte[]> toGuest = new java.util.ArrayList<>();

    /** A gateway of {@code config} on {@code selector}, whose frames to the guest go to {@link #toGuest}. */
    private GatewayParts gateway(UserConfig config, Selector selector) throws java.io.IOException {
        NeighborTable neighbors = new NeighborTable();
        return TestGateways.build(config, TestGateways.recording(config, neighbors, toGuest), neighbors,
                LoopSelector.of(selector));
    }

    @Test
    void datagramsToSeveralPlacesInTurnEachReachTheirOwn() throws Exception {
        UserConfig config = TestGateways.config("ipv6=off");
        try (Selector selector = Selector.open();
             DatagramChannel a = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
             DatagramChannel b = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            GatewayParts parts = gateway(config, selector);
            int portA = ((InetSocketAddress) a.getLocalAddress()).getPort();
            int portB = ((InetSocketAddress) b.getLocalAddress()).getPort();
            int unused = Ipv4Address.parse("10.0.2.50"); // in the virtual network, not the gateway's: goes nowhere

            send(parts.gateway(), GuestFrames.HOST, portA, 1);
            send(parts.gateway(), GuestFrames.HOST, portB, 2);
            send(parts.gateway(), unused, portA, 3);
            send(parts.gateway(), GuestFrames.HOST, portA, 4);

            assertThat(receive(a)).isEqualTo(1);
            assertThat(receive(b)).isEqualTo(2);
            assertThat(receive(a)).isEqualTo(4);
            assertThat(parts.gateway().drops.unusedAddress).isOne();
            // the subnet's broadcast and network addresses (NetBIOS, discovery) are not told (RFC 1122 3.2.2)
            send(parts.gateway(), Ipv4Address.parse("10.0.2.255"), 137, 5);
            send(parts.gateway(), Ipv4Address.parse("10.0.2.0"), 137, 6);
            byte[] broadcastFrame = GuestFrames.udp(io.vnet4j.wire.MacAddress.BROADCAST, GuestFrames.GUEST, 40000, unused, 9,
                    new byte[] {7});
            parts.gateway().frame(ByteBuffer.wrap(broadcastFrame), 0, broadcastFrame.length, false, 0);
            assertThat(parts.gateway().drops.unusedAddress).isEqualTo(4);
            assertThat(toGuest).hasSize(1);
            // the guest is told, as a router tells an address nobody answers ARP for: Host Unreachable, from the gateway
            assertThat(toGuest.subList(0, 1)).singleElement().satisfies(frame -> {
                io.vnet4j.wire.Ipv4Packet ip = GuestFrames.ipv4(ByteBuffer.wrap(frame));
                assertThat(ip.source()).isEqualTo(GuestFrames.HOST);
                assertThat(frame[ip.payloadOffset()]).as("Destination Unreachable").isEqualTo((byte) 3);
                assertThat(frame[ip.payloadOffset() + 1]).as("host").isEqualTo((byte) 1);
                assertThat(ip.buffer().getInt(ip.payloadOffset() + 8 + 16)).as("the quoted destination").isEqualTo(unused);
            });
            parts.udp().closeAll();
        }
    }

    /** A guestfwd address on a port it does not forward: the gateway holds the address, and has no such port. */
    @Test
    void aDatagramToAGuestfwdAddressOnAnotherPortIsToldPortUnreachable() throws Exception {
        UserConfig config = TestGateways.config("ipv6=off,guestfwd=tcp:10.0.2.100:1234-tcp:127.0.0.1:8080");
        try (Selector selector = Selector.open()) {
            GatewayParts parts = gateway(config, selector);
            send(parts.gateway(), Ipv4Address.parse("10.0.2.100"), 9, 1);
            assertThat(toGuest).singleElement().satisfies(frame -> {
                io.vnet4j.wire.Ipv4Packet ip = GuestFrames.ipv4(ByteBuffer.wrap(frame));
                assertThat(ip.source()).isEqualTo(Ipv4Address.parse("10.0.2.100"));
                assertThat(frame[ip.payloadOffset() + 1]).as("port unreachable").isEqualTo((byte) 3);
            });
            parts.udp().closeAll();
        }
    }

    private static void send(Gateway gateway, int destination, int port, int mark) {
        byte[] frame = GuestFrames.udp(GuestFrames.HOST_MAC, GuestFrames.GUEST, 40000, destination, port, new byte[] {(byte) mark});
        gateway.frame(ByteBuffer.wrap(frame), 0, frame.length, false, 0);
    }

    private static int receive(DatagramChannel channel) throws Exception {
        ByteBuffer in = ByteBuffer.allocate(16);
        channel.receive(in); // blocking: the datagram went out on loopback before send returned
        return in.get(0);
    }
}
