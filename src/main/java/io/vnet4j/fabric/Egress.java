package io.vnet4j.fabric;

import io.vnet4j.wire.WireError;
import io.vnet4j.wire.offload.FrameSink;
import io.vnet4j.wire.offload.TcpSegmenter;
import java.nio.ByteBuffer;

/**
 * A frame rewritten for the one port it leaves through, with buffers of the calling thread's own (hubs
 * forward on many threads at once): a large TCP segment cut into frames for a port that does not take
 * it whole, and an 802.1Q tag inserted for a trunk port or removed for an access port (IEEE 802.1Q-2018
 * 6.9: the tag sits between the source MAC and the EtherType). A segment that cannot be cut (not TCP,
 * lying lengths) is dropped and counted on that port.
 */
final class Egress implements FrameSink {
    private static final ThreadLocal<Egress> PER_THREAD = ThreadLocal.withInitial(Egress::new);
    /** Destination and source MAC: what comes before the tag. */
    private static final int ADDRESSES = 12;
    private static final int TAG = 4;

    private final TcpSegmenter segmenter = new TcpSegmenter();
    /** A frame with its tag changed: at most the largest frame plus a tag (made on a thread's first retag). */
    private ByteBuffer retagged;
    private Port target;
    /** The VID each cut frame is tagged with, or 0 for none. */
    private int tagVid;

    static Egress forThisThread() {
        return PER_THREAD.get();
    }

    /** Cuts a large segment into frames of {@code segmentSize} payload bytes for {@code port}, untagged. */
    void cut(Port port, ByteBuffer frame, int offset, int length, int segmentSize) {
        cut(port, frame, offset, length, segmentSize, 0);
    }

    /**
     * Sends a frame of VLAN {@code vid} out of {@code port} with its tag as the port wants it: inserted when
     * {@code tag} (a trunk) and the frame has none, removed when not {@code tag} (an access port) and the
     * frame has one. A large segment ({@code segmentSize} > 0, tagged or not: a trunk's guest sends its VLAN
     * sub-interface's TSO segments tagged) stays whole for a port that takes large segments, else is cut.
     */
    void retag(Port port, ByteBuffer frame, int offset, int length, int segmentSize, int vid, boolean tag) {
        if (!tag) {
            if (length < ADDRESSES + TAG + 2) {
                port.counters().countTxDrop();
                return;
            }
            ByteBuffer out = buffer();
            out.put(0, frame, offset, ADDRESSES);
            out.put(ADDRESSES, frame, offset + ADDRESSES + TAG, length - ADDRESSES - TAG);
            send(port, out, 0, length - TAG, segmentSize);
        } else if (segmentSize > 0 && !port.takesLargeSegments()) {
            cut(port, frame, offset, length, segmentSize, vid);
        } else {
            ByteBuffer out = buffer();
            if (length < ADDRESSES + 2 || length + TAG > out.capacity()) { // no whole header (a runt): no tag goes in
                port.counters().countTxDrop();
                return;
            }
            out.put(0, frame, offset, ADDRESSES);
            out.putShort(ADDRESSES, (short) VlanMembership.TPID);
            out.putShort(ADDRESSES + 2, (short) vid); // PCP 0, DEI 0
            out.put(ADDRESSES + TAG, frame, offset + ADDRESSES, length - ADDRESSES);
            port.transmit(out, 0, length + TAG, segmentSize);
        }
    }

    /**
     * Sends a tagged frame out of {@code port} with its tag's VID set to {@code vid}, its priority and DEI kept;
     * a large segment as {@link #retag} sends it.
     */
    void transmitWithVid(Port port, ByteBuffer frame, int offset, int length, int segmentSize, int vid) {
        ByteBuffer out = buffer();
        out.put(0, frame, offset, length);
        out.putShort(ADDRESSES + 2, (short) (out.getShort(ADDRESSES + 2) & 0xF000 | vid));
        send(port, out, 0, length, segmentSize);
    }

    /** A frame as it is, a large segment whole to a port that takes it and cut for any other. */
    private void send(Port port, ByteBuffer frame, int offset, int length, int segmentSize) {
        if (segmentSize > 0 && !port.takesLargeSegments()) {
            cut(port, frame, offset, length, segmentSize, 0);
        } else {
            port.transmit(frame, offset, length, segmentSize);
        }
    }

    private void cut(Port port, ByteBuffer frame, int offset, int length, int segmentSize, int vid) {
        target = port;
        tagVid = vid;
        try {
            if (segmenter.segment(frame, offset, length, segmentSize, this) != WireError.NONE) {
                port.counters().countTxDrop();
            }
        } finally {
            target = null;
        }
    }

    private ByteBuffer buffer() {
        if (retagged == null) {
            retagged = ByteBuffer.allocate(65536 + 4096 + TAG);
        }
        return retagged;
    }

    @Override
    public void accept(ByteBuffer frame, int offset, int length) {
        if (tagVid == 0) {
            target.transmit(frame, offset, length);
        } else {
            retag(target, frame, offset, length, 0, tagVid, true);
        }
    }
}
