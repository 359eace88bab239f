package io.vnet4j.base;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** {@link Shutdown#join}: whether the thread ended, which decides whether its owner may free native memory. */
class ShutdownTest {
    @Test
    void aThreadThatEndedOrNoneAtAllIsJoined() throws InterruptedException {
        Thread t = Thread.ofPlatform().start(() -> { });
        t.join();
        assertThat(Shutdown.join(t)).isTrue();
        assertThat(Shutdown.join(null)).isTrue();
    }

    @Test
    void aThreadThatOutlivesTheWaitIsReportedStillRunning() {
        CountDownLatch release = new CountDownLatch(1);
        Thread t = Thread.ofPlatform().daemon().start(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                // end
            }
        });
        try {
            assertThat(Shutdown.join(t)).as("still waiting after " + Shutdown.JOIN_MILLIS + " ms").isFalse();
        } finally {
            release.countDown();
        }
    }
}
