package io.vnet4j.wire.offload;

import io.vnet4j.wire.WireError;
import io.vnet4j.wire.WireView;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Flyweight view of a {@code struct virtio_net_hdr} followed by the Ethernet frame it describes, as a
 * TAP device with {@code IFF_VNET_HDR} reads and writes them. The header is 10 bytes, or 12 with
 * num_buffers (TUNSETVNETHDRSZ); its 16-bit fields are little-endian (TAP on little-endian hosts,
 * modern virtio) unless the view is wrapped big-endian (TUNSETVNETBE). The buffer itself is big-endian
 * like every view's.
 */
public final class VirtioNetFrame extends WireView {
    /** Length of {@code struct virtio_net_hdr}: TAP's default. */
    public static final int HEADER_LENGTH = 10;
    /** Length of {@code struct virtio_net_hdr_mrg_rxbuf}: with num_buffers. */
    public static final int MERGEABLE_HEADER_LENGTH = 12;
    private static final int FLAGS = 0;
    private static final int GSO_TYPE = 1;
    private static final int HDR_LEN = 2;
    private static final int GSO_SIZE = 4;
    private static final int CSUM_START = 6;
    private static final int CSUM_OFFSET = 8;
    private static final int NUM_BUFFERS = 10;
    private static final int TCP_CHECKSUM_OFFSET = 16;
    private static final int TCP_MIN_HEADER = 20;

    private int headerLength = HEADER_LENGTH;
    private boolean littleEndian = true;

    /** Points the view at a 10-byte little-endian header and the frame after it, {@code length} bytes in all. */
    public VirtioNetFrame wrap(ByteBuffer buffer, int offset, int length) {
        return wrap(buffer, offset, length, HEADER_LENGTH, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Points the view at a header of {@code headerLength} bytes (10 or 12) whose fields are in
     * {@code fieldOrder}, and the frame after it; {@code length} covers both.
     */
    public VirtioNetFrame wrap(ByteBuffer buffer, int offset, int length, int headerLength, ByteOrder fieldOrder) {
        if (headerLength != HEADER_LENGTH && headerLength != MERGEABLE_HEADER_LENGTH) {
            throw new IllegalArgumentException("a virtio-net header is 10 or 12 bytes, not " + headerLength);
        }
        bind(buffer, offset, length);
        this.headerLength = headerLength;
        this.littleEndian = fieldOrder == ByteOrder.LITTLE_ENDIAN;
        return this;
    }

    /**
     * Checks what Linux's tun and virtio_net_hdr_to_skb check before trusting a header: the header is
     * present; the GSO type is none, TCPv4, UDP or TCPv6 (ECN only as a flag on one of the others);
     * a GSO type has a non-zero gso_size; hdr_len lies within the frame; with NEEDS_CSUM, the two
     * checksum bytes at csum_start + csum_offset lie within the frame. Never throws.
     */
    public WireError check() {
        if (len < headerLength) {
            return WireError.TRUNCATED;
        }
        int frameLength = frameLength();
        int kind = gsoType() & ~VirtioNetHeader.GSO_ECN;
        boolean gso = gsoType() != VirtioNetHeader.GSO_NONE;
        if (gso && kind != VirtioNetHeader.GSO_TCPV4 && kind != VirtioNetHeader.GSO_TCPV6
                && kind != VirtioNetHeader.GSO_UDP) {
            return WireError.UNSUPPORTED;
        }
        if (gso && gsoSize() == 0) {
            return WireError.BAD_LENGTH;
        }
        if (hdrLen() > frameLength) {
            return WireError.BAD_LENGTH;
        }
        if (needsCsum() && csumStart() + csumOffset() + 2 > frameLength) {
            return WireError.BAD_LENGTH;
        }
        return WireError.NONE;
    }

    /** The header's length: 10, or 12 with num_buffers. */
    public int headerLength() {
        return headerLength;
    }

    /** True when the 16-bit fields are little-endian. */
    public boolean littleEndian() {
        return littleEndian;
    }

    /** Absolute offset of the Ethernet frame after the header. */
    public int frameOffset() {
        return off + headerLength;
    }

    /** Length of the Ethernet frame after the header. */
    public int frameLength() {
        return len - headerLength;
    }

    public int flags() {
        return u8(FLAGS);
    }

    /** True when {@link VirtioNetHeader#F_NEEDS_CSUM} is set. */
    public boolean needsCsum() {
        return (flags() & VirtioNetHeader.F_NEEDS_CSUM) != 0;
    }

    /** True when {@link VirtioNetHeader#F_DATA_VALID} is set. */
    public boolean dataValid() {
        return (flags() & VirtioNetHeader.F_DATA_VALID) != 0;
    }

    /** The GSO type byte, ECN flag included. */
    public int gsoType() {
        return u8(GSO_TYPE);
    }

    /** The GSO type without the ECN flag. */
    public int gsoKind() {
        return gsoType() & ~VirtioNetHeader.GSO_ECN;
    }

    /** Length of the Ethernet, IP and TCP/UDP headers, a hint only (Linux does not trust it either). */
    public int hdrLen() {
        return field(HDR_LEN);
    }

    /** Payload bytes per segment of a super-frame. */
    public int gsoSize() {
        return field(GSO_SIZE);
    }

    /** Offset from the frame start where the partial checksum's coverage starts. */
    public int csumStart() {
        return field(CSUM_START);
    }

    /** Offset from csum_start where the checksum is stored. */
    public int csumOffset() {
        return field(CSUM_OFFSET);
    }

    /**
     * The segment size to hand a TCP frame with a partial checksum to a hub with (Port#deliver with a segment
     * size: ports that take large segments get it as it is, the hub cuts it for the others): a TSO frame's
     * gso_size, or for one whole segment with a partial TCP checksum its payload; 0 for anything else (lower it
     * with {@link SoftwareOffload}). After {@link #check}.
     */
    public int largeSegmentSize() {
        if (!needsCsum() || csumOffset() != TCP_CHECKSUM_OFFSET) {
            return 0;
        }
        int kind = gsoKind();
        if (kind == VirtioNetHeader.GSO_TCPV4 || kind == VirtioNetHeader.GSO_TCPV6) {
            return gsoSize();
        }
        if (kind != VirtioNetHeader.GSO_NONE) {
            return 0;
        }
        // one whole segment: a large segment that is cut into one, its payload (at most) the segment size
        int tcp = frameOffset() + csumStart();
        int end = frameOffset() + frameLength();
        if (tcp + TCP_MIN_HEADER > end) {
            return 0;
        }
        return Math.max(0, end - tcp - ((buffer().get(tcp + 12) & 0xFF) >>> 4) * 4);
    }

    /** num_buffers in the 12-byte form, 0 in the 10-byte form. */
    public int numBuffers() {
        return headerLength == MERGEABLE_HEADER_LENGTH ? field(NUM_BUFFERS) : 0;
    }

    public void setFlags(int flags) {
        put8(FLAGS, flags);
    }

    public void setGsoType(int gsoType) {
        put8(GSO_TYPE, gsoType);
    }

    public void setHdrLen(int hdrLen) {
        putField(HDR_LEN, hdrLen);
    }

    public void setGsoSize(int gsoSize) {
        putField(GSO_SIZE, gsoSize);
    }

    public void setCsumStart(int csumStart) {
        putField(CSUM_START, csumStart);
    }

    public void setCsumOffset(int csumOffset) {
        putField(CSUM_OFFSET, csumOffset);
    }

    /** Writes num_buffers; the view must have the 12-byte form. */
    public void setNumBuffers(int numBuffers) {
        if (headerLength != MERGEABLE_HEADER_LENGTH) {
            throw new IllegalStateException("num_buffers is only in the 12-byte header");
        }
        putField(NUM_BUFFERS, numBuffers);
    }

    private int field(int at) {
        int value = u16(at);
        return littleEndian ? Short.reverseBytes((short) value) & 0xFFFF : value;
    }

    private void putField(int at, int value) {
        put16(at, littleEndian ? Short.reverseBytes((short) value) : value);
    }
}
