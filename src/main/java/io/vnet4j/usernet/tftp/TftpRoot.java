package io.vnet4j.usernet.tftp;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens files by TFTP name, confined to a root directory. Leading slashes are stripped, so "/pxelinux.0"
 * and "pxelinux.0" name the same file, as in libslirp (which joins root, "/" and the name), for boot loaders
 * that ask with one; "/etc/passwd" is therefore {@code root/etc/passwd}, never the host's. A ".." component,
 * and a name whose real path (symlinks followed) lies outside the root's real path, is an access violation;
 * a missing file, a directory or any other non-regular file is "file not found", as libslirp answers for a
 * directory.
 *
 * <p>The root's real path is taken per request, so the root may appear after the server starts. A component
 * swapped for a symlink between the check and the open is not caught, except for the last one, which is
 * opened without following links.
 */
final class TftpRoot {
    private static final String PARENT = "..";
    private static final String SEPARATOR = "/";

    private final Path root;

    TftpRoot(Path root) {
        this.root = root;
    }

    /** The outcome of {@link #open(String)}. */
    sealed interface Opened {}

    /** An open file and its size; the receiver closes the channel. */
    record Found(FileChannel channel, long size) implements Opened {}

    /** Why a name is not served: a {@link TftpErrorCode} and the message for the ERROR packet. */
    record Refused(int code, String message) implements Opened {}

    static final Refused ACCESS_VIOLATION = new Refused(TftpErrorCode.ACCESS_VIOLATION, "Access violation");
    static final Refused NOT_FOUND = new Refused(TftpErrorCode.FILE_NOT_FOUND, "File not found");

    /** Opens the named regular file for reading, or says why not. */
    Opened open(String name) {
        String relative = stripLeadingSlashes(name);
        if (relative.isEmpty()) {
            return NOT_FOUND;
        }
        for (String component : relative.split(SEPARATOR)) {
            if (component.equals(PARENT)) {
                return ACCESS_VIOLATION;
            }
        }
        Path real;
        Path realRoot;
        try {
            realRoot = root.toRealPath();
            real = realRoot.resolve(relative).toRealPath();
        } catch (NoSuchFileException | InvalidPathException e) {
            return NOT_FOUND;
        } catch (IOException e) {
            return ACCESS_VIOLATION;
        }
        if (!real.startsWith(realRoot)) {
            return ACCESS_VIOLATION;
        }
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
            return NOT_FOUND;
        }
        return openRegular(real);
    }

    private static Opened openRegular(Path file) {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return ACCESS_VIOLATION;
        }
        try {
            return new Found(channel, channel.size());
        } catch (IOException e) {
            TftpSession.closeQuietly(channel);
            return ACCESS_VIOLATION;
        }
    }

    private static String stripLeadingSlashes(String name) {
        int start = 0;
        while (start < name.length() && name.charAt(start) == '/') {
            start++;
        }
        return name.substring(start);
    }
}
