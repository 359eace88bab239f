package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.IpAddress;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The guests' addresses as the gateway learns them, and which one a host forward without a guest address takes. */
class NeighborTableTest {
    private static final long GUEST = 0x5254_0012_3456L;
    private static final long REBOOTED = 0x5254_0012_3457L;
    private static final Predicate<IpAddress> GLOBAL = ip -> ip.toString().startsWith("fec0:");

    /**
     * A helper's replay: a forward followed the guest's newest address, an RFC 4941 temporary one, and hung once
     * the guest dropped it; libslirp keeps the first address it saw.
     */
    @Test
    void aForwardTakesTheGuestsFirstAddressNotTheTemporaryOnesItTakesUpLater() {
        NeighborTable t = new NeighborTable();
        assertThat(t.firstOfLatestGuest(GLOBAL)).isNull();
        t.learn(IpAddress.parse("fe80::5054:ff:fe12:3456"), GUEST);
        t.learn(IpAddress.parse("fec0::5054:ff:fe12:3456"), GUEST); // stable SLAAC
        t.learn(IpAddress.parse("fec0::a1b2:c3d4:e5f6:1"), GUEST); // temporary
        t.learn(IpAddress.parse("fec0::a1b2:c3d4:e5f6:2"), GUEST); // the next temporary
        assertThat(t.firstOfLatestGuest(GLOBAL)).isEqualTo(IpAddress.parse("fec0::5054:ff:fe12:3456"));

        t.learn(IpAddress.parse("fec0::5054:ff:fe12:3457"), REBOOTED); // back with another MAC, another address
        assertThat(t.firstOfLatestGuest(GLOBAL)).isEqualTo(IpAddress.parse("fec0::5054:ff:fe12:3457"));
    }

    /** A guest that left the hub: its addresses of both families go, and a forward follows the guest still there. */
    @Test
    void aGuestThatLeftIsForgottenWithEveryAddressItHad() {
        NeighborTable t = new NeighborTable();
        t.learn(IpAddress.parse("fec0::5054:ff:fe12:3457"), REBOOTED);
        t.learn(IpAddress.parse("10.0.2.15"), GUEST);
        t.learn(IpAddress.parse("fec0::5054:ff:fe12:3456"), GUEST);
        long before = t.changes();
        assertThat(t.forget(GUEST)).containsExactly(IpAddress.parse("10.0.2.15"), IpAddress.parse("fec0::5054:ff:fe12:3456"));
        assertThat(t.changes()).isGreaterThan(before);
        assertThat(t.lookup(IpAddress.parse("10.0.2.15"))).isEqualTo(NeighborTable.UNKNOWN);
        assertThat(t.firstOfLatestGuest(GLOBAL)).isEqualTo(IpAddress.parse("fec0::5054:ff:fe12:3457"));
        assertThat(t.forget(GUEST)).isEmpty();
    }
}
