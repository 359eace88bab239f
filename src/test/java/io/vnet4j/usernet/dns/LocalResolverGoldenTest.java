package io.vnet4j.usernet.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Whole responses to busybox-nslookup-style queries, byte for byte, written over a poisoned buffer. */
class LocalResolverGoldenTest {
    private static final int OUT_LENGTH = 600;
    private final ByteBuffer out = DnsGolden.poisoned(OUT_LENGTH);
    private final LocalResolver resolver = DnsGolden.resolver();

    /** The response's bytes at {@code at}, and every other byte still poisoned. */
    private void assertWritten(int length, int at, byte[] expected) {
        assertThat(length).isEqualTo(expected.length);
        byte[] whole = DnsGolden.poisoned(OUT_LENGTH).array();
        System.arraycopy(expected, 0, whole, at, expected.length);
        assertThat(out.array()).isEqualTo(whole);
    }

    @Test
    void answersAnAQueryForAKnownGuestWithOneRecordPointingAtTheQuestion() {
        int length = resolver.answer(ByteBuffer.wrap(DnsGolden.A_QUERY), 0, DnsGolden.A_QUERY.length, out, 0);

        assertWritten(length, 0, DnsGolden.A_RESPONSE);
    }

    @Test
    void answersAnAaaaQueryForAKnownGuestWithNoData() {
        int length = resolver.answer(ByteBuffer.wrap(DnsGolden.AAAA_QUERY), 0, DnsGolden.AAAA_QUERY.length, out, 0);

        assertWritten(length, 0, DnsGolden.AAAA_RESPONSE);
    }

    @Test
    void readsAndWritesAtTheGivenOffsets() {
        ByteBuffer in = DnsGolden.poisoned(100);
        in.put(37, DnsGolden.A_QUERY);

        int length = resolver.answer(in, 37, DnsGolden.A_QUERY.length, out, 51);

        assertWritten(length, 51, DnsGolden.A_RESPONSE);
    }

    @Test
    void answersInPlaceOverTheQuery() {
        ByteBuffer buffer = DnsGolden.poisoned(OUT_LENGTH);
        buffer.put(20, DnsGolden.A_QUERY);

        int length = resolver.answer(buffer, 20, DnsGolden.A_QUERY.length, buffer, 20);

        assertThat(Arrays.copyOfRange(buffer.array(), 20, 20 + length)).isEqualTo(DnsGolden.A_RESPONSE);
    }
}
