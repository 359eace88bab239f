package io.vnet4j.usernet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSackBlocks;
import io.vnet4j.wire.TcpSynOptions;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The guest-facing TCP endpoint (here, not in io.vnet4j.fuzz: the test helpers it uses are package-private),
 * which the gateway harness cannot reach (restricted, its SYNs get RST). A connection is opened from a
 * guest SYN whose options come from the first 4 input bytes (MSS 16 bits, window scale, SACK permitted),
 * then events follow, each one opcode byte and its fields:
 * <pre>
 *   0 guest segment: flags (1), sequence and acknowledgment as signed 16-bit distances from the last
 *     acknowledgment and the highest sequence number the connection sent, window (16), data length (16,
 *     cut to the bytes left), data
 *   1 the host sends N (16) bytes      2 the host socket takes up to N (16) bytes
 *   3 time passes, N (16) times 10 ms, and the connection polls      4 the host's EOF      5 the host resets
 *   6 a guest ACK with SACK blocks: acknowledgment distance (16, as in 0), block count (1, at most 4), each
 *     block's edges as signed 16-bit distances from the acknowledgment (cut to the bytes left)
 * </pre>
 * Nothing throws; every segment to the guest carries at most its MSS and exactly the host's bytes at its
 * sequence numbers; every byte the host gets is one the guest sent at that place in its stream.
 */
class TcpConnectionFuzzTest implements SegmentSink {
    private static final int OUR_MSS = 1460;
    private static final int BUFFER = 64 * 1024;
    private static final int ISS = 0x7fff_fff0;
    private static final int IRS = 0xffff_ff00;
    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private int guestMss;
    private int lastAck;
    private int highestSent;
    private int hostSent;
    private TcpHarness.Drain host;
    /** For each place in the guest's stream, every byte value the guest sent there. */
    private final Map<Integer, BitSet> guestStream = new HashMap<>();

    @FuzzTest
    void segmentsCarryTheRightBytesBothWays(byte[] input) throws Exception {
        if (input.length < 4) {
            return;
        }
        ByteBuffer in = ByteBuffer.wrap(input);
        guestStream.clear();
        hostSent = 0;
        host = new TcpHarness.Drain(0);
        guestMss = in.getShort(0) & 0xFFFF;
        TcpSynOptions options = new TcpSynOptions(guestMss == 0 ? -1 : guestMss, input[2] == -1 ? -1 : input[2] & 0xFF,
                (input[3] & 1) != 0);
        long now = 1_000_000_000L;
        TcpConnection c = new TcpConnection(this, OUR_MSS, BUFFER, ISS);
        c.writeThrough(host);
        lastAck = IRS + 1;
        highestSent = ISS;
        c.guestSyn(IRS, 64240, options, now);
        c.hostConnected(now);
        for (int at = 4; at < input.length; ) {
            int op = (input[at++] & 0xFF) % 7;
            if (at + 2 > input.length) {
                break;
            }
            int n = in.getShort(at) & 0xFFFF;
            at += 2;
            switch (op) {
                case 0 -> at = guestSegment(c, in, at - 2, now);
                case 1 -> hostSends(c, n, now);
                case 2 -> {
                    int before = host.taken.size();
                    host.room += n;
                    c.writeToHost(host);
                    checkHostBytes(before);
                }
                case 3 -> {
                    now += n * STEP_NANOS;
                    c.poll(now);
                }
                case 4 -> c.hostEof(now);
                case 6 -> at = guestSack(c, in, at - 2, now);
                default -> c.hostReset();
            }
        }
    }

    /** Fields from {@code at}: flags, sequence and acknowledgment distances, window, length, data. */
    private int guestSegment(TcpConnection c, ByteBuffer in, int at, long now) {
        if (at + 9 > in.limit()) {
            return in.limit();
        }
        int flags = in.get(at) & TcpFlags.MASK;
        int sequence = lastAck + in.getShort(at + 1);
        int acknowledgment = highestSent + in.getShort(at + 3);
        int window = in.getShort(at + 5) & 0xFFFF;
        int data = at + 9;
        int length = Math.min(in.getShort(at + 7) & 0xFFFF, in.limit() - data);
        for (int i = 0; i < length; i++) {
            guestStream.computeIfAbsent(sequence + i - (IRS + 1), k -> new BitSet(256)).set(in.get(data + i) & 0xFF);
        }
        TcpSynOptions options = (flags & TcpFlags.SYN) != 0 ? new TcpSynOptions(guestMss, -1, false) : null;
        int before = host.taken.size();
        c.guestSegment(flags, sequence, acknowledgment, window, options, null, in, data, length, now);
        checkHostBytes(before);
        return data + length;
    }

    /** Fields from {@code at}: acknowledgment distance, block count, blocks (see the class comment). */
    private int guestSack(TcpConnection c, ByteBuffer in, int at, long now) {
        if (at + 3 > in.limit()) {
            return in.limit();
        }
        int acknowledgment = highestSent + in.getShort(at);
        int count = (in.get(at + 2) & 0xFF) % (TcpSackBlocks.MAX_BLOCKS + 1);
        at += 3;
        TcpSackBlocks sack = new TcpSackBlocks();
        for (int i = 0; i < count && at + 4 <= in.limit(); i++, at += 4) {
            sack.add(acknowledgment + in.getShort(at), acknowledgment + in.getShort(at + 2));
        }
        int before = host.taken.size();
        c.guestSegment(TcpFlags.ACK, lastAck, acknowledgment, 65535, null, sack, in, at, 0, now);
        checkHostBytes(before);
        return at;
    }

    private void hostSends(TcpConnection c, int n, long now) throws Exception {
        byte[] bytes = new byte[n];
        for (int i = 0; i < n; i++) {
            bytes[i] = hostByte(hostSent + i);
        }
        int read = c.hostReadRoom() > 0 ? c.readFromHost(new TcpHarness.Source(bytes)) : 0;
        if (read > 0) {
            hostSent += read;
            c.hostDataAdded(now);
        }
    }

    /** Every byte the host took since {@code from} is one the guest sent at that place. */
    private void checkHostBytes(int from) {
        byte[] taken = host.taken.toByteArray();
        for (int p = from; p < taken.length; p++) {
            BitSet sent = guestStream.get(p);
            if (sent == null || !sent.get(taken[p] & 0xFF)) {
                throw new AssertionError("the host got " + taken[p] + " at " + p + ", the guest sent " + sent);
            }
        }
    }

    @Override
    public void segment(OutgoingSegment segment) {
        int flags = segment.flags();
        int sequence = segment.sequence();
        int payloadLength = segment.payloadLength();
        assertThat(payloadLength).isBetween(0, Math.max(1, Math.min(guestMss == 0 ? 536 : guestMss, OUR_MSS)));
        if (payloadLength > 0) {
            ByteBuffer data = ByteBuffer.allocate(payloadLength);
            segment.copyPayload(data, 0);
            for (int i = 0; i < payloadLength; i++) {
                if (data.get(i) != hostByte(sequence + i - (ISS + 1))) {
                    throw new AssertionError("byte " + i + " of a segment at " + Integer.toUnsignedString(sequence)
                            + " is not the host's");
                }
            }
        }
        if ((flags & TcpFlags.ACK) != 0) {
            lastAck = segment.acknowledgment();
        }
        int end = sequence + payloadLength + ((flags & (TcpFlags.SYN | TcpFlags.FIN)) != 0 ? 1 : 0);
        if (end - highestSent > 0) {
            highestSent = end;
        }
    }

    /** The host's byte at place {@code p} of its stream. */
    private static byte hostByte(int p) {
        return (byte) (p * 31 + (p >>> 8));
    }
}
