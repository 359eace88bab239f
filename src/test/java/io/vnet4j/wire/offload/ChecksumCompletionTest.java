package io.vnet4j.wire.offload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.TcpSegment;
import io.vnet4j.wire.UdpPacket;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumCompletionTest {
    private static final int L4 = 34;
    private final VirtioNetFrame vnet = new VirtioNetFrame();

    @Test
    void completesAPartialTcpChecksumIntoTheGoldenOne() {
        byte[] golden = TcpSegmenterTest.TSO4_SEGMENTS[0];
        ByteBuffer in = VirtioNetFrameTest.poisoned(10 + golden.length);
        in.put(10, golden);
        leavePseudoHeaderSum(in, 10, golden.length, IpProtocol.TCP, 16);
        vnet.wrap(in, 0, in.capacity());
        new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, L4, 16, 0).emit(vnet);

        assertThat(ChecksumCompletion.complete(vnet)).isEqualTo(WireError.NONE);
        assertThat(Arrays.copyOfRange(in.array(), 10, in.capacity())).isEqualTo(golden);
    }

    @Test
    void completesTheGoldenIpv6Segment() {
        byte[] golden = TcpSegmenterTest.TSO6_SEGMENTS[1];
        ByteBuffer in = ByteBuffer.wrap(golden.clone());
        int tcpLength = golden.length - 54;
        long pseudo = Checksum.sum(in, 22, 32) + IpProtocol.TCP + tcpLength;
        in.putShort(54 + 16, (short) Checksum.fold(pseudo));
        assertThat(ChecksumCompletion.complete(in, 0, golden.length, 54, 16)).isEqualTo(WireError.NONE);
        assertThat(in.array()).isEqualTo(golden);
    }

    @Test
    void storesAZeroResultAsAllOnes() {
        // a UDP datagram whose last payload word is chosen so the checksum comes out 0
        ByteBuffer frame = udpFrame(new Random(3), 21);
        int end = frame.capacity();
        frame.putShort(end - 3, (short) 0);
        leavePseudoHeaderSum(frame, 0, end, IpProtocol.UDP, 6);
        int before = Checksum.finish(Checksum.sum(frame, L4, end - L4));
        frame.putShort(end - 3, (short) before);
        assertThat(Checksum.fold(Checksum.sum(frame, L4, end - L4))).isEqualTo(0xFFFF);

        assertThat(ChecksumCompletion.complete(frame, 0, end, L4, 6)).isEqualTo(WireError.NONE);
        assertThat(frame.getShort(L4 + 6) & 0xFFFF).isEqualTo(0xFFFF);
        UdpPacket udp = new UdpPacket().wrap(frame, L4, end - L4);
        assertThat(udp.checksumValid(frame.getInt(26), frame.getInt(30))).isTrue();
    }

    @Test
    void equalsAFullRecomputationForRandomTcpAndUdp() {
        Random random = new Random(0x1624);
        TcpSegment tcp = new TcpSegment();
        UdpPacket udp = new UdpPacket();
        for (int i = 0; i < 2_000; i++) {
            boolean isTcp = random.nextBoolean();
            int payload = random.nextInt(i < 1_000 ? 64 : 9_000);
            ByteBuffer frame = isTcp ? tcpFrame(random, payload) : udpFrame(random, payload);
            int length = frame.capacity();
            int source = frame.getInt(26);
            int destination = frame.getInt(30);
            int csumOffset = isTcp ? 16 : 6;
            if (isTcp) {
                tcp.wrap(frame, L4, length - L4).fillChecksum(source, destination);
            } else {
                udp.wrap(frame, L4, length - L4).fillChecksum(source, destination);
            }
            byte[] full = frame.array().clone();
            leavePseudoHeaderSum(frame, 0, length, isTcp ? IpProtocol.TCP : IpProtocol.UDP, csumOffset);

            assertThat(ChecksumCompletion.complete(frame, 0, length, L4, csumOffset)).isEqualTo(WireError.NONE);
            assertThat(frame.array()).isEqualTo(full);
        }
    }

    @Test
    void leavesAFrameWithoutNeedsCsumAlone() {
        byte[] golden = TcpSegmenterTest.TSO4_SEGMENTS[0];
        ByteBuffer in = ByteBuffer.allocate(10 + golden.length).put(10, golden);
        vnet.wrap(in, 0, in.capacity());
        new VirtioNetHeader(VirtioNetHeader.F_DATA_VALID, 0, 0, 0, L4, 16, 0).emit(vnet);
        byte[] before = in.array().clone();
        assertThat(ChecksumCompletion.complete(vnet)).isEqualTo(WireError.NONE);
        assertThat(in.array()).isEqualTo(before);
    }

    @Test
    void refusesASuperFrameOrABadHeaderAndWritesNothing() {
        byte[] golden = TcpSegmenterTest.TSO4_SUPER;
        ByteBuffer in = ByteBuffer.allocate(10 + golden.length).put(10, golden);
        vnet.wrap(in, 0, in.capacity());
        new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 66, 4, L4, 16, 0).emit(vnet);
        byte[] before = in.array().clone();
        assertThat(ChecksumCompletion.complete(vnet)).isEqualTo(WireError.UNSUPPORTED);
        new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, golden.length - 1, 0, 0).emit(vnet);
        before = in.array().clone();
        assertThat(ChecksumCompletion.complete(vnet)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(in.array()).isEqualTo(before);
    }

    @Test
    void refusesAFieldOrRangeOutsideTheFrame() {
        ByteBuffer buf = VirtioNetFrameTest.poisoned(100);
        byte[] before = buf.array().clone();
        assertThat(ChecksumCompletion.complete(buf, 0, 60, 34, 25)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(ChecksumCompletion.complete(buf, 0, 60, 59, 0)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(ChecksumCompletion.complete(buf, 0, 60, -1, 0)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(ChecksumCompletion.complete(buf, 0, 60, 0, -1)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(ChecksumCompletion.complete(buf, 50, 60, 0, 0)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(ChecksumCompletion.complete(buf, -1, 60, 0, 0)).isEqualTo(WireError.BAD_LENGTH);
        assertThat(ChecksumCompletion.complete(buf, 0, 60, Integer.MAX_VALUE, Integer.MAX_VALUE))
                .isEqualTo(WireError.BAD_LENGTH);
        assertThat(buf.array()).isEqualTo(before);
        assertThat(ChecksumCompletion.complete(buf, 40, 60, 58, 0)).isEqualTo(WireError.NONE);
    }

    @Test
    void randomHeadersAndFramesNeverThrow() {
        Random random = new Random(7);
        byte[] bytes = new byte[128];
        for (int i = 0; i < 20_000; i++) {
            random.nextBytes(bytes);
            int length = random.nextInt(bytes.length + 1);
            assertThatCode(() -> ChecksumCompletion.complete(vnet.wrap(ByteBuffer.wrap(bytes), 0, length)))
                    .doesNotThrowAnyException();
        }
    }

    /** Puts the folded pseudo-header sum, not complemented, in the checksum field, as a sender with offload does. */
    private static void leavePseudoHeaderSum(ByteBuffer frame, int at, int length, int protocol, int csumOffset) {
        long pseudo = Checksum.pseudoHeaderSum(frame.getInt(at + 26), frame.getInt(at + 30), protocol, length - L4);
        frame.putShort(at + L4 + csumOffset, (short) Checksum.fold(pseudo));
    }

    private static ByteBuffer tcpFrame(Random random, int payload) {
        ByteBuffer frame = ipv4Frame(random, IpProtocol.TCP, 20 + payload);
        frame.put(L4 + 12, (byte) 0x50);
        return frame;
    }

    private static ByteBuffer udpFrame(Random random, int payload) {
        ByteBuffer frame = ipv4Frame(random, IpProtocol.UDP, 8 + payload);
        frame.putShort(L4 + 4, (short) (8 + payload));
        return frame;
    }

    private static ByteBuffer ipv4Frame(Random random, int protocol, int l4Length) {
        byte[] bytes = new byte[L4 + l4Length];
        random.nextBytes(bytes);
        ByteBuffer frame = ByteBuffer.wrap(bytes);
        frame.putShort(12, (short) 0x0800);
        frame.put(14, (byte) 0x45);
        frame.putShort(16, (short) (20 + l4Length));
        frame.put(23, (byte) protocol);
        return frame;
    }
}
