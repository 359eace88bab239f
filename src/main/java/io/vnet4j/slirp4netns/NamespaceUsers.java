package io.vnet4j.slirp4netns;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
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
    private final Path proc;
    private final String identity;
    private final String self;
    /**
     * The process found in the namespace by the last check, or null: looked at first, so that a namespace a
     * long-lived process keeps costs a check one link read, not one per process of the host (6 us each).
     */
    private String lastFound;
    /** {@code ns/net} links read, ever (tests: what a check costs). */
    private long linksRead;

    /**
     * @param proc where the processes are listed ({@code /proc})
     * @param identity the namespace, {@code net:[INODE]} ({@link #identity})
     * @param self the caller's process, which does not count
     */
    NamespaceUsers(Path proc, String identity, long self) {
        this.proc = proc;
        this.identity = identity;
        this.self = Long.toString(self);
    }

    /** The namespace's identity, {@code net:[INODE]}, read from its file (a process's {@code ns/net} link). */
    static String identity(Path namespaceFile) throws IOException {
        return Files.readSymbolicLink(namespaceFile).toString();
    }

    /**
     * Whether a process other than the caller is in the namespace: the one found last if it still is, else the
     * first found in a scan of every process. A process whose link cannot be read (gone meanwhile, or another
     * user's, whose namespaces this process may not look at and which are not the caller's) counts as outside;
     * a PID reused by a process elsewhere fails the match and the scan follows.
     *
     * @throws IOException when the processes cannot be listed
     */
    boolean inUse() throws IOException {
        if (lastFound != null && inNamespace(lastFound)) {
            return true;
        }
        lastFound = null;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(proc)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (!name.isEmpty() && name.chars().allMatch(c -> c >= '0' && c <= '9') && !name.equals(self)
                        && inNamespace(name)) {
                    lastFound = name;
                    return true;
                }
            }
        } catch (DirectoryIteratorException e) { // a read of the listing failed part way
            throw e.getCause();
        }
        return false;
    }

    /** Whether process {@code pid} is in the namespace; false when its link cannot be read. */
    private boolean inNamespace(String pid) {
        linksRead++;
        try {
            return identity.equals(Files.readSymbolicLink(proc.resolve(pid).resolve("ns").resolve("net")).toString());
        } catch (IOException e) {
            return false; // exited meanwhile (ENOENT), or another user's (EACCES)
        }
    }

    /** How many {@code ns/net} links the checks have read. */
    long linksRead() {
        return linksRead;
    }
}
