package io.vnet4j.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailureRunTest {
    private final List<String> said = new ArrayList<>();
    private final FailureRun run = new FailureRun(said::add);

    @Test
    void aRunIsSaidWhenItStartsAndWhenItEndsWithItsCount() {
        run.succeeded(n -> "never: no run yet");
        for (int i = 0; i < 1000; i++) {
            run.failed("out of descriptors");
        }
        run.succeeded(n -> "again, after " + n);
        run.succeeded(n -> "not said twice");
        assertThat(said).containsExactly("out of descriptors", "again, after 1000");
    }

    @Test
    void aSecondRunIsSaidAgain() {
        run.failed("first");
        run.succeeded(n -> "ended " + n);
        run.failed("second");
        run.failed("second, not said");
        run.succeeded(n -> "ended " + n);
        assertThat(said).containsExactly("first", "ended 1", "second", "ended 2");
    }
}
