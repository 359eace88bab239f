package io.vnet4j.base;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The file a path names through its symbolic links, also when the last link's target is not made yet. */
public final class SymbolicLinks {
    /** The links followed before giving up, as the kernel's ELOOP (fs/namei.c's MAXSYMLINKS). */
    private static final int MAX_LINKS = 40;

    private SymbolicLinks() {}

    /**
     * The file {@code path} names, through its symbolic links (a chain of them, relative or absolute), as an absolute
     * path; unlike {@link Path#toRealPath} also when the last link's target is not made yet (a lease file's first run),
     * where a write through the link makes it, as an open(2) with O_CREAT does.
     *
     * @throws IOException when a link cannot be read, or the links loop ("Too many levels of symbolic links")
     */
    public static Path target(Path path) throws IOException {
        Path p = path.toAbsolutePath();
        for (int links = 0; Files.isSymbolicLink(p); links++) {
            if (links == MAX_LINKS) {
                throw new FileSystemException(path.toString(), null, "Too many levels of symbolic links");
            }
            p = p.resolveSibling(Files.readSymbolicLink(p));
        }
        return p;
    }
}
