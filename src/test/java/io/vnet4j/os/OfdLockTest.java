package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfdLockTest {
    @TempDir
    Path directory;

    /** Two opens in one process conflict (F_SETLK's would not), and a close of another descriptor lets nothing go. */
    @Test
    void aSecondOpenOfThisProcessIsRefusedUntilTheFirstCloses() throws Exception {
        Path file = Files.createFile(directory.resolve("f.lock"));
        try (OfdLock first = OfdLock.tryLock(file)) {
            assertThat(first).isNotNull();
            assertThat(OfdLock.tryLock(file)).as("second open, same process").isNull();
            try (FileChannel other = FileChannel.open(file, StandardOpenOption.WRITE)) {
                assertThat(other.tryLock()).as("a process lock (F_SETLK) conflicts too").isNull();
            }
            assertThat(OfdLock.tryLock(file)).as("after another descriptor closed").isNull();
        }
        try (OfdLock again = OfdLock.tryLock(file)) {
            assertThat(again).as("after the first closed").isNotNull();
        }
    }

    /** F_OFD_GETLK tells a held file from a free one, takes nothing, and a missing file is free. */
    @Test
    void isLockedTellsAHeldFileWithoutTakingIt() throws Exception {
        Path file = Files.createFile(directory.resolve("g.lock"));
        assertThat(OfdLock.isLocked(file)).isFalse();
        try (OfdLock held = OfdLock.tryLock(file)) {
            assertThat(OfdLock.isLocked(file)).as("held by another open of this process").isTrue();
        }
        assertThat(OfdLock.isLocked(file)).as("let go").isFalse();
        try (OfdLock again = OfdLock.tryLock(file)) {
            assertThat(again).as("the query took nothing").isNotNull();
        }
        assertThat(OfdLock.isLocked(directory.resolve("absent"))).isFalse();
    }

    @Test
    void aMissingFileIsStrerrorsWords() {
        assertThatThrownBy(() -> OfdLock.tryLock(directory.resolve("absent")))
                .isInstanceOf(IOException.class).hasMessage("No such file or directory");
    }
}
