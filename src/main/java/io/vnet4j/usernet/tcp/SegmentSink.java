package io.vnet4j.usernet.tcp;

/** Where a {@link TcpConnection} sends its segments to the guest: the gateway's output, or a test's recorder. */
@FunctionalInterface
public interface SegmentSink {
    /** Sends one segment; {@code segment} is reused, so it is valid only during the call. */
    void segment(OutgoingSegment segment);
}
