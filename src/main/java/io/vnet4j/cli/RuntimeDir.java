package io.vnet4j.cli;

import java.nio.file.Path;

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

    static Path defaultControlSocket() {
        return get().resolve("control.sock");
    }
}
