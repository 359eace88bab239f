package io.vnet4j.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The vnet4j daemon from target/vnet4j.jar, run by the test JVM's own java. {@link #start} waits for the line
 * {@code vnet4j: ready}; {@link #close()} sends SIGTERM and waits for the exit.
 */
public final class VnetProcess implements AutoCloseable {
    public static final String READY = "vnet4j: ready";
    private static final Set<VnetProcess> LIVE = ConcurrentHashMap.newKeySet();
    /** The log lines and stack frames {@link #describeRunning} gives per daemon and thread. */
    private static final int LAST_LINES = 30;
    private static final int TOP_FRAMES = 20;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(v -> v.process.destroyForcibly())));
    }

    private final Process process;
    private final StringBuffer log = new StringBuffer();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final CountDownLatch drained = new CountDownLatch(1);
    private volatile boolean sawReady;

    private VnetProcess(Process process) {
        this.process = process;
        LIVE.add(this);
        Thread.ofVirtual().name("vnet4j-output").start(this::pump);
    }

    /** {@code <java.home>/bin/java --enable-native-access=ALL-UNNAMED -jar target/vnet4j.jar}. */
    public static List<String> javaCommand() {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return List.of(java.toString(), "--enable-native-access=ALL-UNNAMED", "-jar", jar().toString());
    }

    /** target/vnet4j.jar, which the suite packages first. */
    public static Path jar() {
        Path jar = PeerTools.basedir().resolve("target/vnet4j.jar");
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar + " is missing: run the suite with `mvn -B -Ppeers verify` (it packages first)");
        }
        return jar;
    }

    /** Starts the daemon with QEMU-style {@code args} and waits up to 30 s for it to be ready. */
    public static VnetProcess start(String... args) throws InterruptedException {
        return startIn(null, args);
    }

    /** Like {@link #start} but inside network namespace {@code netns} (null: this one). */
    public static VnetProcess startIn(String netns, String... args) throws InterruptedException {
        return startWith(netns, java.util.Map.of(), args);
    }

    /** Like {@link #startIn}, with extra environment variables (e.g. XDG_RUNTIME_DIR for the default network). */
    public static VnetProcess startWith(String netns, java.util.Map<String, String> environment, String... args)
            throws InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (netns != null) cmd.addAll(List.of("ip", "netns", "exec", netns));
        cmd.addAll(javaCommand());
        cmd.addAll(List.of(args));
        return startCommand(cmd, environment);
    }

    /** Like {@link #startWith} in this namespace, under {@code ulimit -n nofile} (util-linux's prlimit). */
    public static VnetProcess startLimited(int nofile, java.util.Map<String, String> environment, String... args)
            throws InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("prlimit", "--nofile=" + nofile + ":" + nofile, "--"));
        cmd.addAll(javaCommand());
        cmd.addAll(List.of(args));
        return startCommand(cmd, environment);
    }

    /**
     * {@code bin/vnet4j ARGS...}, as a user starts it (the launcher's JVM options and AOT cache), for
     * benchmarks; waits as {@link #start} does.
     */
    public static VnetProcess startLauncher(String... args) throws InterruptedException {
        return startLauncherWith(java.util.Map.of(), args);
    }

    /** Like {@link #startLauncher}, with extra environment variables (e.g. JDK_JAVA_OPTIONS). */
    public static VnetProcess startLauncherWith(java.util.Map<String, String> environment, String... args)
            throws InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(PeerTools.basedir().resolve("bin/vnet4j").toString()));
        cmd.addAll(List.of(args));
        return startCommand(cmd, environment);
    }

    private static VnetProcess startCommand(List<String> cmd, java.util.Map<String, String> environment)
            throws InterruptedException {
        VnetProcess vnet;
        try {
            ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process p = builder.start();
            p.getOutputStream().close();
            vnet = new VnetProcess(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
        boolean ok = vnet.ready.await(30, TimeUnit.SECONDS);
        if (!vnet.sawReady) {
            vnet.close();
            throw new AssertionError("vnet4j did not print `" + READY + "` " + (ok ? "" : "within 30 s ")
                    + "(" + String.join(" ", cmd) + "):\n" + vnet.log());
        }
        return vnet;
    }

    private void pump() {
        try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                log.append(line).append('\n');
                if (line.contains(READY)) {
                    sawReady = true;
                    ready.countDown();
                }
            }
        } catch (IOException ignored) {
            // process gone
        } finally {
            drained.countDown();
            ready.countDown(); // wake start(): it exited without being ready
        }
    }

    /**
     * Waits up to {@code timeout} for the daemon's log to hold {@code text} (its output is read on another
     * thread); fails the test with the log when it does not.
     */
    public void awaitLog(String text, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!log().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        org.assertj.core.api.Assertions.assertThat(log()).contains(text);
    }

    /** Everything the daemon printed so far (stdout and stderr). */
    public String log() {
        return log.toString();
    }

    /**
     * For each daemon started and not stopped: its last {@value #LAST_LINES} log lines and, while it runs, the
     * stacks of its threads in vnet4j's code (their top {@value #TOP_FRAMES} frames), from the thread dump
     * HotSpot prints on SIGQUIT; empty when there is none. For failed tests ({@link DaemonStateOnFailure}).
     */
    static String describeRunning() {
        StringBuilder text = new StringBuilder();
        for (VnetProcess v : LIVE) {
            if (!v.process.isAlive()) {
                text.append("--- vnet4j daemon ").append(v.process.pid()).append(" exited (")
                        .append(v.process.exitValue()).append("); its last lines:\n").append(lastLines(v.log(), LAST_LINES));
                continue;
            }
            int before = v.log.length();
            String dump = "";
            try {
                new ProcessBuilder("kill", "-QUIT", String.valueOf(v.process.pid())).start().waitFor(5, TimeUnit.SECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (!v.log.substring(before).contains("JNI global refs") && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                dump = v.log.substring(before);
            } catch (IOException | InterruptedException e) {
                dump = "(no thread dump: " + e + ")";
            }
            text.append("--- vnet4j daemon ").append(v.process.pid()).append(", its last lines:\n")
                    .append(lastLines(v.log.substring(0, before), LAST_LINES))
                    .append("--- its threads in vnet4j's code:\n").append(ourThreads(dump));
        }
        return text.toString();
    }

    private static String lastLines(String log, int count) {
        List<String> lines = log.lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - count), lines.size())) + "\n";
    }

    /**
     * The thread dump's threads (blocks that begin with a quoted name) with a frame in io.vnet4j, shortened:
     * without the method-handle frames of a native call, and their top {@value #TOP_FRAMES} frames.
     */
    private static String ourThreads(String dump) {
        StringBuilder out = new StringBuilder();
        for (String block : dump.split("\n\\s*\n")) {
            if (block.startsWith("\"") && block.contains("at io.vnet4j.")) {
                block.lines().filter(line -> !line.contains("LambdaForm$") && !line.contains("DowncallStub/"))
                        .limit(TOP_FRAMES + 2).forEach(line -> out.append(line).append('\n'));
            }
        }
        return out.isEmpty() ? "(none, or no thread dump)\n" + lastLines(dump, 10) : out.toString();
    }

    public Process process() {
        return process;
    }

    /** {@code java -jar target/vnet4j.jar ctl ARGS...} (in {@code netns} if not null). */
    public static PeerTools.Exec ctl(String netns, String... args) {
        List<String> cmd = new ArrayList<>();
        if (netns != null) cmd.addAll(List.of("ip", "netns", "exec", netns));
        cmd.addAll(javaCommand());
        cmd.add("ctl");
        cmd.addAll(List.of(args));
        return PeerTools.exec(Duration.ofSeconds(30), cmd);
    }

    /** {@code ctl ARGS...} with extra environment variables (e.g. XDG_RUNTIME_DIR, where ctl looks for daemons). */
    public static PeerTools.Exec ctlWith(java.util.Map<String, String> environment, String... args) {
        List<String> cmd = withEnvironment(environment);
        cmd.add("ctl");
        cmd.addAll(List.of(args));
        return PeerTools.exec(Duration.ofSeconds(30), cmd);
    }

    /** Runs a daemon that is expected to refuse to start, until it exits (at most 60 s): its code and output. */
    public static PeerTools.Exec runToExit(java.util.Map<String, String> environment, String... args) {
        List<String> cmd = withEnvironment(environment);
        cmd.addAll(List.of(args));
        return PeerTools.exec(Duration.ofSeconds(60), cmd);
    }

    private static List<String> withEnvironment(java.util.Map<String, String> environment) {
        List<String> cmd = new ArrayList<>(List.of("env"));
        environment.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(javaCommand());
        return cmd;
    }

    /** Sends SIGTERM and waits up to 15 s (then SIGKILL). Returns the exit status. */
    public int stop() throws InterruptedException {
        try {
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            drained.await(5, TimeUnit.SECONDS);
            return process.isAlive() ? -1 : process.exitValue();
        } finally {
            LIVE.remove(this);
        }
    }

    @Override
    public void close() {
        try {
            stop();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
