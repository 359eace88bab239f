package io.vnet4j.usernet;

import io.vnet4j.usernet.tcp.OutgoingSegment;
import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.ArpPacket;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.MacAddress;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.UdpPacket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frames for a guest whose MAC is not known yet wait for its ARP reply (GuestOutput with PendingFrames). */
class PendingFramesTest {
    static final IpAddress GATEWAY = IpAddress.ofIpv4(0x0A000202);
    static final IpAddress GUEST = IpAddress.ofIpv4(0x0A000264);
    static final long GUEST_MAC = 0x5254_0012_3456L;

    private final List<ByteBuffer> sent = new ArrayList<>();
    private final NeighborTable arp = new NeighborTable();
    private long now;
    private final GuestOutput out = new GuestOutput("u", (frame, offset, length, segmentSize) -> {
        byte[] copy = new byte[length];
        frame.get(offset, copy);
        sent.add(ByteBuffer.wrap(copy));
    }, arp, 1500, () -> now);

    @Test
    void aDatagramForAnUnknownGuestWaitsForItsArpReplyAndThenLeaves() {
        sendUdp(5353, "first");
        assertThat(sent).hasSize(1);
        assertThat(etherType(sent.get(0))).isEqualTo(EtherType.ARP);
        ArpPacket request = new ArpPacket().wrap(sent.get(0), EthernetFrame.HEADER_LENGTH, ArpPacket.LENGTH);
        assertThat(request.operation()).isEqualTo(ArpPacket.REQUEST);
        assertThat(request.targetIp()).isEqualTo(GUEST.ipv4());
        assertThat(request.senderIp()).isEqualTo(GATEWAY.ipv4());

        now += 500_000_000L;
        arp.learn(GUEST, GUEST_MAC);

        assertThat(sent).hasSize(2);
        ByteBuffer frame = sent.get(1);
        assertThat(new EthernetFrame().wrap(frame, 0, frame.limit()).destination()).isEqualTo(GUEST_MAC);
        assertThat(udpDestinationPort(frame)).isEqualTo(5353);
        assertThat(out.pending().released()).isEqualTo(1);
        assertThat(out.pending().dropped()).isZero();
    }

    @Test
    void framesWaitingForOneGuestAskOnceAndLeaveInOrder() {
        sendUdp(1, "a");
        sendUdp(2, "b");
        out.sendTcp(new OutgoingSegment().between(GATEWAY, 80, GUEST, 3).header(TcpFlags.SYN | TcpFlags.ACK, 1, 1, 1000));
        assertThat(sent).hasSize(1); // one ARP request for the three
        arp.learn(GUEST, GUEST_MAC);
        assertThat(sent).hasSize(4);
        assertThat(udpDestinationPort(sent.get(1))).isEqualTo(1);
        assertThat(udpDestinationPort(sent.get(2))).isEqualTo(2);
        assertThat(udpDestinationPort(sent.get(3))).isEqualTo(3); // TCP's destination port is at the same place
        assertThat(out.pending().waiting()).isZero();
    }

    @Test
    void framesStillWaitingAfterASecondAreDroppedAndCounted() {
        sendUdp(1, "late");
        now += PendingFrames.HOLD_NANOS;
        out.poll(now);
        arp.learn(GUEST, GUEST_MAC);
        assertThat(sent).hasSize(1); // only the ARP request
        assertThat(out.pending().dropped()).isEqualTo(1);
        assertThat(out.pending().waiting()).isZero();
    }

    @Test
    void aGuestThatDoesNotAnswerIsAskedAgainForTheNextFrameAfterTheWait() {
        sendUdp(1, "x");
        now += PendingFrames.HOLD_NANOS;
        out.poll(now);
        sendUdp(1, "y");
        assertThat(sent).hasSize(2);
        assertThat(etherType(sent.get(1))).isEqualTo(EtherType.ARP);
    }

    /** helper-78's replay: a forwarded UDP server's first burst of 200 small datagrams, all held as libslirp holds them. */
    @Test
    void aFirstBurstOfTwoHundredSmallDatagramsIsHeldWhole() {
        for (int i = 0; i < 200; i++) {
            sendUdp(2000 + i, "b");
        }
        assertThat(out.pending().dropped()).isZero();
        arp.learn(GUEST, GUEST_MAC);
        assertThat(sent).hasSize(1 + 200);
    }

    @Test
    void framesOverTheBoundForOneGuestAreDroppedAndTheOlderOnesKept() {
        for (int i = 0; i < PendingFrames.MAX_FRAMES_PER_ADDRESS + 5; i++) {
            sendUdp(1000 + i, "n");
        }
        assertThat(out.pending().waiting()).isEqualTo(PendingFrames.MAX_FRAMES_PER_ADDRESS);
        assertThat(out.pending().dropped()).isEqualTo(5);
        arp.learn(GUEST, GUEST_MAC);
        assertThat(sent).hasSize(1 + PendingFrames.MAX_FRAMES_PER_ADDRESS);
        assertThat(udpDestinationPort(sent.get(1))).isEqualTo(1000);
    }

    @Test
    void totalHeldBytesAreBoundedAcrossGuests() {
        byte[] big = new byte[60_000];
        int guests = PendingFrames.MAX_BYTES / 60_000 + 3;
        for (int i = 0; i < guests; i++) {
            out.sendUdp(GATEWAY, 53, IpAddress.ofIpv4(GUEST.ipv4() + 1 + i), 1, NeighborTable.UNKNOWN, ByteBuffer.wrap(big), 0, big.length);
        }
        assertThat(out.pending().dropped()).isPositive();
        assertThat(out.pending().bytes()).isPositive().isLessThanOrEqualTo(PendingFrames.MAX_BYTES);
    }

    @Test
    void aKnownGuestGetsItsFrameAtOnce() {
        arp.learn(GUEST, GUEST_MAC);
        sendUdp(7, "now");
        assertThat(sent).hasSize(1);
        assertThat(etherType(sent.get(0))).isEqualTo(EtherType.IPV4);
        assertThat(MacAddress.format(new EthernetFrame().wrap(sent.get(0), 0, 60).destination()))
                .isEqualTo(MacAddress.format(GUEST_MAC));
    }

    private void sendUdp(int port, String text) {
        byte[] data = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        out.sendUdp(GATEWAY, 53, GUEST, port, NeighborTable.UNKNOWN, ByteBuffer.wrap(data), 0, data.length);
    }

    private static int etherType(ByteBuffer frame) {
        return new EthernetFrame().wrap(frame, 0, frame.limit()).etherType();
    }

    private static int udpDestinationPort(ByteBuffer frame) {
        Ipv4Packet ip = new Ipv4Packet().wrap(frame, EthernetFrame.HEADER_LENGTH, frame.limit() - EthernetFrame.HEADER_LENGTH);
        return new UdpPacket().wrap(frame, ip.payloadOffset(), 8).destinationPort();
    }
}
