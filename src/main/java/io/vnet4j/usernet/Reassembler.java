package io.vnet4j.usernet;

import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Fragment reassembly of both families (IPv6's from its Fragment header) with bounded memory and time: at
 * most {@value #MAX_DATAGRAMS} datagrams in progress (the oldest is evicted), each at most 65535 bytes in at
 * most {@value #MAX_FRAGMENTS} pieces, dropped when incomplete after 30 s. A fragment that overlaps one already received, reaches past 65535
 * bytes or past the end the final fragment gives (whichever came first), or is not a multiple of 8 bytes
 * while more follow, drops its whole datagram (the CVE-2019-14378 and CVE-2018-11806 classes). An exact
 * duplicate of a fragment received (a retransmission, a link that doubled it) is itself dropped and the
 * datagram kept: RFC 5722 as amended by erratum 3089, as Linux's inet_frag_queue_insert does for both
 * families.
 */
final class Reassembler {
    static final int MAX_DATAGRAMS = 64;
    static final int MAX_FRAGMENTS = 64;
    static final int MAX_PAYLOAD = 65535 - 20;
    static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** A datagram put back together: its payload is {@code buffer[0, length)}. */
    record Datagram(IpAddress source, IpAddress destination, int protocol, ByteBuffer buffer, int length) {}

    private record Key(IpAddress source, IpAddress destination, int protocol, int id) {}

    private static final int ADDED = 0;
    private static final int DUPLICATE = 1;
    private static final int REFUSED = 2;

    private static final class Pending {
        final byte[] data = new byte[MAX_PAYLOAD];
        final int[] starts = new int[MAX_FRAGMENTS];
        final int[] ends = new int[MAX_FRAGMENTS];
        int count;
        int total = -1;
        final long deadline;

        Pending(long deadline) {
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
        if (end > MAX_PAYLOAD || (more && (length % 8 != 0 || length == 0))) {
            drop(key);
            return null;
        }
        Pending p = pending.get(key);
        if (p == null) {
            if (pending.size() == MAX_DATAGRAMS) {
                Iterator<Key> oldest = pending.keySet().iterator();
                oldest.next();
                oldest.remove();
                dropped++;
            }
            p = new Pending(now + TIMEOUT_NANOS);
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
        payload.get(offset, p.data, position, length);
        if (!p.complete()) {
            return null;
        }
        pending.remove(key);
        return new Datagram(source, destination, protocol, ByteBuffer.wrap(p.data), p.total);
    }

    private void drop(Key key) {
        pending.remove(key);
        dropped++;
    }

    /**
     * Forgets datagrams whose time ran out.
     *
     * @return nanoseconds until the next one's time runs out, {@link Long#MAX_VALUE} when none is in progress
     */
    long expire(long now) {
        long next = Long.MAX_VALUE;
        Iterator<Pending> it = pending.values().iterator();
        while (it.hasNext()) {
            long left = it.next().deadline - now;
            if (left <= 0) {
                it.remove();
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
