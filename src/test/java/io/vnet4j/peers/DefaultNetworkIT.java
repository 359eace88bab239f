package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.vnet4j.control.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * {@code vnet4j} with no options: the default network. Two VMs attach with the QEMU option it prints, get
 * leases, resolve each other by the names they gave in DHCP, and show up in {@code ctl info network}; its
 * hub is a learning switch, so one VM's download does not reach the other's port. A capture started and
 * stopped with {@code ctl capture} holds the pings between, as tshark reads them.
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
        assertThat(vnet.log()).contains("switch0: hub 0 is a learning switch (aging 300 s, at most 4096 MACs, 256 per port;");
        String netdev = "stream,server=off,addr.type=unix,addr.path=" + socket;
        alpha = QemuGuest.builder("alpha").mac("52:54:00:00:00:a1").netdev(netdev).start();
        beta = QemuGuest.builder("beta").mac("52:54:00:00:00:b2").netdev(netdev).start();
        alpha.awaitReady(Duration.ofSeconds(90));
        beta.awaitReady(Duration.ofSeconds(90));
        alpha.runOk("udhcpc -i eth0 -n -q -t 5 -T 2 -x hostname:alpha");
        beta.runOk("udhcpc -i eth0 -n -q -t 5 -T 2 -x hostname:beta");
        assertThat(vnet.log()).containsPattern("user0: lease 10\\.0\\.2\\.\\d+ \\(alpha\\) to 52:54:00:00:00:a1 on port qemu\\.[12]\\n");
    }

    @AfterAll
    void stop() throws IOException {
        PeerTools.closeAll(alpha, beta, vnet);
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
    void theSwitchSendsAVmTheFramesForItsOwnMacAndNotItsNeighboursDownload() throws Exception {
        byte[] body = new byte[2 << 20];
        HttpServer http = PeerTools.serve("/big", body);
        try {
            alpha.runOk("ping -c 1 -w 10 10.0.2.2");
            beta.runOk("ping -c 1 -w 10 10.0.2.2");
            String alphaPort = portOf("52:54:00:00:00:a1");
            String betaPort = portOf("52:54:00:00:00:b2");
            assertThat(alphaPort).isNotEqualTo(betaPort).startsWith("qemu.");
            long alphaBefore = txBytes(alphaPort);
            long betaBefore = txBytes(betaPort);
            // busybox 1.35 wget segfaults with -T, hence timeout(1)
            alpha.transferOk("wget -q -O /dev/null http://10.0.2.2:" + http.getAddress().getPort() + "/big", Duration.ofSeconds(60));
            assertThat(txBytes(alphaPort) - alphaBefore).isGreaterThan(body.length);
            assertThat(txBytes(betaPort) - betaBefore).as("beta's port carried none of alpha's download")
                    .isLessThan(64 * 1024);
        } finally {
            http.stop(0);
        }
        PeerTools.Exec table = ctl("info", "mac-table");
        assertThat(table.output()).contains("switch switch0", "52:54:00:00:00:a1  port qemu.",
                "52:54:00:00:00:b2  port qemu.");
    }

    @Test
    void aCaptureStartedAndStoppedWhileTheNetworkRunsOpensInTshark() throws Exception {
        PeerTools.require("tshark", "tshark");
        Path file = runtime.resolve("vms.pcap");
        assertThat(ctl("capture", "start", "qemu", file.toString()).output()).contains("capturing netdev qemu to " + file);
        alpha.runOk("ping -c 3 -w 10 10.0.2.2");
        assertThat(ctl("capture", "stop", "qemu").exitCode()).isZero();
        alpha.runOk("ping -c 1 -w 10 10.0.2.2"); // after the stop: not in the file
        PeerTools.Exec read = PeerTools.exec(Duration.ofSeconds(60), List.of("tshark", "-n", "-r", file.toString(), "-Y",
                "icmp && ip.addr == 10.0.2.2", "-T", "fields", "-e", "icmp.type"));
        assertThat(read.exitCode()).as(read.output()).isZero();
        assertThat(read.output().lines().filter(l -> l.matches("[08]")).toList()).as(read.output())
                .containsExactlyInAnyOrder("8", "0", "8", "0", "8", "0");
    }

    private PeerTools.Exec ctl(String... command) {
        List<String> args = new ArrayList<>(List.of("--control", runtime.resolve("vnet4j/control.sock").toString()));
        args.addAll(List.of(command));
        PeerTools.Exec e = VnetProcess.ctl(null, args.toArray(String[]::new));
        assertThat(e.exitCode()).as(e.output()).isZero();
        return e;
    }

    /** The hub 0 switch's port for {@code mac}, from query-network's mac-table. */
    @SuppressWarnings("unchecked")
    private String portOf(String mac) {
        Map<String, Object> hub = (Map<String, Object>) ((List<Object>) Json.parse(ctl("query-network").output())).getFirst();
        for (Object e : (List<Object>) ((Map<String, Object>) hub.get("switch")).get("mac-table")) {
            Map<String, Object> entry = (Map<String, Object>) e;
            if (entry.get("mac").equals(mac)) {
                return (String) entry.get("port");
            }
        }
        throw new AssertionError(mac + " not in the switch's table: " + hub.get("switch"));
    }

    /** The bytes port {@code id} sent to its VM, from query-network. */
    @SuppressWarnings("unchecked")
    private long txBytes(String id) {
        Map<String, Object> hub = (Map<String, Object>) ((List<Object>) Json.parse(ctl("query-network").output())).getFirst();
        for (Object n : (List<Object>) hub.get("netdevs")) {
            for (Object p : (List<Object>) ((Map<String, Object>) n).get("ports")) {
                Map<String, Object> port = (Map<String, Object>) p;
                if (port.get("id").equals(id)) {
                    return ((Number) port.get("tx-bytes")).longValue();
                }
            }
        }
        throw new AssertionError("no port " + id);
    }

    @Test
    void logSaysWhenEachVmConnectsAndGetsALease() {
        assertThat(vnet.log()).contains("qemu.1: stream peer", "lease 10.0.2.15 (alpha) to", "(beta)");
    }
}
