package io.vnet4j.peers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Small helpers shared by the real-peer tests: host tools, ports, child processes. */
public final class PeerTools {
    private PeerTools() {}

    /** The project directory (Maven runs the tests there). */
    public static Path basedir() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    }

    /** Closes each of {@code each} that is not null, going on past a failure: a test's teardown. */
    public static void closeAll(AutoCloseable... each) {
        for (AutoCloseable c : each) {
            try {
                if (c != null) c.close();
            } catch (Exception ignored) {
                // keep closing the rest
            }
        }
    }

    /** Fails (never skips) when {@code command} is not on the PATH, naming the Debian package to install. */
    public static void require(String command, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) return;
        }
        throw new AssertionError(command + " not found on PATH: the real-peer tests need it (apt-get install "
                + debianPackage + ")");
    }

    /** An HTTP server on 127.0.0.1 (a free port) answering GET {@code path} with {@code body}; stop it with stop(0). */
    public static com.sun.net.httpserver.HttpServer serve(String path, byte[] body) throws IOException {
        var server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(path, exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            try (var out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server;
    }

    /**
     * Accepts one connection on {@code listener} and reads it to its end, in the background: "BYTES MD5" (the
     * MD5 in hex) of what came, or the exception's text.
     */
    public static java.util.concurrent.CompletableFuture<String> receiveOneUpload(java.net.ServerSocket listener) {
        return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (java.net.Socket s = listener.accept(); java.io.InputStream in = s.getInputStream()) {
                java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
                byte[] buf = new byte[65536];
                long total = 0;
                for (int n; (n = in.read(buf)) > 0; ) {
                    md5.update(buf, 0, n);
                    total += n;
                }
                return total + " " + java.util.HexFormat.of().formatHex(md5.digest());
            } catch (Exception e) {
                return e.toString();
            }
        });
    }

    /**
     * Waits up to 30 s until the daemon {@code pid}'s warm-up (its thread {@code vnet4j-warm-up} and the
     * private network's, which end with it) is over, so that what is measured next is the guests' alone.
     */
    public static void awaitWarmUpOver(long pid) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline
                && threadFiles(pid, "comm").stream().anyMatch(name -> name.startsWith("vnet4j-warm-up"))) {
            Thread.sleep(100);
        }
    }

    /**
     * The time a process's threads have run on a CPU so far, in nanoseconds: the sum of the first field of
     * /proc/PID/task/TID/schedstat (the scheduler's own accounting; utime and stime are tick samples that miss
     * short runs). Threads that ended meanwhile are no longer counted; 0 when the process is gone.
     */
    public static long cpuNanos(long pid) {
        long sum = 0;
        for (String schedstat : threadFiles(pid, "schedstat")) {
            try {
                sum += Long.parseLong(schedstat.trim().split(" ")[0]);
            } catch (NumberFormatException e) {
                // read as the thread ended
            }
        }
        return sum;
    }

    /**
     * The text of /proc/PID/task/TID/{@code name} for each thread of process {@code pid}: none when the process
     * is gone, and none of a thread that ended between the listing and the read.
     */
    private static List<String> threadFiles(long pid, String name) {
        List<String> texts = new ArrayList<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path t : tasks.toList()) {
                try {
                    texts.add(Files.readString(t.resolve(name)));
                } catch (IOException e) {
                    // the thread ended
                }
            }
        } catch (IOException e) {
            // the process is gone
        }
        return texts;
    }

    /** A TCP port on 127.0.0.1 that was free a moment ago. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until some process in this network namespace listens on TCP {@code port} (read from /proc/net/tcp). */
    public static void awaitListening(int port, Duration timeout) throws InterruptedException {
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                // an IPv6 socket bound to ::ffff:127.0.0.1 (the JDK's default family) is listed in tcp6
                for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
                    for (String line : Files.readAllLines(Path.of(table))) {
                        String[] f = line.trim().split("\\s+");
                        if (f.length > 3 && f[1].endsWith(hexPort) && f[3].equals("0A")) return;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("nothing listens on 127.0.0.1:" + port + " after " + timeout);
    }

    /** Output (stdout and stderr merged) and exit status of a finished command. */
    public record Exec(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs a host command to completion, killing it after {@code timeout}. */
    public static Exec exec(Duration timeout, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            var out = new StringBuilder();
            Thread reader = Thread.ofVirtual().start(() -> {
                try {
                    out.append(new String(p.getInputStream().readAllBytes()));
                } catch (IOException ignored) {
                    // process killed
                }
            });
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                reader.join(1000);
                throw new AssertionError("timed out after " + timeout + ": " + command + "\n" + out);
            }
            reader.join(5000);
            synchronized (out) {
                return new Exec(p.exitValue(), out.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + command, e);
        }
    }

    /** Like {@link #exec(Duration, List)} but fails unless the command exits 0. */
    public static String execOk(String... command) {
        Exec r = exec(Duration.ofSeconds(30), List.of(command));
        if (!r.ok()) throw new AssertionError(String.join(" ", command) + " exited " + r.exitCode() + ":\n" + r.output());
        return r.output();
    }

    /** {@code prefix + rest} as a new list. */
    static List<String> concat(List<String> prefix, List<String> rest) {
        var all = new ArrayList<String>(prefix);
        all.addAll(rest);
        return all;
    }

    /** Deletes a directory and everything below it; quiet when it is already gone. */
    public static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
