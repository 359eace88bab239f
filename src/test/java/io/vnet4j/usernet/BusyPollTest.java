package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BusyPollTest {
    @AfterEach
    void restoreTheDefault() {
        BusyPoll.setMicros(BusyPoll.DEFAULT_MICROS);
    }

    @Test
    void theWindowIsKeptInNanoseconds() {
        assertThat(BusyPoll.windowNanos()).isEqualTo(50_000L);
        BusyPoll.setMicros(0);
        assertThat(BusyPoll.windowNanos()).isZero();
        BusyPoll.setMicros(BusyPoll.MAX_MICROS);
        assertThat(BusyPoll.windowNanos()).isEqualTo(1_000_000L);
    }

    @Test
    void theStartLineSaysTheWindowInEffect() {
        assertThat(BusyPoll.describe()).isEqualTo("busy poll 50 us (--busy-poll)");
        BusyPoll.setMicros(0);
        assertThat(BusyPoll.describe()).isEqualTo("no busy poll (--busy-poll 0)");
    }

    @Test
    void aWindowOutsideZeroToAMillisecondIsRefusedAndTheOldOneKept() {
        BusyPoll.setMicros(20);
        assertThatThrownBy(() -> BusyPoll.setMicros(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("busy-poll window -1 us: expected 0 to 1000");
        assertThatThrownBy(() -> BusyPoll.setMicros(1001)).isInstanceOf(IllegalArgumentException.class);
        assertThat(BusyPoll.windowNanos()).isEqualTo(20_000L);
    }
}
