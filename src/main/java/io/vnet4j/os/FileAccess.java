package io.vnet4j.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.util.Set;

/**
 * Who may use a socket or directory vnet4j makes: its permission bits and group, as vde_switch's {@code --mode} and
 * {@code --group} set them (QEMU's {@code -netdev vde,group=,mode=}), for a peer running as another user (a QEMU
 * started by libvirt as {@code libvirt-qemu}, say): connecting to a unix socket needs write permission on it.
 */
public final class FileAccess {
    /** Permission bits not given ({@code mode=} absent): a socket keeps those bind(2) and the umask gave it. */
    public static final int AS_MADE = -1;

    private FileAccess() {}

    /** Permission bits ({@code 0660}) as the JDK's set; bits above 0777 are ignored. */
    public static Set<PosixFilePermission> permissions(int mode) {
        StringBuilder s = new StringBuilder();
        String rwx = "rwx";
        for (int bit = 8; bit >= 0; bit--) {
            s.append((mode & (1 << bit)) != 0 ? rwx.charAt(2 - bit % 3) : '-');
        }
        return PosixFilePermissions.fromString(s.toString());
    }

    /**
     * The group named {@code group}.
     *
     * @throws IOException "group=NAME: no such group" when there is none (the JDK's exception has no message)
     */
    public static GroupPrincipal group(Path file, String group) throws IOException {
        try {
            return file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (UserPrincipalNotFoundException e) {
            throw new IOException("group=" + group + ": no such group", e);
        }
    }

    /**
     * Gives {@code file} the owner and group of {@code kept} (another file's), where this process may give a file
     * away (root, CAP_CHOWN): a file root makes in place of a user's, or beside it, stays theirs. Elsewhere (EPERM) the
     * file stays this process's, as it was made.
     */
    public static void giveOwnerOf(Path file, PosixFileAttributes kept) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        try {
            PosixFileAttributes made = view.readAttributes();
            if (!made.owner().equals(kept.owner())) {
                view.setOwner(kept.owner());
            }
            if (!made.group().equals(kept.group())) {
                view.setGroup(kept.group());
            }
        } catch (IOException e) {
            // EPERM: not ours to give
        }
    }

    /**
     * Gives {@code file} the permission bits {@code mode} (unless {@link #AS_MADE}) and, when {@code group} is not
     * null, that group.
     *
     * @throws IOException when either is refused (EPERM: a group this process is not in, and it is not root)
     */
    public static void set(Path file, int mode, String group) throws IOException {
        if (mode != AS_MADE) {
            Files.setPosixFilePermissions(file, permissions(mode));
        }
        if (group != null) {
            Files.getFileAttributeView(file, PosixFileAttributeView.class).setGroup(group(file, group));
        }
    }
}
