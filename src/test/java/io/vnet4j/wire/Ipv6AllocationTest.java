package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The per-frame IPv6 paths allocate nothing: the walk, the checksums over the header's addresses, NDP options. */
class Ipv6AllocationTest {
    private static final int ROUNDS = 10_000;
    private final Ipv6Packet ip = new Ipv6Packet();
    private final Icmpv6Packet icmp = new Icmpv6Packet();
    private final UdpPacket udp = new UdpPacket();
    private final TcpSegment tcp = new TcpSegment();
    private final RouterAdvertisement ra = new RouterAdvertisement();
    private final NdpOptions options = new NdpOptions();
    private final ByteBuffer advertisement = Golden6.buffer(Golden6.ROUTER_ADVERTISEMENT);
    private final ByteBuffer dhcp = Golden6.buffer(Golden6.DHCPV6_INFORMATION_REQUEST);
    private final ByteBuffer syn = Golden6.buffer(Golden6.TCP_SYN);
    private final ByteBuffer fragment = Golden6.buffer(Golden6.LAST_FRAGMENT);
    private final ByteBuffer mld = Golden6.buffer(Golden6.MLD_REPORT);

    /** One frame of each kind through its per-frame path; returns a count so nothing is optimised away. */
    private long round() {
        long seen = 0;
        ip.wrap(advertisement, Golden6.IP, advertisement.capacity() - Golden6.IP).check();
        icmp.wrap(advertisement, ip.upperOffset(), ip.upperLength());
        seen += icmp.checksumValid(ip) ? 1 : 0;
        ra.wrap(advertisement, ip.upperOffset(), ip.upperLength()).check();
        ra.options(options);
        while (options.next()) {
            if (options.type() == NdpOptionType.SOURCE_LINK_LAYER_ADDRESS) {
                seen += options.linkLayerAddress();
            } else if (options.type() == NdpOptionType.PREFIX_INFORMATION) {
                seen += options.prefixLength() + (Golden6.ROUTER.equalsAt(advertisement, options.prefixOffset()) ? 1 : 0);
            }
        }
        ip.wrap(dhcp, Golden6.IP, dhcp.capacity() - Golden6.IP).check();
        seen += udp.wrap(dhcp, ip.upperOffset(), ip.upperLength()).checksumValid(ip) ? 1 : 0;
        ip.wrap(syn, Golden6.IP, syn.capacity() - Golden6.IP).check();
        seen += tcp.wrap(syn, ip.upperOffset(), ip.upperLength()).checksumValid(ip) ? 1 : 0;
        ip.wrap(fragment, Golden6.IP, fragment.capacity() - Golden6.IP).check();
        seen += ip.fragmentIdentification() + ip.sourceHigh() + ip.destinationLow();
        seen += ip.wrap(mld, Golden6.IP, mld.capacity() - Golden6.IP).check().ordinal() + ip.upperOffset();
        return seen;
    }

    @Test
    void walksChecksumsAndNdpOptionsWithoutAllocating() {
        long seen = 0;
        for (int i = 0; i < ROUNDS; i++) {
            seen += round(); // warm up
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < ROUNDS; i++) {
            seen += round();
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - start;
        assertThat(seen).isNotZero();
        assertThat(allocated).as("bytes allocated in %d rounds", ROUNDS).isLessThan(16 * 1024);
    }
}
