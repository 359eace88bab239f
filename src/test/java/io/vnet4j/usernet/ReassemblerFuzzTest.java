package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Fragment reassembly (here, not in io.vnet4j.fuzz: {@link Reassembler} is package-private) fed a
 * sequence of fragments on a fake clock. Each fragment is 6 header bytes and its data:
 * <pre>
 *   key (1 byte: the IP id; 128 keys, more than the 64 datagrams kept)
 *   more fragments (top bit) and fragment offset in 8-byte units (13 bits), big-endian 16 bits
 *   clock step (1 byte, in 100 ms units)
 *   data length (16 bits, cut to the bytes left)
 * </pre>
 * Nothing throws; at most {@value Reassembler#MAX_DATAGRAMS} datagrams are in progress; a datagram
 * handed back is at most {@value Reassembler#MAX_PAYLOAD_V4} bytes, every byte of it came in a fragment of
 * this run, and it holds exactly the bytes its fragments carried at their positions (unless an exact
 * duplicate of a piece carried other bytes since the key's last datagram: the reassembler keeps the first
 * copy, RFC 5722 erratum 3089, which this model cannot tell from a piece of a datagram dropped meanwhile).
 */
class ReassemblerFuzzTest {
    private static final IpAddress SOURCE = IpAddress.ofIpv4(1);
    private static final IpAddress DESTINATION = IpAddress.ofIpv4(2);
    private static final int HEADER = 6;
    private static final long STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final int KEYS = 128;
    /**
     * The model: per key, the last byte written at each place. Kept from run to run, since a datagram is
     * complete only when fragments of this run cover every byte of it.
     */
    private final byte[][] written = new byte[KEYS][0];

    @FuzzTest
    @SuppressWarnings("unchecked")
    void keepsBoundsAndReassemblesExactlyTheFragmentsBytes(byte[] input) {
        Reassembler reassembler = new Reassembler((source, destination, quote, length) -> { });
        BitSet[] sent = new BitSet[KEYS];
        Set<Long>[] pieces = new Set[KEYS];
        boolean[] ambiguous = new boolean[KEYS];
        ByteBuffer in = ByteBuffer.wrap(input);
        long now = 0;
        long dropped = 0;
        for (int at = 0; at + HEADER <= input.length; ) {
            int id = in.get(at) & 0x7F;
            int field = in.getShort(at + 1) & 0xFFFF;
            boolean more = (field & 0x8000) != 0;
            int position = (field & 0x1FFF) * 8;
            now += (in.get(at + 3) & 0xFF) * STEP_NANOS;
            int length = Math.min(in.getShort(at + 4) & 0xFFFF, input.length - at - HEADER);
            int data = at + HEADER;
            at = data + length;

            if (written[id].length < position + length) {
                written[id] = Arrays.copyOf(written[id], Math.max(position + length, Reassembler.MAX_PAYLOAD_V4 + 8));
            }
            if (sent[id] == null) {
                sent[id] = new BitSet();
                pieces[id] = new HashSet<>();
            }
            boolean duplicate = !pieces[id].add((long) position << 32 | position + length);
            ambiguous[id] |= duplicate
                    && !Arrays.equals(input, data, data + length, written[id], position, position + length);
            System.arraycopy(input, data, written[id], position, length);
            sent[id].set(position, position + length);
            Reassembler.Datagram whole = reassembler.offer(SOURCE, DESTINATION, 17, id, position, more, in, data, length,
                    Reassembler.NO_QUOTE, now);

            assertThat(reassembler.inProgress()).isLessThanOrEqualTo(Reassembler.MAX_DATAGRAMS);
            assertThat(reassembler.dropped()).isGreaterThanOrEqualTo(dropped);
            dropped = reassembler.dropped();
            if (whole != null) {
                assertThat(whole.length()).isBetween(0, Reassembler.MAX_PAYLOAD_V4);
                assertThat(sent[id].nextClearBit(0)).isGreaterThanOrEqualTo(whole.length());
                byte[] got = new byte[whole.length()];
                whole.buffer().get(0, got);
                if (!ambiguous[id]) {
                    assertThat(got).isEqualTo(Arrays.copyOf(written[id], whole.length()));
                }
                assertThat(whole.protocol()).isEqualTo(17);
                pieces[id].clear();
                ambiguous[id] = false;
            }
        }
        reassembler.expire(now + Reassembler.TIMEOUT_NANOS_V4);
        assertThat(reassembler.inProgress()).isZero();
    }
}
