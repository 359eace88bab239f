package io.vnet4j.usernet;

import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Keeps two processes from keeping their DHCP leases in one {@code leasefile=}: each rewrote the file with its own
 * bindings only, so after a restart the other's guests had lost their names and reserved addresses, and nothing said
 * why. An fcntl(2) record lock ({@link FileChannel#tryLock}: {@code F_SETLK}, released by the kernel when the process
 * ends, however it ends) on {@code PATH.lock} beside the file, held while the network runs. The lease file itself
 * cannot carry the lock: each write renames a new file over it. The holder writes its pid into the lock file, so the
 * refused process can name it. The lock file stays at stop (a few bytes, as apt's and dpkg's lock files stay): removing
 * it would race another process that has opened it and is about to lock it.
 */
final class LeaseFileLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private LeaseFileLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock file of {@code leaseFile}: beside the file a symbolic link names, so that two links to one file meet. */
    static Path lockFileOf(Path leaseFile) throws IOException {
        Path target = Files.isSymbolicLink(leaseFile) ? leaseFile.toRealPath() : leaseFile.toAbsolutePath();
        return target.resolveSibling(target.getFileName() + ".lock");
    }

    /**
     * Takes the lock of {@code leaseFile} for this process.
     *
     * @throws IOException naming the process that holds it ("another process (pid N) keeps its DHCP leases in it"),
     *                     or why the lock file cannot be made
     */
    static LeaseFileLock take(Path leaseFile) throws IOException {
        Path lockFile = lockFileOf(leaseFile);
        FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(LeaseFile.NEW_FILE_PERMISSIONS));
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                throw new IOException(refusal(leaseFile, lockFile, "another user network of this process"));
            }
            if (lock == null) {
                String pid = holderPid(channel);
                throw new IOException(refusal(leaseFile, lockFile, pid == null ? "another process" : "another process (pid " + pid + ")"));
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            return new LeaseFileLock(channel, lock);
        } catch (IOException | RuntimeException e) {
            Shutdown.closeQuietly(channel);
            throw e;
        }
    }

    private static String refusal(Path leaseFile, Path lockFile, String holder) {
        return "leasefile " + Log.printable(leaseFile.toString()) + ": " + holder + " keeps its DHCP leases in this file "
                + "(it holds the lock on " + Log.printable(lockFile.toString()) + "); give each network a file of its own";
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
        try {
            lock.release();
        } catch (IOException e) {
            // the channel's close below releases it too
        }
        Shutdown.closeQuietly(channel);
    }
}
