package io.vnet4j.wire.offload;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.fabric.HubSegmentationTestFrames;
import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.IpProtocol;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class GsoHeaderWriterTest {
    @Test
    void aLargeTcpSegmentGetsATsoHeaderAndThePseudoHeaderSum() {
        ByteBuffer frame = HubSegmentationTestFrames.tcpFrame(4000);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(10 + frame.capacity());
            out.asSlice(0, 10).fill((byte) 0x5a);
            MemorySegment.copy(frame.array(), 0, out, ValueLayout.JAVA_BYTE, 10, frame.capacity());
            GsoHeaderWriter.write(out, frame.capacity(), 1448, 1500);
            ByteBuffer b = out.asByteBuffer();
            VirtioNetFrame vnet = new VirtioNetFrame().wrap(b, 0, b.capacity());
            assertThat(VirtioNetHeader.parse(vnet)).isEqualTo(new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM,
                    VirtioNetHeader.GSO_TCPV4, 54, 1448, 34, 16, 0));
            int pseudo = Checksum.fold(Checksum.pseudoHeaderSum(0x0a00020f, 0x0a000202, IpProtocol.TCP, 4020));
            assertThat(b.order(ByteOrder.BIG_ENDIAN).getShort(10 + 34 + 16) & 0xFFFF).isEqualTo(pseudo);
        }
    }

    /**
     * A helper's replay: a large segment from a guest's VLAN interface reached a vhost-user guest with a header of
     * zeros, so its TCP checksum (the pseudo-header sum only) failed and nothing arrived.
     */
    @Test
    void aLargeSegmentBehindAn8021qTagGetsItsTsoHeaderCountedFromAfterTheTag() {
        ByteBuffer plain = HubSegmentationTestFrames.tcpFrame(4000);
        byte[] tagged = new byte[plain.capacity() + 4];
        ByteBuffer.wrap(tagged).put(0, plain.array(), 0, 12).putShort(12, (short) 0x8100).putShort(14, (short) 5)
                .put(16, plain.array(), 12, plain.capacity() - 12);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(10);
            GsoHeaderWriter.describe(header, 0, MemorySegment.ofArray(tagged), 0, tagged.length, 1448);
            VirtioNetFrame vnet = new VirtioNetFrame().wrap(header.asByteBuffer(), 0, 10);
            assertThat(VirtioNetHeader.parse(vnet)).isEqualTo(new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM,
                    VirtioNetHeader.GSO_TCPV4, 58, 1448, 38, 16, 0));
        }
    }

    /** A reviewer's finding: the header's fields were read wherever the frame's own lengths pointed. */
    @Test
    void aSegmentWhoseLengthsPointPastItsEndGetsAHeaderOfZeros() {
        ByteBuffer frame = HubSegmentationTestFrames.tcpFrame(4000);
        frame.put(14, (byte) 0x4F); // IHL 15: a 60-byte IP header
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(10);
            header.fill((byte) 0x5a);
            GsoHeaderWriter.describe(header, 0, MemorySegment.ofArray(frame.array()), 0, 14 + 60 + 10, 1448);
            assertThat(header.toArray(ValueLayout.JAVA_BYTE)).containsOnly(0);
        }
    }

    @Test
    void anOrdinaryFrameGetsAHeaderOfZeros() {
        ByteBuffer frame = HubSegmentationTestFrames.tcpFrame(100);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(10 + frame.capacity());
            out.asSlice(0, 10).fill((byte) 0x5a);
            MemorySegment.copy(frame.array(), 0, out, ValueLayout.JAVA_BYTE, 10, frame.capacity());
            short checksum = out.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 10 + 34 + 16);
            GsoHeaderWriter.write(out, frame.capacity(), 0, 1500);
            assertThat(out.asSlice(0, 10).toArray(ValueLayout.JAVA_BYTE)).containsOnly(0);
            assertThat(out.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 10 + 34 + 16)).isEqualTo(checksum);
        }
    }

    @Test
    void theSegmentSizeIsCappedByTheInterfacesMtu() {
        ByteBuffer frame = HubSegmentationTestFrames.tcpFrame(20000);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(10 + frame.capacity());
            MemorySegment.copy(frame.array(), 0, out, ValueLayout.JAVA_BYTE, 10, frame.capacity());
            GsoHeaderWriter.write(out, frame.capacity(), 8960, 1500);
            VirtioNetFrame vnet = new VirtioNetFrame().wrap(out.asByteBuffer(), 0, (int) out.byteSize());
            assertThat(vnet.gsoSize()).isEqualTo(1460);
        }
    }

    @Test
    void anIpv6TcpSegmentGetsATcpv6HeaderAndItsPseudoHeaderSum() {
        int payload = 3000;
        ByteBuffer frame = ByteBuffer.allocate(14 + 40 + 20 + payload);
        frame.putShort(12, (short) 0x86DD);
        frame.put(14, (byte) 0x60);
        frame.putShort(14 + 4, (short) (20 + payload));
        frame.put(14 + 6, (byte) IpProtocol.TCP);
        frame.put(14 + 7, (byte) 64);
        for (int i = 0; i < 32; i++) {
            frame.put(14 + 8 + i, (byte) (i * 7 + 1));
        }
        frame.put(14 + 40 + 12, (byte) 0x50);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(10 + frame.capacity());
            MemorySegment.copy(frame.array(), 0, out, ValueLayout.JAVA_BYTE, 10, frame.capacity());
            GsoHeaderWriter.write(out, frame.capacity(), 1440, 1500);
            ByteBuffer b = out.asByteBuffer();
            VirtioNetFrame vnet = new VirtioNetFrame().wrap(b, 0, b.capacity());
            assertThat(VirtioNetHeader.parse(vnet)).isEqualTo(new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM,
                    VirtioNetHeader.GSO_TCPV6, 74, 1440, 54, 16, 0));
            long pseudo = Checksum.sum(frame, 14 + 8, 32) + IpProtocol.TCP + 20 + payload;
            assertThat(b.order(ByteOrder.BIG_ENDIAN).getShort(10 + 54 + 16) & 0xFFFF).isEqualTo(Checksum.fold(pseudo));
        }
    }
}
