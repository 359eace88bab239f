package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.config.UserConfig;
import io.vnet4j.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/** What the DHCP pool skips: the gateway's addresses, each guestfwd address and a configure=on TAP's. */
class UnleasableAddressesTest {
    @Test
    void thePoolSkipsTheGatewaysAddressesAndAConfiguredTapsButNotDhcpstart() throws Exception {
        UserConfig config = TestGateways.config("guestfwd=tcp:10.0.2.77:80-tcp:127.0.0.1:8080");
        assertThat(UdpServices.unleasable(config)).containsExactlyInAnyOrder(Ipv4Address.parse("10.0.2.2"),
                Ipv4Address.parse("10.0.2.3"), Ipv4Address.parse("10.0.2.77"));
        // a configure=on TAP on the hub takes .100 and is where host forwards without an address go
        assertThat(UdpServices.unleasable(config.withForwardTarget(Ipv4Address.parse("10.0.2.100"))))
                .contains(Ipv4Address.parse("10.0.2.100")).doesNotContain(Ipv4Address.parse("10.0.2.15"));
    }
}
