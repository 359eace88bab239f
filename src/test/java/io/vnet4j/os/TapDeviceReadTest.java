package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TapDevice#read}: a reader without a time-out sleeps until a frame comes and is woken by {@code close()}
 * (its eventfd), so a TAP port's reader thread never wakes on an idle network. Over {@link TapDevice#pair},
 * which reads as a TAP does, so no CAP_NET_ADMIN is needed.
 */
class TapDeviceReadTest {
    private final TapDevice[] pair;

    TapDeviceReadTest() throws IOException {
        pair = TapDevice.pair("test");
    }

    @AfterEach
    void release() {
        for (TapDevice d : pair) {
            d.close();
            d.release();
        }
    }

    @Test
    void closeWakesAReaderWaitingWithoutATimeOut() throws Exception {
        CompletableFuture<Integer> read = readInBackground(pair[0]);
        Thread.sleep(200); // the reader is in poll by now (if not, read sees the closed flag)
        assertThat(read).isNotDone();
        pair[0].close();
        assertThat(read.get(2, TimeUnit.SECONDS)).isEqualTo(-1);
        assertThat(pair[0].read(TapDevice.UNTIL_CLOSED)).as("a read after close").isEqualTo(-1);
    }

    @Test
    void aWaitingReaderGetsTheFrameThatComes() throws Exception {
        CompletableFuture<Integer> read = readInBackground(pair[0]);
        Thread.sleep(100);
        pair[1].writeBuffer().set(ValueLayout.JAVA_BYTE, 59, (byte) 7);
        assertThat(pair[1].write(60)).isTrue();
        assertThat(read.get(2, TimeUnit.SECONDS)).isEqualTo(60);
        assertThat(pair[0].receivedBuffer().get(59)).isEqualTo((byte) 7);
    }

    @Test
    void aReadWithATimeOutReturnsWithoutAFrame() throws IOException {
        assertThat(pair[0].read(20)).isEqualTo(-1);
        assertThat(pair[0].read(0)).isEqualTo(-1);
    }

    private static CompletableFuture<Integer> readInBackground(TapDevice device) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return device.read(TapDevice.UNTIL_CLOSED);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofPlatform().daemon().start(r));
    }
}
