package io.vnet4j.wire.offload;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoftwareOffloadTest {
    private final SoftwareOffload offload = new SoftwareOffload();
    private final VirtioNetFrame vnet = new VirtioNetFrame();
    private final List<byte[]> frames = new ArrayList<>();
    private final FrameSink collect = (frame, offset, length) ->
            frames.add(Arrays.copyOfRange(frame.array(), offset, offset + length));

    @Test
    void segmentsASuperFrame() {
        ByteBuffer in = withHeader(TcpSegmenterTest.TSO4_SUPER,
                new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV4, 66, 4, 34, 16, 0));
        assertThat(offload.lower(vnet.wrap(in, 0, in.capacity()), collect)).isEqualTo(WireError.NONE);
        assertThat(frames).containsExactly(TcpSegmenterTest.TSO4_SEGMENTS);
    }

    @Test
    void completesAPartialChecksumAndClearsNeedsCsum() {
        byte[] golden = TcpSegmenterTest.TSO6_SEGMENTS[0];
        byte[] partial = golden.clone();
        ByteBuffer p = ByteBuffer.wrap(partial);
        p.putShort(54 + 16, (short) Checksum.fold(Checksum.sum(p, 22, 32) + IpProtocol.TCP + golden.length - 54));
        ByteBuffer in = withHeader(partial, new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, 54, 16, 0));
        assertThat(offload.lower(vnet.wrap(in, 0, in.capacity()), collect)).isEqualTo(WireError.NONE);
        assertThat(frames).containsExactly(golden);
        assertThat(vnet.flags()).isZero();
    }

    @Test
    void passesAPlainFrameAsItIs() {
        byte[] frame = TcpSegmenterTest.TSO4_SUPER;
        ByteBuffer in = withHeader(frame, new VirtioNetHeader(VirtioNetHeader.F_DATA_VALID, 0, 0, 0, 0, 0, 0));
        assertThat(offload.lower(vnet.wrap(in, 0, in.capacity()), collect)).isEqualTo(WireError.NONE);
        assertThat(frames).containsExactly(frame);
    }

    @Test
    void reportsUdpFragmentationOffloadAndBadHeadersAndEmitsNothing() {
        ByteBuffer in = withHeader(TcpSegmenterTest.TSO4_SUPER,
                new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP, 42, 1472, 34, 6, 0));
        assertThat(offload.lower(vnet.wrap(in, 0, in.capacity()), collect)).isEqualTo(WireError.UNSUPPORTED);
        new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, 0, 0, 0, 34, 0xffff, 0).emit(vnet);
        assertThat(offload.lower(vnet, collect)).isEqualTo(WireError.BAD_LENGTH);
        new VirtioNetHeader(VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV6, 66, 4, 34, 16, 0).emit(vnet);
        assertThat(offload.lower(vnet, collect)).isEqualTo(WireError.UNSUPPORTED);
        assertThat(offload.lower(vnet.wrap(in, 0, 9), collect)).isEqualTo(WireError.TRUNCATED);
        assertThat(frames).isEmpty();
    }

    private static ByteBuffer withHeader(byte[] frame, VirtioNetHeader header) {
        ByteBuffer in = ByteBuffer.allocate(10 + frame.length).put(10, frame);
        header.emit(new VirtioNetFrame().wrap(in, 0, in.capacity()));
        return in;
    }
}
