package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * 802.1Q on a vnet4j switch, with namespaces the test creates on TAPs: two access ports of VLAN 10 and
 * one of VLAN 20, all in one IPv4 subnet, so only the VLANs keep them apart; a trunk of VLANs 10 and 20
 * to a QEMU guest that reaches them through Linux VLAN sub-interfaces ({@code vconfig add eth0 10}: the
 * guest's kernel, because this host's kernel is built without 802.1Q, CONFIG_VLAN_8021Q); the user
 * network serving VLAN 10 alone; and a vhost-user trunk, whose guest's VLAN sub-interface sends and takes
 * large TCP segments tagged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class VlanIT {
    private NetNamespace a10;
    private NetNamespace b10;
    private NetNamespace c20;
    private QemuGuest trunk;
    private QemuGuest vhostTrunk;
    private Path dir;
    private VnetProcess vnet;

    @BeforeAll
    void start() throws Exception {
        long pid = ProcessHandle.current().pid();
        a10 = NetNamespace.create("vnet4j-it-a10-" + pid);
        b10 = NetNamespace.create("vnet4j-it-b10-" + pid);
        c20 = NetNamespace.create("vnet4j-it-c20-" + pid);
        dir = Files.createTempDirectory("vnet4j-vlan-it");
        Path trunkSocket = dir.resolve("trunk.sock");
        Path vhostSocket = dir.resolve("vhost.sock");
        vnet = VnetProcess.start(
                "-object", "switch,id=sw0",
                "-netdev", "user,id=u,vlan=10,ipv6=off",
                "-netdev", "tap,id=a,ifname=vna,script=no,downscript=no,vlan=10,netns=/run/netns/" + a10.name(),
                "-netdev", "tap,id=b,ifname=vnb,script=no,downscript=no,vlan=10,netns=/run/netns/" + b10.name(),
                "-netdev", "tap,id=c,ifname=vnc,script=no,downscript=no,vlan=20,netns=/run/netns/" + c20.name(),
                "-netdev", "stream,id=t,server=on,addr.type=unix,addr.path=" + trunkSocket + ",trunk=10,trunk=20",
                "-netdev", "vhost-user,id=vt,path=" + vhostSocket + ",trunk=10",
                "--control", dir.resolve("control.sock").toString());
        up(a10, "vna", "198.51.100.1/24");
        up(b10, "vnb", "198.51.100.2/24");
        up(c20, "vnc", "198.51.100.3/24");
        c20.execOk("ip", "addr", "add", "192.0.2.3/24", "dev", "vnc");
        trunk = QemuGuest.builder("trunk").netdev("stream,server=off,addr.type=unix,addr.path=" + trunkSocket).boot();
        trunk.runOk("ip link set eth0 up && vconfig add eth0 10 && vconfig add eth0 20"
                + " && ip addr add 198.51.100.4/24 dev eth0.10 && ip link set eth0.10 up"
                + " && ip addr add 192.0.2.5/24 dev eth0.20 && ip link set eth0.20 up");
        vhostTrunk = QemuGuest.builder("vhosttrunk").vhostUser(vhostSocket).boot();
        vhostTrunk.runOk("ip link set eth0 up && vconfig add eth0 10 && ip addr add 198.51.100.6/24 dev eth0.10"
                + " && ip link set eth0.10 up");
    }

    private static void up(NetNamespace ns, String device, String address) {
        ns.execOk("ip", "addr", "add", address, "dev", device);
        ns.execOk("ip", "link", "set", device, "up");
    }

    @AfterAll
    void stop() throws IOException {
        if (trunk != null) trunk.close();
        if (vhostTrunk != null) vhostTrunk.close();
        if (vnet != null) vnet.close();
        for (NetNamespace ns : new NetNamespace[] {a10, b10, c20}) {
            if (ns != null) ns.close();
        }
        if (dir != null) PeerTools.deleteTree(dir);
    }

    private static PeerTools.Exec in(NetNamespace ns, String... command) {
        List<String> all = new java.util.ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        all.addAll(List.of(command));
        return PeerTools.exec(Duration.ofSeconds(30), all);
    }

    @Test
    void accessPortsOfOneVlanReachEachOtherAndNotAnotherVlan() {
        assertThat(a10.execOk("busybox", "ping", "-c", "2", "-W", "5", "198.51.100.2")).contains("2 packets received");
        PeerTools.Exec other = in(a10, "busybox", "ping", "-c", "2", "-W", "2", "198.51.100.3");
        assertThat(other.exitCode()).as(other.output()).isNotZero();
        assertThat(other.output()).contains("0 packets received");
    }

    @Test
    void aTrunkReachesEachVlanThroughLinuxVlanSubInterfaces() throws InterruptedException {
        assertThat(trunk.runOk("ping -c 2 -W 5 198.51.100.1")).contains("2 packets received");
        assertThat(trunk.runOk("ping -c 2 -W 5 192.0.2.3")).contains("2 packets received");
        assertThat(c20.execOk("busybox", "ping", "-c", "2", "-W", "5", "192.0.2.5")).contains("2 packets received");
        PeerTools.Exec info = VnetProcess.ctl(null, "--control", dir.resolve("control.sock").toString(), "info", "network");
        assertThat(info.output()).contains("trunk=10,trunk=20,link=up", "vlan=10,link=up", "vlan=20,link=up");
        assertThat(vnet.log()).contains("c: hub 0, tap ifname=vnc", ", vlan=20\n", "t: hub 0, stream server=on",
                ", trunk=10,trunk=20\n");
        assertThat(vnet.log().split("c: hub 0, tap ", -1)).as("the TAP's start-up line, once").hasSize(2);
    }

    /**
     * The guest's eth0.10 sends its TCP segments large and tagged (TSO), which the hub dropped as the trunk's
     * receive errors, so neither an upload nor a download got past its first segments; the access TAP's large
     * segments come back to the trunk whole and tagged.
     */
    @Test
    void aVhostUserTrunksGuestMovesLargeSegmentsOnItsVlan() throws Exception {
        int size = 4 << 20;
        Path web = Files.createDirectories(dir.resolve("web"));
        byte[] down = new byte[size];
        new java.util.Random(7).nextBytes(down);
        Files.write(web.resolve("down"), down);
        Path upSum = dir.resolve("up.md5");
        // the listener's stdin stays open (sleep): busybox nc ends a connection when its stdin ends
        a10.execOk("sh", "-c", "(sleep 60 | busybox nc -l -p 5001 | md5sum > " + upSum + ") >/dev/null 2>&1 &"
                + " busybox httpd -p 8080 -h " + web);
        try {
            vhostTrunk.runOk("head -c " + size + " /dev/urandom > /tmp/up");
            String sent = vhostTrunk.runOk("md5sum /tmp/up").substring(0, 32);
            vhostTrunk.transferOk("nc 198.51.100.1 5001 < /tmp/up", Duration.ofSeconds(60));
            String received = vhostTrunk.transferOk("wget -q -O - http://198.51.100.1:8080/down | md5sum",
                    Duration.ofSeconds(60));
            assertThat(received).startsWith(md5(down));
            for (int i = 0; i < 50 && (!Files.exists(upSum) || Files.size(upSum) == 0); i++) {
                Thread.sleep(100);
            }
            assertThat(Files.readString(upSum)).startsWith(sent);
        } finally {
            PeerTools.exec(Duration.ofSeconds(10), List.of("pkill", "-f", "busybox httpd -p 8080 -h " + web));
        }
    }

    private static String md5(byte[] bytes) throws java.security.NoSuchAlgorithmException {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(bytes));
    }

    @Test
    void theUserNetworkServesItsVlanAlone() throws InterruptedException {
        assertThat(a10.execOk("busybox", "udhcpc", "-i", "vna", "-n", "-q", "-f", "-t", "3", "-T", "2", "-s", "/bin/true"))
                .contains("lease of 10.0.2.");
        assertThat(trunk.runOk("udhcpc -i eth0.10 -n -q -f -t 3 -T 2 -s /bin/true 2>&1")).contains("lease of 10.0.2.");
        PeerTools.Exec none = in(c20, "busybox", "udhcpc", "-i", "vnc", "-n", "-q", "-f", "-t", "2", "-T", "1", "-s", "/bin/true");
        assertThat(none.exitCode()).as(none.output()).isNotZero();
        PeerTools.Exec table = VnetProcess.ctl(null, "--control", dir.resolve("control.sock").toString(), "info", "mac-table");
        assertThat(table.output()).contains("switch sw0", "port u ", "vlan 10");
    }
}
