package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.Network;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * The configuration takes IPv6 before the gateway carries it: what the gateway cannot do yet is refused
 * at start in one line, never run as if IPv4. (Goes when the IPv6 NAT lands.)
 */
class UsernetNotYetIpv6Test {
    @Test
    void aHostForwardToAnIpv6GuestIsRefusedAtStart() throws Exception {
        try (Network network = new Network()) {
            assertThatThrownBy(() -> network.addNetdev("user,id=u,hostfwd=tcp:127.0.0.1:0-[fec0::15]:22"))
                    .isInstanceOf(IOException.class)
                    .hasMessage("u: hostfwd to an IPv6 guest: not carried yet (tcp:127.0.0.1:0)");
            assertThatThrownBy(() -> network.addNetdev("user,id=v,hostfwd=udp:[::1]:0-:53"))
                    .isInstanceOf(IOException.class).hasMessageContaining("hostfwd to an IPv6 guest: not carried yet");
        }
    }

    @Test
    void ipv4OffIsRefusedAtStart() throws Exception {
        try (Network network = new Network()) {
            assertThatThrownBy(() -> network.addNetdev("user,id=u,ipv4=off"))
                    .isInstanceOf(IOException.class).hasMessage("u: ipv4=off: the gateway does not carry IPv6 yet");
        }
    }
}
