package io.vnet4j.usernet.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Truncated, lying and corrupted queries: none is answered with garbage, none throws. */
class LocalResolverHostileInputTest {
    private static final long SEED = 0x5eed_d115L;
    private static final int MUTATIONS = 10_000;
    private final LocalResolver resolver = DnsGolden.resolver();
    private final ByteBuffer out = DnsGolden.poisoned(LocalResolver.MAX_RESPONSE_LENGTH);

    private int answer(byte[] query, int length) {
        return resolver.answer(ByteBuffer.wrap(query), 0, length, out, 0);
    }

    @Test
    void forwardsEveryTruncationOfTheGoldenQueryAndWritesNothing() {
        for (int length = 0; length < DnsGolden.A_QUERY.length; length++) {
            assertThat(answer(DnsGolden.A_QUERY.clone(), length)).as("length %d", length)
                    .isEqualTo(LocalResolver.FORWARD);
        }
        assertThat(out.array()).containsOnly((byte) 0xa5);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "c0 0c",                                   // pointer to itself
        "03 76 6d 31 c0 0c",                       // loop back to the start of the name
        "c0 0e 03 76 6d 31 00",                    // forward pointer
        "c0 04",                                   // pointer into the header
        "ff ff",                                   // pointer beyond the message
        "40 76 6d 31 00",                          // label length 64
        "80 76 6d 31 00",                          // reserved label kind 10
        "03 76 6d 31 07 65 78 61 6d 70 6c 65 04",  // name runs off the end
    })
    void forwardsAQuestionWithABrokenName(String name) {
        byte[] query = DnsGolden.bytes(DnsGolden.HEADER_OF_QUERY, name, "00 01 00 01");

        assertThat(answer(query, query.length)).isEqualTo(LocalResolver.FORWARD);
    }

    @Test
    void forwardsANameOver255Bytes() {
        String label = "x".repeat(63);
        byte[] query = new DnsQueryBuilder()
                .question(String.join(".", label, label, label, "x".repeat(62)), DnsType.A).build();
        LocalResolver everything = new LocalResolver("", DnsGolden.ipv4Names(host -> DnsGolden.VM1_ADDRESS));

        assertThat(everything.answer(ByteBuffer.wrap(query), 0, query.length, out, 0))
                .isEqualTo(LocalResolver.FORWARD);
    }

    @Test
    void forwardsAQuestionCountThatLies() {
        byte[] query = DnsGolden.A_QUERY.clone();
        query[5] = 2;

        assertThat(answer(query, query.length)).isEqualTo(LocalResolver.FORWARD);
    }

    @Test
    void survivesSeededRandomMutations() {
        Random random = new Random(SEED);
        DnsMessage response = new DnsMessage();
        int[] outcomes = new int[2];
        assertThatCode(() -> {
            for (int i = 0; i < MUTATIONS; i++) {
                byte[] query = (i % 2 == 0 ? DnsGolden.A_QUERY : DnsGolden.AAAA_QUERY).clone();
                int flips = 1 + random.nextInt(6);
                for (int f = 0; f < flips; f++) {
                    query[random.nextInt(query.length)] = (byte) random.nextInt(256);
                }
                int length = random.nextInt(4) == 0 ? random.nextInt(query.length + 1) : query.length;
                Arrays.fill(out.array(), (byte) 0xa5);

                int answered = answer(query, length);
                outcomes[answered == LocalResolver.FORWARD ? 0 : 1]++;

                if (answered != LocalResolver.FORWARD) {
                    assertThat(answered).isBetween(DnsMessage.HEADER_LENGTH + 5, LocalResolver.MAX_RESPONSE_LENGTH);
                    response.wrap(out, 0, answered);
                    assertThat(response.id()).isEqualTo((query[0] & 0xff) << 8 | query[1] & 0xff);
                    assertThat(response.qr()).isTrue();
                    assertThat(Arrays.copyOfRange(out.array(), answered, out.capacity())).containsOnly((byte) 0xa5);
                }
            }
        }).doesNotThrowAnyException();
        assertThat(outcomes).as("forwarded, answered").doesNotContain(0);
    }
}
