package io.vnet4j.wire.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSegment;
import io.vnet4j.wire.WireError;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TcpSegmenterTest {
    /**
     * A TSO4 super-frame as a Linux guest hands it over: 10.0.2.15:43512 to 93.184.216.34:80, TOS 2, DF,
     * id 0xfffe, IPv4 checksum left 0, seq 0xfffffffa, ack 0x01020304, CWR|ACK|PSH|FIN, window 502,
     * NOP NOP timestamps, a partial TCP checksum 0x1234 that must not matter, and 10 payload bytes
     * "0123456789". With gso_size 4 it becomes 4 + 4 + 2 bytes; id and sequence numbers both wrap.
     */
    static final byte[] TSO4_SUPER = hex(
            "52 55 0a 00 02 02 52 54 00 12 34 56 08 00 45 02",
            "00 3e ff fe 40 00 40 06 00 00 0a 00 02 0f 5d b8",
            "d8 22 a9 f8 00 50 ff ff ff fa 01 02 03 04 80 99",
            "01 f6 12 34 00 00 01 01 08 0a 2b 5c 1e 07 00 a1",
            "b2 c3 30 31 32 33 34 35 36 37 38 39");
    /** The three segments; every checksum confirmed by Wireshark's dissectors (tshark, checksum checks on). */
    static final byte[][] TSO4_SEGMENTS = {
        hex("52 55 0a 00 02 02 52 54 00 12 34 56 08 00 45 02",
            "00 38 ff fe 40 00 40 06 f8 d5 0a 00 02 0f 5d b8",
            "d8 22 a9 f8 00 50 ff ff ff fa 01 02 03 04 80 90",
            "01 f6 24 e4 00 00 01 01 08 0a 2b 5c 1e 07 00 a1",
            "b2 c3 30 31 32 33"),
        hex("52 55 0a 00 02 02 52 54 00 12 34 56 08 00 45 02",
            "00 38 ff ff 40 00 40 06 f8 d4 0a 00 02 0f 5d b8",
            "d8 22 a9 f8 00 50 ff ff ff fe 01 02 03 04 80 10",
            "01 f6 1d 58 00 00 01 01 08 0a 2b 5c 1e 07 00 a1",
            "b2 c3 34 35 36 37"),
        hex("52 55 0a 00 02 02 52 54 00 12 34 56 08 00 45 02",
            "00 36 00 00 40 00 40 06 f8 d6 0a 00 02 0f 5d b8",
            "d8 22 a9 f8 00 50 00 00 00 02 01 02 03 04 80 19",
            "01 f6 4f 81 00 00 01 01 08 0a 2b 5c 1e 07 00 a1",
            "b2 c3 38 39"),
    };
    /** TSO6: [fd00::15]:50000 to [2001:db8::1]:443, flow label 0x12345, ACK|PSH, "abcdefg"; gso_size 5. */
    static final byte[] TSO6_SUPER = hex(
            "33 33 00 00 fb 01 52 54 00 12 34 56 86 dd 60 01",
            "23 45 00 1b 06 40 fd 00 00 00 00 00 00 00 00 00",
            "00 00 00 00 00 15 20 01 0d b8 00 00 00 00 00 00",
            "00 00 00 00 00 01 c3 50 01 bb 00 00 03 e8 00 00",
            "00 07 50 18 03 e8 be ef 00 00 61 62 63 64 65 66",
            "67");
    static final byte[][] TSO6_SEGMENTS = {
        hex("33 33 00 00 fb 01 52 54 00 12 34 56 86 dd 60 01",
            "23 45 00 19 06 40 fd 00 00 00 00 00 00 00 00 00",
            "00 00 00 00 00 15 20 01 0d b8 00 00 00 00 00 00",
            "00 00 00 00 00 01 c3 50 01 bb 00 00 03 e8 00 00",
            "00 07 50 10 03 e8 8e 56 00 00 61 62 63 64 65"),
        hex("33 33 00 00 fb 01 52 54 00 12 34 56 86 dd 60 01",
            "23 45 00 16 06 40 fd 00 00 00 00 00 00 00 00 00",
            "00 00 00 00 00 15 20 01 0d b8 00 00 00 00 00 00",
            "00 00 00 00 00 01 c3 50 01 bb 00 00 03 ed 00 00",
            "00 07 50 18 03 e8 51 ac 00 00 66 67"),
    };

    private final TcpSegmenter segmenter = new TcpSegmenter();
    private final List<byte[]> frames = new ArrayList<>();
    private final FrameSink collect = (frame, offset, length) ->
            frames.add(Arrays.copyOfRange(frame.array(), frame.arrayOffset() + offset, frame.arrayOffset() + offset + length));

    @Test
    void cutsATso4SuperFrameIntoThreeGoldenSegments() {
        ByteBuffer in = ByteBuffer.wrap(TSO4_SUPER.clone());
        assertThat(segmenter.segment(in, 0, TSO4_SUPER.length, VirtioNetHeader.GSO_TCPV4, 4, collect))
                .isEqualTo(WireError.NONE);
        assertThat(segmenter.segments()).isEqualTo(3);
        assertThat(frames).containsExactly(TSO4_SEGMENTS);
        assertThat(in.array()).as("the input is left as it was").isEqualTo(TSO4_SUPER);
    }

    @Test
    void takesGsoTypeAndSizeFromTheVirtioHeaderAtAnAbsoluteOffset() {
        ByteBuffer in = VirtioNetFrameTest.poisoned(7 + 10 + TSO4_SUPER.length + 5);
        in.put(17, TSO4_SUPER);
        VirtioNetFrame vnet = new VirtioNetFrame().wrap(in, 7, 10 + TSO4_SUPER.length);
        new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4 | VirtioNetHeader.GSO_ECN,
                66, 4, 34, 16, 0).emit(vnet);
        assertThat(segmenter.segment(vnet, collect)).isEqualTo(WireError.NONE);
        assertThat(frames).containsExactly(TSO4_SEGMENTS);
    }

    @Test
    void cutsATso6SuperFrameIntoTwoGoldenSegments() {
        ByteBuffer in = ByteBuffer.wrap(TSO6_SUPER.clone());
        assertThat(segmenter.segment(in, 0, TSO6_SUPER.length, VirtioNetHeader.GSO_TCPV6, 5, collect))
                .isEqualTo(WireError.NONE);
        assertThat(frames).containsExactly(TSO6_SEGMENTS);
    }

    @Test
    void aSuperFrameThatFitsComesOutWholeWithItsChecksumsFilled() {
        ByteBuffer in = ByteBuffer.wrap(TSO4_SUPER.clone());
        assertThat(segmenter.segment(in, 0, TSO4_SUPER.length, VirtioNetHeader.GSO_TCPV4, 10, collect))
                .isEqualTo(WireError.NONE);
        assertThat(frames).hasSize(1);
        assertThat(frames.getFirst()).hasSize(TSO4_SUPER.length);
        assertValidV4(ByteBuffer.wrap(frames.getFirst()), 14);
        assertThat(frames.getFirst()[47]).as("flags kept").isEqualTo((byte) 0x99);
    }

    @Test
    void aSuperFrameWithoutPayloadComesOutAsOneFrame() {
        byte[] bare = Arrays.copyOf(TSO4_SUPER, 66);
        ByteBuffer in = ByteBuffer.wrap(bare);
        in.putShort(16, (short) 52);
        assertThat(segmenter.segment(in, 0, 66, VirtioNetHeader.GSO_TCPV4, 1448, collect)).isEqualTo(WireError.NONE);
        assertThat(frames).hasSize(1);
        assertValidV4(ByteBuffer.wrap(frames.getFirst()), 14);
    }

    @Test
    void ignoresBytesPastTheIpLength() {
        byte[] padded = Arrays.copyOf(TSO4_SUPER, TSO4_SUPER.length + 9);
        assertThat(segmenter.segment(ByteBuffer.wrap(padded), 0, padded.length, VirtioNetHeader.GSO_TCPV4, 4, collect))
                .isEqualTo(WireError.NONE);
        assertThat(frames).containsExactly(TSO4_SEGMENTS);
    }

    @Test
    void segmentsIpv4StreamsOfRandomShapes() {
        Random random = new Random(0xC0FFEE);
        for (int round = 0; round < 400; round++) {
            roundTrip(random, true);
        }
    }

    @Test
    void segmentsIpv6StreamsOfRandomShapes() {
        Random random = new Random(0xBEEF6);
        for (int round = 0; round < 400; round++) {
            roundTrip(random, false);
        }
    }

    /** Builds a random super-frame, segments it, and checks every frame and the reassembled stream. */
    private void roundTrip(Random random, boolean v4) {
        Shape shape = Shape.random(random, v4);
        byte[] payload = new byte[random.nextInt(5) == 0 ? random.nextInt(64) : random.nextInt(shape.maxPayload() + 1)];
        random.nextBytes(payload);
        int mss = switch (random.nextInt(4)) {
            case 0 -> 1 + random.nextInt(16);
            case 1 -> 1 + random.nextInt(0xFFFF);
            case 2 -> 1448;
            default -> 536 + random.nextInt(9000);
        };
        int sequence = random.nextInt(3) == 0 ? -random.nextInt(200_000) : random.nextInt();
        int flags = TcpFlags.ACK | random.nextInt(2) * TcpFlags.PSH | random.nextInt(2) * TcpFlags.FIN
                | random.nextInt(2) * TcpFlags.CWR | random.nextInt(2) * TcpFlags.ECE;
        int identification = random.nextInt(0x10000);
        int lead = random.nextInt(40);
        ByteBuffer in = VirtioNetFrameTest.poisoned(lead + shape.headers() + payload.length + random.nextInt(40));
        int length = shape.write(in, lead, payload, sequence, flags, identification, random);
        byte[] before = in.array().clone();

        frames.clear();
        int type = v4 ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6;
        assertThat(segmenter.segment(in, lead, length, type, mss, collect)).isEqualTo(WireError.NONE);
        assertThat(in.array()).isEqualTo(before);
        int expectedCount = Math.max(1, (payload.length + mss - 1) / mss);
        assertThat(frames).hasSize(expectedCount);
        assertThat(segmenter.segments()).isEqualTo(expectedCount);

        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        int l3 = shape.l2;
        int l4 = l3 + shape.l3;
        for (int i = 0; i < frames.size(); i++) {
            byte[] bytes = frames.get(i);
            ByteBuffer frame = ByteBuffer.wrap(bytes);
            boolean last = i == frames.size() - 1;
            assertThat(bytes.length).isLessThanOrEqualTo(shape.headers() + mss);
            assertThat(Arrays.copyOf(bytes, shape.headers())).as("headers outside the patched fields")
                    .isEqualTo(shape.expectedHeaders(before, lead, frame));
            int tcpLength = bytes.length - l4;
            if (v4) {
                assertValidV4(frame, l3);
                assertThat(frame.getShort(l3 + 4) & 0xFFFF).isEqualTo(identification + i & 0xFFFF);
            } else {
                assertThat(frame.getShort(l3 + 4) & 0xFFFF).isEqualTo(tcpLength);
                assertThat(Checksum.fold(Checksum.sum(frame, l3 + 8, 32) + IpProtocol.TCP + tcpLength
                        + Checksum.sum(frame, l4, tcpLength))).isEqualTo(0xFFFF);
            }
            TcpSegment tcp = new TcpSegment().wrap(frame, l4, tcpLength);
            assertThat(tcp.sequenceNumber()).isEqualTo(sequence + stream.size());
            int expectedFlags = flags;
            if (!last) {
                expectedFlags &= ~(TcpFlags.FIN | TcpFlags.PSH);
            }
            if (i > 0) {
                expectedFlags &= ~TcpFlags.CWR;
            }
            assertThat(tcp.flags() & 0xFF).isEqualTo(expectedFlags);
            if (!last) {
                assertThat(tcp.payloadLength()).isEqualTo(mss);
            }
            stream.write(bytes, tcp.payloadOffset(), tcp.payloadLength());
        }
        assertThat(stream.toByteArray()).isEqualTo(payload);
    }

    private static void assertValidV4(ByteBuffer frame, int l3) {
        Ipv4Packet ip = new Ipv4Packet().wrap(frame, l3, frame.capacity() - l3);
        assertThat(ip.check()).isEqualTo(WireError.NONE);
        assertThat(ip.totalLength()).isEqualTo(frame.capacity() - l3);
        TcpSegment tcp = new TcpSegment().wrap(frame, ip.payloadOffset(), ip.payloadLength());
        assertThat(tcp.checksumValid(ip.source(), ip.destination())).isTrue();
    }

    /** Header layout of a generated super-frame: optional VLAN tag, IPv4 options, TCP options. */
    private record Shape(boolean v4, int l2, int l3, int l4) {
        static Shape random(Random random, boolean v4) {
            return new Shape(v4, random.nextInt(4) == 0 ? 18 : 14,
                    v4 ? 20 + 4 * (random.nextInt(3) == 0 ? random.nextInt(11) : 0) : 40,
                    20 + 4 * random.nextInt(11));
        }

        int headers() {
            return l2 + l3 + l4;
        }

        int maxPayload() {
            return 0xFFFF - (v4 ? l3 + l4 : l4);
        }

        /** Writes the super-frame at {@code at} and returns its length. */
        int write(ByteBuffer b, int at, byte[] payload, int sequence, int flags, int identification, Random random) {
            byte[] junk = new byte[headers()];
            random.nextBytes(junk);
            b.put(at, junk);
            b.putShort(at + 12, (short) (l2 == 18 ? EtherType.VLAN : v4 ? EtherType.IPV4 : EtherType.IPV6));
            if (l2 == 18) {
                b.putShort(at + 16, (short) (v4 ? EtherType.IPV4 : EtherType.IPV6));
            }
            int ip = at + l2;
            if (v4) {
                b.put(ip, (byte) (0x40 | l3 / 4));
                b.putShort(ip + 2, (short) (l3 + l4 + payload.length));
                b.putShort(ip + 4, (short) identification);
                b.putShort(ip + 6, (short) (random.nextBoolean() ? 0x4000 : 0));
                b.put(ip + 9, (byte) IpProtocol.TCP);
            } else {
                b.put(ip, (byte) (0x60 | b.get(ip) & 0x0F));
                b.putShort(ip + 4, (short) (l4 + payload.length));
                b.put(ip + 6, (byte) IpProtocol.TCP);
            }
            int tcp = ip + l3;
            b.putInt(tcp + 4, sequence);
            b.put(tcp + 12, (byte) (l4 / 4 << 4 | b.get(tcp + 12) & 0x0F));
            b.put(tcp + 13, (byte) flags);
            b.putShort(tcp + 14, (short) 0xfe00);
            b.put(at + headers(), payload);
            return headers() + payload.length;
        }

        /** The super-frame's headers with the fields a segment may change taken from the segment. */
        byte[] expectedHeaders(byte[] before, int at, ByteBuffer segment) {
            byte[] expected = Arrays.copyOfRange(before, at, at + headers());
            int ip = l2;
            int[] changed = v4 ? new int[] {ip + 2, ip + 3, ip + 4, ip + 5, ip + 10, ip + 11} : new int[] {ip + 4, ip + 5};
            int tcp = l2 + l3;
            for (int i : changed) {
                expected[i] = segment.get(i);
            }
            for (int i : new int[] {tcp + 4, tcp + 5, tcp + 6, tcp + 7, tcp + 13, tcp + 16, tcp + 17}) {
                expected[i] = segment.get(i);
            }
            return expected;
        }
    }

    @Test
    void reportsFramesItCannotSegmentAndEmitsNothing() {
        expect(TSO4_SUPER, VirtioNetHeader.GSO_TCPV6, 4, WireError.UNSUPPORTED);
        expect(TSO6_SUPER, VirtioNetHeader.GSO_TCPV4, 4, WireError.UNSUPPORTED);
        expect(TSO4_SUPER, VirtioNetHeader.GSO_UDP, 4, WireError.UNSUPPORTED);
        expect(TSO4_SUPER, VirtioNetHeader.GSO_NONE, 4, WireError.UNSUPPORTED);
        expect(TSO4_SUPER, VirtioNetHeader.GSO_TCPV4, 0, WireError.BAD_LENGTH);
        expect(with(TSO4_SUPER, 23, 17), VirtioNetHeader.GSO_TCPV4, 4, WireError.UNSUPPORTED); // UDP
        expect(with(TSO4_SUPER, 20, 0x20), VirtioNetHeader.GSO_TCPV4, 4, WireError.UNSUPPORTED); // MF
        expect(with(TSO4_SUPER, 21, 1), VirtioNetHeader.GSO_TCPV4, 4, WireError.UNSUPPORTED); // offset
        expect(with(TSO4_SUPER, 14, 0x55), VirtioNetHeader.GSO_TCPV4, 4, WireError.BAD_VERSION);
        expect(with(TSO6_SUPER, 20, 0), VirtioNetHeader.GSO_TCPV6, 4, WireError.UNSUPPORTED); // next header hop-by-hop
        expect(with(TSO6_SUPER, 14, 0x40), VirtioNetHeader.GSO_TCPV6, 4, WireError.BAD_VERSION);
        expect(with(with(TSO6_SUPER, 18, 0), 19, 0), VirtioNetHeader.GSO_TCPV6, 4, WireError.UNSUPPORTED); // jumbo
        expect(with(with(TSO4_SUPER, 12, 0x81), 13, 0), VirtioNetHeader.GSO_TCPV4, 4, WireError.UNSUPPORTED); // tag, no IPv4 inside
    }

    @Test
    void reportsLyingLengthsAndEmitsNothing() {
        expect(with(TSO4_SUPER, 17, 0x3f), VirtioNetHeader.GSO_TCPV4, 4, WireError.BAD_LENGTH); // total length + 1
        expect(with(with(TSO4_SUPER, 16, 0xff), 17, 0xff), VirtioNetHeader.GSO_TCPV4, 4, WireError.BAD_LENGTH);
        expect(with(TSO4_SUPER, 17, 19), VirtioNetHeader.GSO_TCPV4, 4, WireError.BAD_LENGTH); // below IHL
        expect(with(TSO4_SUPER, 17, 39), VirtioNetHeader.GSO_TCPV4, 4, WireError.TRUNCATED); // no room for TCP
        expect(with(TSO4_SUPER, 14, 0x44), VirtioNetHeader.GSO_TCPV4, 4, WireError.BAD_LENGTH); // IHL 4
        expect(with(with(TSO4_SUPER, 14, 0x4f), 17, 40), VirtioNetHeader.GSO_TCPV4, 4, WireError.BAD_LENGTH); // IHL 15 > total
        expect(with(TSO4_SUPER, 14, 0x4f), VirtioNetHeader.GSO_TCPV4, 4, WireError.TRUNCATED); // no room for TCP after IHL 15
        expect(with(TSO4_SUPER, 46, 0x40), VirtioNetHeader.GSO_TCPV4, 4, WireError.BAD_LENGTH); // data offset 4
        expect(with(TSO4_SUPER, 17, 0x3e - 10 - 1), VirtioNetHeader.GSO_TCPV4, 4, WireError.BAD_LENGTH); // TCP options cut
        expect(with(TSO6_SUPER, 19, 0x1c), VirtioNetHeader.GSO_TCPV6, 4, WireError.BAD_LENGTH);
        expect(with(TSO6_SUPER, 19, 19), VirtioNetHeader.GSO_TCPV6, 4, WireError.TRUNCATED);
    }

    @Test
    void reportsEveryTruncationAndEmitsNothing() {
        for (int length = 0; length < 66; length++) {
            frames.clear();
            WireError error = segmenter.segment(ByteBuffer.wrap(TSO4_SUPER), 0, length, VirtioNetHeader.GSO_TCPV4, 4, collect);
            assertThat(error).as("length %d", length).isIn(WireError.TRUNCATED, WireError.BAD_LENGTH);
            assertThat(frames).isEmpty();
            assertThat(segmenter.segments()).isZero();
        }
        for (int length = 66; length < TSO4_SUPER.length; length++) {
            expect(Arrays.copyOf(TSO4_SUPER, length), VirtioNetHeader.GSO_TCPV4, 4, WireError.BAD_LENGTH);
        }
        for (int length = 0; length < 74; length++) {
            frames.clear();
            assertThat(segmenter.segment(ByteBuffer.wrap(TSO6_SUPER), 0, length, VirtioNetHeader.GSO_TCPV6, 4, collect))
                    .isIn(WireError.TRUNCATED, WireError.BAD_LENGTH);
            assertThat(frames).isEmpty();
        }
    }

    @Test
    void reportsARangeOutsideTheBuffer() {
        ByteBuffer in = ByteBuffer.wrap(TSO4_SUPER);
        assertThat(segmenter.segment(in, 1, TSO4_SUPER.length, 1, 4, collect)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(segmenter.segment(in, -1, 10, 1, 4, collect)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(segmenter.segment(in, 0, -1, 1, 4, collect)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(frames).isEmpty();
    }

    @Test
    void reportsABadVirtioHeaderAndEmitsNothing() {
        ByteBuffer in = VirtioNetFrameTest.poisoned(10 + TSO4_SUPER.length);
        in.put(10, TSO4_SUPER);
        VirtioNetFrame vnet = new VirtioNetFrame().wrap(in, 0, in.capacity());
        new VirtioNetHeader(1, 1, 66, 0, 34, 16, 0).emit(vnet);
        assertThat(segmenter.segment(vnet, collect)).isEqualTo(WireError.BAD_LENGTH);
        new VirtioNetHeader(1, 2, 66, 4, 34, 16, 0).emit(vnet);
        assertThat(segmenter.segment(vnet, collect)).isEqualTo(WireError.UNSUPPORTED);
        assertThat(frames).isEmpty();
    }

    @Test
    void corruptedAndCutFramesNeverThrow() {
        Random random = new Random(42);
        List<byte[]> seeds = List.of(TSO4_SUPER, TSO6_SUPER);
        for (int i = 0; i < 50_000; i++) {
            byte[] bytes = seeds.get(i & 1).clone();
            for (int flips = random.nextInt(4); flips >= 0; flips--) {
                bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            int length = random.nextInt(bytes.length + 1);
            int type = random.nextInt(6);
            int mss = random.nextInt(12);
            frames.clear();
            assertThatCode(() -> {
                WireError error = segmenter.segment(ByteBuffer.wrap(bytes), 0, length, type, mss, collect);
                if (error != WireError.NONE) {
                    assertThat(frames).isEmpty();
                } else {
                    assertThat(frames).isNotEmpty();
                    frames.forEach(f -> assertThat(f.length).isLessThanOrEqualTo(length));
                }
            }).doesNotThrowAnyException();
        }
    }

    @Test
    void allocatesNothingPerSegment() {
        // 63 KiB of payload at MSS 1: about 64,000 segments
        byte[] payload = new byte[63 * 1024];
        Shape shape = new Shape(true, 14, 20, 20);
        ByteBuffer in = ByteBuffer.allocate(shape.headers() + payload.length);
        int length = shape.write(in, 0, payload, 1, TcpFlags.ACK, 1, new Random(1));
        long[] bytes = {0};
        FrameSink count = (frame, offset, frameLength) -> bytes[0] += frameLength;
        segmenter.segment(in, 0, length, VirtioNetHeader.GSO_TCPV4, 1, count); // warm up
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadAllocatedBytes();
        assertThat(segmenter.segment(in, 0, length, VirtioNetHeader.GSO_TCPV4, 1, count)).isEqualTo(WireError.NONE);
        long allocated = threads.getCurrentThreadAllocatedBytes() - start;
        assertThat(segmenter.segments()).isEqualTo(payload.length);
        assertThat(allocated).isLessThan(16 * 1024);
    }

    private void expect(byte[] frame, int gsoType, int mss, WireError error) {
        frames.clear();
        assertThat(segmenter.segment(ByteBuffer.wrap(frame.clone()), 0, frame.length, gsoType, mss, collect))
                .isEqualTo(error);
        assertThat(frames).isEmpty();
        assertThat(segmenter.segments()).isZero();
    }

    private static byte[] with(byte[] frame, int at, int value) {
        byte[] copy = frame.clone();
        copy[at] = (byte) value;
        return copy;
    }

    static byte[] hex(String... lines) {
        return HexFormat.ofDelimiter(" ").parseHex(String.join(" ", lines));
    }
}
