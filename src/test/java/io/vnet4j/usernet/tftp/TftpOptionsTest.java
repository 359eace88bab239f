package io.vnet4j.usernet.tftp;

import static io.vnet4j.usernet.tftp.TftpOptions.ABSENT;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TftpOptionsTest {
    private static TftpOptions blockSize(long value) {
        return new TftpOptions(value, ABSENT, ABSENT);
    }

    @Test
    void acknowledgesABlockSizeUpToTheMtuCap() {
        assertThat(blockSize(8).acknowledge(0).blockSize()).isEqualTo(8);
        assertThat(blockSize(1024).acknowledge(0).blockSize()).isEqualTo(1024);
        assertThat(blockSize(1432).acknowledge(0).blockSize()).isEqualTo(1432);
        assertThat(blockSize(1468).acknowledge(0).blockSize()).isEqualTo(1432);
        assertThat(blockSize(65464).acknowledge(0).blockSize()).isEqualTo(1432);
    }

    @Test
    void answersABlockSizeAboveRfc2348sRangeWithTheLargestServed() {
        // a client that asked for too much is told what it gets, as libslirp does (busybox tftp -b 65465)
        for (long value : new long[] {65465, 99999, Integer.MAX_VALUE}) {
            assertThat(blockSize(value).acknowledge(0).blockSize()).as("blksize %d", value)
                    .isEqualTo(TftpOptions.SERVED_MAX_BLOCK_SIZE);
        }
    }

    @Test
    void leavesABlockSizeBelowRfc2348sRangeUnacknowledged() {
        for (long value : new long[] {0, 7}) {
            TftpOptions acknowledged = blockSize(value).acknowledge(0);
            assertThat(acknowledged.any()).as("blksize %d", value).isFalse();
            assertThat(acknowledged.effectiveBlockSize()).isEqualTo(TftpOptions.DEFAULT_BLOCK_SIZE);
        }
    }

    @Test
    void answersTsizeWithTheFileSizeWhateverTheClientSent() {
        assertThat(new TftpOptions(ABSENT, 0, ABSENT).acknowledge(123_456_789_012L))
                .isEqualTo(new TftpOptions(ABSENT, 123_456_789_012L, ABSENT));
        assertThat(new TftpOptions(ABSENT, 77, ABSENT).acknowledge(5).transferSize()).isEqualTo(5);
    }

    /** helper-95's trial: curl gives up on an OACK's tsize 0 ("invalid tsize -:0:- value in OACK packet"). */
    @Test
    void leavesTsizeOutForAnEmptyFile() {
        assertThat(new TftpOptions(ABSENT, 0, ABSENT).acknowledge(0).any()).isFalse();
        TftpOptions withBlockSize = new TftpOptions(512, 0, ABSENT).acknowledge(0);
        assertThat(withBlockSize.transferSize()).isEqualTo(ABSENT);
        assertThat(withBlockSize.blockSize()).isEqualTo(512);
    }

    @Test
    void acknowledgesATimeoutFromOneTo255Seconds() {
        assertThat(new TftpOptions(ABSENT, ABSENT, 1).acknowledge(0).timeout()).isEqualTo(1);
        assertThat(new TftpOptions(ABSENT, ABSENT, 255).acknowledge(0).timeout()).isEqualTo(255);
        assertThat(new TftpOptions(ABSENT, ABSENT, 0).acknowledge(0).any()).isFalse();
        assertThat(new TftpOptions(ABSENT, ABSENT, 256).acknowledge(0).any()).isFalse();
    }

    @Test
    void acknowledgesNothingWhenNothingWasAsked() {
        assertThat(TftpOptions.NONE.acknowledge(100)).isEqualTo(TftpOptions.NONE);
    }
}
