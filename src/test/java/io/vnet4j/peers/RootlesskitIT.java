package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * rootlesskit (Debian's 1.1) as an unprivileged user, with {@code --net=slirp4netns} and
 * {@code --slirp4netns-binary} the vnet4j drop-in or, as the reference, the real slirp4netns: the child
 * reaches a host server through 10.0.2.2; with {@code --disable-host-loopback} it cannot; and
 * {@code --port-driver=slirp4netns -p 127.0.0.1:PORT:80/tcp} (the API socket's add_hostfwd) publishes a
 * server in the child. rootlesskit needs /etc/subuid and /etc/subgid ranges: the test adds a system user
 * {@code vnet4jtest} with one (once; left for the next run). The drop-in runs from a copy of the jar the
 * user can read, through a two-line wrapper doing what {@code bin/vnet4j-slirp4netns} does (its standard
 * error kept, for a failure message).
 */
@Timeout(180)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RootlesskitIT {
    private static final String USER = "vnet4jtest";

    private Path dir;
    private Process server;
    private int port;

    @BeforeAll
    void start() throws Exception {
        PeerTools.require("rootlesskit", "rootlesskit");
        PeerTools.require("newuidmap", "uidmap");
        PeerTools.require("slirp4netns", "slirp4netns");
        PeerTools.require("setpriv", "util-linux");
        if (!PeerTools.exec(Duration.ofSeconds(10), List.of("id", USER)).ok()) {
            PeerTools.execOk("useradd", "--system", "--no-create-home", "--shell", "/bin/sh", USER);
        }
        for (String file : List.of("/etc/subuid", "/etc/subgid")) {
            Path p = Path.of(file);
            String text = Files.exists(p) ? Files.readString(p) : "";
            if (!text.lines().anyMatch(l -> l.startsWith(USER + ":"))) {
                Files.writeString(p, text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + USER + ":300000:65536\n");
            }
        }
        dir = Files.createTempDirectory("vnet4j-rootlesskit");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.copy(VnetProcess.jar(), dir.resolve("vnet4j.jar"), StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(dir.resolve("vnet4j.jar"), PosixFilePermissions.fromString("rw-r--r--"));
        Path wrapper = dir.resolve("vnet4j-slirp4netns");
        Files.writeString(wrapper, "#!/bin/sh\nexec " + Path.of(System.getProperty("java.home"), "bin", "java")
                + " --enable-native-access=ALL-UNNAMED -jar " + dir.resolve("vnet4j.jar") + " slirp4netns \"$@\" 2>>" + dir + "/dropin.log\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("greeting"), "hello through rootlesskit\n");
        Files.setPosixFilePermissions(www, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(www.resolve("greeting"), PosixFilePermissions.fromString("rw-r--r--"));
        port = PeerTools.freePort();
        server = new ProcessBuilder("python3", "-m", "http.server", "--bind", "127.0.0.1", String.valueOf(port),
                "--directory", www.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        PeerTools.awaitListening(port, Duration.ofSeconds(10));
    }

    @AfterAll
    void stop() throws IOException {
        if (server != null) server.destroyForcibly();
        PeerTools.deleteTree(dir);
    }

    private String binary(String which) {
        return which.equals("vnet4j") ? dir.resolve("vnet4j-slirp4netns").toString() : "/usr/bin/slirp4netns";
    }

    /** rootlesskit as the unprivileged user, with {@code options}, running {@code child} in the child namespaces. */
    private PeerTools.Exec rootlesskit(String which, List<String> options, String child) {
        List<String> command = new java.util.ArrayList<>(List.of("setpriv", "--reuid=" + USER, "--regid=" + USER,
                "--clear-groups", "--reset-env", "env", "HOME=" + dir, "XDG_RUNTIME_DIR=" + dir, "rootlesskit",
                "--state-dir=" + dir.resolve("state-" + which + "-" + System.nanoTime()), "--net=slirp4netns",
                "--slirp4netns-binary=" + binary(which), "--mtu=65520"));
        command.addAll(options);
        command.addAll(List.of("sh", "-c", child));
        return PeerTools.exec(Duration.ofSeconds(60), command);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vnet4j", "slirp4netns"})
    void theChildReachesAHostServerThroughTheGateway(String which) {
        PeerTools.Exec run = rootlesskit(which, List.of(),
                "ip -4 addr show tap0 | grep -o 'inet [0-9./]*'; curl -s -m 10 http://10.0.2.2:" + port + "/greeting");
        assertThat(run.output()).as(run.output()).contains("inet 10.0.2.100/24", "hello through rootlesskit");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vnet4j", "slirp4netns"})
    void disableHostLoopbackKeepsTheHostsLoopbackOutOfReach(String which) {
        PeerTools.Exec run = rootlesskit(which, List.of("--disable-host-loopback"),
                "curl -s -m 5 http://10.0.2.2:" + port + "/greeting; echo \"curl exit $?\"");
        assertThat(run.output()).as(run.output()).contains("curl exit 7").doesNotContain("hello through rootlesskit");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vnet4j", "slirp4netns"})
    void aPublishedPortReachesAServerInTheChild(String which) throws Exception {
        int published = PeerTools.freePort();
        Process kit = new ProcessBuilder(List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--clear-groups",
                "--reset-env", "env", "HOME=" + dir, "XDG_RUNTIME_DIR=" + dir, "rootlesskit",
                "--state-dir=" + dir.resolve("state-published-" + which), "--net=slirp4netns",
                "--slirp4netns-binary=" + binary(which), "--mtu=65520", "--disable-host-loopback",
                "--port-driver=slirp4netns", "-p", "127.0.0.1:" + published + ":80/tcp", "python3", "-m", "http.server",
                "80", "--directory", dir.resolve("www").toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("kit-" + which + ".log").toFile()).start();
        try {
            try {
                PeerTools.awaitListening(published, Duration.ofSeconds(30));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; rootlesskit said: " + Files.readString(dir.resolve("kit-" + which + ".log")) + "; the drop-in said: " + (Files.exists(dir.resolve("dropin.log")) ? Files.readString(dir.resolve("dropin.log")) : "-"), e);
            }
            String reply = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!reply.contains("hello through rootlesskit") && System.nanoTime() < deadline) {
                reply = PeerTools.exec(Duration.ofSeconds(10), List.of("curl", "-s", "-m", "5",
                        "http://127.0.0.1:" + published + "/greeting")).output();
                Thread.sleep(200);
            }
            assertThat(reply).as(Files.readString(dir.resolve("kit-" + which + ".log"))).contains("hello through rootlesskit");
        } finally {
            kit.destroy();
            if (!kit.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                kit.destroyForcibly();
            }
        }
    }
}
