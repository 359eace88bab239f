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
}
