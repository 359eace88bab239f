package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.TcpSegment;
import io.vnet4j.wire.WireError;
import io.vnet4j.wire.offload.ChecksumCompletion;
import io.vnet4j.wire.offload.SoftwareOffload;
import io.vnet4j.wire.offload.TcpSegmenter;
import io.vnet4j.wire.offload.VirtioNetFrame;
import io.vnet4j.wire.offload.VirtioNetHeader;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What a TAP with IFF_VNET_HDR hands over: one selector byte (bit 0: the 12-byte header, bit 1:
 * big-endian fields), then a virtio-net header and its frame. The view's check never throws and the
 * header record parses, emits and parses again to the same value. {@link SoftwareOffload#lower} (checksum
 * completion, TSO) never throws, and when it accepts an IPv4 super-frame every segment it emits is a
 * checked IPv4 packet whose TCP checksum verifies, with at most gso_size payload bytes, consecutive
 * sequence numbers and, all together, exactly the super-frame's payload. {@link ChecksumCompletion}
 * called with the header's raw offsets never throws and writes only inside the frame.
 */
class VirtioNetFuzzTest {
    private final VirtioNetFrame vnet = new VirtioNetFrame();
    private final SoftwareOffload offload = new SoftwareOffload();
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final TcpSegment tcp = new TcpSegment();

    @FuzzTest
    void offloadsEmitCheckedSegmentsOfTheSamePayload(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int headerLength = (input[0] & 1) == 0 ? VirtioNetFrame.HEADER_LENGTH : VirtioNetFrame.MERGEABLE_HEADER_LENGTH;
        ByteOrder order = (input[0] & 2) == 0 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        int length = input.length - 1;
        ByteBuffer buf = ByteBuffer.wrap(input.clone());
        vnet.wrap(buf, 1, length, headerLength, order);
        WireError error = vnet.check();
        if (length >= headerLength) {
            VirtioNetHeader header = VirtioNetHeader.parse(vnet);
            VirtioNetFrame copy = new VirtioNetFrame().wrap(ByteBuffer.allocate(headerLength), 0, headerLength,
                    headerLength, order);
            header.emit(copy);
            assertThat(VirtioNetHeader.parse(copy)).isEqualTo(header);
            completeWithinTheFrame(input, headerLength, header);
        }
        if (error != WireError.NONE) {
            return;
        }
        boolean tso4 = vnet.gsoKind() == VirtioNetHeader.GSO_TCPV4;
        int mss = vnet.gsoSize();
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        int[] nextSequence = {0};
        int[] segments = {0};
        WireError lowered = offload.lower(vnet, (frame, offset, frameLength) -> {
            assertThat(frameLength).isBetween(0, TcpSegmenter.MAX_FRAME_LENGTH);
            if (tso4) {
                checkSegment(frame, offset, frameLength, mss, payload, nextSequence, segments[0]++);
            }
        });
        if (lowered == WireError.NONE && tso4) {
            assertThat(payload.toByteArray()).isEqualTo(superFramePayload(input, headerLength));
        }
    }

    /** One TSO segment: checked IPv4, valid TCP checksum, at most {@code mss} bytes, in sequence. */
    private void checkSegment(ByteBuffer frame, int offset, int length, int mss, ByteArrayOutputStream payload,
                              int[] nextSequence, int index) {
        assertThat(eth.wrap(frame, offset, length).check()).isEqualTo(WireError.NONE);
        assertThat(eth.etherType()).isEqualTo(EtherType.IPV4);
        assertThat(ip.wrap(frame, eth.payloadOffset(), eth.payloadLength()).check()).isEqualTo(WireError.NONE);
        assertThat(ip.payloadOffset() + ip.payloadLength()).isEqualTo(offset + length);
        tcp.wrap(frame, ip.payloadOffset(), ip.payloadLength());
        assertThat(tcp.checksumValid(ip.source(), ip.destination())).isTrue();
        assertThat(tcp.payloadLength()).isBetween(0, mss);
        if (index > 0) {
            assertThat(tcp.sequenceNumber()).isEqualTo(nextSequence[0]);
        }
        nextSequence[0] = tcp.sequenceNumber() + tcp.payloadLength();
        byte[] bytes = new byte[tcp.payloadLength()];
        frame.get(tcp.payloadOffset(), bytes);
        payload.writeBytes(bytes);
    }

    /** The TCP payload of the super-frame as it came in (the view has passed the segmenter's checks). */
    private byte[] superFramePayload(byte[] input, int headerLength) {
        ByteBuffer original = ByteBuffer.wrap(input);
        eth.wrap(original, 1 + headerLength, input.length - 1 - headerLength);
        ip.wrap(original, eth.payloadOffset(), eth.payloadLength());
        int tcpOffset = ip.payloadOffset();
        int tcpHeader = (original.get(tcpOffset + 12) & 0xF0) >>> 2;
        byte[] bytes = new byte[ip.totalLength() - ip.headerLength() - tcpHeader];
        original.get(tcpOffset + tcpHeader, bytes);
        return bytes;
    }

    /** Completion with the header's raw offsets on a copy: never throws, nothing changes outside the frame. */
    private static void completeWithinTheFrame(byte[] input, int headerLength, VirtioNetHeader header) {
        byte[] copy = input.clone();
        int frame = 1 + headerLength;
        int frameLength = input.length - frame;
        WireError error = ChecksumCompletion.complete(ByteBuffer.wrap(copy), frame, frameLength, header.csumStart(),
                header.csumOffset());
        for (int i = 0; i < frame; i++) {
            assertThat(copy[i]).isEqualTo(input[i]);
        }
        if (error != WireError.NONE) {
            assertThat(copy).isEqualTo(input);
        }
    }
}
