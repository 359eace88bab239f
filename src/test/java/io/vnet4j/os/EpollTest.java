package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * {@link Epoll}'s failures, whose errno comes from repeating the uncaptured call with the capture, and its
 * wake-up.
 */
class EpollTest {
    private static final int EPOLLIN = 1;

    @Test
    void aFailedRegistrationNamesItsErrno() throws IOException {
        try (Epoll epoll = Epoll.open()) {
            assertThatThrownBy(() -> epoll.add(-1, EPOLLIN, 7))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("EPOLL_CTL_ADD, -1")
                    .hasMessageContaining("Bad file descriptor");
        }
    }

    @Test
    void deletingADescriptorNotWatchedIsNoError() throws IOException {
        try (Epoll epoll = Epoll.open()) {
            epoll.delete(0); // ENOENT
            epoll.delete(-1); // EBADF
        }
    }

    @Test
    void aWakeUpEndsAWaitAsItsOwnEvent() throws IOException {
        try (Epoll epoll = Epoll.open()) {
            epoll.wake();
            assertThat(epoll.await(5000)).isEqualTo(1);
            assertThat(epoll.data(0)).isEqualTo(Epoll.WAKE_DATA);
            assertThat(epoll.await(0)).as("drained").isZero();
        }
    }
}
