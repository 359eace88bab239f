package io.vnet4j.usernet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSackBlocks;
import io.vnet4j.wire.TcpSynOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives one {@link TcpConnection} with a fake clock: records every segment it sends (with its payload
 * copied out at once), and plays the host socket through small fake channels.
 */
final class TcpHarness implements SegmentSink {
    /** One segment the connection sent to the guest; {@code sack} holds its SACK blocks as [left, right] pairs. */
    record Seg(int flags, int seq, int ack, int window, byte[] data, TcpSynOptions options, List<List<Integer>> sack) {
        boolean has(int f) {
            return (flags & f) == f;
        }

        int len() {
            return data.length;
        }

        @Override
        public String toString() {
            return "Seg[flags=0x" + Integer.toHexString(flags) + " seq=" + Integer.toUnsignedString(seq) + " ack="
                    + Integer.toUnsignedString(ack) + " win=" + window + " len=" + data.length + " opts=" + options
                    + " sack=" + sack + "]";
        }
    }

    static final TcpSynOptions NO_OPTIONS = new TcpSynOptions(-1, -1, false);

    final TcpConnection c;
    final List<Seg> sent = new ArrayList<>();
    long now = 1_000_000_000L;

    TcpHarness(int ourMss, int bufferBytes, int iss) {
        c = new TcpConnection(this, ourMss, bufferBytes, iss);
    }

    @Override
    public void segment(OutgoingSegment segment) {
        byte[] data = new byte[segment.payloadLength()];
        segment.copyPayload(ByteBuffer.wrap(data), 0);
        TcpSackBlocks sack = segment.sack();
        List<List<Integer>> blocks = new ArrayList<>();
        for (int i = 0; sack != null && i < sack.count(); i++) {
            blocks.add(List.of(sack.left(i), sack.right(i)));
        }
        sent.add(new Seg(segment.flags(), segment.sequence(), segment.acknowledgment(), segment.window(), data,
                segment.synOptions(), List.copyOf(blocks)));
    }

    /** The segments sent since the last call. */
    List<Seg> take() {
        List<Seg> out = List.copyOf(sent);
        sent.clear();
        return out;
    }

    /** Exactly one segment was sent since the last call: that one. */
    Seg one() {
        List<Seg> out = take();
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    void nothingSent() {
        assertThat(take()).isEmpty();
    }

    // ---- the guest ------------------------------------------------------------------------------------

    void guestSyn(int seq, int window, TcpSynOptions options) {
        c.guestSyn(seq, window, options, now);
    }

    void guest(int flags, int seq, int ack, int window) {
        guest(flags, seq, ack, window, new byte[0]);
    }

    void guest(int flags, int seq, int ack, int window, byte[] data) {
        guest(flags, seq, ack, window, data, null);
    }

    /** A pure ACK from the guest with SACK blocks, each {@code {left, right}}. */
    void guestSack(int seq, int ack, int window, int[]... blocks) {
        TcpSackBlocks sack = new TcpSackBlocks();
        for (int[] block : blocks) {
            sack.add(block[0], block[1]);
        }
        guest(TcpFlags.ACK, seq, ack, window, new byte[0], sack);
    }

    private void guest(int flags, int seq, int ack, int window, byte[] data, TcpSackBlocks sack) {
        // the payload sits at an offset inside a larger buffer, as in a real frame
        ByteBuffer frame = ByteBuffer.allocate(data.length + 54);
        frame.put(54, data);
        TcpSynOptions options = (flags & TcpFlags.SYN) != 0 ? NO_OPTIONS : null;
        c.guestSegment(flags, seq, ack, window, options, sack, frame, 54, data.length, now);
    }

    void guestSynAck(int seq, int ack, int window, TcpSynOptions options) {
        c.guestSegment(TcpFlags.SYN | TcpFlags.ACK, seq, ack, window, options, null, ByteBuffer.allocate(0), 0, 0, now);
    }

    // ---- the host -------------------------------------------------------------------------------------

    /**
     * The host socket yields {@code data}, read the way TcpNat reads: while the connection has room and the
     * socket has bytes; returns how much was read.
     */
    int hostSends(byte[] data) throws IOException {
        Source source = new Source(data);
        int total = 0;
        while (c.hostReadRoom() > 0) {
            int n = c.readFromHost(source);
            if (n <= 0) {
                break;
            }
            total += n;
            c.hostDataAdded(now);
        }
        return total;
    }

    /** The host socket takes at most {@code room} bytes; returns them. */
    byte[] hostTakes(int room) throws IOException {
        Drain drain = new Drain(room);
        int n = c.writeToHost(drain);
        assertThat(n).isEqualTo(drain.taken.size());
        return drain.taken.toByteArray();
    }

    /** Moves the clock and lets the connection do its timed work. */
    void after(long nanos) {
        now += nanos;
        c.poll(now);
    }

    /** Moves the clock to the connection's next deadline and polls. */
    void untilNextDeadline() {
        long at = c.pollAt();
        assertThat(at).isNotZero();
        now = at;
        c.poll(now);
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i * 7 + (i >> 8));
        }
        return b;
    }

    /** A host socket with {@code data} to read, then nothing (0) more. */
    static final class Source implements ReadableByteChannel {
        private final ByteBuffer data;

        Source(byte[] data) {
            this.data = ByteBuffer.wrap(data);
        }

        @Override
        public int read(ByteBuffer dst) {
            int n = Math.min(dst.remaining(), data.remaining());
            dst.put(dst.position(), data, data.position(), n);
            dst.position(dst.position() + n);
            data.position(data.position() + n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    /**
     * A host socket that takes at most {@code room} more bytes (a test may give it more at any time) and
     * keeps everything it took, in order.
     */
    static final class Drain implements WritableByteChannel {
        final ByteArrayOutputStream taken = new ByteArrayOutputStream();
        int room;

        Drain(int room) {
            this.room = room;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(src.remaining(), room);
            byte[] b = new byte[n];
            src.get(b);
            taken.writeBytes(b);
            room -= n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }
}
