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
 * most {@value #MAX_FRAGMENTS} pieces, dropped when incomplete after 30 s for IPv4 (Linux's ipfrag_time) and
 * 60 s for IPv6 (RFC 8200 section 4.5). A datagram's payload is at most
 * {@value #MAX_PAYLOAD_V4} bytes for IPv4 (a 65535-byte packet less its header) and {@value #MAX_PAYLOAD_V6}
 * for IPv6 (its Payload Length's range). A fragment that overlaps one already received, reaches past that
 * or past the end the final fragment gives (whichever came first), or is not a multiple of 8 bytes while
 * more follow, drops its whole datagram (the CVE-2019-14378 and CVE-2018-11806 classes). An exact duplicate
 * of a fragment received (a retransmission, a link that doubled it) is itself dropped and the datagram kept:
 * RFC 5722 as amended by erratum 3089, as Linux's inet_frag_queue_insert does for both families. So is an
 * IPv4 fragment lying wholly inside one received, its bytes ignored for those that came first, as Linux's
 * IPFRAG_DUP (gVisor's packetimpact ipv4_reassembly_subset; RFC 791 forbids no overlap); an IPv6 one drops
 * its datagram, as RFC 8200 section 4.5 asks of any overlap (Linux takes it as a duplicate there too).
 *
 * <p>Time-out: when a datagram's time runs out and its first fragment (offset 0) had arrived with a quote
 * asked for, the {@link TimedOut} listener gets that fragment (its IP header through its data, at most
 * {@value #QUOTE_LENGTH} bytes) to answer with Time Exceeded code 1 (RFC 8200 section 4.5, RFC 792); a
 * datagram given up for another cause (overlap, eviction) is answered with nothing, as in Linux.
 *
 * <p>Memory: a datagram's buffer grows with the furthest byte its fragments reached (from
 * {@value #FIRST_BUFFER} bytes, doubling), and buffers are reused: a guest's flood of tiny first fragments,
 * one 64 KiB buffer each, took a daemon from 80 MB to over 1 GB resident (a helper's replay). At most
 * {@value #MAX_DATAGRAMS} buffers are held in progress and as many kept for reuse, each at most 64 KiB, each
 * with a first fragment's header of at most {@value #QUOTE_LENGTH} bytes; a datagram reuses a freed one, so
 * a fragment allocates nothing but its key.
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
    /** How long an IPv4 datagram may wait for its fragments: Linux's ipfrag_time (RFC 791 suggests 15 s). */
    static final long TIMEOUT_NANOS_V4 = TimeUnit.SECONDS.toNanos(30);
    /** How long an IPv6 datagram may wait for its fragments: RFC 8200 section 4.5. */
    static final long TIMEOUT_NANOS_V6 = TimeUnit.SECONDS.toNanos(60);
    /**
     * The most of a first fragment kept for a time-out's quote, in bytes from its IP header: what fits in an
     * ICMPv6 error of 1280 bytes (RFC 4443 section 2.4 (c)) behind its IPv6 and ICMPv6 headers.
     */
    static final int QUOTE_LENGTH = 1280 - 40 - 8;
    /** {@link #offer}'s {@code header} when no quote is kept. */
    static final int NO_QUOTE = -1;

    /** Told of a datagram whose time ran out after its first fragment had arrived. */
    @FunctionalInterface
    interface TimedOut {
        /**
         * The first fragment of the datagram from {@code source} to {@code destination}, its IP header first:
         * {@code quote[0, length)}, valid during the call.
         */
        void timedOut(IpAddress source, IpAddress destination, ByteBuffer quote, int length);
    }

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
        byte[] data = new byte[FIRST_BUFFER];
        final int[] starts = new int[MAX_FRAGMENTS];
        final int[] ends = new int[MAX_FRAGMENTS];
        /** The first fragment's IP header (through its Fragment header), then at time-out its data. */
        final ByteBuffer first = ByteBuffer.allocate(QUOTE_LENGTH);
        /** Bytes of {@link #first} that hold the first fragment's header; -1 until it arrived with a quote. */
        int firstHeader;
        /** Bytes of data the first fragment carried. */
        int firstData;
        int count;
        int total;
        long deadline;

        /** Makes this one a new datagram's, keeping its buffers. */
        Pending reset(long deadline) {
            this.deadline = deadline;
            count = 0;
            total = -1;
            firstHeader = -1;
            return this;
        }

        /** Keeps the first fragment's header, {@code packet[header, data)}, as much as fits. */
        void keepFirst(ByteBuffer packet, int header, int data, int dataLength) {
            firstHeader = Math.min(data - header, QUOTE_LENGTH);
            first.put(0, packet, header, firstHeader);
            firstData = dataLength;
        }

        /** The first fragment whole (its header, then as much of its data as fits), in {@link #first}; its length. */
        int firstFragment() {
            int quoted = Math.min(firstData, QUOTE_LENGTH - firstHeader);
            first.put(firstHeader, data, 0, quoted);
            return firstHeader + quoted;
        }

        /**
         * Records [start, end): {@link #ADDED}, {@link #DUPLICATE} of a piece held (or, with {@code insideIsDuplicate},
         * inside one), or {@link #REFUSED} (overlap, too many).
         */
        int add(int start, int end, boolean insideIsDuplicate) {
            for (int i = 0; i < count; i++) {
                if (start == starts[i] && end == ends[i] || insideIsDuplicate && start >= starts[i] && end <= ends[i]) {
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
    /** Datagrams' buffers free for the next datagrams, at most {@link #MAX_DATAGRAMS}. */
    private final ArrayDeque<Pending> free = new ArrayDeque<>();
    /** The datagram last handed back, free once its caller is done (the next call). */
    private Pending handedBack;
    private final TimedOut timedOut;
    private long dropped;
    private long started;

    Reassembler(TimedOut timedOut) {
        this.timedOut = timedOut;
    }

    /**
     * Takes one fragment ({@code payload[offset, offset + length)} at byte position {@code position} of its
     * datagram); returns the whole datagram once complete, else null. For a first fragment (position 0)
     * whose time-out is to be told, {@code header} is the absolute offset of its IP header in
     * {@code payload} (its headers lie from there to {@code offset}), else {@link #NO_QUOTE}.
     */
    Datagram offer(IpAddress source, IpAddress destination, int protocol, int id, int position, boolean more,
                   ByteBuffer payload, int offset, int length, int header, long now) {
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
            p = (free.isEmpty() ? new Pending() : free.pop())
                    .reset(now + (source.isIpv4() ? TIMEOUT_NANOS_V4 : TIMEOUT_NANOS_V6));
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
        int added = p.total >= 0 && end > p.total ? REFUSED : p.add(position, end, source.isIpv4());
        if (added == DUPLICATE) {
            if (more || !p.complete()) {
                dropped++;
                return null;
            }
            // the last fragment inside one held (MF set there): not dropped, as its length makes the datagram
            // whole (RFC 791 3.2)
        } else if (added == REFUSED) {
            drop(key);
            return null;
        } else {
            if (end > p.data.length) {
                p.data = Arrays.copyOf(p.data, Math.min(Math.max(end, 2 * p.data.length), MAX_PAYLOAD_V6));
            }
            payload.get(offset, p.data, position, length);
            if (position == 0 && header != NO_QUOTE) {
                p.keepFirst(payload, header, offset, length);
            }
        }
        if (!p.complete()) {
            return null;
        }
        pending.remove(key);
        handedBack = p;
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
            release(p);
        }
        dropped++;
    }

    private void release(Pending p) {
        if (free.size() < MAX_DATAGRAMS) {
            free.push(p);
        }
    }

    /**
     * Forgets datagrams whose time ran out, telling {@link TimedOut} of those whose first fragment had come.
     *
     * @return nanoseconds until the next one's time runs out, {@link Long#MAX_VALUE} when none is in progress
     */
    long expire(long now) {
        if (handedBack != null) {
            release(handedBack);
            handedBack = null;
        }
        long next = Long.MAX_VALUE;
        Iterator<Map.Entry<Key, Pending>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Key, Pending> e = it.next();
            Pending p = e.getValue();
            long left = p.deadline - now;
            if (left <= 0) {
                it.remove();
                if (p.firstHeader >= 0) {
                    timedOut.timedOut(e.getKey().source, e.getKey().destination, p.first, p.firstFragment());
                }
                release(p);
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
