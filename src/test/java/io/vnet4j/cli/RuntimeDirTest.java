package io.vnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeDirTest {
    @TempDir
    Path tmp;

    @Test
    void anAbsoluteXdgRuntimeDirIsUsed() {
        assertThat(RuntimeDir.of("/run/user/1000", "alice")).isEqualTo(Path.of("/run/user/1000/vnet4j"));
    }

    @Test
    void aRelativeOrEmptyXdgRuntimeDirIsIgnored() {
        // XDG Base Directory Specification: a relative path in these variables is invalid and ignored
        assertThat(RuntimeDir.of("relative/dir", "alice")).isEqualTo(Path.of("/tmp/vnet4j-alice"));
        assertThat(RuntimeDir.of("run", "alice")).isEqualTo(Path.of("/tmp/vnet4j-alice"));
        assertThat(RuntimeDir.of("", "alice")).isEqualTo(Path.of("/tmp/vnet4j-alice"));
        assertThat(RuntimeDir.of(null, "alice")).isEqualTo(Path.of("/tmp/vnet4j-alice"));
    }

    @Test
    void anAbsentDirectoryIsMadePrivate() throws Exception {
        Path dir = RuntimeDir.ensurePrivate(tmp.resolve("vnet4j"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");
    }

    @Test
    void aDirectoryOthersCanWriteInIsRefused() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("vnet4j"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertThatThrownBy(() -> RuntimeDir.ensurePrivate(dir)).isInstanceOf(IOException.class)
                .hasMessage("the runtime directory " + dir + " is not a private directory of " + System.getProperty("user.name")
                        + " (owner " + Files.getOwner(dir).getName() + ", mode rwxrwxrwx): remove it, or set XDG_RUNTIME_DIR");
    }

    @Test
    void aLinkInPlaceOfTheDirectoryIsRefused() throws Exception {
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        Path link = Files.createSymbolicLink(tmp.resolve("vnet4j"), elsewhere);
        assertThatThrownBy(() -> RuntimeDir.ensurePrivate(link)).isInstanceOf(IOException.class).hasMessageContaining("not a directory");
    }
}
