package io.vnet4j.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A TSO segment entering a hub: whole to ports that take large segments, cut to its segment size for the rest. */
class HubSegmentationTest {
    private static final boolean LARGE = true;
    private static final boolean STANDARD = false;
    /** 1500 bytes of payload, the Ethernet header and a VLAN tag. */
    private static final int STANDARD_MAX_FRAME = 1500 + 14 + 4;

    /** A port that records what the hub sends it (and the segment sizes), taking large segments or not. */
    static final class RecordingPort extends Port {
        final List<byte[]> frames = new ArrayList<>();
        final List<Integer> segmentSizes = new ArrayList<>();
        final boolean large;

        RecordingPort(String id, boolean large) {
            super(id, "test");
            this.large = large;
        }

        @Override
        public String describe() {
            return "recording";
        }

        @Override
        public boolean takesLargeSegments() {
            return large;
        }

        @Override
        protected boolean enqueue(ByteBuffer frame, int offset, int length, int segmentSize) {
            byte[] copy = new byte[length];
            frame.get(offset, copy);
            frames.add(copy);
            segmentSizes.add(segmentSize);
            return true;
        }

        void deliverLarge(ByteBuffer frame, int length, int segmentSize) {
            deliver(frame, 0, length, segmentSize);
        }
    }

    @Test
    void anotherPortTakesLargeSegmentsFollowsThePortsAsTheyComeAndGo() {
        Hub hub = new Hub(0);
        RecordingPort gateway = new RecordingPort("gateway", LARGE);
        RecordingPort vm = new RecordingPort("vm", STANDARD);
        RecordingPort tap = new RecordingPort("tap", LARGE);
        hub.attach(gateway);
        hub.attach(vm);
        assertThat(hub.anotherPortTakesLargeSegments(gateway)).as("a VM alone beside the gateway").isFalse();
        assertThat(hub.anotherPortTakesLargeSegments(vm)).isTrue();
        hub.attach(tap);
        assertThat(hub.anotherPortTakesLargeSegments(gateway)).isTrue();
        hub.detach(tap);
        assertThat(hub.anotherPortTakesLargeSegments(gateway)).isFalse();
        hub.detach(gateway);
        assertThat(hub.anotherPortTakesLargeSegments(vm)).isFalse();
    }

    @Test
    void largePortGetsTheSegmentWholeAndStandardPortGetsItCut() {
        Hub hub = new Hub(0);
        RecordingPort source = new RecordingPort("tap", STANDARD);
        RecordingPort gateway = new RecordingPort("user", LARGE);
        RecordingPort vm = new RecordingPort("vm", STANDARD);
        hub.attach(source);
        hub.attach(gateway);
        hub.attach(vm);
        ByteBuffer big = HubSegmentationTestFrames.tcpFrame(4000);
        source.deliverLarge(big, big.capacity(), 1448);

        assertThat(gateway.frames).singleElement().satisfies(f -> assertThat(f).hasSize(4054));
        assertThat(gateway.segmentSizes).containsExactly(1448);
        assertThat(vm.frames).hasSize(3);
        assertThat(vm.segmentSizes).containsOnly(0);
        int sequence = 1000;
        for (byte[] f : vm.frames) {
            assertThat(f.length).isLessThanOrEqualTo(STANDARD_MAX_FRAME);
            ByteBuffer b = ByteBuffer.wrap(f);
            Ipv4Packet ip = new Ipv4Packet().wrap(b, 14, f.length - 14);
            assertThat(ip.check()).isEqualTo(io.vnet4j.wire.WireError.NONE);
            TcpSegment tcp = new TcpSegment().wrap(b, ip.payloadOffset(), ip.payloadLength());
            assertThat(tcp.checksumValid(ip.source(), ip.destination())).isTrue();
            assertThat(tcp.sequenceNumber()).isEqualTo(sequence);
            sequence += tcp.payloadLength();
        }
        assertThat(sequence).isEqualTo(1000 + 4000);
    }

    @Test
    void aLargeFrameThatIsNotTcpIsDroppedAndCountedForPortsThatCannotTakeIt() {
        Hub hub = new Hub(0);
        RecordingPort source = new RecordingPort("tap", STANDARD);
        RecordingPort vm = new RecordingPort("vm", STANDARD);
        hub.attach(source);
        hub.attach(vm);
        ByteBuffer garbage = ByteBuffer.allocate(4000);
        source.deliverLarge(garbage, 4000, 1448);
        assertThat(vm.frames).isEmpty();
        assertThat(vm.counters().snapshot().txDropped()).isEqualTo(1);
    }

    @Test
    void framesWithoutASegmentSizePassAsBefore() {
        Hub hub = new Hub(0);
        RecordingPort source = new RecordingPort("a", STANDARD);
        RecordingPort other = new RecordingPort("b", STANDARD);
        hub.attach(source);
        hub.attach(other);
        ByteBuffer jumbo = HubSegmentationTestFrames.tcpFrame(8000);
        hub.forward(source, jumbo, 0, jumbo.capacity());
        assertThat(other.frames).singleElement().satisfies(f -> assertThat(f).hasSize(8054));
    }

    @Test
    void aLargeSegmentThatFitsOneFrameStillGetsItsChecksumCompletedForAStandardPort() {
        Hub hub = new Hub(0);
        RecordingPort source = new RecordingPort("tap", STANDARD);
        RecordingPort vm = new RecordingPort("vm", STANDARD);
        hub.attach(source);
        hub.attach(vm);
        ByteBuffer small = HubSegmentationTestFrames.tcpFrame(1000);
        small.putShort(34 + 16, (short) 0x1234); // a partial checksum, as a TAP hands it over
        source.deliverLarge(small, small.capacity(), 1448);
        assertThat(vm.frames).singleElement().satisfies(f -> {
            ByteBuffer b = ByteBuffer.wrap(f);
            Ipv4Packet ip = new Ipv4Packet().wrap(b, 14, f.length - 14);
            TcpSegment tcp = new TcpSegment().wrap(b, ip.payloadOffset(), ip.payloadLength());
            assertThat(tcp.checksumValid(ip.source(), ip.destination())).isTrue();
        });
    }
}
