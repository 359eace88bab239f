package io.vnet4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Where the default network keeps its sockets: $XDG_RUNTIME_DIR/vnet4j, else /tmp/vnet4j-$USER. */
final class RuntimeDir {
    private RuntimeDir() {}

    static Path get() {
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "vnet4j");
        }
        String user = System.getenv("USER");
        if (user == null || user.isBlank()) {
            user = System.getProperty("user.name", "user");
        }
        return Path.of("/tmp", "vnet4j-" + user);
    }

    /** Creates the directory, private to this user (0700), when it does not exist yet. */
    static Path create() throws IOException {
        Path dir = get();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        }
        return dir;
    }

    static Path defaultControlSocket() {
        return get().resolve("control.sock");
    }
}
