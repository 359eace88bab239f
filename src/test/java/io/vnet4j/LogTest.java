package io.vnet4j;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTest {
    @Test
    void controlCharactersInAMessageAreEscapedSoItStaysOneLine() {
        assertThat(Log.printable("listen=127.0.0.1:80\n10")).isEqualTo("listen=127.0.0.1:80\\n10");
        assertThat(Log.printable("a\tb\rc\u0001d\u007fe")).isEqualTo("a\\tb\\rc\\x01d\\x7fe");
    }

    @Test
    void aPrintableMessageIsReturnedAsItIs() {
        String text = "tap0: 10.0.2.100/24 é";
        assertThat(Log.printable(text)).isSameAs(text);
    }

    @Test
    void anExceptionWithoutAMessageIsDescribedByItsKind() {
        assertThat(Log.describe(new InterruptedException())).isEqualTo("InterruptedException");
        assertThat(Log.describe(new java.io.IOException("refused"))).isEqualTo("refused");
        assertThat(Log.printable(null)).isEqualTo("(no message)");
    }

    /** A command that failed without a message is one line with exit code 1, not a stack trace. */
    @Test
    void aFailureWithoutAMessageEndsTheCommandInOneLine() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        Thread.currentThread().interrupt(); // the daemon's wait for its end throws InterruptedException at once
        System.setErr(new java.io.PrintStream(err, true));
        int code;
        try {
            code = io.vnet4j.cli.Main.run("--quiet", "--no-warm-up", "--control", "none", "-netdev", "user,id=u");
        } finally {
            System.setErr(saved);
            Thread.interrupted();
        }
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).endsWith("vnet4j: ready\nvnet4j: InterruptedException\n");
    }

    @Test
    void aThreadStartedByAHushedCallerIsHushedToo() throws InterruptedException {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        try {
            Thread[] started = new Thread[2];
            Log.hushed(() -> started[0] = Thread.ofPlatform().start(Log.hushedIfNow(() -> Log.info("hushed"))));
            started[1] = Thread.ofPlatform().start(Log.hushedIfNow(() -> Log.info("heard")));
            started[0].join();
            started[1].join();
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString()).isEqualTo("vnet4j: heard\n");
    }
}
