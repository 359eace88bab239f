package io.vnet4j.fabric;

import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.WireError;
import io.vnet4j.wire.offload.FrameSink;
import io.vnet4j.wire.offload.TcpSegmenter;
import io.vnet4j.wire.offload.VirtioNetHeader;
import java.nio.ByteBuffer;

/**
 * Cuts a large TCP segment into frames for one port, with a segmenter of the calling thread's own (hubs
 * forward on many threads at once, and a segmenter reuses one output buffer). A segment that cannot be
 * cut (not TCP, lying lengths) is dropped and counted on that port.
 */
final class SegmentCutter implements FrameSink {
    private static final ThreadLocal<SegmentCutter> PER_THREAD = ThreadLocal.withInitial(SegmentCutter::new);

    private final TcpSegmenter segmenter = new TcpSegmenter();
    private final EthernetFrame ethernet = new EthernetFrame();
    private Port target;

    static SegmentCutter forThisThread() {
        return PER_THREAD.get();
    }

    void cut(Port port, ByteBuffer frame, int offset, int length, int segmentSize) {
        int etherType = ethernet.wrap(frame, offset, length).check() == WireError.NONE ? ethernet.etherType() : -1;
        int gsoType = etherType == EtherType.IPV6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4;
        target = port;
        try {
            if (segmenter.segment(frame, offset, length, gsoType, segmentSize, this) != WireError.NONE) {
                port.counters().countTxDrop();
            }
        } finally {
            target = null;
        }
    }

    @Override
    public void accept(ByteBuffer frame, int offset, int length) {
        target.transmit(frame, offset, length);
    }
}
