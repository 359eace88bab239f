package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class ArpPacketTest {
    private static final int ARP = 14;
    private final ArpPacket arp = new ArpPacket();

    @Test
    void parsesAWhoHasRequest() {
        ByteBuffer buf = Golden.buffer(Golden.ARP_REQUEST);
        assertThat(arp.wrap(buf, ARP, 46).check()).isEqualTo(WireError.NONE);
        assertThat(arp.operation()).isEqualTo(ArpPacket.REQUEST);
        assertThat(arp.senderMac()).isEqualTo(Golden.GUEST_MAC);
        assertThat(arp.senderIp()).isEqualTo(Ipv4Address.parse("10.0.2.15"));
        assertThat(arp.targetMac()).isZero();
        assertThat(arp.targetIp()).isEqualTo(Ipv4Address.parse("10.0.2.2"));
    }

    @Test
    void emitsEveryByteIncludingTheFixedTypeFields() {
        ArpHeader header = ArpHeader.parse(arp.wrap(Golden.buffer(Golden.ARP_REQUEST), ARP, 46));
        ByteBuffer buf = Golden.poisoned(ArpPacket.LENGTH);
        header.emit(arp.wrap(buf, 0, ArpPacket.LENGTH));
        assertThat(Golden.bytes(buf)).isEqualTo(Golden.slice(Golden.ARP_REQUEST, ARP, ARP + ArpPacket.LENGTH));
    }

    @Test
    void rejectsPacketsShorterThan28Bytes() {
        assertThat(arp.wrap(Golden.buffer(Golden.ARP_REQUEST), ARP, 27).check()).isEqualTo(WireError.TRUNCATED);
    }

    /** Hardware type 6 (IEEE 802) on Ethernet is taken as Linux's arp_process takes it on an Ethernet device. */
    @Test
    void takesIeee802HardwareAsEthernet() {
        ByteBuffer buf = Golden.buffer(Golden.ARP_REQUEST);
        buf.put(ARP + 1, (byte) 6);
        assertThat(arp.wrap(buf, ARP, 46).check()).isEqualTo(WireError.NONE);
        assertThat(arp.senderMac()).isEqualTo(Golden.GUEST_MAC);
    }

    @Test
    void rejectsArpForOtherHardwareOrProtocolTypes() {
        int[][] changes = {{ARP + 1, 7}, {ARP, 6}, {ARP + 2, 0x86}, {ARP + 4, 8}, {ARP + 5, 16}};
        for (int[] change : changes) {
            ByteBuffer buf = Golden.buffer(Golden.ARP_REQUEST);
            buf.put(change[0], (byte) change[1]);
            assertThat(arp.wrap(buf, ARP, 46).check()).isEqualTo(WireError.UNSUPPORTED);
        }
    }
}
