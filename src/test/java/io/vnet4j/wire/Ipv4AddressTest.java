package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv4AddressTest {

    @Test
    void formatsInDottedQuadNotation() {
        assertThat(Ipv4Address.format(0x0a00_020f)).isEqualTo("10.0.2.15");
        assertThat(Ipv4Address.format(0xffff_ffff)).isEqualTo("255.255.255.255");
        assertThat(Ipv4Address.format(0)).isEqualTo("0.0.0.0");
    }

    @Test
    void parsesWhatItFormats() {
        assertThat(Ipv4Address.parse("10.0.2.15")).isEqualTo(0x0a00_020f);
        assertThat(Ipv4Address.parse("255.255.255.255")).isEqualTo(0xffff_ffff);
        assertThat(Ipv4Address.parse("93.184.216.34")).isEqualTo(0x5db8_d822);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10.0.2", "10.0.2.15.1", "10.0.2.256", "10.0.2.015", "10..2.15", "10.0.2.15 ", "a.b.c.d", "1000.0.2.1", "-1.0.0.0"})
    void rejectsMalformedText(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> Ipv4Address.parse(text));
    }

    @Test
    void theNetworksOwnAndItsBroadcastAddressAreNoHosts() {
        int network = Ipv4Address.parse("192.0.2.16");
        int mask = -1 << 4; // a /28: .16 to .31
        assertThat(Ipv4Address.isNetworkOrBroadcast(Ipv4Address.parse("192.0.2.16"), network, mask)).isTrue();
        assertThat(Ipv4Address.isNetworkOrBroadcast(Ipv4Address.parse("192.0.2.31"), network, mask)).isTrue();
        assertThat(Ipv4Address.isNetworkOrBroadcast(Ipv4Address.parse("192.0.2.17"), network, mask)).isFalse();
        assertThat(Ipv4Address.isNetworkOrBroadcast(Ipv4Address.parse("192.0.2.30"), network, mask)).isFalse();
    }
}
