package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.usernet.dns.DnsMessage;
import io.vnet4j.usernet.dns.DnsNameReader;
import io.vnet4j.usernet.dns.DnsQuestion;
import io.vnet4j.usernet.dns.DnsType;
import io.vnet4j.usernet.dns.LocalResolver;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.WireError;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * A DNS query from a guest (the UDP payload). Names are read at every offset of the message, compression
 * pointers included: the reader never throws, a name it accepts ends inside the message, fits 255 bytes
 * and, written back uncompressed, reads as the same name. {@link LocalResolver#answer} either forwards
 * or answers with a response that fits {@link LocalResolver#MAX_RESPONSE_LENGTH}, has the query's id,
 * echoes its question and is the same whether written in place over the query or into another buffer.
 */
class DnsFuzzTest {
    private static final Map<String, Integer> HOSTS =
            Map.of("vm1", Ipv4Address.parse("10.0.2.15"), "guest", Ipv4Address.parse("10.0.2.16"));

    private final LocalResolver resolver = new LocalResolver("vnet.test", io.vnet4j.usernet.dns.DnsGolden.ipv4Names(HOSTS::get));
    private final DnsMessage message = new DnsMessage();
    private final DnsMessage response = new DnsMessage();
    private final DnsNameReader names = new DnsNameReader();
    private final DnsNameReader again = new DnsNameReader();
    private final DnsQuestion question = new DnsQuestion();
    private final DnsQuestion echoed = new DnsQuestion();

    @FuzzTest
    void namesStayInTheMessageAndAnswersEchoTheQuery(byte[] query) {
        ByteBuffer in = ByteBuffer.wrap(query);
        message.wrap(in, 0, query.length);
        for (int at = 0; at < query.length; at++) {
            // plain checks in this loop: it runs once per byte, and AssertJ's are slow there
            if (names.read(message, at) == WireError.NONE
                    && (names.end() <= at || names.end() > query.length || !readsBackTheSame(names.name()))) {
                throw new AssertionError("name at " + at + " read as " + names.name() + " ending at " + names.end());
            }
        }
        ByteBuffer out = ByteBuffer.allocate(LocalResolver.MAX_RESPONSE_LENGTH);
        int n = resolver.answer(in, 0, query.length, out, 0);
        if (n == LocalResolver.FORWARD) {
            return;
        }
        assertThat(n).isBetween(DnsMessage.HEADER_LENGTH, LocalResolver.MAX_RESPONSE_LENGTH);
        assertThat(response.wrap(out, 0, n).check()).isEqualTo(WireError.NONE);
        assertThat(response.qr()).isTrue();
        assertThat(response.id()).isEqualTo(message.id());
        assertThat(question.read(message, DnsMessage.HEADER_LENGTH)).isEqualTo(WireError.NONE);
        assertThat(echoed.read(response, DnsMessage.HEADER_LENGTH)).isEqualTo(WireError.NONE);
        assertThat(echoed.name()).isEqualTo(question.name());
        assertThat(echoed.type()).isEqualTo(question.type());
        boolean record = question.type() == DnsType.A || question.type() == DnsType.ANY;
        assertThat(response.answerCount()).isEqualTo(record ? 1 : 0);

        ByteBuffer inPlace = ByteBuffer.allocate(LocalResolver.MAX_RESPONSE_LENGTH + query.length);
        inPlace.put(0, query);
        assertThat(resolver.answer(inPlace, 0, query.length, inPlace, 0)).isEqualTo(n);
        assertThat(inPlace.slice(0, n)).isEqualTo(out.slice(0, n));
    }

    /** Writes a name in presentation form ({@code \DDD} escapes) as uncompressed labels and reads it again. */
    private boolean readsBackTheSame(String name) {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(new byte[DnsMessage.HEADER_LENGTH]);
        if (!name.equals(".")) {
            for (String label : name.split("\\.")) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                for (int i = 0; i < label.length(); i++) {
                    char c = label.charAt(i);
                    if (c == '\\') {
                        bytes.write(Integer.parseInt(label.substring(i + 1, i + 4)));
                        i += 3;
                    } else {
                        bytes.write(c);
                    }
                }
                wire.write(bytes.size());
                wire.writeBytes(bytes.toByteArray());
            }
        }
        wire.write(0);
        byte[] written = wire.toByteArray();
        DnsMessage copy = new DnsMessage().wrap(ByteBuffer.wrap(written), 0, written.length);
        return again.read(copy, DnsMessage.HEADER_LENGTH) == WireError.NONE && again.name().equals(name)
                && again.end() == written.length;
    }
}
