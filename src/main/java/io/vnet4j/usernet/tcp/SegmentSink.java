package io.vnet4j.usernet.tcp;

import io.vnet4j.wire.TcpSackBlocks;
import io.vnet4j.wire.TcpSynOptions;

/** Where a {@link TcpConnection} sends its segments to the guest; the data, if any, comes from {@code payload}. */
public interface SegmentSink {
    /**
     * Sends one segment. {@code payloadFromFront}/{@code payloadLength} name bytes of the connection's send
     * queue to copy ({@link TcpConnection#copyPayload}); {@code synOptions} is non-null on SYN segments only;
     * {@code sack}, when non-null, holds the SACK blocks to add (valid during the call only: it is reused).
     */
    void segment(TcpConnection connection, int flags, int sequence, int acknowledgment, int window,
                 int payloadFromFront, int payloadLength, TcpSynOptions synOptions, TcpSackBlocks sack);
}
