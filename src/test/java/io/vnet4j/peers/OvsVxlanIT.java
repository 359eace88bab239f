package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * VXLAN between vnet4j and Open vSwitch's userspace datapath ({@code datapath_type=netdev}, "userspace
 * tunnelling": no kernel module). Two namespaces joined by a veth pair: A holds 198.51.100.1 and vnet4j (a
 * user network and {@code -netdev vxlan}, VNI 42, on one hub); B holds ovsdb-server and ovs-vswitchd,
 * started by hand with their database, sockets and logs in a temporary directory. As in the userspace
 * tunnelling how-to, B's veth end is a port of bridge br-phy, whose internal port (a tap) holds the
 * underlay address 198.51.100.2; bridge br-int has a {@code type=vxlan} port (key 42, remote 198.51.100.1)
 * and its internal port (a tap, MTU 1450) takes a DHCP lease from A's user network, pings the gateway and
 * fetches a page and 1 MiB intact from a server on A's loopback through the NAT.
 *
 * <p>Two things this path needs: A's veth sends with tx checksum offload off, or the outer UDP checksum of
 * vnet4j's datagrams reaches OVS's packet socket unfinished (the kernel left it to an offload that a veth
 * never does) and OVS drops every one as a tunnel pop error; and br-int's MTU is the inner MTU (1450): at
 * OVS's default of 1500 its TCP announces an MSS of 1460, and the segments vnet4j cuts to that size
 * leave as fragmented datagrams, which OVS's userspace datapath does not reassemble, so a download stalls
 * (Linux's vxlan devices do reassemble them: VxlanIT).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class OvsVxlanIT {
    private static final String GATEWAY_MAC = "52:55:0a:00:02:02";

    private NetNamespace a;
    private NetNamespace b;
    /** A's end of the underlay's veth pair. */
    private String veth;
    private Path dir;
    /** ovsdb-server's and ovs-vswitchd's run, database and log directory. */
    private Path ovs;
    private final List<Path> pidfiles = new ArrayList<>();
    private Thread killOvs;
    private VnetProcess vnet;
    private Process http;
    private String blobMd5;

    @BeforeAll
    void start() throws Exception {
        PeerTools.require("ethtool", "ethtool");
        PeerTools.require("ovsdb-tool", "openvswitch-common");
        PeerTools.require("ovs-vsctl", "openvswitch-switch");
        PeerTools.require("ovs-appctl", "openvswitch-common");
        PeerTools.require("ovsdb-server", "openvswitch-common");
        PeerTools.require("ovs-vswitchd", "openvswitch-switch");
        long pid = ProcessHandle.current().pid();
        a = NetNamespace.create("vnet4j-it-ovsa-" + pid);
        b = NetNamespace.create("vnet4j-it-ovsb-" + pid);
        veth = "ova" + pid % 100000;
        String peer = "ovb" + pid % 100000;
        PeerTools.execOk("ip", "link", "add", veth, "type", "veth", "peer", "name", peer);
        PeerTools.execOk("ip", "link", "set", veth, "netns", a.name());
        PeerTools.execOk("ip", "link", "set", peer, "netns", b.name());
        for (NetNamespace ns : new NetNamespace[] {a, b}) {
            ns.execOk("ip", "link", "set", "lo", "up");
        }
        a.execOk("ip", "addr", "add", "198.51.100.1/24", "dev", veth);
        // vnet4j's datagrams carry a UDP checksum; with offload on, the kernel leaves it unfinished on a veth
        // (CHECKSUM_PARTIAL) and OVS's packet socket gets it so: datapath_drop_tunnel_pop_error, no lease
        a.execOk("ethtool", "-K", veth, "tx", "off");
        a.execOk("ip", "link", "set", veth, "up");
        b.execOk("ip", "link", "set", peer, "up"); // no address: br-phy holds B's

        dir = Files.createTempDirectory("vnet4j-ovs-it");
        Files.writeString(dir.resolve("index.html"), "hello over ovs\n");
        byte[] blob = new byte[1 << 20];
        new java.util.Random(11).nextBytes(blob);
        Files.write(dir.resolve("blob"), blob);
        blobMd5 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(blob));
        http = a.start("busybox", "httpd", "-f", "-p", "127.0.0.1:8080", "-h", dir.toString());
        vnet = VnetProcess.startIn(a.name(),
                "-netdev", "user,id=u,ipv6=off",
                "-netdev", "vxlan,id=vx,vni=42,local=198.51.100.1,remote=198.51.100.2",
                "--control", dir.resolve("control.sock").toString());

        ovs = Files.createDirectory(dir.resolve("ovs"));
        killOvs = new Thread(this::stopOvs); // a JVM ended by a signal leaves no daemon behind
        Runtime.getRuntime().addShutdownHook(killOvs);
        PeerTools.execOk("ovsdb-tool", "create", ovs.resolve("conf.db").toString(), "/usr/share/openvswitch/vswitch.ovsschema");
        startOvs("ovsdb-server", ovs.resolve("conf.db").toString(), "--remote=punix:" + ovs.resolve("db.sock"));
        vsctl("--no-wait", "init");
        startOvs("ovs-vswitchd", "unix:" + ovs.resolve("db.sock"));
        String peerMac = b.execOk("cat", "/sys/class/net/" + peer + "/address").strip();
        // without --no-wait each call returns once ovs-vswitchd has made the ports (the bridges' taps)
        vsctl("add-br", "br-phy", "--", "set", "bridge", "br-phy", "datapath_type=netdev", "fail-mode=standalone",
                "other_config:hwaddr=" + peerMac);
        vsctl("add-port", "br-phy", peer);
        b.execOk("ip", "addr", "add", "198.51.100.2/24", "dev", "br-phy");
        b.execOk("ip", "link", "set", "br-phy", "up");
        vsctl("add-br", "br-int", "--", "set", "bridge", "br-int", "datapath_type=netdev", "fail-mode=standalone");
        vsctl("add-port", "br-int", "vxlan0", "--", "set", "interface", "vxlan0", "type=vxlan",
                "options:remote_ip=198.51.100.1", "options:key=42");
        vsctl("set", "interface", "br-int", "mtu_request=1450");
        b.execOk("ip", "link", "set", "br-int", "up");
        // OVS takes its tunnel routes from the kernel's routing table (by netlink): wait for br-phy's
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!appctl("ovs/route/show").contains("198.51.100.0/24 dev br-phy")) {
            if (System.nanoTime() > deadline) throw new AssertionError("no route via br-phy in OVS:\n" + appctl("ovs/route/show"));
            Thread.sleep(100);
        }
    }

    /**
     * Starts an OVS daemon inside B, detached (it returns once the daemon is ready), its pidfile, control
     * socket and log in {@link #ovs}; OVS_RUNDIR puts the bridges' management sockets there too.
     */
    private void startOvs(String daemon, String... args) {
        Path pidfile = ovs.resolve(daemon + ".pid");
        pidfiles.add(0, pidfile); // stopped in reverse order
        List<String> command = new ArrayList<>(List.of("env", "OVS_RUNDIR=" + ovs, "OVS_DBDIR=" + ovs, "OVS_LOGDIR=" + ovs,
                "OVS_SYSCONFDIR=" + ovs, daemon));
        command.addAll(List.of(args));
        command.addAll(List.of("--pidfile=" + pidfile, "--unixctl=" + ovs.resolve(daemon + ".ctl"),
                "--log-file=" + ovs.resolve(daemon + ".log"), "--detach", "--no-chdir"));
        b.execOk(command.toArray(String[]::new));
    }

    private String vsctl(String... args) {
        List<String> command = new ArrayList<>(List.of("ovs-vsctl", "--db=unix:" + ovs.resolve("db.sock"), "--timeout=20"));
        command.addAll(List.of(args));
        return PeerTools.execOk(command.toArray(String[]::new));
    }

    private String appctl(String... args) {
        List<String> command = new ArrayList<>(List.of("ovs-appctl", "-t", ovs.resolve("ovs-vswitchd.ctl").toString()));
        command.addAll(List.of(args));
        return PeerTools.execOk(command.toArray(String[]::new));
    }

    /** SIGTERM to each daemon in its pidfile (SIGKILL after 10 s). */
    private void stopOvs() {
        for (Path pidfile : pidfiles) {
            try {
                if (!Files.exists(pidfile)) continue;
                long pid = Long.parseLong(Files.readString(pidfile).strip());
                ProcessHandle.of(pid).ifPresent(p -> {
                    p.destroy();
                    try {
                        p.onExit().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        p.destroyForcibly();
                    }
                });
            } catch (IOException | NumberFormatException ignored) {
                // daemon never started
            }
        }
    }

    @AfterAll
    void stop() throws IOException {
        stopOvs();
        if (killOvs != null) Runtime.getRuntime().removeShutdownHook(killOvs);
        if (vnet != null) vnet.close();
        if (http != null) http.destroyForcibly();
        for (NetNamespace ns : new NetNamespace[] {a, b}) {
            if (ns != null) ns.close();
        }
        if (dir != null) PeerTools.deleteTree(dir);
    }

    /** br-int's lease from A's user network (failing with OVS's drop counters and log). */
    private String lease() throws IOException {
        String lease = PeerTools.exec(Duration.ofSeconds(30), List.of("ip", "netns", "exec", b.name(),
                "busybox", "udhcpc", "-i", "br-int", "-n", "-q", "-f", "-t", "3", "-T", "2", "-s", "/bin/true")).output();
        if (!lease.contains("obtained from 10.0.2.2")) {
            String drops = appctl("coverage/show").lines().filter(l -> l.contains("drop")).reduce("", (x, y) -> x + y + "\n");
            throw new AssertionError("no lease over OVS:\n" + lease + "\nOVS drop counters:\n" + drops + "\novs-vswitchd.log:\n"
                    + Files.readString(ovs.resolve("ovs-vswitchd.log")));
        }
        return lease.replaceAll("(?s).*lease of (10\\.0\\.2\\.\\d+) obtained.*", "$1");
    }

    @Test
    void anOvsInternalPortGetsALeasePingsTheGatewayAndFetchesThroughTheNat() throws IOException {
        b.execOk("ip", "addr", "replace", lease() + "/24", "dev", "br-int");
        assertThat(b.execOk("busybox", "ping", "-c", "2", "-W", "5", "10.0.2.2")).contains("2 packets received");
        // busybox's wget segfaults with -T, hence timeout(1)
        assertThat(b.execOk("timeout", "20", "busybox", "wget", "-q", "-O", "-", "http://10.0.2.2:8080/index.html"))
                .isEqualTo("hello over ovs\n");
        assertThat(b.execOk("sh", "-c", "timeout 60 busybox wget -q -O - http://10.0.2.2:8080/blob | busybox md5sum"))
                .startsWith(blobMd5);
        assertThat(vnet.log()).contains("vx: VXLAN VNI 42 to 198.51.100.2, UDP port 4789", "MTU 1500: inner MTU 1450");
    }

    @Test
    void ovsDecapsulatesOurDatagramsAtVni42AndSendsItsOwnBack() throws IOException {
        lease(); // a broadcast out through OVS, unicast replies in
        String aMac = a.execOk("cat", "/sys/class/net/" + veth + "/address").strip();
        String flows = appctl("dpctl/dump-flows");
        assertThat(flows).as("OVS's datapath flows")
                // vnet4j's datagrams, popped (they carry a UDP checksum: +csum) ...
                .contains("tunnel(tun_id=0x2a,src=198.51.100.1,dst=198.51.100.2,flags(-df+csum+key))")
                // ... and OVS's pushed toward A's veth (without a UDP checksum)
                .containsPattern("tnl_push\\(tnl_port\\(\\d+\\),header\\(size=50,type=4,eth\\(dst=" + aMac
                        + ",[^)]*\\),ipv4\\(src=198\\.51\\.100\\.2,dst=198\\.51\\.100\\.1,proto=17,[^)]*\\),"
                        + "udp\\(src=0,dst=4789,csum=0x0\\),vxlan\\(flags=0x8000000,vni=0x2a\\)\\)");
        // OVS resolved vnet4j's VTEP by ARP on br-phy, and learnt the gateway's MAC behind the VXLAN port
        assertThat(appctl("tnl/neigh/show")).containsPattern("198\\.51\\.100\\.1\\s+" + aMac + "\\s+br-phy");
        String vxlanPort = vsctl("get", "interface", "vxlan0", "ofport").strip();
        assertThat(appctl("fdb/show", "br-int")).containsPattern("(?m)^\\s*" + vxlanPort + "\\s+0\\s+" + GATEWAY_MAC + "\\s");
        assertThat(appctl("coverage/show")).doesNotContain("datapath_drop_tunnel_pop_error");
        PeerTools.Exec info = VnetProcess.ctl(a.name(), "--control", dir.resolve("control.sock").toString(), "info", "network");
        assertThat(info.output()).contains("vx: type=vxlan,vni=42,local=198.51.100.1,remote=198.51.100.2,dstport=4789",
                "vxlan: on UDP port 4789, datagrams of a VNI no vxlan netdev serves 0, malformed 0");
    }
}
