package io.vnet4j.wire.offload;

/**
 * Value form of {@code struct virtio_net_hdr} (Linux include/uapi/linux/virtio_net.h), named after its
 * fields: the header a TAP device opened with {@code IFF_VNET_HDR} puts before every frame. Offsets
 * ({@code csumStart}, {@code hdrLen}) count from the Ethernet header, not from this header.
 * {@code numBuffers} is only on the wire in the 12-byte form (mergeable receive buffers).
 */
public record VirtioNetHeader(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset,
                              int numBuffers) {
    /** {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}: the checksum from csum_start is partial, store it at csum_start + csum_offset. */
    public static final int F_NEEDS_CSUM = 1;
    /** {@code VIRTIO_NET_HDR_F_DATA_VALID}: the checksums were verified. */
    public static final int F_DATA_VALID = 2;
    /** {@code VIRTIO_NET_HDR_GSO_NONE}: not a super-frame. */
    public static final int GSO_NONE = 0;
    /** {@code VIRTIO_NET_HDR_GSO_TCPV4}: IPv4 TCP, cut into segments of at most gso_size payload bytes. */
    public static final int GSO_TCPV4 = 1;
    /** {@code VIRTIO_NET_HDR_GSO_UDP}: IPv4 UDP fragmentation offload (UFO). */
    public static final int GSO_UDP = 3;
    /** {@code VIRTIO_NET_HDR_GSO_TCPV6}: IPv6 TCP. */
    public static final int GSO_TCPV6 = 4;
    /** {@code VIRTIO_NET_HDR_GSO_ECN}: a flag on the GSO type, the TCP stream uses ECN (CWR may be set). */
    public static final int GSO_ECN = 0x80;

    /** The header of a plain frame: no flags, no GSO. */
    public static final VirtioNetHeader NONE = new VirtioNetHeader(0, GSO_NONE, 0, 0, 0, 0, 0);

    /** Reads every field of a view (whether or not it passed {@link VirtioNetFrame#check()}); numBuffers is 0 in the 10-byte form. */
    public static VirtioNetHeader parse(VirtioNetFrame vnet) {
        return new VirtioNetHeader(vnet.flags(), vnet.gsoType(), vnet.hdrLen(), vnet.gsoSize(),
                vnet.csumStart(), vnet.csumOffset(), vnet.numBuffers());
    }

    /** Writes every field in the view's byte order; numBuffers only when the view has the 12-byte form. */
    public void emit(VirtioNetFrame vnet) {
        vnet.setFlags(flags);
        vnet.setGsoType(gsoType);
        vnet.setHdrLen(hdrLen);
        vnet.setGsoSize(gsoSize);
        vnet.setCsumStart(csumStart);
        vnet.setCsumOffset(csumOffset);
        if (vnet.headerLength() == VirtioNetFrame.MERGEABLE_HEADER_LENGTH) {
            vnet.setNumBuffers(numBuffers);
        }
    }

    /** True when {@link #F_NEEDS_CSUM} is set. */
    public boolean needsCsum() {
        return (flags & F_NEEDS_CSUM) != 0;
    }

    /** The GSO type without the ECN flag. */
    public int gsoKind() {
        return gsoType & ~GSO_ECN;
    }
}
