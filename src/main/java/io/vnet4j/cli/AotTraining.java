package io.vnet4j.cli;

import io.vnet4j.Warmup;
import io.vnet4j.base.Log;
import io.vnet4j.slirp4netns.Slirp4netnsMain;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code vnet4j aot-training}: the training run of the JDK's AOT cache (JEP 483, JEP 515), which
 * {@code bin/vnet4j} records once per build with {@code -XX:AOTCacheOutput} and then starts every JVM with.
 * It does what a start does, so the cache holds those classes loaded and linked, and their profiles: the
 * command line through picocli, a daemon with a user network, a stream listener and a control socket (in a
 * temporary directory, not the user's runtime directory), {@code ctl info network} against it, the
 * slirp4netns drop-in's command line ({@link Slirp4netnsMain#train}), and a short {@link Warmup}. Then it
 * returns, and the JVM writes the cache as it exits.
 */
final class AotTraining {
    private static final int WARM_UP_ROUNDS = 300;

    private AotTraining() {}

    static int run() {
        Path dir;
        try {
            dir = Files.createTempDirectory("vnet4j-aot-training");
        } catch (IOException e) {
            Log.error("aot-training: " + e.getMessage());
            return 1;
        }
        Path control = dir.resolve("control.sock");
        Thread daemon = Thread.ofPlatform().daemon().name("vnet4j-aot-training").start(() -> Main.run("--quiet",
                "--no-warm-up", "--control", control.toString(), "-netdev", "user,id=u", "-netdev",
                "stream,id=s,server=on,addr.type=unix,addr.path=" + dir.resolve("qemu.sock")));
        try {
            for (int i = 0; i < 300 && !Files.exists(control); i++) {
                Thread.sleep(20);
            }
            Log.hushed(() -> Main.run("ctl", "--control", control.toString(), "info", "network"));
            Slirp4netnsMain.train();
            Warmup.run(WARM_UP_ROUNDS);
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            daemon.interrupt();
            deleteQuietly(dir);
        }
    }

    /** The directory and the files in it (the daemon's sockets may already be gone). */
    private static void deleteQuietly(Path dir) {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
