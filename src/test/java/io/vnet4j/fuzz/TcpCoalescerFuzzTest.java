package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.WireError;
import io.vnet4j.wire.offload.CoalescedFrame;
import io.vnet4j.wire.offload.TcpCoalescer;
import io.vnet4j.wire.offload.TcpSegmenter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One batch of frames into a {@link TcpCoalescer}. The input is records of a mode byte, a 16-bit length and
 * that many frame bytes (or what is left): mode bit 1 first sets the TCP sequence number to follow the
 * previous frame's, bit 0 then fills the IPv4 header and TCP checksums, so that mutated segments can still
 * join. Offered at offset 0 (in an array of exactly the frame's bytes) and again at an odd offset inside a
 * larger buffer, then flushed: never throws, and both give the same outputs. Every output is at most
 * {@link TcpSegmenter#MAX_FRAME_LENGTH} bytes, and the outputs are the offered frames in order: one with
 * segment size 0 is the next offered frame (or its first 14 + IP length bytes); one with a segment size
 * cuts again with {@link TcpSegmenter} into the next two or more offered frames, equal to them but for the
 * IPv4 identification and the checksums (the segmenter's are full and verify).
 */
class TcpCoalescerFuzzTest {
    private static final int MAX_FRAMES = 64;
    private static final int LEAD = 3;
    private static final int TRAIL = 5;

    private final TcpCoalescer coalescer = new TcpCoalescer();
    private final TcpSegmenter segmenter = new TcpSegmenter();

    @FuzzTest
    void outputsAreTheOfferedFramesInOrderJoinedOrAsTheyCame(byte[] input) {
        List<byte[]> frames = split(input);
        List<CoalescedFrame> outputs = offerAll(frames, 0, 0);
        assertThat(offerAll(frames, LEAD, TRAIL)).as("at an odd offset").isEqualTo(outputs);

        int next = 0;
        for (CoalescedFrame out : outputs) {
            assertThat(out.frame().length).isLessThanOrEqualTo(TcpSegmenter.MAX_FRAME_LENGTH);
            assertThat(next).as("more outputs than frames").isLessThan(frames.size());
            if (out.segmentSize() == 0) {
                byte[] offered = frames.get(next++);
                assertThat(out.frame().length <= offered.length
                        && Arrays.equals(out.frame(), 0, out.frame().length, offered, 0, out.frame().length))
                        .as("passed on as offered").isTrue();
                continue;
            }
            List<byte[]> pieces = cut(out);
            assertThat(pieces.size()).isGreaterThanOrEqualTo(2);
            for (byte[] piece : pieces) {
                assertThat(next).as("cuts into more frames than were offered").isLessThan(frames.size());
                assertThat(sameButIdAndChecksums(piece, frames.get(next++))).as("cut again, the frames offered").isTrue();
            }
        }
        assertThat(next).as("every frame came out").isEqualTo(frames.size());
    }

    /** Offers each frame at {@code lead} in a buffer with {@code trail} more bytes, then flushes. */
    private List<CoalescedFrame> offerAll(List<byte[]> frames, int lead, int trail) {
        List<CoalescedFrame> outputs = new ArrayList<>();
        TcpCoalescer.Sink sink = (frame, offset, length, segmentSize) -> {
            byte[] bytes = new byte[length];
            frame.get(offset, bytes);
            outputs.add(new CoalescedFrame(bytes, segmentSize));
        };
        for (byte[] frame : frames) {
            ByteBuffer buf = ByteBuffer.allocate(lead + frame.length + trail);
            Arrays.fill(buf.array(), (byte) 0xa5);
            buf.put(lead, frame);
            coalescer.offer(buf, lead, frame.length, sink);
        }
        coalescer.flush(sink);
        return outputs;
    }

    private List<byte[]> cut(CoalescedFrame out) {
        List<byte[]> pieces = new ArrayList<>();
        WireError error = segmenter.segment(ByteBuffer.wrap(out.frame()), 0, out.frame().length, out.segmentSize(),
                (frame, offset, length) -> {
                    byte[] bytes = new byte[length];
                    frame.get(offset, bytes);
                    pieces.add(bytes);
                });
        assertThat(error).as("the large segment cuts again").isEqualTo(WireError.NONE);
        return pieces;
    }

    /** Whether a cut piece is the offered frame up to its length, but for IPv4 identification and checksums. */
    private static boolean sameButIdAndChecksums(byte[] piece, byte[] offered) {
        if (piece.length > offered.length || piece.length < 54) {
            return false;
        }
        byte[] a = piece.clone();
        byte[] b = Arrays.copyOf(offered, piece.length);
        boolean v4 = a[12] == 0x08 && a[13] == 0x00;
        int[] ignored = v4 ? new int[] {18, 19, 24, 25, 34 + 16, 34 + 17} : new int[] {54 + 16, 54 + 17};
        for (int i : ignored) {
            if (i < a.length) {
                a[i] = 0;
                b[i] = 0;
            }
        }
        return Arrays.equals(a, b);
    }

    /** The records of the input, each frame edited as its mode says. */
    private static List<byte[]> split(byte[] input) {
        List<byte[]> frames = new ArrayList<>();
        int at = 0;
        byte[] previous = null;
        while (input.length - at >= 3 && frames.size() < MAX_FRAMES) {
            int mode = input[at];
            int length = Math.min((input[at + 1] & 0xFF) << 8 | input[at + 2] & 0xFF, input.length - at - 3);
            byte[] frame = Arrays.copyOfRange(input, at + 3, at + 3 + length);
            at += 3 + length;
            if ((mode & 2) != 0 && previous != null) {
                follow(previous, frame);
            }
            if ((mode & 1) != 0) {
                fillChecksums(frame);
            }
            frames.add(frame);
            previous = frame;
        }
        return frames;
    }

    /** Sets the frame's sequence number to the previous one's plus its payload, when both are TCP. */
    private static void follow(byte[] previous, byte[] frame) {
        int[] before = tcp(previous);
        int[] now = tcp(frame);
        if (before == null || now == null) {
            return;
        }
        ByteBuffer p = ByteBuffer.wrap(previous);
        int payload = before[1] - ((previous[before[0] + 12] & 0xF0) >>> 2);
        ByteBuffer.wrap(frame).putInt(now[0] + 4, p.getInt(before[0] + 4) + Math.max(payload, 0));
    }

    /** Fills the IPv4 header checksum and the TCP checksum when the frame is untagged IPv4 or IPv6 TCP. */
    private static void fillChecksums(byte[] frame) {
        int[] tcp = tcp(frame);
        if (tcp == null) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(frame);
        boolean v4 = frame[12] == 0x08;
        long pseudo;
        if (v4) {
            int ihl = tcp[0] - 14;
            b.putShort(24, (short) 0).putShort(24, (short) Checksum.compute(b, 14, ihl));
            pseudo = Checksum.pseudoHeaderSum(b.getInt(26), b.getInt(30), IpProtocol.TCP, tcp[1]);
        } else {
            pseudo = Checksum.ipv6PseudoHeaderSum(b, 22, 38, IpProtocol.TCP, tcp[1]);
        }
        b.putShort(tcp[0] + 16, (short) 0);
        b.putShort(tcp[0] + 16, (short) Checksum.finish(pseudo + Checksum.sum(b, tcp[0], tcp[1])));
    }

    /** The TCP header's offset and the TCP length by the IP length, for untagged IPv4 or IPv6 TCP; else null. */
    private static int[] tcp(byte[] f) {
        if (f.length < 54) {
            return null;
        }
        if (f[12] == 0x08 && f[13] == 0x00 && (f[14] & 0xF0) == 0x40 && f[23] == IpProtocol.TCP) {
            int ihl = (f[14] & 0x0F) * 4;
            int total = (f[16] & 0xFF) << 8 | f[17] & 0xFF;
            return ihl >= 20 && total >= ihl + 20 && 14 + total <= f.length ? new int[] {14 + ihl, total - ihl} : null;
        }
        if ((f[12] & 0xFF) == 0x86 && (f[13] & 0xFF) == 0xDD && f.length >= 74 && (f[14] & 0xF0) == 0x60
                && f[20] == IpProtocol.TCP) {
            int payload = (f[18] & 0xFF) << 8 | f[19] & 0xFF;
            return payload >= 20 && 54 + payload <= f.length ? new int[] {54, payload} : null;
        }
        return null;
    }

}
