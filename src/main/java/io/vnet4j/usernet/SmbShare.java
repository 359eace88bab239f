package io.vnet4j.usernet;

import io.vnet4j.os.OwnedFile;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * {@code smb=DIR}: the private Samba configuration QEMU writes for its built-in SMB server (net/slirp.c
 * slirp_smb), in a 0700 temporary directory that holds smbd's state too and goes when the network stops, and
 * the command that serves one guest connection: {@code /usr/sbin/smbd -l DIR -s DIR/smb.conf}, which, its
 * standard input a TCP socket ({@link CommandBridge}), serves that connection alone. Guests see the share as
 * {@code \\SERVER\qemu}, read-write, guest access (no password), its files owned by this process's user.
 */
final class SmbShare implements AutoCloseable {
    private final OwnedFile directory;
    private final String command;

    SmbShare(Path share, Path smbd) throws IOException {
        Path dir = Files.createTempDirectory("vnet4j-smb",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        this.directory = OwnedFile.claim(dir);
        Path conf = dir.resolve("smb.conf");
        try {
            Files.writeString(conf, configuration(dir, share, System.getProperty("user.name")));
        } catch (IOException e) {
            close();
            throw e;
        }
        this.command = quote(smbd.toString()) + " -l " + quote(dir.toString()) + " -s " + quote(conf.toString());
    }

    /**
     * QEMU's smb.conf (7.2), word for word but for the paths and one line, {@code change notify = no}. Each guest
     * connection gets an smbd of its own, which starts a notify daemon, and Samba lets only one notify daemon hold
     * a state directory's name for it (notifyd's server_id_db_set_exclusive); an smbd that came while the previous
     * connection's was ending found none, and its tree connect failed with NT_STATUS_NO_MEMORY (source3/smbd
     * make_connection_snum; 5 of 120 back-to-back smbclient runs here, none of 100 with the line). What guests lose
     * is being told of changes to the shared directory: they see them when they next list it.
     */
    static String configuration(Path dir, Path share, String user) {
        return """
                [global]
                private dir=%1$s
                interfaces=127.0.0.1
                bind interfaces only=yes
                pid directory=%1$s
                lock directory=%1$s
                state directory=%1$s
                cache directory=%1$s
                ncalrpc dir=%1$s/ncalrpc
                log file=%1$s/log.smbd
                smb passwd file=%1$s/smbpasswd
                security = user
                map to guest = Bad User
                load printers = no
                printing = bsd
                disable spoolss = yes
                usershare max shares = 0
                change notify = no
                [qemu]
                path=%2$s
                read only=no
                guest ok=yes
                force user=%3$s
                """.formatted(dir, share, user);
    }

    /** The shell command that serves one connection on its standard input. */
    String command() {
        return command;
    }

    /** A word for /bin/sh: in single quotes, each single quote written as '\''. */
    static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    /** Removes the directory and what smbd left in it (QEMU: rm -rf). */
    @Override
    public void close() {
        Path dir = directory.path();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (!d.equals(dir)) {
                        Files.deleteIfExists(d);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // what is left stays in the temporary directory
        }
        directory.delete();
    }
}
