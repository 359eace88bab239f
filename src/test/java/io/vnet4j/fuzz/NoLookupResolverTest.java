package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NoLookupResolverTest {
    @AfterEach
    void allowLookups() {
        NoLookupResolver.refuseLookups(false);
    }

    @Test
    void isTheResolverInUseAndRefusesNamesWhileSet() {
        NoLookupResolver.refuseLookups(true);
        assertThatThrownBy(() -> InetAddress.getByName("vnet4j-fuzz-check.invalid"))
                .isInstanceOf(UnknownHostException.class)
                .hasMessageContaining("lookups refused while fuzzing");
    }
}
