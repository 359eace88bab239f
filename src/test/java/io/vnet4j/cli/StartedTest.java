package io.vnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Started}: what a start opened is closed once, the control server first, and late arrivals at once. */
class StartedTest {
    private final List<String> closed = new ArrayList<>();

    private AutoCloseable named(String name) {
        return () -> closed.add(name);
    }

    @Test
    void theControlServerClosesFirstThenTheRestInReverse() {
        Started started = new Started();
        started.control(named("control"));
        started.add(named("network"));
        started.add(named("console"));
        started.add(null); // --http not given
        started.add(named("keep-warm"));
        started.closeAll();
        assertThat(closed).containsExactly("control", "keep-warm", "console", "network");
        started.closeAll();
        assertThat(closed).as("closed once").hasSize(4);
    }

    @Test
    void theStartsLastLinesComeOnlyWhileNothingIsClosing() {
        Started started = new Started();
        started.ifNotStopping(() -> closed.add("ready"));
        started.closeAll();
        started.ifNotStopping(() -> closed.add("ready again"));
        assertThat(closed).containsExactly("ready");
    }

    @Test
    void whatOpensAfterTheClosingBeganIsClosedAtOnce() {
        Started started = new Started();
        started.control(named("control"));
        started.closeAll(); // a shutdown while Network.start still ran
        started.add(named("network"));
        assertThat(closed).containsExactly("control", "network");
    }

    /** ctl quit while Network.start still runs: the start's later resources close at once, "ready" is not said. */
    @Test
    void aStopDuringTheStartClosesWhatTheStartOpensLaterAndLetsTheDaemonReturn() throws Exception {
        Started started = new Started();
        started.control(named("control"));
        started.stop();
        started.add(named("network"));
        started.startEnded();
        started.ifNotStopping(() -> closed.add("ready"));
        started.awaitClosed(); // returns: the daemon exits with 0
        assertThat(closed).containsExactly("control", "network");
    }
}
