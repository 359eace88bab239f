package io.vnet4j.usernet.dns;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** AAAA, ANY and PTR answers for dual-stack guests, and the reverse names of both families. */
class DualStackNamesTest {
    private static final IpAddress VM1_V4 = IpAddress.parse("10.0.2.15");
    private static final IpAddress VM1_V6 = IpAddress.parse("fec0::5054:ff:fe12:3456");
    private final ByteBuffer out = DnsGolden.poisoned(LocalResolver.MAX_RESPONSE_LENGTH);
    private final LocalResolver resolver = new LocalResolver("example.test", new GuestNames() {
        @Override
        public List<IpAddress> addresses(String host) {
            return host.equals("vm1") ? List.of(VM1_V4, VM1_V6) : host.equals("old") ? List.of(VM1_V4) : null;
        }

        @Override
        public String name(IpAddress address) {
            return address.equals(VM1_V4) || address.equals(VM1_V6) ? "vm1" : null;
        }

        @Override
        public boolean inVirtualNetwork(IpAddress address) {
            return address.inPrefix(IpAddress.parse("10.0.2.0"), 24) || address.inPrefix(IpAddress.parse("fec0::"), 64);
        }
    });
    private final DnsMessage response = new DnsMessage();
    private final DnsQuestion question = new DnsQuestion();

    private int answer(String name, int type) {
        byte[] query = new DnsQueryBuilder().question(name, type).build();
        int n = resolver.answer(ByteBuffer.wrap(query), 0, query.length, out, 0);
        if (n != LocalResolver.FORWARD) {
            response.wrap(out, 0, n);
            question.read(response, DnsMessage.HEADER_LENGTH);
        }
        return n;
    }

    @Test
    void aaaaGetsTheGuestsIpv6AddressAndAGetsItsIpv4One() {
        int n = answer("vm1.example.test", DnsType.AAAA);
        assertThat(response.answerCount()).isEqualTo(1);
        int at = question.end();
        assertThat(out.getShort(at + 2)).isEqualTo((short) DnsType.AAAA);
        assertThat(out.getShort(at + 10)).isEqualTo((short) 16);
        assertThat(IpAddress.read(out, at + 12)).isEqualTo(VM1_V6);
        assertThat(n).isEqualTo(at + 12 + 16);

        answer("vm1", DnsType.A);
        assertThat(response.answerCount()).isEqualTo(1);
        assertThat(out.getInt(question.end() + 12)).isEqualTo(VM1_V4.ipv4());
    }

    @Test
    void anyGetsBothFamiliesAndAGuestWithoutIpv6GetsNodataForAaaa() {
        answer("vm1.example.test", DnsType.ANY);
        assertThat(response.answerCount()).isEqualTo(2);
        assertThat(answer("old.example.test", DnsType.AAAA)).isPositive();
        assertThat(response.answerCount()).isZero(); // NODATA: known name, no such record; not sent upstream
    }

    @ParameterizedTest
    @ValueSource(strings = {"15.2.0.10.in-addr.arpa", "15.2.0.10.IN-ADDR.ARPA.",
        "6.5.4.3.2.1.e.f.f.f.0.0.4.5.0.5.0.0.0.0.0.0.0.0.0.0.0.0.0.c.e.f.ip6.arpa"})
    void aGuestsReverseNameAnswersItsName(String reverse) {
        int n = answer(reverse, 12);
        assertThat(n).isPositive();
        assertThat(response.answerCount()).isEqualTo(1);
        int at = question.end();
        assertThat(out.getShort(at + 2)).isEqualTo((short) 12);
        byte[] target = new byte[out.getShort(at + 10)];
        out.get(at + 12, target);
        assertThat(target).containsExactly(3, 'v', 'm', '1', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 4, 't', 'e', 's', 't', 0);
        assertThat(n).isEqualTo(at + 12 + target.length);
    }

    /**
     * The reverse name of an address of the virtual network that no guest names (the gateway, where a host
     * forward's clients come from; an address no one holds) is NXDOMAIN here, authoritative, with the question
     * echoed: no upstream knows it, and sshd's UseDNS held a login for the upstream's time-out.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2.2.0.10.in-addr.arpa", "16.2.0.10.in-addr.arpa",
        "2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.e.f.ip6.arpa"})
    void anotherReverseNameOfTheVirtualNetworkIsNxdomain(String name) {
        int n = answer(name, 12);
        assertThat(n).isEqualTo(question.end());
        assertThat(response.rcode()).isEqualTo(DnsMessage.RCODE_NXDOMAIN);
        assertThat(response.flags() & DnsMessage.FLAG_AA).isNotZero();
        assertThat(response.answerCount()).isZero();
        assertThat(question.name()).isEqualToIgnoringCase(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2.0.10.in-addr.arpa", "015.2.0.10.in-addr.arpa", "1.1.168.192.in-addr.arpa",
        "256.2.0.10.in-addr.arpa", "6.5.4.ip6.arpa", "x.5.4.3.2.1.e.f.f.f.0.0.4.5.0.5.0.0.0.0.0.0.0.0.0.0.0.0.0.c.e.f.ip6.arpa"})
    void otherReverseNamesGoUpstream(String name) {
        assertThat(answer(name, 12)).isEqualTo(LocalResolver.FORWARD);
    }

    @Test
    void reverseNamesParseBothFamilies() {
        assertThat(ReverseName.parse("15.2.0.10.in-addr.arpa")).isEqualTo(VM1_V4);
        assertThat(ReverseName.parse("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"))
                .isEqualTo(IpAddress.parse("2001:db8::1"));
        assertThat(ReverseName.parse("1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2..ip6.arpa")).isNull();
        assertThat(ReverseName.parse("example.test")).isNull();
    }
}
