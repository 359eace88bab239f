package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.usernet.dhcp.DhcpMessage;
import io.vnet4j.usernet.dhcp.DhcpMessageType;
import io.vnet4j.wire.ArpPacket;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.Ipv4Packet;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The gateway learns a DHCP client's address as a neighbour from the ACK, not from the OFFER: a client may take
 * another server's offer, or be a probe with a made-up chaddr (nmap's broadcast-dhcp-discover sends
 * DE:AD:C0:DE:CA:FE), and an entry learnt from the OFFER sent what went to that address to a MAC that did not hold
 * it until the entry's MAC left the hub (and kept the address from every other client as one in use).
 */
@Timeout(30)
class DhcpOfferLearnsNoNeighbourTest {
    private static final long PROBE_MAC = 0xDEAD_C0DE_CAFEL;

    @Test
    void anOfferNotTakenSendsNothingToTheClientsMac() throws Exception {
        try (Network network = new Network()) {
            VirtualNic wire = network.attachNic("guests", 0);
            UsernetNetdev user = (UsernetNetdev) network.addNetdev("user,id=u,hostfwd=udp:127.0.0.1:0-10.0.2.15:7");
            GuestFrames.broadcastDhcp(wire, GuestFrames.dhcp(DhcpMessageType.DISCOVER, PROBE_MAC, 0, 0));
            DhcpMessage offer = GuestFrames.awaitDhcpReply(wire, new ArrayList<>());
            assertThat(offer.messageType()).isEqualTo(DhcpMessageType.OFFER);
            assertThat(offer.yiaddr()).isEqualTo(GuestFrames.GUEST);

            ByteBuffer toGuest = sendFromHost(wire, user);
            assertThat(GuestFrames.isArpRequest(toGuest)).as("asked for, not sent to the offer's MAC").isTrue();
            assertThat(new ArpPacket().wrap(toGuest, GuestFrames.ETH, ArpPacket.LENGTH).targetIp())
                    .isEqualTo(GuestFrames.GUEST);
        }
    }

    @Test
    void anAckedAddressIsSentToItsClientsMacAtOnce() throws Exception {
        try (Network network = new Network()) {
            VirtualNic wire = network.attachNic("guests", 0);
            UsernetNetdev user = (UsernetNetdev) network.addNetdev("user,id=u,hostfwd=udp:127.0.0.1:0-10.0.2.15:7");
            GuestFrames.broadcastDhcp(wire, GuestFrames.dhcp(DhcpMessageType.REQUEST, PROBE_MAC, GuestFrames.GUEST, 0));
            assertThat(GuestFrames.awaitDhcpReply(wire, new ArrayList<>()).messageType()).isEqualTo(DhcpMessageType.ACK);

            ByteBuffer toGuest = sendFromHost(wire, user);
            assertThat(GuestFrames.isArpRequest(toGuest)).isFalse();
            assertThat(toGuest.getLong(0) >>> 16).as("to the client's MAC").isEqualTo(PROBE_MAC);
        }
    }

    /** Sends a datagram to the UDP forward to 10.0.2.15:7; returns the first frame the gateway sends for it. */
    private static ByteBuffer sendFromHost(VirtualNic wire, UsernetNetdev user) throws Exception {
        int port = user.hostForwards().get(0).hostPort();
        try (DatagramChannel host = DatagramChannel.open()) {
            host.send(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)), new InetSocketAddress("127.0.0.1", port));
            return GuestFrames.await(wire, f -> {
                if (GuestFrames.isArpRequest(f)) {
                    return new ArpPacket().wrap(f, GuestFrames.ETH, ArpPacket.LENGTH).targetIp() == GuestFrames.GUEST;
                }
                Ipv4Packet ip = GuestFrames.ipv4(f);
                return ip != null && ip.protocol() == 17 && ip.destination() == GuestFrames.GUEST
                        && f.getShort(GuestFrames.ETH + ip.headerLength() + 2) == 7;
            }, "the datagram for " + Ipv4Address.format(GuestFrames.GUEST) + " or an ARP request for it");
        }
    }
}
