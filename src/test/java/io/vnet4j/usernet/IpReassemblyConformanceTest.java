package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * gVisor's packetimpact ip_reassembly scenarios (test/packetimpact/tests/ip_reassembly, their cases in
 * common/common.go; ipv4_fragment_reassembly_test and ipv6_fragment_reassembly_test too), replayed against the
 * gateway's {@link Reassembler} for both families: a 3,000-byte payload in fragments of 1,000 bytes, in order,
 * out of order, with a duplicate, with a fragment inside one received, and with overlapping ones. Where a
 * fragment is put back together, the gateway answers the datagram (an echo request, say); where it is dropped,
 * nothing. packetimpact's expectation is Linux's inet_frag_queue_insert, shared by both families.
 */
class IpReassemblyConformanceTest {
    private static final int LENGTH = 3000;

    private final Reassembler reassembler = new Reassembler((source, destination, quote, length) -> { });
    private final byte[] whole = new byte[LENGTH];

    {
        new Random(9).nextBytes(whole);
    }

    /** One fragment: {@code size} bytes of {@link #whole} from {@code offset}; the datagram once complete, else null. */
    private Reassembler.Datagram fragment(boolean ipv6, int offset, int size, boolean more) {
        IpAddress source = ipv6 ? IpAddress.ofIpv6(0xfec0_0000_0000_0000L, 0x15) : IpAddress.ofIpv4(0x0a00020f);
        IpAddress destination = ipv6 ? IpAddress.ofIpv6(0xfec0_0000_0000_0000L, 0x2) : IpAddress.ofIpv4(0x0a000202);
        return reassembler.offer(source, destination, ipv6 ? 58 : 1, 5, offset, more, ByteBuffer.wrap(whole), offset,
                size, Reassembler.NO_QUOTE, 0);
    }

    private void assertWhole(Reassembler.Datagram d) {
        assertThat(d).isNotNull();
        assertThat(d.length()).isEqualTo(LENGTH);
        byte[] got = new byte[LENGTH];
        d.buffer().get(0, got);
        assertThat(got).isEqualTo(whole);
        assertThat(reassembler.inProgress()).isZero();
    }

    /** packetimpact ipv4_reassembly_basic_test and ipv6_reassembly_basic_test (RFC 791 section 3.2, RFC 8200 section 4.5). */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void basic(boolean ipv6) {
        assertThat(fragment(ipv6, 0, 1000, true)).isNull();
        assertThat(fragment(ipv6, 1000, 1000, true)).isNull();
        assertWhole(fragment(ipv6, 2000, 1000, false));
    }

    /** packetimpact ipv4_reassembly_out_of_order_test and ipv6_reassembly_out_of_order_test: the last fragment first. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void outOfOrder(boolean ipv6) {
        assertThat(fragment(ipv6, 2000, 1000, false)).isNull();
        assertThat(fragment(ipv6, 0, 1000, true)).isNull();
        assertWhole(fragment(ipv6, 1000, 1000, true));
    }

    /**
     * packetimpact ipv4_reassembly_duplicate_test and ipv6_reassembly_duplicate_test: a fragment received twice
     * is dropped the second time and the datagram kept (RFC 5722 section 4 as amended by erratum 3089).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void duplicate(boolean ipv6) {
        assertThat(fragment(ipv6, 0, 1000, true)).isNull();
        assertThat(fragment(ipv6, 1000, 1000, true)).isNull();
        assertThat(fragment(ipv6, 1000, 1000, true)).isNull();
        assertWhole(fragment(ipv6, 2000, 1000, false));
    }

    /**
     * packetimpact ipv4_reassembly_subset_test: an IPv4 fragment lying wholly inside one received (bytes 512 to
     * 768 of the first) is a duplicate: dropped, and the datagram kept with the bytes that came first, as Linux's
     * inet_frag_queue_insert (IPFRAG_DUP) does; RFC 791 forbids no overlap. Taken as an overlap, it lost the
     * whole datagram. packetimpact ipv6_reassembly_subset_test expects the same of IPv6 (Linux's rule is shared);
     * the gateway differs there on purpose: RFC 8200 section 4.5 abandons a datagram for any overlap.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void subset(boolean ipv6) {
        assertThat(fragment(ipv6, 0, 1000, true)).isNull();
        assertThat(fragment(ipv6, 1000, 1000, true)).isNull();
        byte[] other = new byte[256];
        IpAddress source = ipv6 ? IpAddress.ofIpv6(0xfec0_0000_0000_0000L, 0x15) : IpAddress.ofIpv4(0x0a00020f);
        IpAddress destination = ipv6 ? IpAddress.ofIpv6(0xfec0_0000_0000_0000L, 0x2) : IpAddress.ofIpv4(0x0a000202);
        assertThat(reassembler.offer(source, destination, ipv6 ? 58 : 1, 5, 512, true, ByteBuffer.wrap(other), 0, 256,
                Reassembler.NO_QUOTE, 0)).as("other bytes than the first fragment's").isNull();
        if (ipv6) {
            assertThat(fragment(ipv6, 2000, 1000, false)).isNull();
            assertThat(reassembler.dropped()).as("the datagram, and the last fragment's left incomplete").isEqualTo(1);
            return;
        }
        assertWhole(fragment(ipv6, 2000, 1000, false));
        assertThat(reassembler.dropped()).as("the subset, counted").isEqualTo(1);
    }

    /**
     * The last fragment (MF clear) lying inside one received with MF set, which reaches the same end: a duplicate
     * of bytes held that tells the datagram's length, and with it every byte is there. RFC 791 section 3.2's
     * reassembly is then complete; it was held until its time ran out (30 s, then a Time Exceeded to its source).
     */
    @Test
    void anIpv4LastFragmentInsideOneReceivedCompletesTheDatagram() {
        assertThat(fragment(false, 0, 1000, true)).isNull();
        assertThat(fragment(false, 1000, 2000, true)).isNull();
        assertWhole(fragment(false, 2000, 1000, false));
        assertThat(reassembler.dropped()).as("the last fragment's length was used, nothing dropped").isZero();
    }

    /**
     * packetimpact ipv4_reassembly_overlap_test and ipv6_reassembly_overlap_test: a fragment overlapping one
     * received, not inside it, drops the whole datagram (RFC 5722 section 4; Linux's IPFRAG_OVERLAP), and the
     * fragments after it start a datagram that never completes.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void overlap(boolean ipv6) {
        assertThat(fragment(ipv6, 0, 1000, true)).isNull();
        assertThat(fragment(ipv6, 1512, 1000, true)).isNull();
        assertThat(fragment(ipv6, 1000, 1000, true)).isNull();
        assertThat(fragment(ipv6, 2000, 1000, false)).isNull();
        assertThat(reassembler.dropped()).isEqualTo(1);
    }
}
