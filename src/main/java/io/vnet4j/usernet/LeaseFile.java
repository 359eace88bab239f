package io.vnet4j.usernet;

import io.vnet4j.base.LineBudget;
import io.vnet4j.base.Log;
import io.vnet4j.base.SymbolicLinks;
import io.vnet4j.os.FileAccess;
import io.vnet4j.usernet.dhcp.DhcpServer;
import io.vnet4j.usernet.dhcp.Lease;
import io.vnet4j.usernet.dhcp.LeaseFileFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The DHCP bindings kept across runs ({@code leasefile=PATH}, as dnsmasq's {@code --dhcp-leasefile}): read once at
 * start, written again whenever a binding or its host name changed. A guest that kept its lease while vnet4j
 * restarted keeps its address reserved and its name answered in DNS, where without the file both wait for its next
 * renewal (up to 12 h with QEMU's 24 h leases).
 *
 * <p>A change is written at once when the last write is a second old or more, else a second after it (and when the
 * network stops). Each write goes to a temporary file beside the file and is renamed over it, so a reader or a crash
 * sees the old text or the new, whole. The file keeps its permissions (a new one is rw-r--r--, as dnsmasq's) and,
 * where this process may give it away, its owner and group; a symbolic link stays one: the file it names is written.
 * The writes run on the user network's loop: a DHCP exchange or a guest leaving, a few hundred bytes to a local file. A file that cannot be read or written is said in the log (at most once a
 * minute), and the network runs on without it. Lines that are no binding are said once, counted, and dropped at the
 * next write. A second process given the file is refused at its start ({@link LeaseFileLock}).
 */
final class LeaseFile {
    /**
     * The largest file read: another program's file of a /16 pool's bindings with long names fits (the table takes
     * {@link DhcpServer#MAX_BINDINGS} of them).
     */
    static final long MAX_BYTES = 32L << 20;
    /**
     * The least time between two writes: each rewrites the whole file, and every lease (and offer) changes a binding,
     * so a guest's flood of REQUESTs from made-up MACs rewrote it for each (up to 4,096 lines) on the loop,
     * and held up every guest's packets (seconds, when the table had no bound). dnsmasq writes each change at once.
     */
    static final long MIN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** A file made anew: rw-r--r--, dnsmasq's (it runs with umask 022); a temporary file's 0600 is not kept. */
    static final Set<PosixFilePermission> NEW_FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-r--r--");

    private final Path path;
    private final String logName;
    private final LineBudget failures = new LineBudget(1, Duration.ofMinutes(1));
    private long savedGeneration = -1;
    /** Whether a write was made (or tried), and when (System.nanoTime()). */
    private boolean written;
    private long lastWrite;
    /** A change waits for {@link #MIN_INTERVAL_NANOS} since the last write to pass. */
    private boolean pending;
    private long deferred;
    private long writes;
    private long writeFailures;
    /** Held from {@link #open} to {@link #close}. */
    private LeaseFileLock lock;

    LeaseFile(String logName, Path path) {
        this.logName = logName;
        this.path = path;
    }

    /**
     * Takes the file for this process ({@link LeaseFileLock}) and gives {@code dhcp} the bindings it keeps, before any
     * message; says what it took. A file that does not exist yet (the first run) holds none.
     *
     * @throws IOException when another process keeps its leases in the file, or its lock file cannot be made
     */
    void open(DhcpServer dhcp, long nowMillis) throws IOException {
        lock = LeaseFileLock.take(path);
        restoreInto(dhcp, nowMillis);
    }

    private void restoreInto(DhcpServer dhcp, long nowMillis) {
        String text;
        try {
            if (Files.size(path) > MAX_BYTES) {
                Log.warn(logName + ": leasefile " + shown() + " is larger than " + MAX_BYTES
                        + " bytes, which no lease table fills; its bindings are not taken, and it is written anew");
                return;
            }
            text = Files.readString(path, StandardCharsets.ISO_8859_1);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            Log.warn(logName + ": cannot read leasefile " + shown() + ": " + Log.printable(Log.describe(e))
                    + "; the guests' bindings start empty, and the file is written anew at the next lease");
            return;
        }
        LeaseFileFormat.Read read = LeaseFileFormat.parse(text);
        if (read.refusedLines() > 0) {
            Log.warn(logName + ": leasefile " + shown() + ": " + read.refusedLines() + " line"
                    + (read.refusedLines() == 1 ? " is" : "s are") + " no binding and left out, the first at "
                    + Log.printable(read.firstRefusal()));
        }
        int taken = dhcp.restore(read.leases(), nowMillis);
        long running = dhcp.leases().stream().filter(l -> !l.expired(nowMillis)).count();
        Log.info(logName + ": leasefile " + shown() + ": " + taken + " binding" + (taken == 1 ? "" : "s") + " kept from the last run ("
                + running + " running)" + (taken == read.leases().size() ? "" : ", " + (read.leases().size() - taken)
                + " left out (outside the pool, reserved, another MAC's static lease, twice, or past "
                + DhcpServer.MAX_BINDINGS + " leases)"));
        savedGeneration = dhcp.bindingsChanged();
    }

    /**
     * Writes the bindings again when they changed since the last write (or the start), at most once every
     * {@link #MIN_INTERVAL_NANOS}: a change sooner is written by {@link #poll} when that time is up, or at {@link #flush}.
     *
     * @param now System.nanoTime()
     */
    void saveIfChanged(DhcpServer dhcp, long now) {
        long generation = dhcp.bindingsChanged();
        if (generation == savedGeneration) {
            pending = false;
            return;
        }
        if (written && now - lastWrite < MIN_INTERVAL_NANOS) {
            if (!pending) {
                pending = true;
                deferred++;
            }
            return;
        }
        pending = false;
        written = true;
        lastWrite = now;
        savedGeneration = generation;
        write(dhcp.leases());
    }

    /** Writes a change held back by {@link #saveIfChanged} when its time is up; nanoseconds until then, or {@link Long#MAX_VALUE}. */
    long poll(DhcpServer dhcp, long now) {
        if (!pending) {
            return Long.MAX_VALUE;
        }
        saveIfChanged(dhcp, now);
        return pending ? Math.max(0, lastWrite + MIN_INTERVAL_NANOS - now) : Long.MAX_VALUE;
    }

    /** Writes a change held back, now, and lets the file go for another process (the network stops). */
    void close(DhcpServer dhcp) {
        if (pending) {
            written = false;
            saveIfChanged(dhcp, 0);
        }
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    /** Changes held back to be written later, ever: each starts timed work ({@code Gateway#timedStarts}). */
    long deferred() {
        return deferred;
    }

    private void write(List<Lease> leases) {
        Path temporary = null;
        try {
            // a symbolic link stays one, and the file keeps its permissions and owner, as dnsmasq writes its file in place
            Path target = SymbolicLinks.target(path);
            Path directory = target.getParent();
            temporary = Files.createTempFile(directory, "." + target.getFileName() + ".", ".tmp");
            PosixFileAttributes kept = Files.exists(target) ? Files.readAttributes(target, PosixFileAttributes.class) : null;
            if (kept != null) {
                // root's rewrite of a user's file keeps it theirs, as dnsmasq's writes in place do; it gave it to root
                FileAccess.giveOwnerOf(temporary, kept);
            }
            Files.setPosixFilePermissions(temporary, kept != null ? kept.permissions() : NEW_FILE_PERMISSIONS);
            Files.writeString(temporary, LeaseFileFormat.format(leases), StandardCharsets.ISO_8859_1);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temporary = null;
            writes++;
        } catch (IOException e) {
            writeFailures++;
            failures.warn(logName + ": cannot write leasefile " + shown() + ": "
                    + Log.printable(Log.describe(e)) + "; the bindings are kept in memory, and the write "
                    + "is tried again at the next DHCP message, at most once a second");
            savedGeneration = -1;
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // the failure was said above
                }
            }
        }
    }


    /** The path for a log line. */
    private String shown() {
        return Log.printable(path.toString());
    }

    Path path() {
        return path;
    }

    /** Writes made, ever. */
    long writes() {
        return writes;
    }

    /** Writes that failed, ever. */
    long writeFailures() {
        return writeFailures;
    }
}
