package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.config.UserConfig;
import io.vnet4j.fuzz.NoLookupResolver;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GuestForwardsTest {
    private static final int SERVER = Ipv4Address.parse("10.0.2.100");

    @AfterEach
    void allowLookups() {
        NoLookupResolver.refuseLookups(false);
    }

    @Test
    void aTcpTargetIsResolvedOnceAtStart() throws IOException {
        try (GuestForwards forwards = new GuestForwards("u", List.of(new UserConfig.GuestForward(SERVER, 80,
                new UserConfig.GuestForwardTarget.Tcp("127.0.0.1", 8080))))) {
            InetSocketAddress target = (InetSocketAddress) forwards.target(IpAddress.ofIpv4(SERVER), 80);
            assertThat(target.isUnresolved()).isFalse();
            assertThat(target.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(forwards.target(IpAddress.ofIpv4(SERVER), 81)).isNull();
        }
    }

    @Test
    void aTargetNameTheResolverDoesNotKnowFailsTheStartWithItsName() {
        NoLookupResolver.refuseLookups(true);
        assertThatThrownBy(() -> new GuestForwards("u", List.of(new UserConfig.GuestForward(SERVER, 80,
                new UserConfig.GuestForwardTarget.Tcp("vnet4j-test.invalid", 8080)))))
                .isInstanceOf(IOException.class)
                .hasMessage("guestfwd: unknown host 'vnet4j-test.invalid' in the target tcp:vnet4j-test.invalid:PORT");
    }
}
