package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * As an unprivileged user (nobody, by setpriv), the way a rootless container starts: {@code unshare -rn}
 * makes a network namespace owned by the user's own user namespace, and {@code -netdev
 * tap,netns=/proc/PID/ns/net,configure=on} puts a TAP in it through that user namespace (a helper started
 * by nsenter hands the descriptor back), so the namespace reaches a host HTTP server through 10.0.2.2.
 * A namespace the user has no rights in is refused in one line naming it. The drop-in takes rootlesskit 2's
 * {@code --detach-netns} command line the same way.
 */
@Timeout(120)
class UnprivilegedNamespaceIT {
    /** As the user: a namespace, the daemon with a TAP in it, a fetch from inside ($JAVA and the rest filled in; no spaces). */
    private static final String SCRIPT = """
            set -u
            unshare -rn sleep 60 & target=$!
            sleep 0.5
            "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$JAR" --control none -netdev user,id=u \\
                -netdev tap,id=t,ifname=tap0,configure=on,netns=/proc/$target/ns/net >"$DIR/daemon.log" 2>&1 & daemon=$!
            for _ in $(seq 1 150); do grep -q 'vnet4j: ready' "$DIR/daemon.log" && break; sleep 0.1; done
            nsenter --user --net --preserve-credentials -t $target sh -c \\
                "ip -4 addr show tap0 | grep -o 'inet [0-9./]*'; curl -s -m 10 http://10.0.2.2:$PORT/greeting"
            kill $daemon $target
            wait $daemon
            echo "daemon exit $?"
            """;

    /**
     * As the user, what rootlesskit 2 does with {@code --detach-netns} (pkg/parent/parent.go, pkg/network/slirp4netns,
     * parentutils.PrepareTap; Docker 29.5's dockerd-rootless.sh turns it on, moby#52641): the child in a user and
     * mount namespace of its own bind-mounts a new network namespace at STATE/netns; the parent makes tap0 there
     * with nsenter, then runs slirp4netns with {@code --userns-path=/proc/CHILD/ns/user --netns-type=path
     * /proc/CHILD/root/STATE/netns tap0} (a path only the child's mount namespace holds) and waits for its ready
     * descriptor; the child gives tap0 10.0.2.100 and fetches from the host through 10.0.2.2.
     */
    private static final String DETACHED_NETNS_SCRIPT = """
            set -u
            unshare --user --map-root-user --mount sh -c \
                "mkdir $DIR/state && touch $DIR/state/netns && unshare --net=$DIR/state/netns true && exec sleep 60" & child=$!
            for _ in $(seq 1 50); do grep -q " $DIR/state/netns " /proc/$child/mountinfo && break; sleep 0.1; done
            netns=/proc/$child/root$DIR/state/netns
            nsenter -t $child -n$netns -m -U --preserve-credentials ip tuntap add name tap0 mode tap
            nsenter -t $child -n$netns -m -U --preserve-credentials ip link set tap0 up
            "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$JAR" slirp4netns --mtu 65520 -r 3 \
                --userns-path=/proc/$child/ns/user --netns-type=path $netns tap0 3> >(cat >"$DIR/ready") >"$DIR/daemon.log" 2>&1 & daemon=$!
            for _ in $(seq 1 200); do [ -s "$DIR/ready" ] && break; sleep 0.1; done
            echo "ready: $(cat "$DIR/ready")"
            nsenter -t $child -n$netns -m -U --preserve-credentials sh -c \
                "ip addr add 10.0.2.100/24 dev tap0; ip route add default via 10.0.2.2; curl -s -m 10 http://10.0.2.2:$PORT/greeting"
            kill $daemon $child
            wait $daemon
            echo "daemon exit $?"
            """;

    private Path dir;
    private Process server;

    @BeforeEach
    void start() throws IOException {
        PeerTools.require("setpriv", "util-linux");
        PeerTools.require("nsenter", "util-linux");
        PeerTools.require("curl", "curl");
        dir = Files.createTempDirectory("vnet4j-unpriv", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        // a copy the unprivileged user can read, wherever the checkout is
        Files.copy(VnetProcess.jar(), dir.resolve("vnet4j.jar"), StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(dir.resolve("vnet4j.jar"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(dir.resolve("greeting"), "hello from the host\n");
        int port = PeerTools.freePort();
        server = new ProcessBuilder("python3", "-m", "http.server", "--bind", "127.0.0.1", String.valueOf(port),
                "--directory", dir.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        this.port = port;
    }

    private int port;

    @AfterEach
    void stop() throws IOException {
        server.destroyForcibly();
        PeerTools.deleteTree(dir);
    }

    private PeerTools.Exec asNobody(String script) throws IOException {
        Path file = dir.resolve("script.sh");
        Files.writeString(file, script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return PeerTools.exec(Duration.ofSeconds(90), List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                "--reset-env", "bash", file.toString()));
    }

    @Test
    void anUnprivilegedUsersNamespaceGetsItsTapThroughItsUserNamespaceAndReachesTheHost() throws Exception {
        PeerTools.awaitListening(port, Duration.ofSeconds(10));
        PeerTools.Exec run = asNobody(SCRIPT.replace("$JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString())
                .replace("$JAR", dir.resolve("vnet4j.jar").toString()).replace("$DIR", dir.toString())
                .replace("$PORT", String.valueOf(port)));
        String log = Files.exists(dir.resolve("daemon.log")) ? Files.readString(dir.resolve("daemon.log")) : "(no log)";
        assertThat(run.output()).as(run.output() + "\n" + log).contains("inet 10.0.2.100/24").contains("hello from the host");
        assertThat(log).contains("vnet4j: ready");
    }

    @Test
    void theDropInTakesRootlesskit2sDetachedNetworkNamespace() throws Exception {
        PeerTools.awaitListening(port, Duration.ofSeconds(10));
        PeerTools.Exec run = asNobody(DETACHED_NETNS_SCRIPT.replace("$JAVA", Path.of(System.getProperty("java.home"), "bin", "java")
                        .toString()).replace("$JAR", dir.resolve("vnet4j.jar").toString()).replace("$DIR", dir.toString())
                .replace("$PORT", String.valueOf(port)));
        String log = Files.exists(dir.resolve("daemon.log")) ? Files.readString(dir.resolve("daemon.log")) : "(no log)";
        assertThat(run.output()).as(run.output() + "\n" + log).contains("ready: 1").contains("hello from the host");
    }

    @Test
    void aNamespaceTheUserHasNoRightsInIsRefusedInOneLineNamingIt() throws Exception {
        NetNamespace rootOwned = NetNamespace.create("vnet4j-it-unpriv-" + ProcessHandle.current().pid());
        try {
            String script = Path.of(System.getProperty("java.home"), "bin", "java") + " --enable-native-access=ALL-UNNAMED -jar "
                    + dir.resolve("vnet4j.jar") + " --control none -netdev user,id=u -netdev tap,id=t,ifname=tap0,"
                    + "configure=on,netns=/run/netns/" + rootOwned.name() + "; echo \"exit $?\"\n";
            PeerTools.Exec run = asNobody(script);
            List<String> errors = run.output().lines().filter(l -> l.contains("/run/netns/" + rootOwned.name())).toList();
            assertThat(errors).as(run.output()).hasSize(1);
            assertThat(errors.getFirst()).contains("cannot create the TAP in the network namespace /run/netns/" + rootOwned.name());
            assertThat(run.output()).doesNotContain("Exception").doesNotContain("\tat ").contains("exit 1");
        } finally {
            rootOwned.close();
        }
    }
}
