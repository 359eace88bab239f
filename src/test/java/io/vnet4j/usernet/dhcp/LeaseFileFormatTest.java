package io.vnet4j.usernet.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.Ipv4Address;
import java.util.List;
import org.junit.jupiter.api.Test;

/** dnsmasq's lease file lines ({@link LeaseFileFormat}), written and read, and the lines that are no binding. */
class LeaseFileFormatTest {
    private static final long MAC = 0x5254_0012_3456L;

    @Test
    void bindingsAreWrittenAsDnsmasqWritesThemAndReadBack() {
        List<Lease> leases = List.of(
                new Lease(MAC, Ipv4Address.parse("10.0.2.15"), "alpha", 1_733_650_000_123L),
                new Lease(MAC + 1, Ipv4Address.parse("10.0.2.16"), null, Long.MAX_VALUE));
        String text = LeaseFileFormat.format(leases);
        assertThat(text).isEqualTo("1733650000 52:54:00:12:34:56 10.0.2.15 alpha *\n0 52:54:00:12:34:57 10.0.2.16 * *\n");
        LeaseFileFormat.Read read = LeaseFileFormat.parse(text);
        assertThat(read.refusedLines()).isZero();
        assertThat(read.leases()).containsExactly(
                new Lease(MAC, Ipv4Address.parse("10.0.2.15"), "alpha", 1_733_650_000_000L),
                new Lease(MAC + 1, Ipv4Address.parse("10.0.2.16"), null, Long.MAX_VALUE));
    }

    @Test
    void aNameThatCannotStandInOneFieldIsWrittenAsNone() {
        for (String name : List.of("two words", "*", "tab\there", "line\nbreak", "caf\u00e9", "x".repeat(256))) {
            String text = LeaseFileFormat.format(List.of(new Lease(MAC, Ipv4Address.parse("10.0.2.15"), name, 5_000)));
            assertThat(text).as(name).isEqualTo("5 52:54:00:12:34:56 10.0.2.15 * *\n");
        }
        assertThat(LeaseFileFormat.format(List.of(new Lease(MAC, 1, "*x", 5_000)))).contains(" *x *\n");
    }

    @Test
    void linesThatAreNoBindingAreCountedWithTheFirstOnesReason() {
        String good = "1733650000 52:54:00:12:34:56 10.0.2.15 alpha *";
        String[][] bad = {
                {"1733650000 52:54:00:12:34:56 10.0.2.15 alpha", "got 4 fields"}, // truncated
                {"1733650000 52:54:00:12:34:56 10.0.2.15", "got 3 fields"},
                {"1733650000  52:54:00:12:34:56 10.0.2.15 alpha *", "got 6 fields"}, // two spaces
                {"1733650000 52:54:00:12:34:56 10.0.2.15 alpha ", "expected a client id or *, got nothing"},
                {"99999999999999999999 52:54:00:12:34:56 10.0.2.15 alpha *", "expected the expiry"}, // overflows ms
                {"173365017336500000 52:54:00:12:34:56 10.0.2.15 alpha *", "expected the expiry"}, // ms overflowed (fuzzing)
                {"-5 52:54:00:12:34:56 10.0.2.15 alpha *", "expected the expiry"},
                {"0017 52:54:00:12:34:56 10.0.2.15 alpha *", "expected the expiry"},
                {"\u0661\u0662 52:54:00:12:34:56 10.0.2.15 alpha *", "expected the expiry"}, // Arabic-Indic digits
                {"1 52:54:00:12:34:56:78 10.0.2.15 alpha *", "expected a MAC"}, // seven octets
                {"1 06-52:54:00:12:34:56 10.0.2.15 alpha *", "expected a MAC"}, // dnsmasq's other hardware types
                {"1 52:54:00:12:34:5\u0666 10.0.2.15 alpha *", "expected a MAC"},
                {"1 52:54:00:12:34:56 10.0.2.256 alpha *", "expected an IPv4 address"},
                {"1 52:54:00:12:34:56 2001:db8::1 alpha *", "expected an IPv4 address"},
                {"1 52:54:00:12:34:56 10.0.2.15 caf\u00e9 *", "expected a host name or *"},
                {"1 52:54:00:12:34:56 10.0.2.15 " + "x".repeat(256) + " *", "expected a host name or *"},
                {"1 52:54:00:12:34:56 10.0.2.15 a " + "x".repeat(LeaseFileFormat.MAX_LINE), "longer than"},
                {"duid 00:01:00:01:2c:7f:5b:3a:52:54:00:12:34:56", "got 2 fields"}, // dnsmasq's DHCPv6 server id
        };
        for (String[] line : bad) {
            LeaseFileFormat.Read read = LeaseFileFormat.parse("\n" + good + "\n" + line[0] + "\n" + good.replace("56 10.0.2.15", "57 10.0.2.16"));
            assertThat(read.refusedLines()).as(line[0]).isEqualTo(1);
            assertThat(read.firstRefusal()).as(line[0]).startsWith("line 3: ").contains(line[1]);
            assertThat(read.leases()).as(line[0]).hasSize(2);
        }
    }

    @Test
    void anEmptyFileHoldsNoBinding() {
        assertThat(LeaseFileFormat.parse("")).isEqualTo(new LeaseFileFormat.Read(List.of(), 0, null));
        assertThat(LeaseFileFormat.parse("\n\n  \n").leases()).isEmpty();
    }
}
