package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class EthernetFrameTest {
    private final EthernetFrame frame = new EthernetFrame();

    @Test
    void parsesAnUntaggedBroadcastFrame() {
        ByteBuffer buf = Golden.buffer(Golden.ARP_REQUEST);
        assertThat(frame.wrap(buf, 0, buf.capacity()).check()).isEqualTo(WireError.NONE);
        assertThat(MacAddress.isBroadcast(frame.destination())).isTrue();
        assertThat(frame.source()).isEqualTo(Golden.GUEST_MAC);
        assertThat(frame.hasVlanTag()).isFalse();
        assertThat(frame.etherType()).isEqualTo(EtherType.ARP);
        assertThat(frame.headerLength()).isEqualTo(14);
        assertThat(frame.payloadOffset()).isEqualTo(14);
        assertThat(frame.payloadLength()).isEqualTo(46);
    }

    @Test
    void parsesAnEightOhTwoDotOneQTaggedFrame() {
        ByteBuffer buf = Golden.buffer(Golden.VLAN_ICMP_ECHO);
        assertThat(frame.wrap(buf, 0, buf.capacity()).check()).isEqualTo(WireError.NONE);
        assertThat(frame.destination()).isEqualTo(Golden.GATEWAY_MAC);
        assertThat(frame.hasVlanTag()).isTrue();
        assertThat(frame.vlanId()).isEqualTo(100);
        assertThat(frame.pcp()).isEqualTo(5);
        assertThat(frame.dei()).isFalse();
        assertThat(frame.etherType()).isEqualTo(EtherType.IPV4);
        assertThat(frame.payloadOffset()).isEqualTo(18);
        assertThat(frame.payloadLength()).isEqualTo(Golden.VLAN_ICMP_ECHO.length - 18);
    }

    @Test
    void emitsAnUntaggedHeaderByteForByte() {
        ByteBuffer buf = Golden.poisoned(14);
        EthernetHeader.parse(frame.wrap(Golden.buffer(Golden.ICMP_ECHO), 0, 90)).emit(frame.wrap(buf, 0, 14));
        assertThat(Golden.bytes(buf)).isEqualTo(Golden.slice(Golden.ICMP_ECHO, 0, 14));
    }

    @Test
    void emitsATaggedHeaderByteForByte() {
        ByteBuffer buf = Golden.poisoned(18);
        EthernetHeader header = new EthernetHeader(Golden.GATEWAY_MAC, Golden.GUEST_MAC, new VlanTag(5, false, 100), EtherType.IPV4);
        assertThat(header.length()).isEqualTo(18);
        header.emit(frame.wrap(buf, 0, 18));
        assertThat(Golden.bytes(buf)).isEqualTo(Golden.slice(Golden.VLAN_ICMP_ECHO, 0, 18));
        assertThat(EthernetHeader.parse(frame)).isEqualTo(header);
    }

    @Test
    void viewsAFrameAtAnOffsetWithoutTouchingPositionOrLimit() {
        ByteBuffer buf = ByteBuffer.allocateDirect(200).put(50, Golden.ARP_REQUEST).position(3).limit(150);
        frame.wrap(buf, 50, 60);
        assertThat(frame.check()).isEqualTo(WireError.NONE);
        assertThat(frame.source()).isEqualTo(Golden.GUEST_MAC);
        assertThat(frame.payloadOffset()).isEqualTo(64);
        assertThat(buf.position()).isEqualTo(3);
        assertThat(buf.limit()).isEqualTo(150);
    }

    @Test
    void rejectsFramesShorterThanTheirHeader() {
        ByteBuffer untagged = Golden.buffer(Golden.ARP_REQUEST);
        ByteBuffer tagged = Golden.buffer(Golden.VLAN_ICMP_ECHO);
        assertThat(frame.wrap(untagged, 0, 13).check()).isEqualTo(WireError.TRUNCATED);
        assertThat(frame.wrap(tagged, 0, 17).check()).isEqualTo(WireError.TRUNCATED);
        assertThat(frame.wrap(tagged, 0, 18).check()).isEqualTo(WireError.NONE);
    }

    @Test
    void refusesToWrapARangeBeyondTheLimitOrALittleEndianBuffer() {
        ByteBuffer buf = ByteBuffer.allocate(60).limit(40);
        assertThatThrownBy(() -> frame.wrap(buf, 0, 41)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> frame.wrap(buf, -1, 10)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatIllegalArgumentException().isThrownBy(() -> frame.wrap(ByteBuffer.allocate(60).order(ByteOrder.LITTLE_ENDIAN), 0, 60));
    }
}
