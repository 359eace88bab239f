package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The user network's NAT to a host beyond the machine, built from two namespaces the test creates: vnet4j
 * runs in "host", whose veth peer 198.51.100.1 in "internet" serves HTTP and DNS (dnsmasq). Hub 0 has a
 * normal user network, hub 1 a restricted one with a host forward.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(240)
class UsernetNatIT {
    static final String INTERNET = "198.51.100.1";

    private NetNamespace host;
    private NetNamespace internet;
    private Path dir;
    private final List<Process> servers = new ArrayList<>();
    private VnetProcess vnet;
    private QemuGuest open;
    private QemuGuest restricted;

    @BeforeAll
    void start() throws Exception {
        PeerTools.require("dnsmasq", "dnsmasq");
        long pid = ProcessHandle.current().pid();
        host = NetNamespace.create("vnet4j-it-host-" + pid);
        internet = NetNamespace.create("vnet4j-it-net-" + pid);
        String veth = "vn" + pid % 100000;
        host.execOk("ip", "link", "set", "lo", "up");
        internet.execOk("ip", "link", "set", "lo", "up");
        host.execOk("ip", "link", "add", veth + "a", "type", "veth", "peer", "name", veth + "b", "netns", internet.name());
        host.execOk("ip", "addr", "add", "198.51.100.2/24", "dev", veth + "a");
        host.execOk("ip", "link", "set", veth + "a", "up");
        internet.execOk("ip", "addr", "add", INTERNET + "/24", "dev", veth + "b");
        internet.execOk("ip", "link", "set", veth + "b", "up");
        host.execOk("sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647");

        dir = Files.createTempDirectory("vnet4j-nat-it");
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.writeString(www.resolve("index.html"), "hello from the internet namespace\n");
        servers.add(internet.start("busybox", "httpd", "-f", "-p", INTERNET + ":80", "-h", www.toString()));
        servers.add(internet.start("dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts", "--listen-address=" + INTERNET,
                "--bind-interfaces", "--address=/example.test/198.51.100.7", "--pid-file=" + dir.resolve("dnsmasq.pid")));

        Path openSocket = dir.resolve("open.sock");
        Path restrictedSocket = dir.resolve("restricted.sock");
        vnet = VnetProcess.startIn(host.name(),
                "-netdev", "user,id=u0,dns-upstream=" + INTERNET,
                "-netdev", "stream,id=s0,server=on,addr.type=unix,addr.path=" + openSocket,
                "-netdev", "user,id=u1,hubid=1,restrict=on,hostfwd=tcp::8081-:80",
                "-netdev", "stream,id=s1,hubid=1,server=on,addr.type=unix,addr.path=" + restrictedSocket);
        open = QemuGuest.builder("open").netdev("stream,server=off,addr.type=unix,addr.path=" + openSocket).start();
        restricted = QemuGuest.builder("restricted").mac("52:54:00:12:34:57")
                .netdev("stream,server=off,addr.type=unix,addr.path=" + restrictedSocket).start();
        for (QemuGuest g : new QemuGuest[] {open, restricted}) {
            g.awaitReady(Duration.ofSeconds(90));
            g.runOk("udhcpc -i eth0 -n -q -t 5 -T 2");
        }
    }

    @AfterAll
    void stop() throws IOException {
        PeerTools.closeAll(open, restricted, vnet);
        servers.forEach(Process::destroyForcibly);
        if (host != null) host.close();
        if (internet != null) internet.close();
        PeerTools.deleteTree(dir);
    }

    @Test
    void pingReachesAHostBeyondTheMachine() throws InterruptedException {
        assertThat(open.runOk("ping -c 2 -w 15 " + INTERNET)).contains("2 packets received");
    }

    @Test
    void httpReachesAHostBeyondTheMachine() throws InterruptedException {
        assertThat(open.runOk("timeout 20 wget -q -O - http://" + INTERNET + "/index.html"))
                .contains("hello from the internet namespace");
    }

    @Test
    void dnsGoesThroughTheGatewayToTheUpstream() throws InterruptedException {
        // busybox nslookup asks for A and AAAA and exits 1 when the AAAA answer is empty: read its output
        QemuGuest.Result r = open.run("nslookup www.example.test 10.0.2.3", Duration.ofSeconds(30));
        assertThat(r.output()).contains("Address: 198.51.100.7");
    }

    @Test
    void restrictedGuestReachesNothingBeyondTheGateway() throws InterruptedException {
        assertThat(restricted.run("ping -c 1 -w 4 " + INTERNET, Duration.ofSeconds(20)).ok()).isFalse();
        assertThat(restricted.run("timeout 8 wget -q -O - http://" + INTERNET + "/index.html", Duration.ofSeconds(20)).ok())
                .isFalse();
        assertThat(restricted.run("timeout 8 nslookup www.example.test 10.0.2.3", Duration.ofSeconds(20)).ok()).isFalse();
        assertThat(restricted.runOk("ping -c 1 -w 10 10.0.2.2")).contains("1 packets received");
    }

    @Test
    void restrictedGuestStillServesThroughItsHostForward() throws InterruptedException {
        restricted.runOk("httpd -p 80 -h /www");
        assertThat(host.execOk("busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:8081/index.html"))
                .contains("hello from restricted");
    }
}
