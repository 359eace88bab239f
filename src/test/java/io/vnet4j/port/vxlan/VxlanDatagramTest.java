package io.vnet4j.port.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.VxlanHeader;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The VXLAN header as RFC 7348 lays it out, what a received datagram is taken for, and the inner flow hash. */
class VxlanDatagramTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void theHeaderIsTheIFlagAndTheVniInNetworkOrder() {
        ByteBuffer out = ByteBuffer.allocate(12);
        out.put(0, new byte[] {(byte) 0xA5, (byte) 0xA5, (byte) 0xA5, (byte) 0xA5, (byte) 0xA5, (byte) 0xA5,
                (byte) 0xA5, (byte) 0xA5, (byte) 0xA5});
        VxlanHeader.write(out, 0, 0x12_3456);
        assertThat(HEX.formatHex(out.array(), 0, 9)).isEqualTo("0800000012345600" + "a5");
    }

    @Test
    void aDatagramIsAFrameOfItsVniOnlyWithTheIFlagAndRoomForAnEthernetHeader() {
        byte[] d = HEX.parseHex("0800000000002a00" + "ffffffffffff525400000001" + "0800" + "45");
        ByteBuffer b = ByteBuffer.wrap(d);
        assertThat(VxlanEndpoint.vniOf(b, 0, d.length)).isEqualTo(42);
        assertThat(VxlanEndpoint.vniOf(b, 0, 8 + 13)).as("an inner frame shorter than its header").isEqualTo(VxlanEndpoint.MALFORMED);
        assertThat(VxlanEndpoint.vniOf(b, 0, 3)).isEqualTo(VxlanEndpoint.MALFORMED);
        d[0] = 0x00;
        assertThat(VxlanEndpoint.vniOf(b, 0, d.length)).as("no I flag").isEqualTo(VxlanEndpoint.MALFORMED);
        d[0] = (byte) 0xFF; // the reserved bits are ignored on receipt
        d[7] = (byte) 0xFF;
        assertThat(VxlanEndpoint.vniOf(b, 0, d.length)).isEqualTo(42);
        d[4] = (byte) 0xFF;
        assertThat(VxlanEndpoint.vniOf(b, 0, d.length)).as("24 bits").isEqualTo(0xFF002A);
    }

    @Test
    void oneFlowHashesAlikeAndTheHashReadsNothingPastTheFrame() {
        byte[] tcp = HEX.parseHex("525400000002525400000001" + "0800"
                + "45000028000040004006" + "0000" + "0a00020f" + "0a000202" + "d4311f90" + "00000000");
        ByteBuffer a = ByteBuffer.wrap(tcp);
        int h = InnerFlow.hash(a, 0, tcp.length);
        assertThat(InnerFlow.hash(ByteBuffer.wrap(tcp.clone()), 0, tcp.length)).isEqualTo(h);
        byte[] otherPort = tcp.clone();
        otherPort[14 + 20 + 1] ^= 1;
        assertThat(InnerFlow.hash(ByteBuffer.wrap(otherPort), 0, tcp.length)).isNotEqualTo(h);
        byte[] otherTtl = tcp.clone();
        otherTtl[14 + 8] = 1;
        assertThat(InnerFlow.hash(ByteBuffer.wrap(otherTtl), 0, tcp.length)).as("not part of the flow").isEqualTo(h);
        for (int n = 0; n <= tcp.length; n++) {
            InnerFlow.hash(ByteBuffer.wrap(tcp, 0, n).slice(), 0, n); // never past the bytes given
        }
    }

    /** A reviewer's finding: a frame behind an 802.1Q tag was hashed by its MACs alone, every flow on one port. */
    @Test
    void aFlowBehindAVlanTagIsHashedByItsPortsToo() {
        byte[] tcp = HEX.parseHex("525400000002525400000001" + "8100" + "000a" + "0800"
                + "45000028000040004006" + "0000" + "0a00020f" + "0a000202" + "d4311f90" + "00000000");
        int h = InnerFlow.hash(ByteBuffer.wrap(tcp), 0, tcp.length);
        byte[] otherPort = tcp.clone();
        otherPort[18 + 20 + 1] ^= 1;
        assertThat(InnerFlow.hash(ByteBuffer.wrap(otherPort), 0, tcp.length)).isNotEqualTo(h);
        for (int n = 0; n <= tcp.length; n++) {
            InnerFlow.hash(ByteBuffer.wrap(tcp, 0, n).slice(), 0, n);
        }
    }

    /**
     * A QinQ guest's frame (an 802.1ad S-tag, 0x88A8, or two 802.1Q tags before the IP header, as a Linux VLAN
     * device on another sends) is hashed by its flow behind both tags, as Linux's flow dissector reads them: it
     * was hashed by its MACs alone, every flow of the guest on one source port.
     */
    @Test
    void aFlowBehindTwoTagsIsHashedByItsPortsToo() {
        for (String outer : new String[] {"88a8", "8100"}) {
            byte[] tcp = HEX.parseHex("525400000002525400000001" + outer + "0064" + "8100" + "000a" + "0800"
                    + "45000028000040004006" + "0000" + "0a00020f" + "0a000202" + "d4311f90" + "00000000");
            int h = InnerFlow.hash(ByteBuffer.wrap(tcp), 0, tcp.length);
            byte[] otherPort = tcp.clone();
            otherPort[22 + 20 + 1] ^= 1;
            assertThat(InnerFlow.hash(ByteBuffer.wrap(otherPort), 0, tcp.length)).as("outer tag " + outer).isNotEqualTo(h);
            for (int n = 0; n <= tcp.length; n++) {
                InnerFlow.hash(ByteBuffer.wrap(tcp, 0, n).slice(), 0, n);
            }
        }
    }

    /**
     * Every fragment of one IPv4 datagram leaves from one source port, as Linux hashes fragments by their
     * addresses alone (the flow dissector parses no first fragment's ports for skb_get_hash): the first fragment,
     * whose ports are there, was hashed with them and the rest without, so a datagram's pieces took two ECMP paths.
     */
    @Test
    void theFragmentsOfOneDatagramHashAlike() {
        String frame = "525400000002525400000001" + "0800" + "450005dc1234%s4011" + "0000" + "0a00020f" + "0a000202"
                + "d4311f90" + "05c80000";
        byte[] first = HEX.parseHex(frame.formatted("2000")); // MF, offset 0: the UDP header is here
        byte[] later = HEX.parseHex(frame.formatted("00b9")); // the last fragment, offset 1480
        byte[] otherFirst = first.clone();
        otherFirst[14 + 20 + 1] ^= 1; // another datagram's first fragment, its ports unread as well
        int h = InnerFlow.hash(ByteBuffer.wrap(first), 0, first.length);
        assertThat(InnerFlow.hash(ByteBuffer.wrap(later), 0, later.length)).isEqualTo(h);
        assertThat(InnerFlow.hash(ByteBuffer.wrap(otherFirst), 0, otherFirst.length)).isEqualTo(h);
    }
}
