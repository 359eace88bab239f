package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class IcmpPacketTest {
    private static final int ICMP = Golden.L4;
    private static final int LENGTH = 56;
    private final IcmpPacket icmp = new IcmpPacket();

    @Test
    void parsesAnEchoRequest() {
        assertThat(icmp.wrap(Golden.buffer(Golden.ICMP_ECHO), ICMP, LENGTH).check()).isEqualTo(WireError.NONE);
        assertThat(icmp.type()).isEqualTo(IcmpType.ECHO_REQUEST);
        assertThat(icmp.code()).isZero();
        assertThat(icmp.checksum()).isEqualTo(0x602d);
        assertThat(icmp.identifier()).isEqualTo(0x1c2b);
        assertThat(icmp.sequence()).isEqualTo(1);
        assertThat(icmp.payloadOffset()).isEqualTo(ICMP + 8);
        assertThat(icmp.payloadLength()).isEqualTo(48);
        assertThat(icmp.checksumValid()).isTrue();
    }

    @Test
    void emitsTheHeaderAndFillsTheChecksumOverTheData() {
        ByteBuffer golden = Golden.buffer(Golden.ICMP_ECHO);
        IcmpHeader header = IcmpHeader.parse(icmp.wrap(golden, ICMP, LENGTH));
        ByteBuffer buf = Golden.poisoned(8);
        header.emit(icmp.wrap(buf, 0, 8));
        assertThat(Golden.bytes(buf)).isEqualTo(Golden.slice(Golden.ICMP_ECHO, ICMP, ICMP + 8));

        ByteBuffer message = Golden.poisoned(LENGTH).put(8, Golden.ICMP_ECHO, ICMP + 8, 48);
        new IcmpHeader(IcmpType.ECHO_REQUEST, 0, 0, 0x1c2b, 1).emit(icmp.wrap(message, 0, LENGTH));
        icmp.fillChecksum();
        assertThat(Golden.bytes(message)).isEqualTo(Golden.slice(Golden.ICMP_ECHO, ICMP, ICMP + LENGTH));
    }

    @Test
    void detectsACorruptedMessage() {
        ByteBuffer buf = Golden.buffer(Golden.ICMP_ECHO);
        buf.put(ICMP + 20, (byte) 0);
        assertThat(icmp.wrap(buf, ICMP, LENGTH).checksumValid()).isFalse();
    }

    @Test
    void rejectsMessagesShorterThanEightBytes() {
        assertThat(icmp.wrap(Golden.buffer(Golden.ICMP_ECHO), ICMP, 7).check()).isEqualTo(WireError.TRUNCATED);
    }
}
