package io.vnet4j.wire.offload;

import io.vnet4j.wire.Checksum;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.TcpFlags;
import java.nio.ByteBuffer;

/**
 * Software generic receive offload for TCP: consecutive segments of one flow, offered one by one, leave as
 * one large segment (the form {@code Port.deliver} takes with a segment size, the inverse of
 * {@link TcpSegmenter}), so that a TAP with offloads gets one write, and its kernel one segment to receive,
 * instead of dozens. Everything else passes through unchanged, in order.
 *
 * <p>Theory of operation. A caller offers the frames of one batch ({@link #offer}) and then calls
 * {@link #flush}; nothing waits past the batch. The first segment that may start a large one is copied in
 * and held; each next one either joins it (its payload appended) or flushes it and is held or passed on in
 * its turn. One segment held alone leaves as it came (without Ethernet padding). The rules are those of Linux's {@code tcp_gro_receive}
 * and {@code inet_gro_receive} / {@code ipv6_gro_receive}, stricter where that is simpler:
 * <ul>
 *   <li>a segment may start one when it is untagged Ethernet, IPv4 without options and not a fragment or
 *       IPv6 without extension headers, carries TCP with payload and no flag but ACK, and both its IPv4 header
 *       checksum and its TCP checksum are right: the large segment's TCP checksum is only the pseudo-header
 *       sum, so nothing after this class would find a corrupted segment;</li>
 *   <li>a segment joins when, besides all that (PSH is allowed, and ends the large segment), every header
 *       byte equals the first segment's but the IP length, IPv4 identification and header checksum, the TCP
 *       sequence number, PSH and checksum; its sequence number follows the last; its payload is at most the
 *       first's ({@code segmentSize}); the last that joined carried exactly that much; and the IP length stays
 *       within 65,535 bytes.</li>
 * </ul>
 * The large segment keeps the first segment's headers with the IP length and PSH of all of them, a fresh
 * IPv4 header checksum and the pseudo-header sum in the TCP checksum. IPv4 identifications are not compared
 * (Linux checks that they count up, to keep them when forwarding); cut again, the segments count up from the first's.
 *
 * <p>One buffer, allocated once, holds the large segment: no allocation per frame. Not thread-safe.
 */
public final class TcpCoalescer {
    /** Where frames go: a large segment with its segment size, or an ordinary frame with 0. */
    @FunctionalInterface
    public interface Sink {
        void accept(ByteBuffer frame, int offset, int length, int segmentSize);
    }

    private static final int ETH = 14;
    private static final int IPV4_HEADER = 20;
    private static final int IPV6_HEADER = 40;
    private static final int TCP_MIN_HEADER = 20;
    private static final int TCP_FLAGS = 13;
    private static final int TCP_CHECKSUM = 16;
    private static final int MAX_IP_LENGTH = 0xFFFF;

    private final ByteBuffer held = ByteBuffer.allocate(TcpSegmenter.MAX_FRAME_LENGTH);
    /** Bytes held (0: nothing); the header length (Ethernet, IP, TCP) of the held segment. */
    private int heldLength;
    private int headers;
    private boolean ipv4;
    private int tcpHeader;
    private int segmentSize;
    private int segments;
    private int nextSequence;
    private boolean mayGrow;
    // what the last parse found: the frame's length without Ethernet padding, its headers' length, PSH, TCP header length
    private int parsedLength;
    private int parsedHeaders;
    private boolean parsedPush;
    private int parsedTcpHeader;

    /** Segments that joined another since this coalescer was made (for a port's counters). */
    private long joined;

    /** Offers the next frame of the batch; it or what was held may go to {@code sink} now. */
    public void offer(ByteBuffer frame, int offset, int length, Sink sink) {
        boolean candidate = parse(frame, offset, length);
        if (candidate && heldLength > 0 && joins(frame, offset)) {
            int payload = parsedLength - parsedHeaders;
            held.put(heldLength, frame, offset + parsedHeaders, payload);
            heldLength += payload;
            segments++;
            joined++;
            nextSequence += payload;
            mayGrow = payload == segmentSize && !parsedPush;
            if (parsedPush) {
                held.put(headers - tcpHeader + TCP_FLAGS, (byte) (held.get(headers - tcpHeader + TCP_FLAGS) | TcpFlags.PSH));
            }
            return;
        }
        flush(sink);
        if (candidate && !parsedPush) {
            hold(frame, offset);
        } else {
            sink.accept(frame, offset, length, 0);
        }
    }

    /** Sends what is held, if anything: at the end of every batch. */
    public void flush(Sink sink) {
        if (heldLength == 0) {
            return;
        }
        int length = heldLength;
        heldLength = 0;
        if (segments == 1) {
            sink.accept(held, 0, length, 0);
            return;
        }
        int tcp = headers - tcpHeader;
        int tcpLength = length - tcp;
        long pseudo;
        if (ipv4) {
            held.putShort(ETH + 2, (short) (length - ETH));
            held.putShort(ETH + 10, (short) 0);
            held.putShort(ETH + 10, (short) Checksum.compute(held, ETH, IPV4_HEADER));
            pseudo = Checksum.pseudoHeaderSum(held.getInt(ETH + 12), held.getInt(ETH + 16), IpProtocol.TCP, tcpLength);
        } else {
            held.putShort(ETH + 4, (short) tcpLength);
            pseudo = Checksum.ipv6PseudoHeaderSum(held, ETH + 8, ETH + 24, IpProtocol.TCP, tcpLength);
        }
        held.putShort(tcp + TCP_CHECKSUM, (short) Checksum.fold(pseudo));
        sink.accept(held, 0, length, segmentSize);
    }

    /** Segments that joined another, in all. */
    public long joined() {
        return joined;
    }

    private void hold(ByteBuffer frame, int offset) {
        held.put(0, frame, offset, parsedLength);
        heldLength = parsedLength;
        headers = parsedHeaders;
        ipv4 = frame.getShort(offset + 12) == EtherType.IPV4;
        tcpHeader = parsedTcpHeader;
        segmentSize = parsedLength - parsedHeaders;
        segments = 1;
        nextSequence = frame.getInt(offset + headers - tcpHeader + 4) + segmentSize;
        mayGrow = true;
    }

    private int ipLength(int frameLength) {
        return frameLength - ETH - (ipv4 ? 0 : IPV6_HEADER);
    }

    /**
     * Whether the frame just parsed joins the held segment (see the class comment). Header bytes are compared
     * in runs, skipping the fields that may differ.
     */
    private boolean joins(ByteBuffer frame, int offset) {
        int payload = parsedLength - parsedHeaders;
        if (!mayGrow || parsedHeaders != headers || payload > segmentSize
                || ipLength(heldLength) + payload > MAX_IP_LENGTH) {
            return false;
        }
        int tcp = headers - tcpHeader;
        if (frame.getInt(offset + tcp + 4) != nextSequence) {
            return false;
        }
        boolean same = same(frame, offset, 0, ETH);
        if (ipv4) {
            same &= same(frame, offset, ETH, 2) && same(frame, offset, ETH + 6, 4) && same(frame, offset, ETH + 12, 8);
        } else {
            same &= same(frame, offset, ETH, 4) && same(frame, offset, ETH + 6, 34);
        }
        return same && same(frame, offset, tcp, 4) && same(frame, offset, tcp + 8, 5)
                && ((frame.get(offset + tcp + TCP_FLAGS) ^ held.get(tcp + TCP_FLAGS)) & ~TcpFlags.PSH) == 0
                && same(frame, offset, tcp + 14, 2) && same(frame, offset, tcp + 18, tcpHeader - 18);
    }

    /** Whether {@code length} bytes at {@code at} of the frame equal those at {@code at} of the held segment. */
    private boolean same(ByteBuffer frame, int offset, int at, int length) {
        for (int i = 0; i < length; i++) {
            if (frame.get(offset + at + i) != held.get(at + i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether the frame is a TCP segment that may start or join a large one, its checksums checked; sets
     * the parsed fields. Never reads outside [offset, offset + length), whatever the lengths inside claim.
     */
    private boolean parse(ByteBuffer frame, int offset, int length) {
        if (offset < 0 || length < ETH + IPV4_HEADER + TCP_MIN_HEADER || (long) offset + length > frame.limit()) {
            return false;
        }
        int l3 = offset + ETH;
        int etherType = frame.getShort(offset + 12) & 0xFFFF;
        int ipLength;
        int tcpLength;
        long pseudo;
        if (etherType == EtherType.IPV4) {
            ipLength = frame.getShort(l3 + 2) & 0xFFFF;
            if (frame.get(l3) != 0x45 || ipLength > length - ETH || ipLength < IPV4_HEADER + TCP_MIN_HEADER
                    || (frame.getShort(l3 + 6) & 0x3FFF) != 0 || frame.get(l3 + 9) != IpProtocol.TCP
                    || Checksum.compute(frame, l3, IPV4_HEADER) != 0) {
                return false;
            }
            tcpLength = ipLength - IPV4_HEADER;
            pseudo = Checksum.pseudoHeaderSum(frame.getInt(l3 + 12), frame.getInt(l3 + 16), IpProtocol.TCP, tcpLength);
        } else if (etherType == EtherType.IPV6) {
            if (length < ETH + IPV6_HEADER + TCP_MIN_HEADER || (frame.get(l3) & 0xF0) != 0x60
                    || frame.get(l3 + 6) != IpProtocol.TCP) {
                return false;
            }
            tcpLength = frame.getShort(l3 + 4) & 0xFFFF;
            ipLength = IPV6_HEADER + tcpLength;
            if (tcpLength < TCP_MIN_HEADER || ipLength > length - ETH) {
                return false;
            }
            pseudo = Checksum.ipv6PseudoHeaderSum(frame, l3 + 8, l3 + 24, IpProtocol.TCP, tcpLength);
        } else {
            return false;
        }
        int l4 = l3 + ipLength - tcpLength;
        int tcpHeaderLength = (frame.get(l4 + 12) & 0xF0) >>> 2;
        int flags = frame.get(l4 + TCP_FLAGS) & 0xFF;
        if (tcpHeaderLength < TCP_MIN_HEADER || tcpHeaderLength >= tcpLength || (flags & ~TcpFlags.PSH) != TcpFlags.ACK
                || Checksum.finish(pseudo + Checksum.sum(frame, l4, tcpLength)) != 0) {
            return false;
        }
        parsedLength = ETH + ipLength;
        parsedHeaders = l4 - offset + tcpHeaderLength;
        parsedPush = (flags & TcpFlags.PSH) != 0;
        parsedTcpHeader = tcpHeaderLength;
        return true;
    }
}
