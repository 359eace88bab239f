package io.vnet4j.port.tap;

import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.offload.VirtioNetFrame;
import io.vnet4j.wire.offload.VirtioNetHeader;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Writes the virtio-net header in front of a frame going to a TAP with {@code vnet_hdr=on}: zeros for an
 * ordinary frame (its checksums are complete), and for a large TCP segment (IPv4 or IPv6 without extension
 * headers) a TSO header: NEEDS_CSUM, GSO TCPV4 or TCPV6, its segment size (at most what the interface's
 * MTU allows), and the pseudo-header sum in the TCP checksum field, as the kernel expects, so the kernel
 * takes the large segment in one write.
 */
final class GsoHeaderWriter {
    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int H = VirtioNetFrame.HEADER_LENGTH;
    private static final int ETH = 14;
    private static final int IPV6_HEADER = 40;
    private static final int TCP_CHECKSUM = 16;

    private GsoHeaderWriter() {}

    /**
     * Fills the header at 0 for the frame at {@value #H}: a TSO header when {@code segmentSize} > 0 and the
     * frame is a TCP segment, else all zeros.
     *
     * @param segmentSize the payload bytes per segment the frame was cut to where it came from (0: an
     *     ordinary frame)
     * @param mtu the interface's MTU, which bounds the segments the kernel cuts
     */
    static void write(MemorySegment buffer, int segmentSize, int mtu) {
        buffer.asSlice(0, H).fill((byte) 0);
        if (segmentSize <= 0) {
            return;
        }
        int ip = H + ETH;
        int etherType = Short.toUnsignedInt(buffer.get(BE16, H + 12));
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
        int tcp = ip + ipHeader;
        int tcpHeader = ((buffer.get(ValueLayout.JAVA_BYTE, tcp + 12) & 0xFF) >>> 4) * 4;
        buffer.set(BE16, tcp + TCP_CHECKSUM, (short) Checksum.fold(pseudo));
        buffer.set(ValueLayout.JAVA_BYTE, 0, (byte) VirtioNetHeader.F_NEEDS_CSUM);
        buffer.set(ValueLayout.JAVA_BYTE, 1, (byte) gsoType);
        buffer.set(LE16, 2, (short) (ETH + ipHeader + tcpHeader));
        buffer.set(LE16, 4, (short) Math.min(segmentSize, mtu - ipHeader - tcpHeader));
        buffer.set(LE16, 6, (short) (ETH + ipHeader));
        buffer.set(LE16, 8, (short) TCP_CHECKSUM);
    }
}
