package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.usernet.dhcp.DhcpMessage;
import io.vnet4j.usernet.dhcp.DhcpMessageType;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the DHCP pool skips, through a running user network: the gateway's addresses, each guestfwd address, a
 * {@code configure=on} TAP's, and an address a guest was seen using without a lease (one given 10.0.2.15 by
 * hand beside DHCP guests, as QEMU's documentation shows it); a released address is free again.
 */
@Timeout(30)
class LeasesAvoidAddressesInUseTest {
    private static final long OTHER_MAC = 0x5254_00AA_BBCCL;
    private static final long THIRD_MAC = 0x5254_00AA_BBCDL;

    @Test
    void thePoolSkipsTheGatewaysAddressesAndAGuestfwdAddress() throws Exception {
        try (Network network = new Network()) {
            VirtualNic guest = network.attachNic("guest", 0);
            network.addNetdev("user,id=u,host=10.0.2.16,dns=10.0.2.17,guestfwd=tcp:10.0.2.18:80-tcp:127.0.0.1:8080");
            assertThat(offerTo(guest, OTHER_MAC)).isEqualTo("10.0.2.15");
            assertThat(offerTo(guest, THIRD_MAC)).isEqualTo("10.0.2.19");
        }
    }

    @Test
    void anAddressAGuestUsesWithoutALeaseGoesToNoOtherClient() throws Exception {
        try (Network network = new Network()) {
            VirtualNic guest = network.attachNic("guest", 0);
            network.addNetdev("user,id=u");
            guest.send(GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST)); // 10.0.2.15, by hand
            GuestFrames.await(guest, f -> f.getShort(12) == 0x0806, "ARP reply");
            assertThat(offerTo(guest, OTHER_MAC)).isEqualTo("10.0.2.16");
            assertThat(reply(guest, GuestFrames.dhcp(DhcpMessageType.REQUEST, OTHER_MAC, GuestFrames.GUEST, 0))
                    .messageType()).as("INIT-REBOOT for 10.0.2.15").isEqualTo(DhcpMessageType.NAK);
            assertThat(reply(guest, GuestFrames.dhcp(DhcpMessageType.REQUEST, GuestFrames.GUEST_MAC, GuestFrames.GUEST, 0))
                    .messageType()).as("the guest that uses it").isEqualTo(DhcpMessageType.ACK);
        }
    }

    @Test
    void anAddressItsClientReleasedGoesToTheNextOne() throws Exception {
        try (Network network = new Network()) {
            VirtualNic guest = network.attachNic("guest", 0);
            network.addNetdev("user,id=u");
            assertThat(reply(guest, GuestFrames.dhcp(DhcpMessageType.REQUEST, GuestFrames.GUEST_MAC, GuestFrames.GUEST, 0))
                    .messageType()).isEqualTo(DhcpMessageType.ACK);
            guest.send(GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST));
            GuestFrames.await(guest, f -> f.getShort(12) == 0x0806, "ARP reply");
            guest.send(GuestFrames.udp(GuestFrames.HOST_MAC, GuestFrames.GUEST, 68, GuestFrames.HOST, 67,
                    GuestFrames.dhcp(DhcpMessageType.RELEASE, GuestFrames.GUEST_MAC, 0, GuestFrames.GUEST)));
            assertThat(offerTo(guest, OTHER_MAC)).isEqualTo("10.0.2.15");
        }
    }

    @Test
    void aConfiguredTapsAddressIsLeasedToNoOneWhileTheTapRuns() throws Exception {
        try (Network network = new Network()) {
            VirtualNic guest = network.attachNic("guest", 0);
            UsernetNetdev user = (UsernetNetdev) network.addNetdev("user,id=u,dhcpstart=10.0.2.100");
            user.holdTapAddress(Ipv4Address.parse("10.0.2.100"));
            assertThat(offerTo(guest, OTHER_MAC)).isEqualTo("10.0.2.101");
            user.releaseTapAddress(Ipv4Address.parse("10.0.2.100"));
            assertThat(offerTo(guest, THIRD_MAC)).isEqualTo("10.0.2.100");
        }
    }

    /** The address the network offers a DISCOVER from {@code chaddr}. */
    private static String offerTo(VirtualNic guest, long chaddr) throws InterruptedException {
        DhcpMessage offer = reply(guest, GuestFrames.dhcp(DhcpMessageType.DISCOVER, chaddr, 0, 0));
        assertThat(offer.messageType()).isEqualTo(DhcpMessageType.OFFER);
        return Ipv4Address.format(offer.yiaddr());
    }

    /** Broadcasts a DHCP message and returns the server's reply, checked. */
    private static DhcpMessage reply(VirtualNic guest, byte[] message) throws InterruptedException {
        guest.send(GuestFrames.udp(0xFFFF_FFFF_FFFFL, 0, 68, -1, 67, message));
        ByteBuffer frame = GuestFrames.await(guest, f -> {
            var ip = GuestFrames.ipv4(f);
            return ip != null && ip.protocol() == 17 && f.getShort(GuestFrames.ETH + ip.headerLength() + 2) == 68;
        }, "DHCP reply");
        int payload = GuestFrames.ETH + GuestFrames.IP + 8;
        DhcpMessage m = new DhcpMessage().wrap(frame, payload, frame.limit() - payload);
        assertThat(m.check()).isEqualTo(WireError.NONE);
        return m;
    }
}
