package io.vnet4j.usernet;

import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Frames for guests whose MAC the gateway has not learnt yet, held while ARP or neighbour discovery resolves, as Linux's
 * neighbour table holds them (net/core/neighbour.c, unres_qlen_bytes) and libslirp's if_output keeps a
 * packet for about a second (slirp/src/if.c, expiration_date). Theory of operation: the first frame held
 * for an address asks the caller to send an ARP request (IPv4) or a neighbour solicitation (IPv6); when the address's MAC is learnt, its frames
 * leave in the order they were held with that MAC as their destination; what is still held after
 * {@link #HOLD_NANOS} is dropped and counted. Bounded: at most {@link #MAX_FRAMES_PER_ADDRESS} frames and
 * {@link #MAX_BYTES_PER_ADDRESS} bytes per address, {@link #MAX_BYTES} bytes in all; a frame over a bound
 * is dropped and counted, the older ones stay. Only the unresolved path allocates (a copy per frame).
 * Not thread-safe: the gateway's thread only.
 */
final class PendingFrames {
    /** How long a frame waits for its destination's MAC, in nanoseconds. */
    static final long HOLD_NANOS = 1_000_000_000L;
    /**
     * Frames held per address: enough for a first burst of small datagrams to a guest that has sent nothing yet
     * (a forwarded UDP server's first 200 clients; libslirp held all of them, 64 cut the burst, helper-78's
     * replay); {@link #MAX_BYTES_PER_ADDRESS} bounds large frames, as Linux's unres_qlen_bytes (212,992) does.
     */
    static final int MAX_FRAMES_PER_ADDRESS = 256;
    static final int MAX_BYTES_PER_ADDRESS = 256 << 10;
    static final int MAX_BYTES = 1 << 20;
    /** At most this many addresses wait at once; each has at least one frame, so bytes bound them too. */
    static final int MAX_ADDRESSES = 256;

    private record Held(byte[] frame, int segmentSize) {}

    private static final class Waiting {
        final long since;
        final ArrayDeque<Held> frames = new ArrayDeque<>();
        int bytes;

        Waiting(long since) {
            this.since = since;
        }
    }

    private final Map<IpAddress, Waiting> byAddress = new HashMap<>();
    /** The addresses whose frames the last {@link #expire} dropped unanswered; reused. */
    private final List<IpAddress> unanswered = new ArrayList<>();
    private int bytes;
    private long released;
    private long dropped;
    private long addressesHeld;

    /**
     * Holds a copy of {@code length} bytes at absolute {@code offset} of {@code frame} for {@code address}.
     * Returns true when this is the first frame waiting for that address (the caller then asks for it by
     * ARP or NDP), false when others wait already or the frame was dropped on a bound.
     */
    boolean hold(IpAddress address, ByteBuffer frame, int offset, int length, int segmentSize, long now) {
        Waiting waiting = byAddress.get(address);
        boolean first = waiting == null;
        if (bytes + length > MAX_BYTES || first && byAddress.size() >= MAX_ADDRESSES
                || !first && (waiting.frames.size() >= MAX_FRAMES_PER_ADDRESS
                        || waiting.bytes + length > MAX_BYTES_PER_ADDRESS)) {
            dropped++;
            return false;
        }
        if (first) {
            waiting = new Waiting(now);
            byAddress.put(address, waiting);
            addressesHeld++;
        }
        byte[] copy = new byte[length];
        frame.get(offset, copy);
        waiting.frames.add(new Held(copy, segmentSize));
        waiting.bytes += length;
        bytes += length;
        return first;
    }

    /** Sends every frame held for {@code address} to {@code mac}, oldest first, and forgets them. */
    void release(IpAddress address, long mac, GuestOutput.FrameSink sink) {
        Waiting waiting = byAddress.remove(address);
        if (waiting == null) {
            return;
        }
        bytes -= waiting.bytes;
        for (Held held : waiting.frames) {
            ByteBuffer frame = ByteBuffer.wrap(held.frame);
            frame.putShort(0, (short) (mac >>> 32)).putInt(2, (int) mac);
            sink.send(frame, 0, held.frame.length, held.segmentSize);
            released++;
        }
    }

    /**
     * Drops and counts the frames of addresses that did not answer within {@link #HOLD_NANOS}; those addresses
     * are then {@link #unanswered}.
     *
     * @return nanoseconds until the next address's time runs out, {@link Long#MAX_VALUE} when none waits
     */
    long expire(long now) {
        long next = Long.MAX_VALUE;
        unanswered.clear();
        Iterator<Map.Entry<IpAddress, Waiting>> it = byAddress.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<IpAddress, Waiting> entry = it.next();
            Waiting waiting = entry.getValue();
            long left = waiting.since + HOLD_NANOS - now;
            if (left <= 0) {
                dropped += waiting.frames.size();
                bytes -= waiting.bytes;
                unanswered.add(entry.getKey());
                it.remove();
            } else {
                next = Math.min(next, left);
            }
        }
        return next;
    }

    /** The addresses whose ARP request or neighbour solicitation the last {@link #expire} found unanswered. */
    List<IpAddress> unanswered() {
        return unanswered;
    }

    /**
     * Addresses whose frames began to wait, ever
     * (the user network's loop compares it before and after handling frames: a new one may need its timed
     * work polled sooner, see {@code Gateway#timedStarts}).
     */
    long addressesHeld() {
        return addressesHeld;
    }

    /** Frames waiting now. */
    int waiting() {
        int n = 0;
        for (Waiting w : byAddress.values()) {
            n += w.frames.size();
        }
        return n;
    }

    /** Bytes of the frames waiting now. */
    int bytes() {
        return bytes;
    }

    /** Frames sent after their destination answered, since the start. */
    long released() {
        return released;
    }

    /** Frames dropped because no answer came in time or a bound was reached, since the start. */
    long dropped() {
        return dropped;
    }
}
