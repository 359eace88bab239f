package io.vnet4j.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether standard error is a terminal, read from procfs (no native call: it runs at every start). */
public final class Terminal {
    private Terminal() {}

    /**
     * True when file descriptor 2 is a terminal: /proc/self/fd/2 links to a pseudo-terminal ({@code /dev/pts/N}),
     * a virtual console ({@code /dev/ttyN}) or {@code /dev/console}; false for a pipe, a socket (the journal) or a
     * file, and when procfs cannot be read.
     */
    public static boolean standardErrorIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
