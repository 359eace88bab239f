package io.vnet4j.base;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.fuzz.NoLookupResolver;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;

class HostTextTest {

    @Test
    void aTextWithAColonOrEndingInANumberIsAnAddressLiteral() {
        for (String literal : new String[] {"192.0.2.1", "300.1.1.1", "10.0.2", "1", "010.0.0.1", "0x7f.1", "a.0x1F",
                "host.1", "192.0.2.1.", "::1", "[::1]", "fe80::1%lo", "::g"}) {
            assertThat(HostText.isLiteral(literal)).as(literal).isTrue();
        }
        for (String name : new String[] {"localhost", "resolver.example", "1e100", "1.2.3.a", "0x", "x.0xg", "a b", ""}) {
            assertThat(HostText.isLiteral(name)).as(name).isEqualTo(name.equals("0x"));
        }
    }

    @Test
    void literalsAreParsedStrictly() throws Exception {
        assertThat(HostText.literal("192.0.2.1")).isEqualTo(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1}));
        assertThat(HostText.literal("[2001:db8::1]")).isInstanceOf(Inet6Address.class).hasToString("/2001:db8:0:0:0:0:0:1");
        assertThat(HostText.literal("::ffff:192.0.2.1")).isInstanceOf(Inet4Address.class);
        assertThat(((Inet6Address) HostText.literal("fe80::1%lo")).getScopeId()).isPositive();
        assertThat(((Inet6Address) HostText.literal("fe80::1%7")).getScopeId()).isEqualTo(7);
    }

    @Test
    void aBadLiteralIsRefusedWithTheFormExpectedAndNeverLookedUp() throws Exception {
        long before = NoLookupResolver.lookups();
        for (String bad : new String[] {"300.1.1.1", "999.1.1.1", "10.0.2", "010.0.0.1", "127.1", "0x7f.0.0.1",
                "1.2.3.4.5", "host.1", "192.0.2.1."}) {
            assertThatThrownBy(() -> HostText.resolve(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'" + bad + "' is not an IPv4 address (four decimal numbers 0-255 without leading zeros,"
                            + " such as 192.0.2.1)");
        }
        for (String bad : new String[] {"::g", "1:2:3:4:5:6:7:8:9", "[::1", "fe80::1%"}) {
            assertThatThrownBy(() -> HostText.resolve(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> HostText.resolve("192.0.2.1%lo")).hasMessageContaining("only an IPv6 address takes a %zone");
        assertThatThrownBy(() -> HostText.resolve("fe80::1%no-such-nic0"))
                .hasMessage("'fe80::1%no-such-nic0': no network interface 'no-such-nic0' for the zone");
        assertThat(NoLookupResolver.lookups()).isEqualTo(before);
    }

    @Test
    void aTextThatIsNoHostNameIsRefusedWithoutALookup() {
        long before = NoLookupResolver.lookups();
        for (String bad : new String[] {"", "a b", "a..b", "host/path", "x".repeat(64), ("a".repeat(63) + ".").repeat(4) + "ab",
                "\u00e9cole.example", ".", "a_b", "x-", "-x", "a.-b.c"}) {
            assertThatThrownBy(() -> HostText.check(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'" + bad + "' is neither an IP address nor a host name (labels of letters, digits and inner '-', joined by '.')");
        }
        assertThatThrownBy(() -> HostText.check("a\nb")).hasMessageStartingWith("'a\\nb' is neither");
        assertThatThrownBy(() -> HostText.literal("fe80::1%x\ny")).hasMessage("'fe80::1%x\\ny': no network interface 'x\\ny' for the zone");
        HostText.check("resolver.example.");
        HostText.check("9host-name.example");
        HostText.check(("a".repeat(63) + ".").repeat(3) + "a".repeat(61));
        assertThat(NoLookupResolver.lookups()).isEqualTo(before);
    }

    @Test
    void aNameGoesToTheResolver() throws Exception {
        assertThat(HostText.resolve("localhost").isLoopbackAddress()).isTrue();
        NoLookupResolver.refuseLookups(true);
        try {
            // the JDK caches answers, so the count could stay; the resolver's own refusal shows it was asked
            assertThatThrownBy(() -> HostText.resolve("vnet4j-host-text-test.invalid"))
                    .isInstanceOf(UnknownHostException.class).hasMessageContaining("lookups refused");
        } finally {
            NoLookupResolver.refuseLookups(false);
        }
    }
}
