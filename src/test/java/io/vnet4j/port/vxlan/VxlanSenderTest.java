package io.vnet4j.port.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.fabric.HubSegmentationTestFrames;
import io.vnet4j.wire.IpAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sending side on loopback: a frame as one datagram, a large TCP segment as datagrams of its segment size. */
class VxlanSenderTest {
    private static final int MSS = 1448;
    private static final int PIECE = 8 + 14 + 20 + 20 + MSS;

    /** Sends each frame (with its segment size) through one sender to a loopback peer; the datagrams it got. */
    private static List<byte[]> sendAndReceive(int expected, Object... framesAndSizes) throws Exception {
        return sendAndReceive(IpAddress.IPV4_LOOPBACK, expected, framesAndSizes);
    }

    /** The same to a peer on {@code loopback} (127.0.0.1 or ::1). */
    private static List<byte[]> sendAndReceive(IpAddress loopback, int expected, Object... framesAndSizes) throws Exception {
        try (DatagramChannel peer = DatagramChannel.open(loopback.isIpv4() ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6)) {
            peer.bind(new InetSocketAddress(loopback.toInetAddress(), 0));
            int port = ((InetSocketAddress) peer.getLocalAddress()).getPort();
            VxlanSender sender = new VxlanSender("t", 42, port, new int[] {0}, loopback.toInetAddress(), -1, Integer.MAX_VALUE);
            try {
                for (int i = 0; i < framesAndSizes.length; i += 2) {
                    ByteBuffer frame = (ByteBuffer) framesAndSizes[i];
                    assertThat(sender.send(frame, 0, frame.limit(), (Integer) framesAndSizes[i + 1], loopback, List.of()))
                            .isZero();
                }
                List<byte[]> got = new ArrayList<>();
                ByteBuffer in = ByteBuffer.allocate(65536);
                for (int i = 0; i < expected; i++) {
                    in.clear();
                    peer.receive(in);
                    byte[] d = new byte[in.position()];
                    in.flip().get(d);
                    got.add(d);
                }
                return got;
            } finally {
                sender.close();
            }
        }
    }

    @Test
    void aFrameLeavesAsOneDatagramBehindItsHeader() throws Exception {
        ByteBuffer frame = HubSegmentationTestFrames.tcpFrame(100);
        List<byte[]> got = sendAndReceive(1, frame, 0);
        assertThat(HexFormat.of().formatHex(got.getFirst(), 0, 8)).isEqualTo("0800000000002a00");
        assertThat(ByteBuffer.wrap(got.getFirst(), 8, frame.limit()).slice()).isEqualTo(frame.rewind());
    }

    @Test
    void anIpv6UnderlayCarriesFramesAndCutSegments() throws Exception {
        ByteBuffer frame = HubSegmentationTestFrames.tcpFrame(100);
        ByteBuffer big = HubSegmentationTestFrames.tcpFrame(4000);
        List<byte[]> got = sendAndReceive(IpAddress.IPV6_LOOPBACK, 4, frame, 0, big, MSS);
        assertThat(got).extracting(d -> d.length).containsExactly(8 + frame.limit(), PIECE, PIECE, 8 + 54 + 4000 - 2 * MSS);
        assertThat(ByteBuffer.wrap(got.getFirst(), 8, frame.limit()).slice()).isEqualTo(frame.rewind());
    }

    @Test
    void aLargeSegmentLeavesCutIntoDatagramsOfItsSegmentSizeTheLastShorter() throws Exception {
        ByteBuffer big = HubSegmentationTestFrames.tcpFrame(4000);
        // then a frame longer than the batch's datagrams: the socket's UDP_SEGMENT must not cut it
        ByteBuffer jumbo = HubSegmentationTestFrames.tcpFrame(3000);
        List<byte[]> got = sendAndReceive(4, big, MSS, jumbo, 0);
        assertThat(got).extracting(d -> d.length).containsExactly(PIECE, PIECE, 8 + 54 + 4000 - 2 * MSS, 8 + 54 + 3000);
        long sequence = ByteBuffer.wrap(got.get(0)).getInt(8 + 14 + 20 + 4) & 0xFFFF_FFFFL;
        for (int i = 0; i < 3; i++) {
            ByteBuffer d = ByteBuffer.wrap(got.get(i));
            assertThat(d.getInt(0)).isEqualTo(0x0800_0000);
            assertThat(d.getInt(4) >>> 8).isEqualTo(42);
            assertThat(d.getInt(8 + 14 + 20 + 4) & 0xFFFF_FFFFL).as("sequence of piece " + i).isEqualTo(sequence + (long) i * MSS);
        }
    }
}
