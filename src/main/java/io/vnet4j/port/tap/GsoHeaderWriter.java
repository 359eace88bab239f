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
 * ordinary frame (its checksums are complete), and for an IPv4 TCP segment larger than the interface's MTU
 * a TSO header (NEEDS_CSUM, GSO TCPV4, segment size from the MTU) with the pseudo-header sum in the TCP
 * checksum field, as the kernel expects, so the kernel takes the large segment in one write.
 */
final class GsoHeaderWriter {
    private static final ValueLayout.OfShort LE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort BE16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt BE32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int H = VirtioNetFrame.HEADER_LENGTH;
    private static final int ETH = 14;
    private static final int TCP_CHECKSUM = 16;

    private GsoHeaderWriter() {}

    /**
     * Fills the header at 0 for the frame at {@value #H}; {@code mtu} > 0 asks for a TSO header when the
     * frame is an IPv4 TCP segment (else, and for any other frame, the header stays all zeros).
     */
    static void write(MemorySegment buffer, int mtu) {
        buffer.asSlice(0, H).fill((byte) 0);
        if (mtu <= 0 || Short.toUnsignedInt(buffer.get(BE16, H + 12)) != EtherType.IPV4) {
            return;
        }
        int ip = H + ETH;
        int ihl = (buffer.get(ValueLayout.JAVA_BYTE, ip) & 0x0F) * 4;
        if (ihl < 20 || (buffer.get(ValueLayout.JAVA_BYTE, ip + 9) & 0xFF) != IpProtocol.TCP) {
            return;
        }
        int tcp = ip + ihl;
        int doff = ((buffer.get(ValueLayout.JAVA_BYTE, tcp + 12) & 0xFF) >>> 4) * 4;
        int tcpLength = Short.toUnsignedInt(buffer.get(BE16, ip + 2)) - ihl;
        long pseudo = Checksum.pseudoHeaderSum(buffer.get(BE32, ip + 12), buffer.get(BE32, ip + 16), IpProtocol.TCP,
                tcpLength);
        buffer.set(BE16, tcp + TCP_CHECKSUM, (short) Checksum.fold(pseudo));
        buffer.set(ValueLayout.JAVA_BYTE, 0, (byte) VirtioNetHeader.F_NEEDS_CSUM);
        buffer.set(ValueLayout.JAVA_BYTE, 1, (byte) VirtioNetHeader.GSO_TCPV4);
        buffer.set(LE16, 2, (short) (ETH + ihl + doff));
        buffer.set(LE16, 4, (short) (mtu - ihl - doff));
        buffer.set(LE16, 6, (short) (ETH + ihl));
        buffer.set(LE16, 8, (short) TCP_CHECKSUM);
    }
}
