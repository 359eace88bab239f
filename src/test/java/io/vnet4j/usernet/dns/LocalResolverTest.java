package io.vnet4j.usernet.dns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalResolverTest {
    private final ByteBuffer out = DnsGolden.poisoned(LocalResolver.MAX_RESPONSE_LENGTH);
    private final List<String> lookedUp = new ArrayList<>();
    private final LocalResolver resolver = new LocalResolver("example.test", DnsGolden.ipv4Names(host -> {
        lookedUp.add(host);
        return Map.of("vm1", DnsGolden.VM1_ADDRESS).get(host);
    }));
    private final DnsMessage response = new DnsMessage();
    private final DnsQuestion question = new DnsQuestion();

    private int answer(LocalResolver r, byte[] query) {
        int length = r.answer(ByteBuffer.wrap(query), 0, query.length, out, 0);
        if (length != LocalResolver.FORWARD) {
            response.wrap(out, 0, length);
            question.read(response, DnsMessage.HEADER_LENGTH);
        }
        return length;
    }

    private int answer(byte[] query) {
        return answer(resolver, query);
    }

    private static byte[] query(String name, int type) {
        return new DnsQueryBuilder().question(name, type).build();
    }

    /** The address of the response's single A record. */
    private int answeredAddress() {
        assertThat(response.answerCount()).isEqualTo(1);
        return out.getInt(question.end() + 12);
    }

    @Test
    void matchesTheDomainIgnoringCaseAndEchoesTheQuestionAsAsked() {
        assertThat(answer(query("VM1.Example.TEST", DnsType.A))).isPositive();

        assertThat(lookedUp).containsExactly("vm1");
        assertThat(question.name()).isEqualTo("VM1.Example.TEST");
        assertThat(answeredAddress()).isEqualTo(DnsGolden.VM1_ADDRESS);
    }

    @Test
    void answersABareHostName() {
        assertThat(answer(query("vm1", DnsType.A))).isPositive();

        assertThat(question.name()).isEqualTo("vm1");
        assertThat(answeredAddress()).isEqualTo(DnsGolden.VM1_ADDRESS);
    }

    @Test
    void answersOnlyBareNamesWithoutADomain() {
        LocalResolver bare = new LocalResolver("", DnsGolden.ipv4Names(Map.of("vm1", DnsGolden.VM1_ADDRESS)::get));

        assertThat(answer(bare, query("vm1", DnsType.A))).isPositive();
        assertThat(answer(bare, query("vm1.example.test", DnsType.A))).isEqualTo(LocalResolver.FORWARD);
    }

    @Test
    void acceptsADomainWrittenWithItsFinalDot() {
        LocalResolver dotted = new LocalResolver("example.test.", DnsGolden.ipv4Names(Map.of("vm1", DnsGolden.VM1_ADDRESS)::get));

        assertThat(answer(dotted, query("vm1.example.test", DnsType.A))).isPositive();
    }

    @Test
    void answersAnyWithTheARecord() {
        assertThat(answer(query("vm1.example.test", DnsType.ANY))).isPositive();

        assertThat(answeredAddress()).isEqualTo(DnsGolden.VM1_ADDRESS);
    }

    @ParameterizedTest
    @ValueSource(ints = {DnsType.AAAA, 15, 16, 12, 33})
    void answersOtherTypesOfAKnownNameWithNoData(int type) {
        int length = answer(query("vm1.example.test", type));

        assertThat(length).isEqualTo(DnsMessage.HEADER_LENGTH + 22);
        assertThat(response.flags()).isEqualTo(0x8580);
        assertThat(response.answerCount()).isZero();
        assertThat(question.type()).isEqualTo(type);
    }

    @Test
    void copiesRecursionDesiredAndDropsTheOtherQueryFlags() {
        byte[] query = new DnsQueryBuilder().flags(0x0030).question("vm1.example.test", DnsType.A).build();

        assertThat(answer(query)).isPositive();
        assertThat(response.flags()).isEqualTo(0x8480);
    }

    @Test
    void answersADigQueryWithAdAndEdnsWithoutEchoingEither() {
        byte[] query = new DnsQueryBuilder().flags(0x0120).question("vm1.example.test", DnsType.A).edns().build();

        assertThat(answer(query)).isEqualTo(DnsGolden.A_RESPONSE.length);
        assertThat(response.flags()).isEqualTo(0x8580);
        assertThat(response.additionalCount()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"web.example.test", "web", "vm1.example.org", "vm1.example.test.org",
        "a.vm1.example.test", "example.test", "vm1.test", "vm1.xexample.test"})
    void forwardsNamesItDoesNotKnow(String name) {
        assertThat(answer(query(name, DnsType.A))).isEqualTo(LocalResolver.FORWARD);
        assertThat(out.array()).containsOnly((byte) 0xa5);
    }

    @Test
    void forwardsTheRootName() {
        byte[] query = new DnsQueryBuilder().rawQuestion(new byte[1], DnsType.A, DnsClass.IN).build();

        assertThat(answer(query)).isEqualTo(LocalResolver.FORWARD);
        assertThat(lookedUp).isEmpty();
    }

    @Test
    void forwardsAHostLabelWithADotInsideIt() {
        byte[] name = DnsGolden.bytes("07 76 6d 31 2e 78 79 7a 07 65 78 61 6d 70 6c 65 04 74 65 73 74 00");
        byte[] query = new DnsQueryBuilder().rawQuestion(name, DnsType.A, DnsClass.IN).build();

        assertThat(answer(new LocalResolver("example.test", DnsGolden.ipv4Names(host -> DnsGolden.VM1_ADDRESS)), query))
                .isEqualTo(LocalResolver.FORWARD);
    }

    @Test
    void forwardsClassesOtherThanIn() {
        byte[] chaos = new DnsQueryBuilder().question("vm1.example.test", DnsType.A, 3).build();

        assertThat(answer(chaos)).isEqualTo(LocalResolver.FORWARD);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 5, 6, 15})
    void forwardsOpcodesOtherThanQuery(int opcode) {
        byte[] query = new DnsQueryBuilder().flags(opcode << 11 | DnsMessage.FLAG_RD)
                .question("vm1.example.test", DnsType.A).build();

        assertThat(answer(query)).isEqualTo(LocalResolver.FORWARD);
    }

    @Test
    void forwardsAResponse() {
        assertThat(answer(DnsGolden.A_RESPONSE)).isEqualTo(LocalResolver.FORWARD);
    }

    @Test
    void forwardsTwoQuestionsAndNone() {
        byte[] two = new DnsQueryBuilder().question("vm1.example.test", DnsType.A)
                .question("vm1.example.test", DnsType.AAAA).build();
        byte[] none = new DnsQueryBuilder().build();

        assertThat(answer(two)).isEqualTo(LocalResolver.FORWARD);
        assertThat(answer(none)).isEqualTo(LocalResolver.FORWARD);
        assertThat(lookedUp).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"exa mple.test", "example..test", ".example", "a\\b.test"})
    void refusesADomainThatIsNoDomainName(String domain) {
        assertThatThrownBy(() -> new LocalResolver(domain, DnsGolden.ipv4Names(host -> null)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void needsRoomForTheLongestResponse() {
        ByteBuffer small = ByteBuffer.allocate(LocalResolver.MAX_RESPONSE_LENGTH - 1);
        ByteBuffer in = ByteBuffer.wrap(DnsGolden.A_QUERY.clone());

        assertThatThrownBy(() -> resolver.answer(in, 0, DnsGolden.A_QUERY.length, small, 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
