package io.vnet4j.base;

import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * A run of one kind of failure that passes by itself (EMFILE: the process is out of descriptors), said in two
 * lines however long it lasts: its first failure, and the first success after it with the count. Lines per
 * failure, even budgeted, said a shortage again every few seconds and never that it had passed.
 */
public final class FailureRun {
    private final Consumer<String> say;
    private long failures;

    /** @param say where the two lines go (a warning: the end of a run is said as its start was) */
    public FailureRun(Consumer<String> say) {
        this.say = say;
    }

    /** A failure: {@code line} is said when it starts a run. */
    public void failed(String line) {
        if (failures++ == 0) {
            say.accept(line);
        }
    }

    /** A success: when it ends a run, {@code line} of the run's failures is said. Costs a field test otherwise. */
    public void succeeded(LongFunction<String> line) {
        if (failures != 0) {
            say.accept(line.apply(failures));
            failures = 0;
        }
    }
}
