package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.usernet.dhcp.DhcpMessage;
import io.vnet4j.usernet.dhcp.DhcpMessageType;
import io.vnet4j.wire.ArpPacket;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.Ipv4Frames;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The DHCP server checks an address by ARP before it offers it (RFC 2131 section 4.4.1): a guest that kept its lease
 * across a restart of vnet4j and has sent nothing since answers for its address, which then goes to no other client.
 * Before, the first new client after a restart was offered 10.0.2.15 while a running guest still used it.
 */
@Timeout(30)
class DhcpChecksAddressesTest {
    private static final long NEW_MAC = 0x5254_00AA_BBCCL;

    @Test
    void anAddressASilentGuestAnswersForGoesToNoOtherClient() throws Exception {
        try (Network network = new Network()) {
            VirtualNic wire = network.attachNic("guests", 0);
            network.addNetdev("user,id=u");
            GuestFrames.broadcastDhcp(wire, GuestFrames.dhcp(DhcpMessageType.DISCOVER, NEW_MAC, 0, 0));
            ArpPacket ask = GuestFrames.awaitArpRequest(wire);
            assertThat(ask.targetIp()).as("the address checked").isEqualTo(GuestFrames.GUEST);
            assertThat(ask.senderIp()).isEqualTo(GuestFrames.HOST);
            // the guest that kept 10.0.2.15 (MAC GUEST_MAC) answers, as Linux does
            wire.send(arpReply(GuestFrames.GUEST_MAC, GuestFrames.GUEST));
            List<String> skipped = new ArrayList<>();
            DhcpMessage offer = GuestFrames.awaitDhcpReply(wire, skipped);
            assertThat(offer.messageType()).isEqualTo(DhcpMessageType.OFFER);
            assertThat(Ipv4Address.format(offer.yiaddr())).isEqualTo("10.0.2.16");
            assertThat(skipped).as("the next address was checked too").contains("arp request for 10.0.2.16");
            assertThat(network.netdev("u").details().toString())
                    .contains("addresses checked before an offer 2, found in use 1");
        }
    }

    @Test
    void anAddressNobodyAnswersForIsOfferedAfterTheCheckAndAtOnceThereafter() throws Exception {
        try (Network network = new Network()) {
            VirtualNic wire = network.attachNic("guests", 0);
            network.addNetdev("user,id=u");
            long start = System.nanoTime();
            GuestFrames.broadcastDhcp(wire, GuestFrames.dhcp(DhcpMessageType.DISCOVER, NEW_MAC, 0, 0));
            assertThat(GuestFrames.awaitArpRequest(wire).targetIp()).isEqualTo(GuestFrames.GUEST);
            DhcpMessage offer = GuestFrames.awaitDhcpReply(wire, new ArrayList<>());
            assertThat(Ipv4Address.format(offer.yiaddr())).isEqualTo("10.0.2.15");
            assertThat(System.nanoTime() - start).as("not before the check's time")
                    .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(DhcpAddressChecks.CHECK_MILLIS));
            List<String> skipped = new ArrayList<>();
            GuestFrames.broadcastDhcp(wire, GuestFrames.dhcp(DhcpMessageType.DISCOVER, NEW_MAC, 0, 0)); // the client's repeat
            assertThat(Ipv4Address.format(GuestFrames.awaitDhcpReply(wire, skipped).yiaddr())).isEqualTo("10.0.2.15");
            assertThat(skipped).as("its own offer is not checked again").isEmpty();
        }
    }

    @Test
    void aGuestThatKeptItsAddressAndStartsOverIsOfferedItWithoutACheck() throws Exception {
        try (Network network = new Network()) {
            VirtualNic wire = network.attachNic("guests", 0);
            network.addNetdev("user,id=u");
            wire.send(GuestFrames.arpRequest(GuestFrames.GUEST, GuestFrames.HOST)); // seen at 10.0.2.15
            GuestFrames.await(wire, f -> f.getShort(12) == 0x0806, "ARP reply");
            List<String> skipped = new ArrayList<>();
            GuestFrames.broadcastDhcp(wire, GuestFrames.dhcp(DhcpMessageType.DISCOVER, GuestFrames.GUEST_MAC, GuestFrames.GUEST, 0));
            assertThat(Ipv4Address.format(GuestFrames.awaitDhcpReply(wire, skipped).yiaddr())).isEqualTo("10.0.2.15");
            assertThat(skipped).isEmpty();
        }
    }

    @Test
    void aClientThatAnswersTheCheckForTheAddressItAsksIsOfferedIt() throws Exception {
        try (Network network = new Network()) {
            VirtualNic wire = network.attachNic("guests", 0);
            network.addNetdev("user,id=u");
            // a client that restarts with its old address still on its interface, and asks for it (option 50)
            GuestFrames.broadcastDhcp(wire, GuestFrames.dhcp(DhcpMessageType.DISCOVER, GuestFrames.GUEST_MAC, GuestFrames.GUEST, 0));
            assertThat(GuestFrames.awaitArpRequest(wire).targetIp()).isEqualTo(GuestFrames.GUEST);
            wire.send(arpReply(GuestFrames.GUEST_MAC, GuestFrames.GUEST));
            assertThat(Ipv4Address.format(GuestFrames.awaitDhcpReply(wire, new ArrayList<>()).yiaddr())).isEqualTo("10.0.2.15");
            assertThat(network.netdev("u").details().toString())
                    .contains("addresses checked before an offer 1, found in use 0");
        }
    }

    /**
     * Clients that start together are checked side by side, each for its own address: the second DISCOVER waited for
     * the first one's check and then had its own, so a hundred VMs started at once were offered their addresses 0.2 s
     * apart.
     */
    @Test
    void twoClientsAtOnceAreCheckedSideBySide() throws Exception {
        try (Network network = new Network()) {
            VirtualNic wire = network.attachNic("guests", 0);
            network.addNetdev("user,id=u");
            for (long mac : new long[] {NEW_MAC, NEW_MAC + 1}) { // two VMs, each from its own MAC
                byte[] frame = GuestFrames.udp(0xFFFF_FFFF_FFFFL, 0, 68, -1, 67,
                        GuestFrames.dhcp(DhcpMessageType.DISCOVER, mac, 0, 0));
                ByteBuffer.wrap(frame).putShort(6, (short) (mac >>> 32)).putInt(8, (int) mac);
                wire.send(frame);
            }
            List<String> before = new ArrayList<>();
            DhcpMessage first = GuestFrames.awaitDhcpReply(wire, before);
            assertThat(before).as("both checks before the first offer")
                    .containsExactly("arp request for 10.0.2.15", "arp request for 10.0.2.16");
            DhcpMessage second = GuestFrames.awaitDhcpReply(wire, new ArrayList<>());
            assertThat(List.of(Ipv4Address.format(first.yiaddr()), Ipv4Address.format(second.yiaddr())))
                    .containsExactlyInAnyOrder("10.0.2.15", "10.0.2.16");
        }
    }

    @Test
    void aBootpClientIsGivenNoAddressASilentGuestAnswersFor() throws Exception {
        try (Network network = new Network()) {
            VirtualNic wire = network.attachNic("guests", 0);
            network.addNetdev("user,id=u");
            byte[] bootp = GuestFrames.dhcp(DhcpMessageType.DISCOVER, NEW_MAC, 0, 0);
            bootp[240] = (byte) 255; // no option 53: a BOOTREQUEST
            GuestFrames.broadcastDhcp(wire, bootp);
            assertThat(GuestFrames.awaitArpRequest(wire).targetIp()).isEqualTo(GuestFrames.GUEST);
            wire.send(arpReply(GuestFrames.GUEST_MAC, GuestFrames.GUEST));
            DhcpMessage reply = GuestFrames.awaitDhcpReply(wire, new ArrayList<>());
            assertThat(reply.messageType()).isEqualTo(DhcpMessageType.NONE);
            assertThat(Ipv4Address.format(reply.yiaddr())).isEqualTo("10.0.2.16");
        }
    }

    /** An ARP reply from {@code mac} at {@code ip} to the gateway. */
    private static byte[] arpReply(long mac, int ip) {
        ByteBuffer b = ByteBuffer.allocate(64);
        int length = Ipv4Frames.arpRequest(b, mac, ip, GuestFrames.HOST);
        new EthernetFrame().wrap(b, 0, length).setDestination(GuestFrames.HOST_MAC);
        ArpPacket arp = new ArpPacket().wrap(b, GuestFrames.ETH, ArpPacket.LENGTH);
        arp.setOperation(ArpPacket.REPLY);
        arp.setTargetMac(GuestFrames.HOST_MAC);
        byte[] frame = new byte[length];
        b.get(0, frame);
        return frame;
    }
}
