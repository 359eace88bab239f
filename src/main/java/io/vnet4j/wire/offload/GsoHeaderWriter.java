package io.vnet4j.wire.offload;

import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IpProtocol;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Writes the virtio-net header of a frame going to a TAP with {@code vnet_hdr=on} or a virtio-net guest
 * (vhost-user): zeros for an ordinary frame (its checksums are complete), and for a large TCP segment (IPv4 or
 * IPv6 without extension headers, untagged or behind one 802.1Q tag) a TSO header: NEEDS_CSUM, GSO TCPV4 or TCPV6, its segment size (for a TAP
 * at most what the interface's MTU allows), hdr_len, csum_start and csum_offset, so the kernel takes the
 * large segment in one write (Linux's virtio_net_hdr_to_skb reads them).
 */
public final class GsoHeaderWriter {
    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int H = VirtioNetFrame.HEADER_LENGTH;
    private static final int ETH = 14;
    private static final int IPV6_HEADER = 40;
    private static final int TCP_CHECKSUM = 16;

    private GsoHeaderWriter() {}

    /**
     * For a TAP: fills the header at 0 for the frame at {@value #H}, and with a TSO header puts the
     * pseudo-header sum into the frame's TCP checksum field, as the kernel expects.
     *
     * @param segmentSize the payload bytes per segment the frame was cut to where it came from (0: an
     *     ordinary frame)
     * @param mtu the interface's MTU, which bounds the segments the kernel cuts
     */
    public static void write(MemorySegment buffer, int length, int segmentSize, int mtu) {
        write(buffer, 0, buffer, H, length, segmentSize, mtu, true);
    }

    /**
     * Fills the {@value #H} bytes of {@code header} at {@code headerAt} for the frame at {@code frameAt} of
     * {@code frame}, which is only read: a large segment's TCP checksum field already holds the pseudo-header
     * sum (Port#deliver with a segment size). The segment size is given as it is.
     */
    public static void describe(MemorySegment header, long headerAt, MemorySegment frame, long frameAt, int length,
                                int segmentSize) {
        write(header, headerAt, frame, frameAt, length, segmentSize, Integer.MAX_VALUE, false);
    }

    /**
     * A TSO header when {@code segmentSize} > 0 and the frame is a TCP segment, else all zeros; with
     * {@code setChecksum} the pseudo-header sum is written into the frame's TCP checksum field.
     */
    private static void write(MemorySegment header, long headerAt, MemorySegment buffer, long frameAt, int length,
                              int segmentSize, int mtu, boolean setChecksum) {
        header.asSlice(headerAt, H).fill((byte) 0);
        if (segmentSize <= 0 || length < EthernetFrame.TAGGED_HEADER_LENGTH + IPV6_HEADER) { // what is read before the checks below
            return;
        }
        int etherType = Short.toUnsignedInt(buffer.get(BE16, frameAt + 12));
        int l2 = ETH;
        if (etherType == EtherType.VLAN) { // one 802.1Q tag, as TcpSegmenter takes: the IP header starts after it
            etherType = Short.toUnsignedInt(buffer.get(BE16, frameAt + 16));
            l2 = EthernetFrame.TAGGED_HEADER_LENGTH;
        }
        long ip = frameAt + l2;
        int ipHeader;
        int tcpLength;
        long pseudo;
        int gsoType;
        if (etherType == EtherType.IPV4) {
            ipHeader = (buffer.get(ValueLayout.JAVA_BYTE, ip) & 0x0F) * 4;
            if (ipHeader < 20 || (buffer.get(ValueLayout.JAVA_BYTE, ip + 9) & 0xFF) != IpProtocol.TCP) {
                return;
            }
            tcpLength = Short.toUnsignedInt(buffer.get(BE16, ip + 2)) - ipHeader;
            pseudo = Checksum.pseudoHeaderSum(buffer.get(BE32, ip + 12), buffer.get(BE32, ip + 16), IpProtocol.TCP,
                    tcpLength);
            gsoType = VirtioNetHeader.GSO_TCPV4;
        } else if (etherType == EtherType.IPV6) {
            if ((buffer.get(ValueLayout.JAVA_BYTE, ip + 6) & 0xFF) != IpProtocol.TCP) {
                return;
            }
            ipHeader = IPV6_HEADER;
            tcpLength = Short.toUnsignedInt(buffer.get(BE16, ip + 4));
            pseudo = IpProtocol.TCP + tcpLength;
            for (int i = 8; i < IPV6_HEADER; i += 2) {
                pseudo += Short.toUnsignedInt(buffer.get(BE16, ip + i));
            }
            gsoType = VirtioNetHeader.GSO_TCPV6;
        } else {
            return;
        }
        long tcp = ip + ipHeader;
        if (l2 + ipHeader + 20 > length) { // lengths that lie: the frame goes with a header of zeros, as it came
            return;
        }
        int tcpHeader = ((buffer.get(ValueLayout.JAVA_BYTE, tcp + 12) & 0xFF) >>> 4) * 4;
        int fit = Math.min(segmentSize, mtu - ipHeader - tcpHeader);
        if (tcpHeader < 20 || l2 + ipHeader + tcpHeader > length || fit < 1) { // fit < 1: headers alone fill the MTU
            return;
        }
        if (setChecksum) {
            buffer.set(BE16, tcp + TCP_CHECKSUM, (short) Checksum.fold(pseudo));
        }
        header.set(ValueLayout.JAVA_BYTE, headerAt, (byte) VirtioNetHeader.F_NEEDS_CSUM);
        header.set(ValueLayout.JAVA_BYTE, headerAt + 1, (byte) gsoType);
        header.set(LE16, headerAt + 2, (short) (l2 + ipHeader + tcpHeader));
        header.set(LE16, headerAt + 4, (short) fit);
        header.set(LE16, headerAt + 6, (short) (l2 + ipHeader));
        header.set(LE16, headerAt + 8, (short) TCP_CHECKSUM);
    }
}
