package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * vnet4j restarted (an upgrade, {@code systemctl restart}) while its QEMU guests keep running: those on a netdev
 * vnet4j connects again (QEMU listens) go on with the addresses their DHCP leases gave them, which the new
 * process has no record of.
 */
@Timeout(240)
class VnetRestartIT {
    private VnetProcess vnet;
    private Path dir;
    private NetNamespace ns;

    @AfterEach
    void stop() throws Exception {
        if (vnet != null) {
            vnet.close();
        }
        if (dir != null) {
            PeerTools.deleteTree(dir);
        }
        if (ns != null) {
            ns.close(); // and the persistent TAP in it
        }
    }

    /**
     * helper-137: after a restart, the first new VM was offered 10.0.2.15 while the running guest that kept it had
     * sent nothing yet, and both used it. Now the server asks by ARP before it offers an address nobody was seen at.
     */
    @Test
    void aGuestThatKeptItsLeaseAcrossARestartKeepsItsAddressAlone() throws Exception {
        dir = Files.createTempDirectory("vnet4j-restart-it");
        String control = dir.resolve("control.sock").toString();
        int oldPort = PeerTools.freePort();
        int newPort = PeerTools.freePort();
        // queries nobody answers stay on the loopback: nothing listens on a free port there
        String[] args = {"--control", control, "-netdev", "user,id=u,dns-upstream=127.0.0.1:" + PeerTools.freePort(),
                "-netdev", "socket,id=kept,connect=127.0.0.1:" + oldPort,
                "-netdev", "socket,id=vms,listen=127.0.0.1:" + newPort};
        try (QemuGuest kept = QemuGuest.builder("restart-kept").mac("52:54:00:00:e1:01")
                .netdev("socket,listen=127.0.0.1:" + oldPort).start()) {
            PeerTools.awaitListening(oldPort, Duration.ofSeconds(30));
            vnet = VnetProcess.start(args);
            kept.awaitReady(Duration.ofSeconds(90));
            assertThat(kept.runOk("udhcpc -i eth0 -n -q -t 5 -T 2")).contains("10.0.2.15");
            assertThat(vnet.stop()).as("SIGTERM").isEqualTo(143);
            vnet = VnetProcess.start(args); // QEMU's socket,listen= takes the new connection
            try (QemuGuest arriving = QemuGuest.builder("restart-new").mac("52:54:00:00:e1:02")
                    .netdev("socket,connect=127.0.0.1:" + newPort).boot()) {
                assertThat(arriving.runOk("udhcpc -i eth0 -n -q -t 5 -T 2")).as("the address the running guest kept")
                        .contains("10.0.2.16");
            }
            assertThat(kept.runOk("ping -c 1 -W 5 10.0.2.2")).contains("1 packets received");
            assertThat(VnetProcess.ctl(null, "--control", control, "info", "network").output()).contains("found in use 1");
        }
    }

    /**
     * With {@code leasefile=}, a guest that kept its lease across a restart keeps its name in DNS: before, another VM's
     * lookup of it failed until the guest renewed, up to 12 h later.
     */
    @Test
    void aGuestThatKeptItsLeaseKeepsItsNameWithALeaseFile() throws Exception {
        dir = Files.createTempDirectory("vnet4j-restart-it");
        int oldPort = PeerTools.freePort();
        int newPort = PeerTools.freePort();
        String[] args = {"-netdev", "user,id=u,leasefile=" + dir.resolve("leases") + ",dns-upstream=127.0.0.1:" + PeerTools.freePort(),
                "-netdev", "socket,id=kept,connect=127.0.0.1:" + oldPort, "-netdev", "socket,id=vms,listen=127.0.0.1:" + newPort};
        try (QemuGuest kept = QemuGuest.builder("restart-named").mac("52:54:00:00:e1:03")
                .netdev("socket,listen=127.0.0.1:" + oldPort).start()) {
            PeerTools.awaitListening(oldPort, Duration.ofSeconds(30));
            vnet = VnetProcess.start(args);
            kept.awaitReady(Duration.ofSeconds(90));
            assertThat(kept.runOk("udhcpc -i eth0 -n -q -t 5 -T 2 -x hostname:kept")).contains("10.0.2.15");
            assertThat(vnet.stop()).as("SIGTERM").isEqualTo(143);
            assertThat(Files.readString(dir.resolve("leases"))).contains(" 52:54:00:00:e1:03 10.0.2.15 kept *\n");
            vnet = VnetProcess.start(args);
            try (QemuGuest arriving = QemuGuest.builder("restart-asks").mac("52:54:00:00:e1:04")
                    .netdev("socket,connect=127.0.0.1:" + newPort).boot()) {
                assertThat(arriving.runOk("udhcpc -i eth0 -n -q -t 5 -T 2")).contains("10.0.2.16");
                assertThat(arriving.run("nslookup kept 10.0.2.3", Duration.ofSeconds(30)).output())
                        .as("the silent guest's name, answered from the kept lease").contains("10.0.2.15");
            }
        }
    }

    /**
     * Two daemons given one {@code leasefile=} (a script's options copied for a second VM group) each rewrote it with
     * their own bindings alone: after a restart the other's guests had lost their names. The second is now refused,
     * naming the first, and the first's file stays its own.
     */
    @Test
    void aSecondDaemonGivenTheLeaseFileIsRefusedNamingTheFirst() throws Exception {
        dir = Files.createTempDirectory("vnet4j-restart-it");
        String user = "user,id=u,leasefile=" + dir.resolve("leases") + ",dns-upstream=127.0.0.1:" + PeerTools.freePort();
        vnet = VnetProcess.start("--control", dir.resolve("first.sock").toString(), "-netdev", user);
        PeerTools.Exec second = VnetProcess.runToExit(java.util.Map.of(), "--control", dir.resolve("second.sock").toString(),
                "-netdev", user);
        assertThat(second.exitCode()).isEqualTo(1);
        assertThat(second.output()).contains("u: leasefile " + dir.resolve("leases") + ": another process (pid ")
                .contains(") keeps its DHCP leases in this file (it holds the lock on " + dir.resolve("leases.lock")
                        + "); give each network a file of its own");
        assertThat(vnet.stop()).as("SIGTERM").isEqualTo(143);
        vnet = VnetProcess.start("--control", dir.resolve("second.sock").toString(), "-netdev", user);
    }

    /**
     * helper-137: a persistent TAP keeps the offloads its last user set (vnet4j with vnet_hdr=on, as QEMU with vhost):
     * vnet4j restarted on it with vnet_hdr=off read frames whose checksums the kernel had left unfinished, and the
     * gateway dropped every TCP and UDP packet from the namespace as malformed. Now it sets no offloads, as QEMU does.
     */
    @Test
    void aPersistentTapUsedWithVnetHdrBeforeWorksWithoutIt() throws Exception {
        dir = Files.createTempDirectory("vnet4j-restart-it");
        ns = NetNamespace.create("vnet4j-it-restart-" + ProcessHandle.current().pid());
        PeerTools.execOk("ip", "-n", ns.name(), "tuntap", "add", "tap0", "mode", "tap");
        String tap = "tap,id=c,ifname=tap0,configure=on,netns=/run/netns/" + ns.name();
        try (ServerSocket host = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                while (true) {
                    try (Socket c = host.accept()) {
                        c.getOutputStream().write("hello\n".getBytes());
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            String connect = "import socket; s = socket.create_connection(('10.0.2.2', " + host.getLocalPort()
                    + "), 5); print(s.recv(10).decode().strip())";
            vnet = VnetProcess.start("-netdev", "user,id=u", "-netdev", tap + ",vnet_hdr=on");
            assertThat(ns.execOk("python3", "-c", connect)).contains("hello");
            assertThat(vnet.stop()).as("SIGTERM").isEqualTo(143);
            vnet = VnetProcess.start("-netdev", "user,id=u", "-netdev", tap + ",vnet_hdr=off");
            PeerTools.Exec after = PeerTools.exec(Duration.ofSeconds(20),
                    java.util.List.of("ip", "netns", "exec", ns.name(), "python3", "-c", connect));
            assertThat(after.output()).as("a connection from the namespace after the restart without vnet_hdr")
                    .contains("hello");
        }
    }
}
