package io.vnet4j.wire.offload;

import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSegment;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;

/**
 * Software TCP segmentation offload: cuts a TSO super-frame (Ethernet, optionally one 802.1Q tag,
 * IPv4 or IPv6, TCP, up to 64 KiB of payload) into frames carrying at most {@code mss} payload bytes,
 * the way Linux's tcp_gso_segment and inet_gso_segment / ipv6_gso_segment shape them:
 * <ul>
 *   <li>every segment repeats the Ethernet, IP (options included) and TCP (options included) headers;</li>
 *   <li>IPv4: total length per segment, identification incremented per segment (the first keeps the
 *       super-frame's), header checksum recomputed; IPv6: payload length per segment;</li>
 *   <li>TCP: sequence number advanced by the payload before it; FIN and PSH only on the last segment,
 *       CWR only on the first; every other field (ACK, window, urgent pointer, options) copied;</li>
 *   <li>a full TCP checksum over the pseudo-header and segment; the super-frame's checksum field (a
 *       partial pseudo-header sum, or anything) and its IPv4 header checksum are not trusted or needed.</li>
 * </ul>
 * A super-frame whose payload fits in one segment comes out as one frame with its checksums filled.
 * Everything is checked before the first frame goes out: on any error nothing is emitted.
 * Not handled (reported as {@link WireError#UNSUPPORTED}): IPv6 extension headers and jumbograms,
 * IPv4 fragments, stacked VLAN tags, UDP fragmentation offload (GSO type UDP).
 *
 * <p>One output buffer, allocated once, is reused for every frame: no allocation per segment. Not thread-safe.
 */
public final class TcpSegmenter {
    /** Largest frame in or out: a tagged Ethernet header, an IPv6 header and 65535 bytes of IPv6 payload. */
    public static final int MAX_FRAME_LENGTH = EthernetFrame.TAGGED_HEADER_LENGTH + 40 + 0xFFFF;
    private static final int IPV6_HEADER_LENGTH = 40;
    private static final int IPV6_PAYLOAD_LENGTH = 4;
    private static final int IPV6_NEXT_HEADER = 6;
    private static final int IPV6_ADDRESSES = 8;
    private static final int TCP_OFFSET_FLAGS = 12;
    /** The byte holding CWR, ECE, URG, ACK, PSH, RST, SYN, FIN: the only one written, so NS and reserved bits stay as sent. */
    private static final int TCP_FLAGS = 13;

    private final ByteBuffer out = ByteBuffer.allocate(MAX_FRAME_LENGTH);
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final Ipv4Packet outIp = new Ipv4Packet();
    private final TcpSegment outTcp = new TcpSegment();
    private int segments;

    /** Number of frames the last call emitted (0 after an error). */
    public int segments() {
        return segments;
    }

    /**
     * Segments the frame behind a virtio-net header whose GSO type is TCPv4 or TCPv6 (ECN flag allowed),
     * using its gso_size as the MSS. The header must pass {@link VirtioNetFrame#check()}.
     */
    public WireError segment(VirtioNetFrame vnet, FrameSink sink) {
        segments = 0;
        WireError error = vnet.check();
        if (error != WireError.NONE) {
            return error;
        }
        return segment(vnet.buffer(), vnet.frameOffset(), vnet.frameLength(), vnet.gsoType(), vnet.gsoSize(), sink);
    }

    /**
     * Segments a large TCP segment as hubs carry it (a frame and its segment size, no virtio-net header):
     * TCPv4 or TCPv6 by the frame's EtherType; see the full form.
     */
    public WireError segment(ByteBuffer buf, int offset, int length, int mss, FrameSink sink) {
        int etherType = eth.wrap(buf, offset, length).check() == WireError.NONE ? eth.etherType() : -1;
        int gsoType = etherType == EtherType.IPV6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4;
        return segment(buf, offset, length, gsoType, mss, sink);
    }

    /**
     * Segments {@code length} frame bytes from absolute {@code offset} of a big-endian buffer.
     * {@code gsoType} is {@link VirtioNetHeader#GSO_TCPV4} or {@link VirtioNetHeader#GSO_TCPV6}, optionally
     * with {@link VirtioNetHeader#GSO_ECN}; {@code mss} (gso_size) must be at least 1. The frame handed to
     * {@code sink} is in this segmenter's buffer at offset 0 and is overwritten by the next one.
     */
    public WireError segment(ByteBuffer buf, int offset, int length, int gsoType, int mss, FrameSink sink) {
        segments = 0;
        if (offset < 0 || length < 0 || (long) offset + length > buf.limit()) {
            return WireError.BAD_LENGTH;
        }
        if (mss < 1) {
            return WireError.BAD_LENGTH;
        }
        int kind = gsoType & ~VirtioNetHeader.GSO_ECN;
        boolean v4 = kind == VirtioNetHeader.GSO_TCPV4;
        if (!v4 && kind != VirtioNetHeader.GSO_TCPV6) {
            return WireError.UNSUPPORTED;
        }
        WireError error = eth.wrap(buf, offset, length).check();
        if (error != WireError.NONE) {
            return error;
        }
        if (eth.etherType() != (v4 ? EtherType.IPV4 : EtherType.IPV6)) {
            return WireError.UNSUPPORTED;
        }
        int l3 = eth.payloadOffset();
        int available = eth.payloadLength();
        int ipHeaderLength;
        int ipLength;
        if (v4) {
            if (available < Ipv4Packet.MIN_HEADER_LENGTH) {
                return WireError.TRUNCATED;
            }
            ip.wrap(buf, l3, available);
            if (ip.version() != 4) {
                return WireError.BAD_VERSION;
            }
            ipHeaderLength = ip.headerLength();
            ipLength = ip.totalLength();
            if (ipHeaderLength < Ipv4Packet.MIN_HEADER_LENGTH || ipLength < ipHeaderLength || ipLength > available) {
                return WireError.BAD_LENGTH;
            }
            if (ip.protocol() != IpProtocol.TCP || ip.moreFragments() || ip.fragmentOffset() != 0) {
                return WireError.UNSUPPORTED;
            }
        } else {
            if (available < IPV6_HEADER_LENGTH) {
                return WireError.TRUNCATED;
            }
            if ((buf.get(l3) & 0xF0) != 0x60) {
                return WireError.BAD_VERSION;
            }
            int payloadLength = buf.getShort(l3 + IPV6_PAYLOAD_LENGTH) & 0xFFFF;
            if (payloadLength == 0 || (buf.get(l3 + IPV6_NEXT_HEADER) & 0xFF) != IpProtocol.TCP) {
                return WireError.UNSUPPORTED;
            }
            ipHeaderLength = IPV6_HEADER_LENGTH;
            ipLength = IPV6_HEADER_LENGTH + payloadLength;
            if (ipLength > available) {
                return WireError.BAD_LENGTH;
            }
        }
        int l4 = l3 + ipHeaderLength;
        int tcpAvailable = ipLength - ipHeaderLength;
        if (tcpAvailable < TcpSegment.MIN_HEADER_LENGTH) {
            return WireError.TRUNCATED;
        }
        int tcpHeaderLength = (buf.get(l4 + TCP_OFFSET_FLAGS) & 0xF0) >>> 2;
        if (tcpHeaderLength < TcpSegment.MIN_HEADER_LENGTH || tcpHeaderLength > tcpAvailable) {
            return WireError.BAD_LENGTH;
        }
        emit(buf, offset, l3 - offset, ipHeaderLength, tcpHeaderLength, tcpAvailable - tcpHeaderLength, v4, mss, sink);
        return WireError.NONE;
    }

    /** Writes the headers once, then per segment patches the fields that differ, copies the payload and emits. */
    private void emit(ByteBuffer buf, int offset, int l2, int l3Length, int l4Length, int payload, boolean v4,
                      int mss, FrameSink sink) {
        int headers = l2 + l3Length + l4Length;
        out.put(0, buf, offset, headers);
        outIp.wrap(out, l2, l3Length);
        int identification = v4 ? outIp.identification() : 0;
        int tcpOffset = l2 + l3Length;
        outTcp.wrap(out, tcpOffset, l4Length);
        int sequence = outTcp.sequenceNumber();
        int flagsByte = out.get(tcpOffset + TCP_FLAGS) & 0xFF;
        int source = v4 ? outIp.source() : 0;
        int destination = v4 ? outIp.destination() : 0;
        long v6Addresses = v4 ? 0 : Checksum.sum(out, l2 + IPV6_ADDRESSES, 32);
        int payloadStart = offset + headers;
        int done = 0;
        int index = 0;
        do {
            int size = Math.min(mss, payload - done);
            boolean last = done + size == payload;
            int segmentFlags = flagsByte;
            if (!last) {
                segmentFlags &= ~(TcpFlags.FIN | TcpFlags.PSH);
            }
            if (index > 0) {
                segmentFlags &= ~TcpFlags.CWR;
            }
            out.put(headers, buf, payloadStart + done, size);
            int tcpLength = l4Length + size;
            if (v4) {
                outIp.setTotalLength(l3Length + tcpLength);
                outIp.setIdentification(identification + index);
                outIp.fillChecksum();
            } else {
                out.putShort(l2 + IPV6_PAYLOAD_LENGTH, (short) tcpLength);
            }
            outTcp.wrap(out, tcpOffset, tcpLength);
            outTcp.setSequenceNumber(sequence + done);
            out.put(tcpOffset + TCP_FLAGS, (byte) segmentFlags);
            if (v4) {
                outTcp.fillChecksum(source, destination);
            } else {
                outTcp.setChecksum(0);
                outTcp.setChecksum(Checksum.finish(v6Addresses + IpProtocol.TCP + tcpLength
                        + Checksum.sum(out, tcpOffset, tcpLength)));
            }
            segments++;
            sink.accept(out, 0, headers + size);
            done += size;
            index++;
        } while (done < payload);
    }
}
