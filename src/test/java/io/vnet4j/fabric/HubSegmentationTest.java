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

/** A TSO segment entering a hub: whole to ports that take large frames, cut to its segment size for the rest. */
class HubSegmentationTest {
    /** A port that records what the hub sends it and takes frames up to {@code max} bytes whole. */
    static final class RecordingPort extends Port {
        final List<byte[]> frames = new ArrayList<>();
        final int max;

        RecordingPort(String id, int max) {
            super(id, "test");
            this.max = max;
        }

        @Override
        public String describe() {
            return "recording";
        }

        @Override
        public int maxFrameLength() {
            return max;
        }

        @Override
        protected boolean enqueue(ByteBuffer frame, int offset, int length) {
            byte[] copy = new byte[length];
            frame.get(offset, copy);
            frames.add(copy);
            return true;
        }

        void deliverLarge(ByteBuffer frame, int length, int segmentSize) {
            deliver(frame, 0, length, segmentSize);
        }
    }

    @Test
    void largePortGetsTheSegmentWholeAndStandardPortGetsItCut() {
        Hub hub = new Hub(0);
        RecordingPort source = new RecordingPort("tap", Port.STANDARD_MAX_FRAME);
        RecordingPort gateway = new RecordingPort("user", 65535 + 18);
        RecordingPort vm = new RecordingPort("vm", Port.STANDARD_MAX_FRAME);
        hub.attach(source);
        hub.attach(gateway);
        hub.attach(vm);
        ByteBuffer big = HubSegmentationTestFrames.tcpFrame(4000);
        source.deliverLarge(big, big.capacity(), 1448);

        assertThat(gateway.frames).singleElement().satisfies(f -> assertThat(f).hasSize(4054));
        assertThat(vm.frames).hasSize(3);
        int sequence = 1000;
        for (byte[] f : vm.frames) {
            assertThat(f.length).isLessThanOrEqualTo(Port.STANDARD_MAX_FRAME);
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
        RecordingPort source = new RecordingPort("tap", Port.STANDARD_MAX_FRAME);
        RecordingPort vm = new RecordingPort("vm", Port.STANDARD_MAX_FRAME);
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
        RecordingPort source = new RecordingPort("a", Port.STANDARD_MAX_FRAME);
        RecordingPort other = new RecordingPort("b", Port.STANDARD_MAX_FRAME);
        hub.attach(source);
        hub.attach(other);
        ByteBuffer jumbo = HubSegmentationTestFrames.tcpFrame(8000);
        hub.forward(source, jumbo, 0, jumbo.capacity());
        assertThat(other.frames).singleElement().satisfies(f -> assertThat(f).hasSize(8054));
    }
}
