package io.vnet4j.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.wire.IpAddress;
import org.junit.jupiter.api.Test;

/** The records' own checks, for code that builds a {@link UserConfig} without the option parser. */
class UserConfigTest {
    private static IpAddress ip(String s) {
        return IpAddress.parse(s);
    }

    @Test
    void ipv6SettingsAreCheckedWhereTheyAreMade() {
        UserConfig.Ipv6 v6 = new UserConfig.Ipv6(ip("fd00::"), 64, ip("fd00::2"), ip("2001:db8::53"));
        assertThat(v6.inNetwork(ip("fd00::15"))).isTrue();
        assertThat(v6.inNetwork(ip("fd01::15"))).isFalse();
        assertThat(v6.inNetwork(ip("10.0.2.15"))).isFalse();
        assertThat(v6.network()).isEqualTo("fd00::/64");
        assertThatThrownBy(() -> new UserConfig.Ipv6(ip("10.0.2.0"), 64, ip("fd00::2"), ip("fd00::3")))
                .hasMessageContaining("not an IPv6 address");
        assertThatThrownBy(() -> new UserConfig.Ipv6(ip("fd00::"), 127, ip("fd00::2"), ip("fd00::3")))
                .hasMessageContaining("between 0 and 126");
        assertThatThrownBy(() -> new UserConfig.Ipv6(ip("fd00::1"), 64, ip("fd00::2"), ip("fd00::3")))
                .hasMessageContaining("bits set after its length");
        assertThatThrownBy(() -> new UserConfig.Ipv6(ip("fd00::"), 64, ip("fd01::2"), ip("fd00::3")))
                .hasMessageContaining("IPv6 Host doesn't belong to network");
    }

    @Test
    void aHostForwardKnowsWhenItsGuestIsLearned() {
        UserConfig.HostForward f = new UserConfig.HostForward(false, IpAddress.IPV6_LOOPBACK, 2222, IpAddress.IPV6_ANY, 22, true);
        assertThat(f.guestLearned()).isTrue();
        UserConfig.HostForward to = f.towards(ip("fec0::15"));
        assertThat(to.guestLearned()).isFalse();
        assertThat(to.guestDefaulted()).isTrue();
        assertThatThrownBy(() -> new UserConfig.HostForward(false, null, 1, IpAddress.IPV6_ANY, 2, true))
                .isInstanceOf(NullPointerException.class);
    }

    @Test
    void aRuleCopiedOntoAnotherPortOrGuestStaysIpv6Only() {
        UserConfig.HostForward f = new UserConfig.HostForward(false, IpAddress.IPV6_ANY, 0, ip("10.0.2.100"), 80, true, true);
        assertThat(f.boundTo(8080).ipv6Only()).isTrue();
        assertThat(f.towards(ip("10.0.2.15")).ipv6Only()).isTrue();
        assertThat(new UserConfig.HostForward(false, IpAddress.IPV6_ANY, 0, ip("10.0.2.100"), 80, true)
                .towards(ip("10.0.2.15")).ipv6Only()).isFalse();
        assertThatThrownBy(() -> new UserConfig.HostForward(false, IpAddress.IPV4_ANY, 80, ip("10.0.2.100"), 80, false, true))
                .hasMessageContaining("an IPv4 host address cannot be IPv6 only");
    }
}
