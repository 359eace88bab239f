package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code vnet4j} with no options: the default network. Two VMs attach with the QEMU option it prints, get
 * leases, resolve each other by the names they gave in DHCP, and show up in {@code ctl info network}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class DefaultNetworkIT {
    private Path runtime;
    private VnetProcess vnet;
    private QemuGuest alpha;
    private QemuGuest beta;

    @BeforeAll
    void start() throws Exception {
        runtime = Files.createTempDirectory("vnet4j-default-it");
        vnet = VnetProcess.startWith(null, Map.of("XDG_RUNTIME_DIR", runtime.toString()));
        Path socket = runtime.resolve("vnet4j/qemu.sock");
        assertThat(vnet.log()).contains("-netdev stream,id=n0,server=off,addr.type=unix,addr.path=" + socket);
        String netdev = "stream,server=off,addr.type=unix,addr.path=" + socket;
        alpha = QemuGuest.builder("alpha").mac("52:54:00:00:00:a1").netdev(netdev).start();
        beta = QemuGuest.builder("beta").mac("52:54:00:00:00:b2").netdev(netdev).start();
        alpha.awaitReady(Duration.ofSeconds(90));
        beta.awaitReady(Duration.ofSeconds(90));
        alpha.runOk("udhcpc -i eth0 -n -q -t 5 -T 2 -x hostname:alpha");
        beta.runOk("udhcpc -i eth0 -n -q -t 5 -T 2 -x hostname:beta");
    }

    @AfterAll
    void stop() throws IOException {
        for (AutoCloseable c : new AutoCloseable[] {alpha, beta, vnet}) {
            try {
                if (c != null) c.close();
            } catch (Exception ignored) {
                // keep closing the rest
            }
        }
        PeerTools.deleteTree(runtime);
    }

    @Test
    void vmsResolveEachOtherByName() throws InterruptedException {
        String alphaIp = alpha.runOk("ip -4 -o addr show eth0").replaceAll("(?s).*inet (\\S+)/.*", "$1");
        QemuGuest.Result r = beta.run("nslookup alpha 10.0.2.3", Duration.ofSeconds(30));
        assertThat(r.output()).contains("Address: " + alphaIp);
        assertThat(beta.runOk("ping -c 2 -w 10 alpha")).contains("2 packets received");
    }

    @Test
    void controlSocketShowsTheLeasesAndEachVm() {
        PeerTools.Exec info = VnetProcess.ctl(null, "--control", runtime.resolve("vnet4j/control.sock").toString(),
                "info", "network");
        assertThat(info.exitCode()).as(info.output()).isZero();
        assertThat(info.output()).contains("hub 0", "user0", "qemu.1", "qemu.2", "lease 10.0.2.", "alpha", "beta");
    }

    @Test
    void logSaysWhenEachVmConnectsAndGetsALease() {
        assertThat(vnet.log()).contains("qemu.1: stream peer", "lease 10.0.2.15 to", "(alpha)", "(beta)");
    }
}
