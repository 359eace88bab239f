package io.vnet4j.base;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTest {
    @Test
    void controlCharactersInAMessageAreEscapedSoItStaysOneLine() {
        assertThat(Log.printable("listen=127.0.0.1:80\n10")).isEqualTo("listen=127.0.0.1:80\\n10");
        assertThat(Log.printable("a\tb\rc\u0001d\u007fe")).isEqualTo("a\\tb\\rc\\x01d\\x7fe");
    }

    /**
     * A helper's replay of hostile guest input: a DHCP hostname read as Latin-1 brought the C1 controls CSI
     * (0x9b) and NEL (0x85) into the log whole.
     */
    @Test
    void c1ControlsAndInvisibleFormatCharactersAreEscapedToo() {
        assertThat(Log.printable("a\u009b31mb\u0085c")).isEqualTo("a\\x9b31mb\\x85c");
        assertThat(Log.printable("evil\u202etxt.exe\u2028x\u200by")).isEqualTo("evil\\u202etxt.exe\\u2028x\\u200by");
        String latin = "caf\u00e9 \u00a0nbsp";
        assertThat(Log.printable(latin)).isSameAs(latin);
    }

    /** A reviewer's finding: messages escaped on their way were escaped again when printed. */
    @Test
    void escapingTwiceIsEscapingOnce() {
        String once = Log.printable("got 'a\u0001b' \u009b\n");
        assertThat(Log.printable(once)).isEqualTo(once).isEqualTo("got 'a\\x01b' \\x9b\\n");
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
        // standard error is a pipe here, not a terminal: each line after the options were read has its time
        assertThat(err.toString()).containsPattern("(^|\\n)\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z vnet4j: ready\\n"
                + "\\S+Z vnet4j: InterruptedException\\n$");
    }

    @Test
    void timesHaveThreeDigitsOfMillisecondsAlways() {
        assertThat(Log.time(java.time.Instant.parse("2026-12-01T01:42:19Z"))).isEqualTo("2026-12-01T01:42:19.000Z");
        assertThat(Log.time(java.time.Instant.parse("2026-12-01T01:42:18.999500Z"))).isEqualTo("2026-12-01T01:42:18.999Z");
        assertThat(Log.time(java.time.Instant.parse("2026-12-01T01:42:18.050Z"))).isEqualTo("2026-12-01T01:42:18.050Z");
    }

    @Test
    void aThreadStartedByAHushedCallerIsHushedToo() throws InterruptedException {
        String err = standardErrorOf(() -> {
            Thread[] started = new Thread[2];
            Log.hushed(() -> started[0] = Thread.ofPlatform().start(Log.hushedIfNow(() -> Log.info("hushed"))));
            started[1] = Thread.ofPlatform().start(Log.hushedIfNow(() -> Log.info("heard")));
            started[0].join();
            started[1].join();
        });
        assertThat(err).isEqualTo("vnet4j: heard\n");
    }

    /** helper-111: the warm-up's private network repeated the real one's warning that pings cannot leave. */
    @Test
    void aWarningAboutTheHostIsSaidOnceWhileAWarningOfTheWorkStays() throws InterruptedException {
        String err = standardErrorOf(() -> {
            Log.warnOfHost("u: no pings");
            Log.hushed(() -> {
                Log.warnOfHost("warm-up: no pings");
                Log.warn("warm-up: failed");
            });
        });
        assertThat(err).isEqualTo("vnet4j: warning: u: no pings\nvnet4j: warning: warm-up: failed\n");
    }

    private interface Work {
        void run() throws InterruptedException;
    }

    /** What Log's TEXT lines to standard error say while {@code work} runs. */
    private static String standardErrorOf(Work work) throws InterruptedException {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        Log.toStandardError(Log.Format.TEXT);
        try {
            work.run();
        } finally {
            System.setErr(saved);
        }
        return err.toString();
    }

    @Test
    void jsonLinesCarryTimeLevelAndTheMessageAsItWas() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            Log.toStandardError(Log.Format.JSON);
            Log.warn("two\nlines \"quoted\"");
        } finally {
            Log.toStandardError(Log.Format.TEXT);
            System.setErr(saved);
        }
        String line = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(line).hasLineCount(1);
        java.util.Map<?, ?> m = (java.util.Map<?, ?>) io.vnet4j.control.Json.parse(line);
        assertThat(m.get("level")).isEqualTo("warning");
        assertThat(m.get("message")).isEqualTo("two\nlines \"quoted\"");
        assertThat(java.time.Instant.parse((String) m.get("time"))).isCloseTo(java.time.Instant.now(),
                org.assertj.core.api.Assertions.within(1, java.time.temporal.ChronoUnit.MINUTES));
    }

    @Test
    void aLibraryWithoutTheCommandLineLogsThroughSystemLogger() {
        java.util.logging.Logger jul = java.util.logging.Logger.getLogger("io.vnet4j");
        java.util.List<java.util.logging.LogRecord> records = new java.util.ArrayList<>();
        java.util.logging.Handler handler = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(handler);
        jul.setUseParentHandlers(false);
        try {
            Log.toStandardError(null);
            Log.warn("to the platform logger");
        } finally {
            Log.toStandardError(Log.Format.TEXT);
            jul.removeHandler(handler);
            jul.setUseParentHandlers(true);
        }
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.getMessage()).isEqualTo("to the platform logger");
            assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.WARNING);
        });
    }
}
