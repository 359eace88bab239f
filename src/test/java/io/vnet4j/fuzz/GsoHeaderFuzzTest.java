package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.wire.offload.GsoHeaderWriter;
import io.vnet4j.wire.offload.VirtioNetFrame;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The virtio-net header written for a frame leaving to a TAP or a vhost-user guest. The input: a 16-bit
 * segment size, a 16-bit MTU (at least 68, as a TAP's), then the frame, truncated or lying as it comes.
 * Nothing throws; the header is all zeros or a TSO header whose offsets lie inside the frame (hdr_len and
 * csum_start + csum_offset + 2 at most its length, csum_start at least an Ethernet header) with a segment
 * size from 1 to the one given, whose segments' IP packets fit the MTU; {@code describe} gives the same header as {@code write} for an MTU that
 * does not bound the segments, and leaves the frame's bytes alone, while {@code write} changes at most the
 * two bytes of the TCP checksum field.
 */
class GsoHeaderFuzzTest {
    private static final int H = VirtioNetFrame.HEADER_LENGTH;
    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @FuzzTest
    void headersPointInsideTheirFrames(byte[] input) {
        if (input.length < 4) {
            return;
        }
        int segmentSize = (input[0] & 0xFF) << 8 | input[1] & 0xFF;
        int mtu = Math.max(68, (input[2] & 0xFF) << 8 | input[3] & 0xFF);
        byte[] frame = Arrays.copyOfRange(input, 4, input.length);
        int length = frame.length;

        MemorySegment header = MemorySegment.ofArray(new byte[H]);
        GsoHeaderWriter.describe(header, 0, MemorySegment.ofArray(frame), 0, length, segmentSize);
        assertThat(frame).as("describe only reads the frame").isEqualTo(Arrays.copyOfRange(input, 4, input.length));
        check(header, frame, segmentSize, Integer.MAX_VALUE);

        MemorySegment tap = MemorySegment.ofArray(new byte[H + length]);
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, tap, H, length);
        GsoHeaderWriter.write(tap, length, segmentSize, Integer.MAX_VALUE);
        assertThat(tap.asSlice(0, H).toArray(ValueLayout.JAVA_BYTE)).as("write, the MTU no bound")
                .isEqualTo(header.toArray(ValueLayout.JAVA_BYTE));
        byte[] written = tap.asSlice(H).toArray(ValueLayout.JAVA_BYTE);
        int changed = 0;
        for (int i = 0; i < length; i++) {
            if (written[i] != frame[i]) {
                assertThat(header.get(ValueLayout.JAVA_BYTE, 0)).as("a change without a TSO header").isNotZero();
                int checksum = Short.toUnsignedInt(header.get(LE16, 6)) + Short.toUnsignedInt(header.get(LE16, 8));
                assertThat(i).as("a change outside the TCP checksum").isBetween(checksum, checksum + 1);
                changed++;
            }
        }
        assertThat(changed).isLessThanOrEqualTo(2);

        MemorySegment bounded = MemorySegment.ofArray(new byte[H + length]);
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, bounded, H, length);
        GsoHeaderWriter.write(bounded, length, segmentSize, mtu);
        check(bounded, frame, segmentSize, mtu);
    }

    private static void check(MemorySegment header, byte[] frame, int segmentSize, int mtu) {
        int length = frame.length;
        byte[] h = header.asSlice(0, H).toArray(ValueLayout.JAVA_BYTE);
        if (Arrays.equals(h, new byte[H])) {
            return;
        }
        int hdrLen = Short.toUnsignedInt(header.get(LE16, 2));
        int gsoSize = Short.toUnsignedInt(header.get(LE16, 4));
        int csumStart = Short.toUnsignedInt(header.get(LE16, 6));
        int csumOffset = Short.toUnsignedInt(header.get(LE16, 8));
        assertThat(hdrLen).isLessThanOrEqualTo(length);
        assertThat(csumStart).isGreaterThanOrEqualTo(14);
        assertThat(csumStart + csumOffset + 2).isLessThanOrEqualTo(length);
        assertThat(gsoSize).as("segment size").isBetween(1, segmentSize);
        int l2 = (frame[12] & 0xFF) == 0x81 && frame[13] == 0 ? 18 : 14; // an 802.1Q tag before the IP header
        assertThat((long) hdrLen - l2 + gsoSize).as("each segment's IP packet within the MTU").isLessThanOrEqualTo(mtu);
    }
}
