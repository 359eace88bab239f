package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A running daemon changed through {@code vnet4j ctl}, as QEMU's monitor changes QEMU: a port forward
 * added to a QEMU guest's web server, then removed; a second stream listener added, a second VM joining
 * through it, and the listener deleted again; a namespace attached, its cable pulled and plugged in.
 */
@Timeout(240)
class RuntimeControlIT {
    private Path dir;
    private VnetProcess vnet;
    private QemuGuest alpha;
    private QemuGuest beta;

    @AfterEach
    void stop() throws IOException {
        PeerTools.closeAll(beta, alpha, vnet);
        PeerTools.deleteTree(dir);
    }

    private PeerTools.Exec ctl(String... words) {
        String[] args = new String[words.length + 2];
        args[0] = "--control";
        args[1] = dir.resolve("control.sock").toString();
        System.arraycopy(words, 0, args, 2, words.length);
        return VnetProcess.ctl(null, args);
    }

    @Test
    void forwardsAndNetdevsAddedAndRemovedWhileTheGuestsRun() throws Exception {
        dir = Files.createTempDirectory("vnet4j-runtime-it");
        Path first = dir.resolve("qemu.sock");
        vnet = VnetProcess.start("--control", dir.resolve("control.sock").toString(), "-netdev", "user,id=u",
                "-netdev", "stream,id=vms,server=on,addr.type=unix,addr.path=" + first);
        alpha = QemuGuest.builder("alpha").netdev("stream,server=off,addr.type=unix,addr.path=" + first).boot();
        alpha.runOk("udhcpc -i eth0 -n -q -t 5 -T 2");
        alpha.runOk("httpd -p 80 -h /www");

        int port = PeerTools.freePort();
        PeerTools.Exec add = ctl("hostfwd_add", "tcp::" + port + "-10.0.2.15:80");
        assertThat(add.ok()).as(add.output()).isTrue();
        assertThat(get(port)).contains("200 OK");
        assertThat(ctl("info", "network").output()).contains("hostfwd tcp 127.0.0.1:" + port + " -> 10.0.2.15:80");
        assertThat(ctl("info", "usernet").output()).contains("TCP[HOST_FORWARD]", "127.0.0.1 " + String.format("%5d", port));
        assertThat(ctl("query-network").output()).contains("\"forwards\":[{\"protocol\":\"tcp\",\"host-address\":\"127.0.0.1\"",
                "\"leases\":[{\"address\":\"10.0.2.15\"");
        PeerTools.Exec taken = ctl("hostfwd_add", "tcp::" + port + "-10.0.2.15:80");
        assertThat(taken.exitCode()).isEqualTo(1);
        assertThat(taken.output()).contains("Could not set up host forwarding rule 'tcp::" + port + "-10.0.2.15:80'");

        PeerTools.Exec remove = ctl("hostfwd_remove", "tcp::" + port);
        assertThat(remove.output()).contains("host forwarding rule for tcp::" + port + " removed");
        assertThatThrownBy(() -> get(port)).isInstanceOf(IOException.class);

        Path second = dir.resolve("second.sock");
        PeerTools.Exec netdev = ctl("netdev_add", "stream,id=second,server=on,addr.type=unix,addr.path=" + second);
        assertThat(netdev.ok()).as(netdev.output()).isTrue();
        beta = QemuGuest.builder("beta").netdev("stream,server=off,addr.type=unix,addr.path=" + second).boot();
        beta.runOk("udhcpc -i eth0 -n -q -t 5 -T 2");
        assertThat(beta.runOk("ping -c 2 -W 5 10.0.2.15")).contains("2 packets received"); // alpha, on the same hub

        PeerTools.Exec del = ctl("netdev_del", "second");
        assertThat(del.ok()).as(del.output()).isTrue();
        assertThat(second).doesNotExist();
        assertThat(ctl("info", "network").output()).doesNotContain("second:");
        assertThat(beta.run("ping -c 1 -W 2 10.0.2.15", java.time.Duration.ofSeconds(10)).output()).contains("0 packets received");
        assertThat(ctl("netdev_del", "second").output()).contains("Device 'second' not found");
    }

    /**
     * A container's namespace attached while the daemon runs, as slirp4netns attaches one: {@code netdev_add}
     * of a {@code configure=on} TAP takes its address from the running user network, the user network's host
     * forward that names no guest address stays where it went (dhcpstart) and the log says how to move it; and
     * QMP's own shape
     * of {@code hostfwd}, a list of {@code {"str": RULE}}, adds a user network with two forwards.
     */
    @Test
    void aNamespaceIsAttachedAtRunTimeAndQmpTakesQemusListOfForwards() throws Exception {
        dir = Files.createTempDirectory("vnet4j-runtime-it");
        int web = PeerTools.freePort();
        vnet = VnetProcess.start("--control", dir.resolve("control.sock").toString(), "-netdev",
                "user,id=u,hostfwd=tcp:127.0.0.1:" + web + "-:80");
        Files.writeString(dir.resolve("index.html"), "hello from the namespace\n");
        Process httpd = null;
        try (NetNamespace ns = NetNamespace.create("vnet4j-rt")) {
            PeerTools.Exec tap = ctl("netdev_add", "tap,id=ctr,ifname=tap0,netns=/run/netns/" + ns.name() + ",configure=on");
            assertThat(tap.ok()).as(tap.output()).isTrue();
            assertThat(ns.execOk("ip", "-4", "addr", "show", "dev", "tap0")).contains("inet 10.0.2.100/24");
            assertThat(ns.execOk("busybox", "ping", "-c", "1", "-W", "5", "10.0.2.2")).contains("1 packets received");
            assertThat(vnet.log()).contains("u: host forwards that name no guest address (tcp 127.0.0.1:" + web + ") still go "
                    + "to 10.0.2.15, not to ctr's 10.0.2.100, as they went before it came: to move one, hostfwd_remove tcp:127.0.0.1:"
                    + web + " and hostfwd_add tcp:127.0.0.1:" + web + "-10.0.2.100:80");
            assertThat(ctl("hostfwd_remove", "tcp:127.0.0.1:" + web).ok()).isTrue();
            assertThat(ctl("hostfwd_add", "tcp:127.0.0.1:" + web + "-10.0.2.100:80").ok()).isTrue();
            httpd = ns.start("busybox", "httpd", "-f", "-p", "0.0.0.0:80", "-h", dir.toString());
            ns.await("grep -q ' 00000000:0050 00000000:0000 0A' /proc/net/tcp", java.time.Duration.ofSeconds(5)); // listening
            assertThat(get(web)).contains("200 OK", "hello from the namespace");

            // QEMU's set_link: the cable pulled, as the namespace sees it, and plugged in again
            assertThat(ctl("set_link", "ctr", "off").ok()).isTrue();
            assertThat(ns.execOk("ip", "link", "show", "dev", "tap0")).contains("NO-CARRIER");
            assertThat(PeerTools.exec(java.time.Duration.ofSeconds(10), java.util.List.of("ip", "netns", "exec", ns.name(),
                    "busybox", "ping", "-c", "1", "-W", "2", "10.0.2.2")).output()).contains("0 packets received");
            assertThat(ctl("info", "network").output()).contains("link=down (set_link off)");
            assertThat(ctl("set_link", "ctr", "on").ok()).isTrue();
            assertThat(ns.execOk("ip", "link", "show", "dev", "tap0")).doesNotContain("NO-CARRIER");
            // the kernel may spend its neighbour entry's probes on the pull (a ping meanwhile): a later one resolves anew
            ns.await("busybox ping -c 1 -W 1 10.0.2.2", java.time.Duration.ofSeconds(15));

            // the TAP deleted under the netdev: its link goes down and the reason shows, until netdev_del and netdev_add
            ns.execOk("ip", "link", "del", "tap0");
            vnet.awaitLog("ctr: read from tap0", java.time.Duration.ofSeconds(10));
            assertThat(ctl("info", "network").output()).containsPattern("ctr: type=tap[^\\n]*link=down\\n")
                    .contains("stopped: read from tap0");
            assertThat(ctl("netdev_del", "ctr").ok()).isTrue();
            assertThat(ctl("netdev_add", "tap,id=ctr,ifname=tap0,netns=/run/netns/" + ns.name() + ",configure=on").ok()).isTrue();
            assertThat(ns.execOk("busybox", "ping", "-c", "1", "-W", "5", "10.0.2.2")).contains("1 packets received");
            assertThat(ctl("netdev_del", "ctr").ok()).isTrue();
        } finally {
            if (httpd != null) httpd.destroyForcibly();
        }
        int a = PeerTools.freePort();
        int b = PeerTools.freePort();
        PeerTools.Exec qmp = ctl("{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"user\",\"id\":\"u2\",\"hubid\":1,"
                + "\"hostfwd\":[{\"str\":\"tcp::" + a + "-:22\"},{\"str\":\"udp::" + b + "-:53\"}]}}");
        assertThat(qmp.ok()).as(qmp.output()).isTrue(); // ctl prints the "return" value: {}
        assertThat(ctl("info", "network").output()).contains("hostfwd tcp 127.0.0.1:" + a, "hostfwd udp 127.0.0.1:" + b);
    }

    private static String get(int port) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write("GET /index.html HTTP/1.0\r\n\r\n".getBytes());
            return new String(s.getInputStream().readAllBytes());
        }
    }
}
