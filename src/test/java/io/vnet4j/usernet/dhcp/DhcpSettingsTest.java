package io.vnet4j.usernet.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.Ipv4Address;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DhcpSettingsTest {

    @Test
    void qemuDefaultsPoolRunsFromDhcpstartToTheAddressBeforeBroadcast() {
        DhcpSettings settings = DhcpSettings.qemuDefaults();
        assertThat(settings.netmask()).isEqualTo(Ipv4Address.parse("255.255.255.0"));
        assertThat(settings.lastAddress()).isEqualTo(Ipv4Address.parse("10.0.2.254"));
        assertThat(settings.inPool(Ipv4Address.parse("10.0.2.15"))).isTrue();
        assertThat(settings.inPool(Ipv4Address.parse("10.0.2.254"))).isTrue();
        assertThat(settings.inPool(Ipv4Address.parse("10.0.2.14"))).isFalse();
        assertThat(settings.inPool(Ipv4Address.parse("10.0.2.255"))).isFalse();
        assertThat(settings.leaseSeconds()).isEqualTo(86_400);
    }

    @Test
    void comparesPoolBoundsUnsignedAboveTheSignBit() {
        DhcpSettings settings = Guests.settings("192.168.0.0", 16, "192.168.1.0", Map.of());
        assertThat(settings.lastAddress()).isEqualTo(Ipv4Address.parse("192.168.255.254"));
        assertThat(settings.inPool(Ipv4Address.parse("192.168.200.1"))).isTrue();
        assertThat(settings.inPool(Ipv4Address.parse("10.0.2.15"))).isFalse();
    }

    @Test
    void neverExpiresAnInfiniteLease() {
        DhcpSettings d = DhcpSettings.qemuDefaults();
        Guests forever = new Guests(new DhcpSettings(d.network(), d.prefixLength(), d.router(), d.dnsServer(),
                d.firstAddress(), DhcpSettings.INFINITE_LEASE, null, List.of(), null, null, null, 0, Map.of(), Set.of()));
        forever.dora(Guests.MAC_A);
        assertThat(forever.server.leases().getFirst().expiresAtMillis()).isEqualTo(Long.MAX_VALUE);
    }
}
