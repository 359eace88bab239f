package io.vnet4j.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class StandardErrorLinesTest {
    @Test
    void eachLineIsOutInOrderWhenItsCallReturns() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        StandardErrorLines lines = new StandardErrorLines(() -> out, lost -> lost + " dropped");
        for (int i = 0; i < 100; i++) {
            String line = "line " + i;
            lines.println(() -> line);
            assertThat(bytes.toString(StandardCharsets.UTF_8)).endsWith("line " + i + "\n");
        }
    }

    /**
     * Standard error that takes nothing (a terminal paused with Ctrl-S) held up whatever thread logged, the user
     * network's loop too. Now the lines wait, up to a bound, and the rest are counted when it takes them again.
     */
    @Test
    void aStandardErrorThatTakesNothingHoldsUpNoCallerAndThenHearsWhatWasDropped() throws Exception {
        CountDownLatch paused = new CountDownLatch(1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                try {
                    paused.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                bytes.write(b);
            }
        }, true, StandardCharsets.UTF_8);
        StandardErrorLines lines = new StandardErrorLines(() -> out, lost -> lost + " dropped");
        for (int i = 0; i < StandardErrorLines.QUEUE + 11; i++) { // one in the writer's hands, QUEUE waiting
            String line = "line " + i;
            lines.println(() -> line);
        }
        paused.countDown();
        while (!bytes.toString(StandardCharsets.UTF_8).endsWith("dropped\n")) { // the queue drained
            Thread.sleep(10);
        }
        lines.println(() -> "after"); // lines go out again: this one is out when the call returns
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).startsWith("line 0\nline 1\n").endsWith("line " + StandardErrorLines.QUEUE + "\n10 dropped\nafter\n");
        assertThat(text.lines().count()).isEqualTo(StandardErrorLines.QUEUE + 1 + 1 + 1); // the queued, the dropped's line, after
    }

    /**
     * helper-107: two threads' lines came out of the order of their times, as each was stamped before it was
     * queued. The line is made while the queue is held, so the stamp and the place in the queue go together.
     */
    @Test
    void aLineIsMadeWhileTheQueueIsHeld() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        StandardErrorLines lines = new StandardErrorLines(() -> out, lost -> lost + " dropped");
        lines.println(() -> "held " + Thread.holdsLock(lines));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("held true\n");
    }
}
