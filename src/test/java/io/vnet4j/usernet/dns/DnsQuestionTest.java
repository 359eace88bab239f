package io.vnet4j.usernet.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class DnsQuestionTest {
    private final DnsQuestion question = new DnsQuestion();

    private static DnsMessage message(byte[] bytes, int length) {
        return new DnsMessage().wrap(ByteBuffer.wrap(bytes), 0, length);
    }

    @Test
    void readsNameTypeAndClassOfTheGoldenQuery() {
        DnsMessage m = message(DnsGolden.AAAA_QUERY, DnsGolden.AAAA_QUERY.length);

        assertThat(question.read(m, DnsMessage.HEADER_LENGTH)).isEqualTo(WireError.NONE);
        assertThat(question.name()).isEqualTo("vm1.example.test");
        assertThat(question.type()).isEqualTo(DnsType.AAAA);
        assertThat(question.qclass()).isEqualTo(DnsClass.IN);
        assertThat(question.end()).isEqualTo(DnsGolden.AAAA_QUERY.length);
    }

    @Test
    void readsASecondQuestionCompressedAgainstTheFirst() {
        byte[] bytes = new DnsQueryBuilder().question("vm1.example.test", DnsType.A)
                .rawQuestion(DnsGolden.bytes("02 64 62 c0 10"), DnsType.AAAA, DnsClass.IN).build();
        DnsMessage m = message(bytes, bytes.length);
        question.read(m, DnsMessage.HEADER_LENGTH);

        assertThat(question.read(m, question.end())).isEqualTo(WireError.NONE);
        assertThat(question.name()).isEqualTo("db.example.test");
        assertThat(question.type()).isEqualTo(DnsType.AAAA);
        assertThat(question.end()).isEqualTo(bytes.length);
    }

    @Test
    void reportsMissingTypeOrClassAsTruncated() {
        for (int cut = 1; cut <= 4; cut++) {
            DnsMessage m = message(DnsGolden.A_QUERY, DnsGolden.A_QUERY.length - cut);

            assertThat(question.read(m, DnsMessage.HEADER_LENGTH)).as("cut %d", cut).isEqualTo(WireError.TRUNCATED);
        }
    }

    @Test
    void passesOnTheErrorOfItsName() {
        byte[] bytes = DnsGolden.bytes(DnsGolden.HEADER_OF_QUERY, "c0 0c 00 01 00 01");

        assertThat(question.read(message(bytes, bytes.length), DnsMessage.HEADER_LENGTH))
                .isEqualTo(WireError.BAD_LENGTH);
    }
}
