package io.vnet4j.wire.offload;

import java.util.Arrays;
import java.util.HexFormat;

/** What a {@link TcpCoalescer}'s sink got, for tests: a copy of the frame, and its segment size (0: an ordinary frame). */
public record CoalescedFrame(byte[] frame, int segmentSize) {
    @Override
    public boolean equals(Object o) {
        return o instanceof CoalescedFrame other && Arrays.equals(frame, other.frame) && segmentSize == other.segmentSize;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(frame) * 31 + segmentSize;
    }

    @Override
    public String toString() {
        String hex = HexFormat.ofDelimiter(" ").formatHex(frame, 0, Math.min(frame.length, 96));
        return "CoalescedFrame[" + frame.length + " bytes, segmentSize " + segmentSize + ": " + hex
                + (frame.length > 96 ? " ...]" : "]");
    }
}
