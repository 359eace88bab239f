package io.vnet4j.base;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LineBudgetTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstGoesOutThenOneLinePerIntervalAndTheLeftOutAreCounted() {
        LineBudget budget = new LineBudget(3, SECOND, 0);
        assertThat(budget.take(0)).isEmpty();
        assertThat(budget.take(1)).isEmpty();
        assertThat(budget.take(2)).isEmpty();
        for (int i = 0; i < 100; i++) {
            assertThat(budget.take(3 + i)).isNull();
        }
        assertThat(budget.take(SECOND)).isEqualTo(" (100 more lines of this kind left out)");
        assertThat(budget.take(SECOND + 1)).isNull();
        assertThat(budget.take(10 * SECOND)).isEqualTo(" (1 more line of this kind left out)");
        assertThat(budget.take(10 * SECOND)).as("refilled up to the burst, no more").isEmpty();
        assertThat(budget.take(10 * SECOND)).isEmpty();
        assertThat(budget.take(10 * SECOND)).isNull();
    }
}
