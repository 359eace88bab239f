package io.vnet4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The runtime directory, $XDG_RUNTIME_DIR/vnet4j, else /tmp/vnet4j-$USER: every daemon's control socket
 * ({@link ControlSockets}) and the default network's qemu.sock. It must be private to this user (0700).
 */
final class RuntimeDir {
    private RuntimeDir() {}

    static Path get() {
        return of(System.getenv("XDG_RUNTIME_DIR"), System.getenv("USER"));
    }

    /**
     * The runtime directory for these values of XDG_RUNTIME_DIR and USER. A relative XDG_RUNTIME_DIR is ignored,
     * as the XDG Base Directory Specification says ("If an implementation encounters a relative path in any of
     * these variables it should consider the path invalid and ignore it", as systemd's sd_path does): it would
     * put the sockets under the working directory, where a daemon and a {@code vnet4j ctl} started from two
     * directories do not find each other.
     */
    static Path of(String xdgRuntimeDir, String user) {
        if (xdgRuntimeDir != null && xdgRuntimeDir.startsWith("/")) {
            return Path.of(xdgRuntimeDir, "vnet4j");
        }
        if (user == null || user.isBlank()) {
            user = System.getProperty("user.name", "user");
        }
        return Path.of("/tmp", "vnet4j-" + user);
    }

    /**
     * Creates the directory, private to this user (0700), when it does not exist yet.
     *
     * @throws IOException when it cannot be made, or what is there is not a private directory of this user
     */
    static Path create() throws IOException {
        return ensurePrivate(get());
    }

    /**
     * Makes {@code dir} (0700) when absent; refuses one that is a link, belongs to another user or lets others
     * write in it (in /tmp anyone could have made it first, and then replace our sockets).
     */
    static Path ensurePrivate(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String me = System.getProperty("user.name");
        Set<PosixFilePermission> permissions = attributes.permissions();
        if (!attributes.isDirectory() || !attributes.owner().getName().equals(me)
                || permissions.contains(PosixFilePermission.GROUP_WRITE) || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException("the runtime directory " + dir + " is not a private directory of " + me + " (" + (attributes.isDirectory()
                    ? "owner " + attributes.owner().getName() + ", mode " + PosixFilePermissions.toString(permissions)
                    : "not a directory") + "): remove it, or set XDG_RUNTIME_DIR");
        }
        return dir;
    }

    static Path defaultControlSocket() {
        return get().resolve("control.sock");
    }
}
