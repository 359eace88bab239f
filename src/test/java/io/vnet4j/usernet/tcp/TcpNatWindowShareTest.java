package io.vnet4j.usernet.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TcpNatWindowShareTest {
    private static final int BUDGET = 6 << 20;

    @Test
    void theSendingConnectionsShareTheBudget() {
        assertThat(TcpNat.windowShare(BUDGET, 0)).isEqualTo(BUDGET);
        assertThat(TcpNat.windowShare(BUDGET, 1)).isEqualTo(BUDGET);
        assertThat(TcpNat.windowShare(BUDGET, 8)).isEqualTo(768 * 1024);
        assertThat(8L * TcpNat.windowShare(BUDGET, 8)).isLessThanOrEqualTo(BUDGET);
    }

    @Test
    void aShareIsNeverLessThanOneLargeSegment() {
        assertThat(TcpNat.windowShare(BUDGET, 1000)).isEqualTo(TcpNat.MIN_WINDOW_SHARE);
        assertThat(TcpNat.windowShare(BUDGET, Integer.MAX_VALUE)).isEqualTo(TcpNat.MIN_WINDOW_SHARE);
    }
}
