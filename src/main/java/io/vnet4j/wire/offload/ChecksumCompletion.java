package io.vnet4j.wire.offload;

import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;

/**
 * Completes a partial checksum (virtio's NEEDS_CSUM, Linux's CHECKSUM_PARTIAL) as Linux's
 * skb_checksum_help does: the sender left the pseudo-header sum, not complemented, in the checksum
 * field; the checksum is the complemented sum of everything from csum_start to the end of the frame,
 * that field included. A result of zero is stored as 0xffff (CSUM_MANGLED_0), which is the same value
 * in one's complement and keeps a UDP checksum from reading as "none".
 */
public final class ChecksumCompletion {
    private ChecksumCompletion() {}

    /**
     * Completes the checksum of the frame behind a checked header when it has NEEDS_CSUM and no GSO
     * (a super-frame gets full checksums from {@link TcpSegmenter}). Returns {@link WireError#NONE}
     * when done or when there was nothing to do, else what {@link VirtioNetFrame#check()} reports or
     * {@link WireError#UNSUPPORTED} for a GSO frame; nothing is written on error.
     */
    public static WireError complete(VirtioNetFrame vnet) {
        WireError error = vnet.check();
        if (error != WireError.NONE) {
            return error;
        }
        if (!vnet.needsCsum()) {
            return WireError.NONE;
        }
        if (vnet.gsoType() != VirtioNetHeader.GSO_NONE) {
            return WireError.UNSUPPORTED;
        }
        return complete(vnet.buffer(), vnet.frameOffset(), vnet.frameLength(), vnet.csumStart(), vnet.csumOffset());
    }

    /**
     * Completes the checksum of {@code length} frame bytes from absolute {@code offset}: sums from
     * {@code csumStart} (relative to the frame) to the frame end and stores the result at
     * {@code csumStart + csumOffset}. Returns {@link WireError#BAD_LENGTH}, writing nothing, when the
     * field does not lie within the frame.
     */
    public static WireError complete(ByteBuffer buf, int offset, int length, int csumStart, int csumOffset) {
        if (csumStart < 0 || csumOffset < 0 || length < 0 || (long) csumStart + csumOffset + 2 > length
                || (long) offset + length > buf.limit() || offset < 0) {
            return WireError.BAD_LENGTH;
        }
        int start = offset + csumStart;
        buf.putShort(start + csumOffset, (short) Checksum.finishNonZero(Checksum.sum(buf, start, offset + length - start)));
        return WireError.NONE;
    }
}
