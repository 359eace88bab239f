package io.vnet4j.usernet.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.Ipv4Address;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The binding table's bound: a guest sending DISCOVERs from made-up MACs bound an address for each, up to the whole
 * pool (16 million in a /8), and each later DISCOVER scanned every binding before it (helper-141: 1,000 DISCOVERs into
 * a nearly full /16 held pings to the gateway up to 1.4 s).
 */
class LeaseTableTest {
    private static final long NOW = 1_700_000_000_000L;
    private static final long MAC = 0x5254_0000_0000L;

    private static LeaseTable table(String network, int prefix) {
        int net = Ipv4Address.parse(network);
        return new LeaseTable(new DhcpSettings(net, prefix, net | 2, net | 3, net | 0x20f, DhcpSettings.QEMU_LEASE_SECONDS,
                null, List.of(), null, null, null, 0, Map.of(), Set.of()), AddressesInUse.NONE);
    }

    /** Offers an address to each of {@code count} new MACs from {@code first}, as DISCOVERs do; the addresses given. */
    private static int offer(LeaseTable table, long first, int count, long expires) {
        int given = 0;
        for (int i = 0; i < count; i++) {
            int address = table.choose(first + i, 0, NOW);
            if (address != 0) {
                table.bind(first + i, address, null, expires);
                given++;
            }
        }
        return given;
    }

    @Test
    void aNewMacPastTheBoundGetsNoAddressWhileTheBindingsRun() {
        LeaseTable table = table("10.0.0.0", 8);
        assertThat(offer(table, MAC, LeaseTable.MAX_BINDINGS, NOW + 60_000)).isEqualTo(LeaseTable.MAX_BINDINGS);
        assertThat(table.choose(MAC + LeaseTable.MAX_BINDINGS, 0, NOW)).as("exhausted, though the /8 has room").isZero();
        assertThat(table.acceptable(MAC + LeaseTable.MAX_BINDINGS, Ipv4Address.parse("10.9.9.9"), true, NOW)).isFalse();
        assertThat(table.all()).hasSize(LeaseTable.MAX_BINDINGS);
        // a MAC that has a binding keeps getting it
        assertThat(table.choose(MAC, 0, NOW)).isEqualTo(Ipv4Address.parse("10.0.2.15"));
    }

    @Test
    void pastTheBoundANewMacTakesTheLowestLapsedAddress() {
        LeaseTable table = table("10.0.0.0", 16);
        offer(table, MAC, LeaseTable.MAX_BINDINGS, NOW - 1); // all lapsed
        long newcomer = MAC + LeaseTable.MAX_BINDINGS;
        assertThat(Ipv4Address.format(table.choose(newcomer, 0, NOW))).isEqualTo("10.0.2.15");
        table.bind(newcomer, table.choose(newcomer, 0, NOW), null, NOW + 60_000);
        assertThat(table.all()).hasSize(LeaseTable.MAX_BINDINGS);
        assertThat(Ipv4Address.format(table.choose(newcomer + 1, 0, NOW))).as("the lowest lapsed").isEqualTo("10.0.2.16");
    }

    @Test
    void aRestoredFileBeyondTheBoundIsTakenUpToIt() {
        LeaseTable table = table("10.0.0.0", 16);
        int taken = 0;
        for (int i = 0; i < LeaseTable.MAX_BINDINGS + 10; i++) {
            if (table.restore(new Lease(MAC + i, Ipv4Address.parse("10.0.16.0") + i, null, NOW + 60_000), NOW)) {
                taken++;
            }
        }
        assertThat(taken).isEqualTo(LeaseTable.MAX_BINDINGS);
    }

    /** A host name is held by its first label, as dnsmasq's strip_hostname takes it; one that starts with a dot is none. */
    @Test
    void aHostNameIsHeldByItsFirstLabel() {
        assertThat(LeaseTable.hostLabel("web.example.test")).isEqualTo("web");
        assertThat(LeaseTable.hostLabel("web")).isEqualTo("web");
        assertThat(LeaseTable.hostLabel("web.")).isEqualTo("web");
        assertThat(LeaseTable.hostLabel(".example.test")).isNull();
        assertThat(LeaseTable.hostLabel(null)).isNull();
    }
}
