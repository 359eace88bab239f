package io.vnet4j.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

/** An exception repeated at every frame says its first lines and then keeps quiet (the log cannot flood). */
class InternalErrorsTest {
    @Test
    void theFirstTenAreSaidWithWhereTheyWereThrownThenTheRestKeepQuiet() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true));
        Log.toStandardError(Log.Format.TEXT);
        try {
            InternalErrors errors = new InternalErrors("u");
            for (int i = 0; i < 5000; i++) {
                errors.record("a frame was dropped", new IllegalStateException("deliberate"));
            }
        } finally {
            System.setErr(saved);
        }
        String said = err.toString();
        assertThat(said.lines().count()).isEqualTo(InternalErrors.SAID);
        assertThat(said.lines().findFirst().orElseThrow()).isEqualTo("vnet4j: warning: u: a frame was dropped on an internal error "
                + "(1 so far): java.lang.IllegalStateException: deliberate at io.vnet4j.base.InternalErrorsTest"
                + ".theFirstTenAreSaidWithWhereTheyWereThrownThenTheRestKeepQuiet(InternalErrorsTest.java:20)");
    }
}
