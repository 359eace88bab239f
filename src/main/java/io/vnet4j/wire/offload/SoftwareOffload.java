package io.vnet4j.wire.offload;

import io.vnet4j.wire.WireError;

/**
 * Turns a frame read from an offloading TAP device (virtio-net header first) into what a peer without
 * offloads can take: a TCP super-frame becomes MSS-sized segments with full checksums; a frame with a
 * partial checksum gets it completed; any other frame passes as it is. The frames reach the sink
 * without the virtio-net header. Not thread-safe (one {@link TcpSegmenter} buffer inside).
 */
public final class SoftwareOffload {
    private final TcpSegmenter segmenter = new TcpSegmenter();

    /**
     * Checks the header and emits the frame or its segments. A partial checksum is completed in place
     * and NEEDS_CSUM is cleared in the header, so the header stays true for anyone who reads it after.
     * Returns a {@link WireError} and emits nothing when the header or a super-frame does not check
     * out; UDP fragmentation offload (GSO type UDP) is {@link WireError#UNSUPPORTED}.
     */
    public WireError lower(VirtioNetFrame vnet, FrameSink sink) {
        WireError error = vnet.check();
        if (error != WireError.NONE) {
            return error;
        }
        int kind = vnet.gsoKind();
        if (kind == VirtioNetHeader.GSO_TCPV4 || kind == VirtioNetHeader.GSO_TCPV6) {
            return segmenter.segment(vnet, sink);
        }
        if (kind != VirtioNetHeader.GSO_NONE) {
            return WireError.UNSUPPORTED;
        }
        if (vnet.needsCsum()) {
            error = ChecksumCompletion.complete(vnet);
            if (error != WireError.NONE) {
                return error;
            }
            vnet.setFlags(vnet.flags() & ~VirtioNetHeader.F_NEEDS_CSUM);
        }
        sink.accept(vnet.buffer(), vnet.frameOffset(), vnet.frameLength());
        return WireError.NONE;
    }
}
