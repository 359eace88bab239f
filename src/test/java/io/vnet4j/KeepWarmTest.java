package io.vnet4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class KeepWarmTest {
    @Test
    void aPeriodRunsOneNamedDaemonThreadUntilClosed() {
        KeepWarm keepWarm = KeepWarm.start(10);
        assertThat(keepWarm.running()).isTrue();
        assertThat(Thread.getAllStackTraces().keySet()).anySatisfy(t -> {
            assertThat(t.getName()).isEqualTo("vnet4j-keep-warm");
            assertThat(t.isDaemon()).isTrue();
        });
        keepWarm.close();
        assertThat(keepWarm.running()).isFalse();
    }

    @Test
    void zeroStartsNothingAndANegativePeriodIsRefused() {
        KeepWarm none = KeepWarm.start(0);
        assertThat(none.running()).isFalse();
        none.close();
        assertThatThrownBy(() -> KeepWarm.start(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1 ms");
    }
}
