package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Who owns the sockets when several vnet4j daemons share a runtime directory: a second default network is
 * refused and leaves the first one's qemu.sock alone, and every daemon, default network or not, has a
 * control socket that {@code vnet4j ctl} reaches. No guests: only the daemons and ctl.
 */
@Timeout(180)
class ControlSocketIT {
    private Path runtime;
    private Map<String, String> env;
    private final java.util.List<VnetProcess> daemons = new java.util.ArrayList<>();

    @BeforeEach
    void runtimeDirectory() throws IOException {
        runtime = Files.createTempDirectory("vnet4j-control-it");
        env = Map.of("XDG_RUNTIME_DIR", runtime.toString());
    }

    @AfterEach
    void stop() throws IOException {
        daemons.forEach(VnetProcess::close);
        PeerTools.deleteTree(runtime);
    }

    private VnetProcess daemon(String... args) throws InterruptedException {
        VnetProcess vnet = VnetProcess.startWith(null, env, args);
        daemons.add(vnet);
        return vnet;
    }

    private static Object inode(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
    }

    @Test
    void aSecondDefaultNetworkWithItsOwnControlSocketIsRefusedAndTheFirstKeepsItsQemuSocket() throws Exception {
        VnetProcess first = daemon();
        Path qemu = runtime.resolve("vnet4j/qemu.sock");
        Object before = inode(qemu);
        Path other = runtime.resolve("other.sock");

        PeerTools.Exec second = VnetProcess.runToExit(env, "--control", other.toString());

        assertThat(second.exitCode()).as(second.output()).isEqualTo(1);
        assertThat(second.output()).hasLineCount(1).containsPattern("^(\\S+Z )?vnet4j: the default network's socket ")
                .contains("vnet4j: the default network's socket " + qemu + " is in use by pid " + first.process().pid());
        assertThat(inode(qemu)).as("the first daemon's qemu.sock, after the second exited").isEqualTo(before);
        assertThat(other).as("the refused daemon's control socket").doesNotExist();
        PeerTools.Exec info = VnetProcess.ctlWith(env, "info", "network");
        assertThat(info.exitCode()).as(info.output()).isZero();
        assertThat(info.output()).contains("qemu: type=stream");
    }

    @Test
    void aDaemonWithItsOwnNetdevsHasAControlSocketThatCtlFinds() throws Exception {
        VnetProcess vnet = daemon("-netdev", "socket,id=a,listen=127.0.0.1:0");
        Path control = runtime.resolve("vnet4j/control.sock");
        assertThat(vnet.log()).contains("control socket " + control);

        PeerTools.Exec info = VnetProcess.ctlWith(env, "info", "network");

        assertThat(info.exitCode()).as(info.output()).isZero();
        assertThat(info.output()).contains("a: type=socket,listen=127.0.0.1:0");
    }

    @Test
    void aSecondDaemonTakesTheNextControlSocketNameAndCtlFindsItWhenItIsTheOnlyOne() throws Exception {
        VnetProcess first = daemon("-netdev", "socket,id=a,listen=127.0.0.1:0");
        VnetProcess second = daemon("-netdev", "socket,id=b,listen=127.0.0.1:0");
        Path numbered = runtime.resolve("vnet4j/control-2.sock");
        assertThat(second.log()).contains("control socket " + numbered + " (vnet4j ctl --control " + numbered + " info network)");

        PeerTools.Exec viaPath = VnetProcess.ctlWith(env, "--control", numbered.toString(), "info", "network");
        assertThat(viaPath.output()).contains("b: type=socket");
        PeerTools.Exec preferred = VnetProcess.ctlWith(env, "info", "network"); // control.sock, and says the other
        assertThat(preferred.output()).contains("a: type=socket").doesNotContain("b: type=socket")
                .contains("ctl: talking to " + runtime.resolve("vnet4j/control.sock") + "; other daemons answer on " + numbered);

        first.stop();
        assertThat(runtime.resolve("vnet4j/control.sock")).as("removed by the daemon that made it").doesNotExist();
        PeerTools.Exec found = VnetProcess.ctlWith(env, "info", "network");
        assertThat(found.exitCode()).as(found.output()).isZero();
        assertThat(found.output()).contains("b: type=socket");
    }

    /**
     * A daemon under a low {@code ulimit -n}: the warm-up keeps off the last descriptors (it said nothing and
     * took them, and its connections' failures were logged after "ready"); once control clients have taken
     * every descriptor, ctl gives up after --timeout with a line saying why (it waited silently for ever); and
     * the control socket serves again once they are free (its accept is retried every second). 60 descriptors:
     * under 80 the daemon had 61 free when the warm-up looked, 3 short of the 64 it asks, and once, on a loaded
     * CI, 64 or more (fewer open at that moment; which, not found), so the warm-up ran and the test failed.
     */
    @Test
    void aDaemonOutOfDescriptorsIsSaidSoByCtlAndServesAgainOnceTheyAreFree() throws Exception {
        Path control = runtime.resolve("low.sock");
        VnetProcess vnet = VnetProcess.startLimited(60, env, "--control", control.toString(), "-netdev", "user,id=u");
        daemons.add(vnet);
        awaitLog(vnet, "warm-up: skipped: ");
        java.util.List<java.nio.channels.SocketChannel> hogs = new java.util.ArrayList<>();
        try {
            while (!vnet.log().contains("accept failed: Too many open files")) {
                var hog = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(control));
                hogs.add(hog); // the daemon accepts it and greets it: a descriptor each
                assertThat(hogs).as("the daemon never ran out").hasSizeLessThan(200);
                Thread.sleep(hogs.size() > 40 ? 20 : 0);
            }
            long start = System.nanoTime();
            PeerTools.Exec stuck = VnetProcess.ctlWith(env, "--timeout", "2", "--control", control.toString(), "info", "network");
            assertThat(stuck.exitCode()).as(stuck.output()).isEqualTo(1);
            assertThat(stuck.output()).contains("vnet4j: no answer on " + control + " within 2 s: no greeting came: the daemon "
                    + "did not take the connection: one out of file descriptors cannot");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        } finally {
            for (var hog : hogs) {
                hog.close();
            }
        }
        awaitLog(vnet, "accepting again, after ");
        PeerTools.Exec info = VnetProcess.ctlWith(env, "--control", control.toString(), "info", "network");
        assertThat(info.exitCode()).as(info.output()).isZero();
        assertThat(info.output()).contains("u: type=user");
        assertThat(vnet.log()).doesNotContain("cannot open a host socket");
    }

    private static void awaitLog(VnetProcess vnet, String text) throws InterruptedException {
        vnet.awaitLog(text, Duration.ofSeconds(20));
    }

    @Test
    void controlNoneMakesNoControlSocket() throws Exception {
        daemon("--control", "none", "-netdev", "socket,id=a,listen=127.0.0.1:0");
        PeerTools.Exec info = VnetProcess.ctlWith(env, "info", "network");
        assertThat(info.exitCode()).isEqualTo(1);
        assertThat(info.output()).contains("is vnet4j running?");
    }
}
