package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReassemblerTest {
    private final Reassembler r = new Reassembler();

    private Reassembler.Datagram offer(int id, int position, boolean more, byte[] data, long now) {
        return r.offer(IpAddress.ofIpv4(1), IpAddress.ofIpv4(2), 17, id, position, more, ByteBuffer.wrap(data), 0, data.length, now);
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void joinsFragmentsInAnyOrder() {
        byte[] whole = bytes(3000, 1);
        byte[] a = java.util.Arrays.copyOfRange(whole, 0, 1480);
        byte[] b = java.util.Arrays.copyOfRange(whole, 1480, 2960);
        byte[] c = java.util.Arrays.copyOfRange(whole, 2960, 3000);
        assertThat(offer(9, 2960, false, c, 0)).isNull();
        assertThat(offer(9, 0, true, a, 0)).isNull();
        Reassembler.Datagram d = offer(9, 1480, true, b, 0);
        assertThat(d).isNotNull();
        assertThat(d.length()).isEqualTo(3000);
        byte[] got = new byte[3000];
        d.buffer().get(0, got);
        assertThat(got).isEqualTo(whole);
        assertThat(r.inProgress()).isZero();
    }

    @Test
    void dropsTheDatagramOnOverlap() {
        assertThat(offer(1, 0, true, bytes(16, 2), 0)).isNull();
        assertThat(offer(1, 8, true, bytes(16, 3), 0)).isNull();
        assertThat(offer(1, 24, false, bytes(8, 4), 0)).isNull();
        assertThat(r.dropped()).isEqualTo(1);
    }

    @Test
    void anExactDuplicateIsDroppedAndTheDatagramKept() {
        // RFC 5722 erratum 3089, Linux: a duplicate is no overlap (a helper's replay found the datagram lost)
        byte[] whole = bytes(24, 8);
        byte[] first = java.util.Arrays.copyOfRange(whole, 0, 16);
        byte[] last = java.util.Arrays.copyOfRange(whole, 16, 24);
        assertThat(offer(6, 0, true, first, 0)).isNull();
        assertThat(offer(6, 0, true, first, 0)).isNull();
        assertThat(offer(6, 16, false, last, 0)).isNotNull();
        assertThat(r.dropped()).isEqualTo(1);
        assertThat(offer(7, 16, false, last, 0)).isNull();
        assertThat(offer(7, 16, false, last, 0)).isNull();
        Reassembler.Datagram d = offer(7, 0, true, first, 0);
        assertThat(d).isNotNull();
        byte[] got = new byte[24];
        d.buffer().get(0, got);
        assertThat(got).isEqualTo(whole);
    }

    @Test
    void dropsFragmentsReachingPast65535Bytes() {
        assertThat(offer(2, 65528, false, bytes(100, 5), 0)).isNull();
        assertThat(r.dropped()).isEqualTo(1);
        assertThat(r.inProgress()).isZero();
    }

    @Test
    void dropsANonFinalFragmentThatIsNotAMultipleOfEight() {
        assertThat(offer(3, 0, true, bytes(13, 6), 0)).isNull();
        assertThat(r.dropped()).isEqualTo(1);
    }

    @Test
    void forgetsIncompleteDatagramsAfterTheTimeout() {
        offer(4, 0, true, bytes(8, 7), 0);
        r.expire(Reassembler.TIMEOUT_NANOS + 1);
        assertThat(r.inProgress()).isZero();
        assertThat(r.dropped()).isEqualTo(1);
    }

    @Test
    void keepsMemoryBoundedUnderAFloodOfFirstFragments() {
        for (int id = 0; id < 10_000; id++) {
            offer(id, 0, true, bytes(8, id), 0);
        }
        assertThat(r.inProgress()).isEqualTo(Reassembler.MAX_DATAGRAMS);
    }

    @Test
    void refusesMoreThanTheMaximumNumberOfPieces() {
        for (int i = 0; i <= Reassembler.MAX_FRAGMENTS; i++) {
            offer(5, i * 8, true, bytes(8, i), 0);
        }
        assertThat(r.dropped()).isEqualTo(1);
    }

    @Test
    void dropsTheDatagramWhenAPieceLiesBeyondTheFinalFragmentsEnd() {
        // found by ReassemblerFuzzTest: [1016, 1048) then the final [32, 64) covered 64 bytes, the total,
        // and a "datagram" whose first 32 bytes were never sent came out
        assertThat(offer(2, 1016, true, bytes(32, 8), 0)).isNull();
        assertThat(offer(2, 32, false, bytes(32, 9), 0)).isNull();
        assertThat(offer(2, 0, true, bytes(32, 10), 0)).isNull();
        assertThat(r.dropped()).isEqualTo(1);
    }
}
