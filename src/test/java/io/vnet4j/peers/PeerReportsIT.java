package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Reports users filed against the peers' switches, replayed on a vnet4j switch ({@code -object switch}, its ports
 * VLAN-unaware as every port is by default) with real QEMU guests: two that run, and one started paused
 * ({@code -S}), whose QEMU does not read its socket while the machine does not run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class PeerReportsIT {
    private Path dir;
    private Path control;
    private VnetProcess vnet;
    private QemuGuest a;
    private QemuGuest b;
    private QemuGuest paused;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("vnet4j-reports-it");
        control = dir.resolve("control.sock");
        int pausedPort = PeerTools.freePort();
        vnet = VnetProcess.start(
                "-object", "switch,id=sw0",
                "-netdev", "stream,id=a,server=on,addr.type=unix,addr.path=" + dir.resolve("a.sock"),
                "-netdev", "stream,id=b,server=on,addr.type=unix,addr.path=" + dir.resolve("b.sock"),
                "-netdev", "socket,id=p,listen=127.0.0.1:" + pausedPort,
                "--control", control.toString());
        a = QemuGuest.builder("reports-a").ip("10.77.5.1/24")
                .netdev("stream,server=off,addr.type=unix,addr.path=" + dir.resolve("a.sock")).start();
        b = QemuGuest.builder("reports-b").ip("10.77.5.2/24")
                .netdev("stream,server=off,addr.type=unix,addr.path=" + dir.resolve("b.sock")).start();
        paused = QemuGuest.builder("reports-paused").netdev("socket,connect=127.0.0.1:" + pausedPort)
                .qemuArgs("-S").start();
        a.awaitReady(Duration.ofSeconds(90));
        b.awaitReady(Duration.ofSeconds(90));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!vnet.log().contains("p.1: socket peer") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(vnet.log()).as("the paused QEMU connected").contains("p.1: socket peer");
    }

    @AfterAll
    void stop() throws IOException {
        PeerTools.closeAll(paused, b, a, vnet);
        if (dir != null) PeerTools.deleteTree(dir);
    }

    /**
     * virtualsquare/vde-2#49 and NixOS/nixpkgs#182324: on vde_switch's ports (untagged, VLAN 0 by default) frames
     * tagged by the guests' VLAN sub-interfaces were dropped, so machines that pinged each other on eth1 did not on
     * vlan1@eth1, unless the switch was made a hub. vnet4j's switch passes them tagged between VLAN-unaware ports
     * and learns their MACs, as a switch without VLANs configured does.
     */
    @Test
    void guestsReachEachOtherThroughVlanSubInterfacesAcrossAVlanUnawareSwitch() throws InterruptedException {
        a.runOk("vconfig add eth0 5 && ip addr add 192.0.2.1/24 dev eth0.5 && ip link set eth0.5 up");
        b.runOk("vconfig add eth0 5 && ip addr add 192.0.2.2/24 dev eth0.5 && ip link set eth0.5 up");
        assertThat(a.runOk("ping -c 3 -W 5 192.0.2.2")).contains("3 packets received");
        assertThat(b.runOk("ping -c 2 -s 1400 -W 5 192.0.2.1")).contains("2 packets received");
    }

    /**
     * lima-vm/socket_vmnet#36: a VM's network stopped while a second VM had booted but not yet taken its DHCP
     * lease; socket_vmnet wrote to every VM's socket in turn and blocked on the one whose QEMU did not read it. A
     * paused QEMU reads no frames; a flood of frames to a MAC nobody has (flooded to every port, the paused one's
     * too) fills its socket and its queue, whose overflow is counted as dropped, and the running guests go on.
     */
    @Test
    void aQemuThatReadsNothingHoldsUpNoOtherGuest() throws InterruptedException {
        a.runOk("arp -s 10.77.5.99 02:00:00:00:00:99");
        // 400 pings of 60,000 bytes (41 fragments each), 10 ms apart, to a MAC the switch never learns: about 24 MB
        a.transferOk("ping -q -c 400 -i 0.01 -s 60000 -W 1 10.77.5.99; true", Duration.ofSeconds(90));
        assertThat(a.runOk("ping -c 3 -W 5 10.77.5.2")).contains("3 packets received");
        assertThat(b.runOk("ping -c 3 -W 5 10.77.5.1")).contains("3 packets received");
        String info = VnetProcess.ctl(null, "--control", control.toString(), "info", "network").output();
        Matcher m = Pattern.compile("\\\\ p\\.1:[^\\n]*\\n[^\\n]*dropped (\\d+)").matcher(info);
        assertThat(m.find()).as("the paused guest's port in:\n" + info).isTrue();
        assertThat(Long.parseLong(m.group(1))).as("frames dropped at the paused guest's port:\n" + info)
                .isPositive();
    }
}
