package io.vnet4j.slirp4netns;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether processes are still in a network namespace, from {@code /proc/PID/ns/net}: the PID form's target can
 * exit while the namespace lives on, a process that joined it keeping it (nsenter, a container's or a pod's
 * other processes). The drop-in's TAP cannot tell: its own descriptor of {@code /dev/net/tun}, opened inside
 * the namespace, holds the namespace, so the kernel deletes neither while it runs.
 */
final class NamespaceUsers {
    private NamespaceUsers() {}

    /** The namespace's identity, {@code net:[INODE]}, read from its file (a process's {@code ns/net} link). */
    static String identity(Path namespaceFile) throws IOException {
        return Files.readSymbolicLink(namespaceFile).toString();
    }

    /**
     * Whether a process under {@code proc} other than {@code self} is in the namespace {@code identity}. A
     * process whose link cannot be read (gone meanwhile, or another user's, whose namespaces this process may
     * not look at and which are not the caller's) counts as outside.
     */
    static boolean inUse(Path proc, String identity, long self) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (name.isEmpty() || !name.chars().allMatch(c -> c >= '0' && c <= '9') || name.equals(Long.toString(self))) {
                    continue;
                }
                try {
                    if (identity.equals(Files.readSymbolicLink(entry.resolve("ns").resolve("net")).toString())) {
                        return true;
                    }
                } catch (IOException e) {
                    // exited meanwhile (ENOENT), or another user's (EACCES)
                }
            }
        }
        return false;
    }
}
