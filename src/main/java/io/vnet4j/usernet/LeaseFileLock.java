package io.vnet4j.usernet;

import io.vnet4j.base.Log;
import io.vnet4j.base.SymbolicLinks;
import io.vnet4j.os.FileAccess;
import io.vnet4j.os.OfdLock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Keeps two processes from keeping their DHCP leases in one {@code leasefile=}: each rewrote the file with its own
 * bindings only, so after a restart the other's guests had lost their names and reserved addresses, and nothing said
 * why. An open file description lock ({@link OfdLock}: fcntl(2) {@code F_OFD_SETLK}, released by the kernel when the
 * process ends, however it ends) on {@code PATH.lock} beside the file, held while the network runs. The lease file
 * itself cannot carry the lock: each write renames a new file over it. The holder writes its pid into the lock file,
 * so the refused process can name it. The lock file stays at stop (a few bytes, as apt's and dpkg's lock files stay):
 * removing it would race another process that has opened it and is about to lock it.
 *
 * <p>The lock belongs to its own descriptor, not to the process (as {@code F_SETLK}'s would, which POSIX ends when
 * any of the process's descriptors of the file closes): a second network of this process is refused by the kernel as
 * another process's is (told apart by the pid in the file), and nothing else this process opens and closes lets it
 * go. Made by root for a lease file another user owns, the lock file is given that user (the lease file's owner and
 * group, its directory's while it is not made yet), as {@link LeaseFile}'s rewrites keep the lease file theirs: else
 * their own vnet4j could not open it again.</p>
 */
final class LeaseFileLock implements AutoCloseable {
    private final OfdLock lock;

    private LeaseFileLock(OfdLock lock) {
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code leaseFile} for this network.
     *
     * @throws IOException naming the holder ("another process (pid N)", "another user network of this process") that
     *                     keeps its DHCP leases in it, or why the lock file cannot be made
     */
    static LeaseFileLock take(Path leaseFile) throws IOException {
        Path target; // the lock file is beside the file a symbolic link names, so that two links to one file meet
        try {
            target = SymbolicLinks.target(leaseFile);
        } catch (IOException e) {
            throw new IOException("leasefile " + Log.printable(leaseFile.toString()) + ": cannot follow its symbolic link: "
                    + reason(e), e);
        }
        Path lockFile = target.resolveSibling(target.getFileName() + ".lock");
        // another network's lock file given as this one's lease file, or this one's lock file another's lease file:
        // each rename of leases over a lock file would end its lock, and each lock taken would truncate the leases
        if (locked(target)) {
            String name = target.getFileName().toString();
            throw new IOException(refusal(leaseFile, name.endsWith(".lock")
                    ? holder(pidIn(target)) + " holds this file as the lock of its leasefile "
                            + Log.printable(target.resolveSibling(name.substring(0, name.length() - 5)).toString())
                    : "another process holds a lock on this file"));
        }
        Path lockFilesLock = lockFile.resolveSibling(lockFile.getFileName() + ".lock");
        if (locked(lockFilesLock)) {
            throw new IOException(refusal(leaseFile, holder(pidIn(lockFilesLock)) + " keeps its DHCP leases in "
                    + Log.printable(lockFile.toString()) + ", this file's lock file"));
        }
        FileChannel channel; // makes the lock file, and reads or writes the pid in it
        try {
            channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(LeaseFile.NEW_FILE_PERMISSIONS));
        } catch (IOException e) {
            throw cannotOpen(leaseFile, lockFile, e);
        }
        try (channel) {
            OfdLock lock;
            try {
                lock = OfdLock.tryLock(lockFile);
            } catch (IOException e) {
                throw cannotOpen(leaseFile, lockFile, e);
            }
            if (lock == null) {
                throw new IOException(refusal(leaseFile, holder(holderPid(channel)) + " keeps its DHCP leases in this file"
                        + " (it holds the lock on " + Log.printable(lockFile.toString()) + ")"));
            }
            try {
                channel.truncate(0);
                channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                giveToLeaseFilesOwner(lockFile, target);
            } catch (IOException | RuntimeException e) {
                lock.close();
                throw e;
            }
            return new LeaseFileLock(lock);
        }
    }

    /** Whether another open holds a lock on {@code file}; false where that cannot be told (the lock's own take says why). */
    private static boolean locked(Path file) {
        try {
            return OfdLock.isLocked(file);
        } catch (IOException e) {
            return false;
        }
    }

    /** The pid a lock file holds, or null. */
    private static String pidIn(Path lockFile) {
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.READ)) {
            return holderPid(channel);
        } catch (IOException e) {
            return null;
        }
    }

    /** Who holds the lock, told by the pid it wrote (none yet: a holder between its lock and its write). */
    private static String holder(String pid) {
        return pid == null ? "another process" : pid.equals(Long.toString(ProcessHandle.current().pid()))
                ? "another user network of this process" : "another process (pid " + pid + ")";
    }

    private static IOException cannotOpen(Path leaseFile, Path lockFile, IOException e) {
        return new IOException("leasefile " + Log.printable(leaseFile.toString()) + ": cannot open its lock file "
                + Log.printable(lockFile.toString()) + ": " + reason(e), e);
    }

    /** What went wrong, without the path a file system exception's message starts with ({@link Log#reason}). */
    private static String reason(IOException e) {
        return Log.printable(Log.reason(e));
    }

    /**
     * Gives the lock file the lease file's owner and group (its directory's while it is not made yet) where this
     * process may give a file away (root, CAP_CHOWN); elsewhere it stays this process's, as it would anyway.
     */
    private static void giveToLeaseFilesOwner(Path lockFile, Path target) {
        try {
            Path owned = Files.exists(target) ? target : target.getParent();
            FileAccess.giveOwnerOf(lockFile, Files.readAttributes(owned, PosixFileAttributes.class));
        } catch (IOException | UnsupportedOperationException e) {
            // the lock file stays this process's
        }
    }

    /** A lease file refused because of {@code why}, and the way out. */
    private static String refusal(Path leaseFile, String why) {
        return "leasefile " + Log.printable(leaseFile.toString()) + ": " + why + "; give each network a file of its own";
    }

    /** The pid the holder wrote, or null when the file holds none (a holder between its lock and its write). */
    private static String holderPid(FileChannel channel) throws IOException {
        ByteBuffer text = ByteBuffer.allocate(24);
        channel.read(text, 0);
        String pid = new String(text.array(), 0, text.position(), StandardCharsets.US_ASCII).strip();
        return pid.matches("[0-9]{1,10}") ? pid : null;
    }

    /** Lets the lock go (the network stops); the lock file stays. */
    @Override
    public void close() {
        lock.close();
    }
}
