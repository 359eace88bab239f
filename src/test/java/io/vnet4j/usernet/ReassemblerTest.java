package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReassemblerTest {
    private final Reassembler r = new Reassembler((source, destination, quote, length) -> { });

    private Reassembler.Datagram offer(int id, int position, boolean more, byte[] data, long now) {
        return r.offer(IpAddress.ofIpv4(1), IpAddress.ofIpv4(2), 17, id, position, more, ByteBuffer.wrap(data), 0, data.length,
                Reassembler.NO_QUOTE, now);
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
        r.expire(Reassembler.TIMEOUT_NANOS_V4 + 1);
        assertThat(r.inProgress()).isZero();
        assertThat(r.dropped()).isEqualTo(1);
    }

    @Test
    void keepsMemoryBoundedUnderAFloodOfFirstFragments() {
        for (int id = 0; id < 10_000; id++) {
            offer(id, 0, true, bytes(8, id), 0);
        }
        assertThat(r.inProgress()).as("one source's share").isEqualTo(Reassembler.MAX_PER_SOURCE);
        for (int id = 0; id < 10_000; id++) {
            r.offer(IpAddress.ofIpv4(100 + id % 1000), IpAddress.ofIpv4(2), 17, id, 0, true, ByteBuffer.wrap(bytes(8, id)), 0, 8,
                    Reassembler.NO_QUOTE, 0);
        }
        assertThat(r.inProgress()).as("all sources'").isEqualTo(Reassembler.MAX_DATAGRAMS);
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

    /**
     * A helper's replay: 400,000 tiny first fragments, each of a new datagram, took the daemon from 80 MB to
     * 1 GB resident, a 64 KiB buffer each. Now a datagram's buffer fits what it has received, and buffers
     * are reused: the flood allocates {@value Reassembler#MAX_DATAGRAMS} of them, not one per fragment.
     */
    @Test
    void aFloodOfTinyFirstFragmentsReusesSmallBuffers() {
        java.util.Set<byte[]> buffers = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int id = 0; id < 10_000; id++) {
            assertThat(r.offer(IpAddress.ofIpv4(100 + id % 200), IpAddress.ofIpv4(2), 17, id, 0, true,
                    ByteBuffer.wrap(new byte[8]), 0, 8, Reassembler.NO_QUOTE, id)).isNull();
            // a complete datagram now and then hands its buffer back for reuse
            Reassembler.Datagram d = offer(70_000 + id, 0, false, new byte[8], id);
            buffers.add(d.buffer().array());
        }
        assertThat(r.inProgress()).isBetween(Reassembler.MAX_DATAGRAMS - 1, Reassembler.MAX_DATAGRAMS);
        assertThat(buffers).as("buffers reused").hasSizeLessThanOrEqualTo(2 * Reassembler.MAX_DATAGRAMS + 1);
        assertThat(buffers).allSatisfy(b -> assertThat(b.length).isEqualTo(Reassembler.FIRST_BUFFER));
    }

    /** A helper's replay: one guest's flood evicted another guest's datagram between its two fragments. */
    @Test
    void aSourceFloodingFragmentsGivesWayItsOwnAndLeavesOthersRoom() {
        byte[] whole = bytes(2000, 3);
        IpAddress quiet = IpAddress.ofIpv4(0x0a000265);
        assertThat(r.offer(quiet, IpAddress.ofIpv4(2), 17, 1, 0, true, ByteBuffer.wrap(whole), 0, 1000,
                Reassembler.NO_QUOTE, 0)).isNull();
        for (int id = 0; id < 1000; id++) {
            offer(id, 0, true, new byte[8], 1);
        }
        Reassembler.Datagram d = r.offer(quiet, IpAddress.ofIpv4(2), 17, 1, 1000, false, ByteBuffer.wrap(whole), 1000, 1000,
                Reassembler.NO_QUOTE, 2);
        assertThat(d).as("the quiet guest's datagram survived the flood").isNotNull();
        assertThat(d.length()).isEqualTo(2000);
        assertThat(r.inProgress()).isEqualTo(Reassembler.MAX_PER_SOURCE);
    }

    /** A helper's replay: IPv6 datagrams of 65,516 to 65,535 bytes, which Linux delivers, were dropped (IPv4's bound). */
    @Test
    void anIpv6DatagramMayCarry65535Bytes() {
        IpAddress a = IpAddress.parse("2001:db8::15");
        IpAddress b = IpAddress.parse("2001:db8::2");
        byte[] whole = bytes(65535, 4);
        assertThat(r.offer(a, b, 17, 5, 0, true, ByteBuffer.wrap(whole), 0, 65528, Reassembler.NO_QUOTE, 0)).isNull();
        Reassembler.Datagram d = r.offer(a, b, 17, 5, 65528, false, ByteBuffer.wrap(whole), 65528, 7, Reassembler.NO_QUOTE, 0);
        assertThat(d).isNotNull();
        assertThat(d.length()).isEqualTo(65535);
        assertThat(offer(6, 65512, false, new byte[8], 0)).as("IPv4: 65,520 bytes is past a packet").isNull();
        assertThat(r.dropped()).isEqualTo(1);
    }

    /** RFC 8200 section 4.5: an IPv6 datagram waits 60 s, then its first fragment (header, then data) is told. */
    @Test
    void tellsTheTimeOutOfAnIpv6DatagramWhoseFirstFragmentCameQuotingThatFragment() {
        java.util.List<byte[]> told = new java.util.ArrayList<>();
        Reassembler timed = new Reassembler((source, destination, quote, length) -> {
            byte[] b = new byte[length];
            quote.get(0, b);
            told.add(b);
        });
        IpAddress a = IpAddress.parse("2001:db8::15");
        IpAddress b = IpAddress.parse("2001:db8::2");
        byte[] packet = bytes(48 + 16, 9); // 48 bytes of headers, then the fragment's data
        timed.offer(a, b, 17, 1, 16, true, ByteBuffer.wrap(new byte[8]), 0, 8, Reassembler.NO_QUOTE, 0);
        timed.offer(a, b, 17, 1, 0, true, ByteBuffer.wrap(packet), 48, 16, 0, 0);
        timed.offer(a, b, 17, 2, 8, true, ByteBuffer.wrap(new byte[8]), 0, 8, Reassembler.NO_QUOTE, 0);
        timed.expire(Reassembler.TIMEOUT_NANOS_V6 - 1);
        assertThat(told).isEmpty();
        timed.expire(Reassembler.TIMEOUT_NANOS_V6);
        assertThat(told).containsExactly(packet);
        assertThat(timed.inProgress()).isZero();
    }
}
