package io.vnet4j;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The warm-up's guest gets every answer it waits for, so a warm-up never ends early by its own fault. */
@Timeout(60)
class WarmupTest {
    @Test
    void everyRoundGetsItsAnswers() {
        assertThat(Warmup.run(40)).isEqualTo(80);
    }
}
