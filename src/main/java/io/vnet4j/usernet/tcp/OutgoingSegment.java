package io.vnet4j.usernet.tcp;

import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.TcpSackBlocks;
import io.vnet4j.wire.TcpSynOptions;
import java.nio.ByteBuffer;

/**
 * One TCP segment on its way to a guest, as the gateway's output builds it into a frame: the addresses
 * and ports (the host's side as the source), the header's fields, SYN options or SACK blocks, and the
 * payload, bytes of a connection's send queue (or a keepalive probe's garbage octet) that {@link #copyPayload}
 * copies into the frame. Numbers are in host byte order; {@link #window()} is the field as sent (already scaled
 * down).
 *
 * <p>A value is filled and sent again for every segment (each {@link TcpConnection} has one whose addresses
 * are set once), so the path to the guest allocates nothing: it is valid only until the
 * {@link SegmentSink} it went to returns. {@link #header} starts a new segment: it clears the options, the
 * SACK blocks and the payload of the last one.
 */
public final class OutgoingSegment {
    private IpAddress source;
    private int sourcePort;
    private IpAddress destination;
    private int destinationPort;
    private int flags;
    private int sequence;
    private int acknowledgment;
    private int window;
    private TcpSynOptions synOptions;
    private TcpSackBlocks sack;
    private ByteQueue payloadQueue;
    private int payloadFromFront;
    private int payloadLength;
    private int segmentSize;

    /** The addresses and ports the segment goes between; returns this value. */
    public OutgoingSegment between(IpAddress source, int sourcePort, IpAddress destination, int destinationPort) {
        this.source = source;
        this.sourcePort = sourcePort;
        this.destination = destination;
        this.destinationPort = destinationPort;
        return this;
    }

    /** Starts a segment with these header fields, no options and no payload; returns this value. */
    public OutgoingSegment header(int flags, int sequence, int acknowledgment, int window) {
        this.flags = flags;
        this.sequence = sequence;
        this.acknowledgment = acknowledgment;
        this.window = window;
        this.synOptions = null;
        this.sack = null;
        this.payloadQueue = null;
        this.payloadFromFront = 0;
        this.payloadLength = 0;
        this.segmentSize = 0;
        return this;
    }

    /** The SYN's options (SYN segments only); returns this value. */
    public OutgoingSegment synOptions(TcpSynOptions options) {
        this.synOptions = options;
        return this;
    }

    /** The SACK blocks of a pure ACK, or null; the blocks are reused too; returns this value. */
    public OutgoingSegment sack(TcpSackBlocks blocks) {
        this.sack = blocks;
        return this;
    }

    /**
     * The payload: {@code length} bytes of {@code queue} from {@code fromFront}. A payload longer than
     * {@code segmentSize} (the guest's MSS; 0: never) is a large segment, cut on its way to each port that
     * cannot take it whole. Returns this value.
     */
    OutgoingSegment payload(ByteQueue queue, int fromFront, int length, int segmentSize) {
        this.payloadQueue = queue;
        this.payloadFromFront = fromFront;
        this.payloadLength = length;
        this.segmentSize = segmentSize;
        return this;
    }

    /**
     * One octet of no meaning as the payload (a keepalive probe's, see {@link TcpConnection}); returns this value.
     */
    OutgoingSegment garbageOctet() {
        this.payloadQueue = null;
        this.payloadFromFront = 0;
        this.payloadLength = 1;
        this.segmentSize = 0;
        return this;
    }

    public IpAddress source() {
        return source;
    }

    public int sourcePort() {
        return sourcePort;
    }

    public IpAddress destination() {
        return destination;
    }

    public int destinationPort() {
        return destinationPort;
    }

    public int flags() {
        return flags;
    }

    public int sequence() {
        return sequence;
    }

    public int acknowledgment() {
        return acknowledgment;
    }

    public int window() {
        return window;
    }

    /** Null except on a SYN. */
    public TcpSynOptions synOptions() {
        return synOptions;
    }

    /** Null unless a pure ACK reports held ranges. */
    public TcpSackBlocks sack() {
        return sack;
    }

    /** Bytes of payload. */
    public int payloadLength() {
        return payloadLength;
    }

    /** The guest's MSS for a payload that may exceed it, else 0. */
    public int segmentSize() {
        return segmentSize;
    }

    /** True when the payload is longer than the guest's MSS: sent as one large segment (TSO). */
    public boolean isLarge() {
        return payloadLength > segmentSize && segmentSize > 0;
    }

    /** Copies the payload into {@code dst} at {@code at} (absolute; {@code dst}'s position and limit stay). */
    public void copyPayload(ByteBuffer dst, int at) {
        if (payloadQueue != null) {
            payloadQueue.copy(payloadFromFront, dst, at, payloadLength);
        } else if (payloadLength > 0) {
            dst.put(at, (byte) 0); // the garbage octet
        }
    }
}
