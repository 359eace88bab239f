package io.vnet4j.usernet.dhcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LeaseTest {
    @Test
    void aBootpLeaseSaysItIsInfiniteNotAHugeNumberOfSeconds() {
        Lease bootp = new Lease(1, 2, null, Long.MAX_VALUE);
        assertThat(bootp.infinite()).isTrue();
        assertThat(bootp.expiryText(1_700_000_000_000L)).isEqualTo("infinite");
        assertThat(bootp.expired(Long.MAX_VALUE - 1)).isFalse();
    }

    @Test
    void aTimedLeaseCountsItsSecondsAndNeverBelowZero() {
        Lease lease = new Lease(1, 2, "vm", 100_000);
        assertThat(lease.expiryText(10_000)).isEqualTo("expires in 90 s");
        assertThat(lease.expiryText(200_000)).isEqualTo("expires in 0 s");
    }
}
