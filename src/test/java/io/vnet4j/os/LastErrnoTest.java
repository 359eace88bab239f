package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * {@link LastErrno}: errno of a call bound without captureCallState, and the per-frame calls that use it
 * allocate nothing (what captureCallState does at every call in JDK 25).
 */
class LastErrnoTest {
    private static final int EBADF = 9;

    @Test
    void readsWhatAFailedUncapturedCallLeft() throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(16);
            long n = Downcall.call(LinuxCalls.READ_UNCAPTURED.handle(), -1, buffer.address(), 16);
            assertThat(n).isEqualTo(-1);
            assertThat(LastErrno.read()).as("read(-1): EBADF").isEqualTo(EBADF);
        }
    }

    @Test
    void aTapsEmptyReadsAndItsWritesAllocateNothing() throws Exception {
        TapDevice[] pair = TapDevice.pair("errno");
        try {
            var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = 0;
            int wrong = 0;
            for (int i = 0; i < 20_000; i++) {
                if (i == 10_000) {
                    before = threads.getCurrentThreadAllocatedBytes();
                }
                // a frame written, read, and an empty read (EAGAIN); no assertion object per call
                if (!pair[1].write(60) || pair[0].readNow() != 60 || pair[0].readNow() != -1) {
                    wrong++;
                }
            }
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(wrong).isZero();
            // with captureCallState: 40 bytes a call (1.2 MB) where C2 does not remove the capture segment's slice
            assertThat(allocated).as("bytes for 30,000 calls").isLessThan(30_000);
        } finally {
            for (TapDevice d : pair) {
                d.close();
                d.release();
            }
        }
    }
}
