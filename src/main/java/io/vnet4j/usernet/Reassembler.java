package io.vnet4j.usernet;

import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Fragment reassembly of both families (IPv6's from its Fragment header) with bounded memory and time: at
 * most {@value #MAX_DATAGRAMS} datagrams in progress, at most {@value #MAX_PER_SOURCE} of them from one source
 * address (a source over its share gives way its own oldest, else the oldest of all gives way), each in at
 * most {@value #MAX_FRAGMENTS} pieces, dropped when incomplete after 30 s. A datagram's payload is at most
 * {@value #MAX_PAYLOAD_V4} bytes for IPv4 (a 65535-byte packet less its header) and {@value #MAX_PAYLOAD_V6}
 * for IPv6 (its Payload Length's range). A fragment that overlaps one already received, reaches past that
 * or past the end the final fragment gives (whichever came first), or is not a multiple of 8 bytes while
 * more follow, drops its whole datagram (the CVE-2019-14378 and CVE-2018-11806 classes). An exact duplicate
 * of a fragment received (a retransmission, a link that doubled it) is itself dropped and the datagram kept:
 * RFC 5722 as amended by erratum 3089, as Linux's inet_frag_queue_insert does for both families.
 *
 * <p>Memory: a datagram's buffer grows with the furthest byte its fragments reached (from
 * {@value #FIRST_BUFFER} bytes, doubling), and buffers are reused: a guest's flood of tiny first fragments,
 * one 64 KiB buffer each, took a daemon from 80 MB to over 1 GB resident (a helper's replay). At most
 * {@value #MAX_DATAGRAMS} buffers are held in progress and as many kept for reuse, each at most 64 KiB.
 */
final class Reassembler {
    static final int MAX_DATAGRAMS = 64;
    /**
     * One source address's share of {@link #MAX_DATAGRAMS}: a guest flooding fragments from its own address
     * leaves the others room (one that forges many source addresses does not).
     */
    static final int MAX_PER_SOURCE = 16;
    static final int MAX_FRAGMENTS = 64;
    static final int MAX_PAYLOAD_V4 = 65535 - 20;
    static final int MAX_PAYLOAD_V6 = 65535;
    static final int FIRST_BUFFER = 2048;
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /**
     * A datagram put back together: its payload is {@code buffer[0, length)}, valid until the next call of
     * {@link #offer} or {@link #expire} (the buffer is then reused).
     */
    record Datagram(IpAddress source, IpAddress destination, int protocol, ByteBuffer buffer, int length) {}

    private record Key(IpAddress source, IpAddress destination, int protocol, int id) {}

    private static final int ADDED = 0;
    private static final int DUPLICATE = 1;
    private static final int REFUSED = 2;

    private static final class Pending {
        byte[] data;
        final int[] starts = new int[MAX_FRAGMENTS];
        final int[] ends = new int[MAX_FRAGMENTS];
        int count;
        int total = -1;
        final long deadline;

        Pending(byte[] data, long deadline) {
            this.data = data;
            this.deadline = deadline;
        }

        /** Records [start, end): {@link #ADDED}, {@link #DUPLICATE} of a piece held, or {@link #REFUSED} (overlap, too many). */
        int add(int start, int end) {
            for (int i = 0; i < count; i++) {
                if (start == starts[i] && end == ends[i]) {
                    return DUPLICATE;
                }
                if (start < ends[i] && starts[i] < end) {
                    return REFUSED;
                }
            }
            if (count == MAX_FRAGMENTS) {
                return REFUSED;
            }
            starts[count] = start;
            ends[count] = end;
            count++;
            return ADDED;
        }

        /** Where the piece that reaches furthest ends; 0 with none. */
        int end() {
            int end = 0;
            for (int i = 0; i < count; i++) {
                end = Math.max(end, ends[i]);
            }
            return end;
        }

        boolean complete() {
            if (total < 0) {
                return false;
            }
            long covered = 0;
            for (int i = 0; i < count; i++) {
                covered += ends[i] - starts[i];
            }
            return covered == total;
        }
    }

    private final Map<Key, Pending> pending = new LinkedHashMap<>();
    /** Buffers free for the next datagrams, at most {@link #MAX_DATAGRAMS}. */
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    /** The buffer of the datagram last handed back, free once its caller is done (the next call). */
    private byte[] handedBack;
    private long dropped;
    private long started;

    /**
     * Takes one fragment ({@code payload[offset, offset + length)} at byte position {@code position} of its
     * datagram); returns the whole datagram once complete, else null.
     */
    Datagram offer(IpAddress source, IpAddress destination, int protocol, int id, int position, boolean more,
                   ByteBuffer payload, int offset, int length, long now) {
        expire(now);
        Key key = new Key(source, destination, protocol, id);
        int end = position + length;
        if (end > (source.isIpv4() ? MAX_PAYLOAD_V4 : MAX_PAYLOAD_V6) || (more && (length % 8 != 0 || length == 0))) {
            drop(key);
            return null;
        }
        Pending p = pending.get(key);
        if (p == null) {
            makeRoom(source);
            p = new Pending(free.isEmpty() ? new byte[FIRST_BUFFER] : free.pop(), now + TIMEOUT_NANOS);
            pending.put(key, p);
            started++;
        }
        if (!more) {
            if (p.total >= 0 && p.total != end || p.end() > end) {
                drop(key);
                return null;
            }
            p.total = end;
        }
        int added = p.total >= 0 && end > p.total ? REFUSED : p.add(position, end);
        if (added == DUPLICATE) {
            dropped++;
            return null;
        }
        if (added == REFUSED) {
            drop(key);
            return null;
        }
        if (end > p.data.length) {
            p.data = Arrays.copyOf(p.data, Math.min(Math.max(end, 2 * p.data.length), MAX_PAYLOAD_V6));
        }
        payload.get(offset, p.data, position, length);
        if (!p.complete()) {
            return null;
        }
        pending.remove(key);
        handedBack = p.data;
        return new Datagram(source, destination, protocol, ByteBuffer.wrap(p.data), p.total);
    }

    /** Frees a place for a datagram from {@code source}: its own oldest when it holds its share, else the oldest. */
    private void makeRoom(IpAddress source) {
        int fromSource = 0;
        Key oldestOfSource = null;
        for (Key k : pending.keySet()) {
            if (k.source.equals(source) && fromSource++ == 0) {
                oldestOfSource = k;
            }
        }
        if (fromSource >= MAX_PER_SOURCE) {
            drop(oldestOfSource);
        } else if (pending.size() >= MAX_DATAGRAMS) {
            drop(pending.keySet().iterator().next());
        }
    }

    private void drop(Key key) {
        Pending p = pending.remove(key);
        if (p != null) {
            release(p.data);
        }
        dropped++;
    }

    private void release(byte[] data) {
        if (free.size() < MAX_DATAGRAMS) {
            free.push(data);
        }
    }

    /**
     * Forgets datagrams whose time ran out.
     *
     * @return nanoseconds until the next one's time runs out, {@link Long#MAX_VALUE} when none is in progress
     */
    long expire(long now) {
        if (handedBack != null) {
            release(handedBack);
            handedBack = null;
        }
        long next = Long.MAX_VALUE;
        Iterator<Pending> it = pending.values().iterator();
        while (it.hasNext()) {
            Pending p = it.next();
            long left = p.deadline - now;
            if (left <= 0) {
                it.remove();
                release(p.data);
                dropped++;
            } else {
                next = Math.min(next, left);
            }
        }
        return next;
    }

    /**
     * Datagrams whose reassembly began, ever
     * (the user network's loop compares it before and after handling frames: a new one may need its timed
     * work polled sooner, see {@code Gateway#timedStarts}).
     */
    long started() {
        return started;
    }

    int inProgress() {
        return pending.size();
    }

    /** Datagrams given up (overlap, oversize, eviction, time-out) and duplicate fragments dropped. */
    long dropped() {
        return dropped;
    }
}
