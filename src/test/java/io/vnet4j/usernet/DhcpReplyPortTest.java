package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.usernet.dhcp.DhcpMessageType;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.Ipv4Packet;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The port a unicast DHCP reply goes to (dnsmasq's dhcp.c): the one the message came from when it came from the
 * client's own address (ciaddr), else 68. An INFORM sent from another port than 68 (dhcping; a test client beside
 * the system's own, which holds 68) had its ACK sent to 68, where nothing of its own listened.
 */
@Timeout(30)
class DhcpReplyPortTest {
    private static final long GATEWAY_MAC = 0x5255_0A00_0202L;
    private static final int CLIENT = Ipv4Address.parse("10.0.2.77");

    @Test
    void anInformFromItsOwnAddressIsAnsweredOnItsSourcePort() throws Exception {
        assertThat(replyPort(CLIENT, 5068)).isEqualTo(5068);
    }

    @Test
    void anInformFromPort68IsAnsweredOn68() throws Exception {
        assertThat(replyPort(CLIENT, 68)).isEqualTo(68);
    }

    /** ciaddr not the source: the reply goes to ciaddr, whose port is not known, so to 68 (RFC 2131 section 4.1). */
    @Test
    void anInformFromAnotherAddressIsAnsweredOn68AtCiaddr() throws Exception {
        assertThat(replyPort(Ipv4Address.parse("10.0.2.78"), 5068)).isEqualTo(68);
    }

    /** The UDP destination port of the ACK to an INFORM with ciaddr 10.0.2.77, sent from {@code source}:{@code port}. */
    private static int replyPort(int source, int port) throws Exception {
        try (Network network = new Network()) {
            VirtualNic wire = network.attachNic("guests", 0);
            network.addNetdev("user,id=u");
            wire.send(GuestFrames.udp(GATEWAY_MAC, source, port, GuestFrames.HOST, 67,
                    GuestFrames.dhcp(DhcpMessageType.INFORM, GuestFrames.GUEST_MAC, 0, CLIENT)));
            ByteBuffer reply = GuestFrames.await(wire, f -> {
                Ipv4Packet ip = GuestFrames.ipv4(f);
                return ip != null && ip.protocol() == 17 && f.getShort(GuestFrames.ETH + ip.headerLength()) == 67;
            }, "DHCP reply");
            Ipv4Packet ip = GuestFrames.ipv4(reply);
            assertThat(ip.destination()).isEqualTo(CLIENT);
            return reply.getShort(GuestFrames.ETH + ip.headerLength() + 2) & 0xFFFF;
        }
    }
}
