package io.vnet4j.port.tap;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.fabric.HubSegmentationTestFrames;
import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.offload.VirtioNetFrame;
import io.vnet4j.wire.offload.VirtioNetHeader;
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
            GsoHeaderWriter.write(out, 1500);
            ByteBuffer b = out.asByteBuffer();
            VirtioNetFrame vnet = new VirtioNetFrame().wrap(b, 0, b.capacity());
            assertThat(VirtioNetHeader.parse(vnet)).isEqualTo(new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM,
                    VirtioNetHeader.GSO_TCPV4, 54, 1460, 34, 16, 0));
            int pseudo = Checksum.fold(Checksum.pseudoHeaderSum(0x0a00020f, 0x0a000202, IpProtocol.TCP, 4020));
            assertThat(b.order(ByteOrder.BIG_ENDIAN).getShort(10 + 34 + 16) & 0xFFFF).isEqualTo(pseudo);
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
            GsoHeaderWriter.write(out, 0);
            assertThat(out.asSlice(0, 10).toArray(ValueLayout.JAVA_BYTE)).containsOnly(0);
            assertThat(out.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 10 + 34 + 16)).isEqualTo(checksum);
        }
    }
}
