package io.vnet4j.usernet.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class DnsMessageTest {
    private final DnsMessage message = new DnsMessage();

    @Test
    void readsTheHeaderOfAQuery() {
        message.wrap(ByteBuffer.wrap(DnsGolden.A_QUERY), 0, DnsGolden.A_QUERY.length);

        assertThat(message.check()).isEqualTo(WireError.NONE);
        assertThat(message.id()).isEqualTo(0xb74e);
        assertThat(message.flags()).isEqualTo(0x0100);
        assertThat(message.qr()).isFalse();
        assertThat(message.opcode()).isEqualTo(DnsMessage.OPCODE_QUERY);
        assertThat(message.rd()).isTrue();
        assertThat(message.aa() || message.tc() || message.ra()).isFalse();
        assertThat(message.questionCount()).isEqualTo(1);
        assertThat(message.answerCount() + message.authorityCount() + message.additionalCount()).isZero();
    }

    @Test
    void readsTheHeaderOfAResponse() {
        message.wrap(ByteBuffer.wrap(DnsGolden.A_RESPONSE), 0, DnsGolden.A_RESPONSE.length);

        assertThat(message.qr()).isTrue();
        assertThat(message.aa()).isTrue();
        assertThat(message.ra()).isTrue();
        assertThat(message.rcode()).isEqualTo(DnsMessage.RCODE_NOERROR);
        assertThat(message.answerCount()).isEqualTo(1);
    }

    @Test
    void splitsOpcodeAndRcodeOutOfTheFlags() {
        byte[] bytes = DnsGolden.bytes("00 00 aa 05 00 00 00 00 00 00 00 00");
        message.wrap(ByteBuffer.wrap(bytes), 0, bytes.length);

        assertThat(message.qr()).isTrue();
        assertThat(message.opcode()).isEqualTo(5);
        assertThat(message.tc()).isTrue();
        assertThat(message.rcode()).isEqualTo(5);
    }

    @Test
    void reportsAMessageShorterThanTheHeaderAsTruncated() {
        message.wrap(ByteBuffer.wrap(DnsGolden.A_QUERY), 0, DnsMessage.HEADER_LENGTH - 1);

        assertThat(message.check()).isEqualTo(WireError.TRUNCATED);
    }

    @Test
    void writesTheHeaderAtItsOffset() {
        ByteBuffer buffer = DnsGolden.poisoned(20);
        message.wrap(buffer, 4, DnsMessage.HEADER_LENGTH);
        message.setId(0xb74e);
        message.setFlags(0x8580);
        message.setCounts(1, 2, 3, 4);

        assertThat(buffer.array()).isEqualTo(DnsGolden.bytes(
                "a5 a5 a5 a5 b7 4e 85 80 00 01 00 02 00 03 00 04 a5 a5 a5 a5"));
    }

    @Test
    void refusesALittleEndianBuffer() {
        ByteBuffer buffer = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);

        assertThatThrownBy(() -> message.wrap(buffer, 0, 12)).isInstanceOf(IllegalArgumentException.class);
    }
}
