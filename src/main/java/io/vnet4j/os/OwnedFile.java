package io.vnet4j.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * A file, socket or directory this process made, remembered by its file key (device and inode) when it was
 * made, so that cleaning up removes it only while the path still names that same file. What another
 * process has put there since (a daemon that replaced our socket after we were gone, a user's new file) is
 * left alone.
 */
public final class OwnedFile {
    private final Path path;
    private final Object key;

    private OwnedFile(Path path, Object key) {
        this.path = path;
        this.key = key;
    }

    /**
     * Claims what is at {@code path} now: call it right after creating or binding it.
     *
     * @throws IOException when nothing is there or its attributes cannot be read
     */
    public static OwnedFile claim(Path path) throws IOException {
        Object key = attributes(path).fileKey();
        if (key == null) {
            throw new IOException(path + ": the file system gives no file key to recognise it by");
        }
        return new OwnedFile(path, key);
    }

    /** The path it was claimed at. */
    public Path path() {
        return path;
    }

    /** True while {@link #path()} still names the claimed file (not a link to it, not a replacement). */
    public boolean isStillOurs() {
        try {
            return Objects.equals(attributes(path).fileKey(), key);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Removes the file when it is still ours (a directory only when it is empty). Never throws.
     *
     * @return true when it was removed
     */
    public boolean delete() {
        if (!isStillOurs()) {
            return false;
        }
        try {
            Files.delete(path);
            return true;
        } catch (IOException e) {
            return false; // gone already, a directory not empty, or not ours to remove: it stays
        }
    }

    private static BasicFileAttributes attributes(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }
}
