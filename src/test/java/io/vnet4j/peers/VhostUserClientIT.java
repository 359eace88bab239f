package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * vnet4j's vhost-user back-end as the client of QEMU's socket ({@code -netdev vhost-user,...,server=off}), as
 * OVS-DPDK's {@code dpdkvhostuserclient} port: QEMU 7.2 listens ({@code -chardev socket,...,server=on,wait=off})
 * and waits in its netdev's start for a back-end; vnet4j, started after it, connects and the guest boots, takes
 * a lease and pings the gateway; vnet4j stopped and started again connects again and the guest, never
 * restarted, pings again; then a new QEMU in the old one's place is found at the pace of reconnect=.
 */
@Timeout(180)
class VhostUserClientIT {
    private Path dir;
    private VnetProcess vnet;
    private QemuGuest guest;

    @AfterEach
    void stop() throws Exception {
        PeerTools.closeAll(guest, vnet);
        if (dir != null) PeerTools.deleteTree(dir);
    }

    private static void awaitFile(Path path) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!Files.exists(path)) {
            assertThat(System.nanoTime()).as("QEMU made %s within 20 s", path).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private VnetProcess startVnet(Path socket) throws InterruptedException {
        return VnetProcess.start("-netdev", "user,id=u", "-netdev", "vhost-user,id=vm,path=" + socket + ",server=off");
    }

    @Test
    void vnet4jConnectsToQemusSocketAndAgainAfterItsOwnRestartAndQemus() throws Exception {
        dir = Files.createTempDirectory("vnet4j-vhost-user-client-it");
        Path socket = dir.resolve("qemu.sock");
        String served = "vm: vhost-user front-end connected to hub 0 (connected to QEMU's socket " + socket;

        guest = QemuGuest.builder("vuclient").vhostUserServer(socket).start();
        awaitFile(socket);
        long launched = System.nanoTime();
        vnet = startVnet(socket);
        vnet.awaitLog(served, Duration.ofSeconds(20));
        long firstServedMs = millisSince(launched);
        guest.awaitReady(Duration.ofSeconds(90));
        guest.runOk("udhcpc -i eth0 -n -q -t 5 -T 2");
        assertThat(guest.runOk("ping -c 3 -w 15 10.0.2.2")).contains("3 packets received");
        Matcher control = Pattern.compile("control socket (\\S+)").matcher(vnet.log());
        assertThat(control.find()).isTrue();
        assertThat(VnetProcess.ctl(null, "--control", control.group(1), "info", "network").output())
                .contains("path=" + socket + ",server=off,reconnect=1,peer=vhost-user front-end (rx to the guest running");
        assertThat(Files.exists(socket)).isTrue();

        // vnet4j stopped (SIGTERM) and started again: QEMU's chardev listens again, the guest keeps running
        vnet.close();
        assertThat(Files.exists(socket)).as("QEMU's socket, left in place by vnet4j").isTrue();
        launched = System.nanoTime();
        vnet = startVnet(socket);
        vnet.awaitLog(served, Duration.ofSeconds(20));
        long againServedMs = millisSince(launched);
        long pinging = System.nanoTime();
        assertThat(guest.runOk("ping -c 2 -w 15 10.0.2.2")).contains("2 packets received");
        long pingMs = millisSince(pinging);

        // QEMU stopped and a new one started at the same path: vnet4j waits for it and connects
        guest.close();
        guest = null;
        vnet.awaitLog("vm: waiting for QEMU to listen at " + socket, Duration.ofSeconds(20));
        long qemuStarted = System.nanoTime();
        guest = QemuGuest.builder("vuclient2").vhostUserServer(socket).start();
        awaitFile(socket);
        long socketMade = System.nanoTime();
        long deadline = socketMade + Duration.ofSeconds(20).toNanos();
        while (vnet.log().split(Pattern.quote(served), -1).length < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(vnet.log().split(Pattern.quote(served), -1)).as(vnet.log()).hasSize(3);
        long qemuServedMs = millisSince(socketMade);
        guest.awaitReady(Duration.ofSeconds(90));
        guest.runOk("udhcpc -i eth0 -n -q -t 5 -T 2");
        assertThat(guest.runOk("ping -c 2 -w 15 10.0.2.2")).contains("2 packets received");
        assertThat(vnet.log()).doesNotContain("is not shared").doesNotContain("connection closed");
        System.out.printf("VhostUserClientIT: vnet4j launched to served %d ms; restarted to served %d ms (first ping"
                + " round %d ms); a new QEMU's socket made to served %d ms (QEMU started %d ms before)%n",
                firstServedMs, againServedMs, pingMs, qemuServedMs, (socketMade - qemuStarted) / 1_000_000);
    }
}
