package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.LoopSelector;
import java.nio.ByteBuffer;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The DHCP server's ARP check before an offer, on its own ({@link DhcpAddressChecks}). */
class DhcpAddressChecksTest {
    /**
     * The check's 200 ms run on the monotonic clock, not on the server's wall clock: with the wall clock stepped back
     * an hour after a check began (here: the server's clock an hour ahead of now), the DISCOVER was held for that hour.
     */
    @Test
    void aWallClockSteppedBackHoldsNoDiscoverBeyondTheCheck() throws Exception {
        UserConfig config = TestGateways.config("ipv6=off");
        NeighborTable neighbors = new NeighborTable();
        GuestOutput out = new GuestOutput("u", (frame, offset, length, segmentSize) -> { }, neighbors, config.mtu(), () -> 0);
        DhcpAddressChecks checks;
        try (Selector selector = Selector.open()) {
            checks = TestGateways.build(config, out, neighbors, LoopSelector.of(selector)).services().addressChecks();
        }
        long anHourAhead = System.currentTimeMillis() + TimeUnit.HOURS.toMillis(1);
        checks.beforeMessage();
        assertThat(checks.checking(GuestFrames.GUEST, GuestFrames.GUEST_MAC, anHourAhead)).isTrue();
        checks.hold(GuestFrames.GUEST_MAC, ByteBuffer.wrap(new byte[300]), 0, 300);
        assertThat(checks.holding()).isTrue();
        assertThat(checks.nanosUntilDue()).isBetween(0L, TimeUnit.MILLISECONDS.toNanos(DhcpAddressChecks.CHECK_MILLIS));
    }
}
