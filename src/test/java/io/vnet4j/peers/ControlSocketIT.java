package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
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

        first.stop();
        assertThat(runtime.resolve("vnet4j/control.sock")).as("removed by the daemon that made it").doesNotExist();
        PeerTools.Exec found = VnetProcess.ctlWith(env, "info", "network");
        assertThat(found.exitCode()).as(found.output()).isZero();
        assertThat(found.output()).contains("b: type=socket");
    }

    @Test
    void controlNoneMakesNoControlSocket() throws Exception {
        daemon("--control", "none", "-netdev", "socket,id=a,listen=127.0.0.1:0");
        PeerTools.Exec info = VnetProcess.ctlWith(env, "info", "network");
        assertThat(info.exitCode()).isEqualTo(1);
        assertThat(info.output()).contains("is vnet4j running?");
    }
}
