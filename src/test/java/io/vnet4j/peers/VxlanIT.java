package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * VXLAN (RFC 7348) between vnet4j and Linux, on an underlay the test makes: two namespaces joined by a
 * veth pair, 198.51.100.1 (vnet4j, daemon A) and 198.51.100.2 (a Linux {@code vxlan} device, VNI 42, and
 * vnet4j daemon B). Over VNI 42 the Linux side takes a DHCP lease from A's user network, pings its gateway
 * and fetches a page and 4 MiB intact (large segments, cut and sent with UDP GSO) from a server on A's
 * loopback through the NAT; a capture of the underlay decodes A's
 * datagrams as VXLAN. A second Linux device, VNI 43 on multicast group 239.1.1.1, takes a lease the same
 * way through A's group port, which learns its MAC behind 198.51.100.2. Over VNI 7 (UDP port 4790, beside Linux's 4789) A's and B's hubs are one: a QEMU
 * guest on each pings the other. The same underlay carries IPv6 too, 2001:db8::1 (A) and 2001:db8::2 (B):
 * a Linux device of VNI 44 over it, moved to a third namespace (it keeps its underlay in B), takes a lease,
 * pings and fetches 4 MiB intact, with an MTU of 1500, more than the inner MTU of 1430, so A's datagrams
 * leave one by one, fragmented, not batched; one of VNI 45 on group ff05::100, which sends zero UDP checksums
 * (udp6zerocsumtx), takes a lease and is learnt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(180)
class VxlanIT {
    private NetNamespace a;
    private NetNamespace b;
    /** Holds the IPv6-underlay Linux device alone, so its routes meet no other's. */
    private NetNamespace c;
    /** B's end of the underlay's veth pair. */
    private String underlay;
    /** A's end of it. */
    private String underlayA;
    private Path dir;
    private VnetProcess vnetA;
    private VnetProcess vnetB;
    private Process http;
    private QemuGuest guestA;
    private QemuGuest guestB;
    private String blobMd5;

    @BeforeAll
    void start() throws Exception {
        PeerTools.require("ethtool", "ethtool");
        PeerTools.require("tshark", "tshark");
        long pid = ProcessHandle.current().pid();
        a = NetNamespace.create("vnet4j-it-vxa-" + pid);
        b = NetNamespace.create("vnet4j-it-vxb-" + pid);
        c = NetNamespace.create("vnet4j-it-vxc-" + pid);
        String veth = "vxa" + pid % 100000;
        String peer = "vxb" + pid % 100000;
        underlay = peer;
        underlayA = veth;
        PeerTools.execOk("ip", "link", "add", veth, "type", "veth", "peer", "name", peer);
        PeerTools.execOk("ip", "link", "set", veth, "netns", a.name());
        PeerTools.execOk("ip", "link", "set", peer, "netns", b.name());
        a.execOk("ip", "addr", "add", "198.51.100.1/24", "dev", veth);
        b.execOk("ip", "addr", "add", "198.51.100.2/24", "dev", peer);
        a.execOk("ip", "addr", "add", "2001:db8::1/64", "dev", veth, "nodad");
        b.execOk("ip", "addr", "add", "2001:db8::2/64", "dev", peer, "nodad");
        for (NetNamespace ns : new NetNamespace[] {a, b, c}) {
            ns.execOk("ip", "link", "set", "lo", "up");
        }
        a.execOk("ip", "link", "set", veth, "up");
        b.execOk("ip", "link", "set", peer, "up");
        b.execOk("ip", "link", "add", "vx0", "type", "vxlan", "id", "42", "local", "198.51.100.2", "remote", "198.51.100.1",
                "dstport", "4789", "dev", peer);
        // a datagram that crosses a veth to a socket keeps the inner checksum the sender left to offload
        // (CHECKSUM_PARTIAL); over a real NIC the NIC or the kernel completes it
        b.execOk("ethtool", "-K", "vx0", "tx", "off");
        b.execOk("ip", "link", "set", "vx0", "up");
        b.execOk("ip", "link", "add", "vx1", "type", "vxlan", "id", "43", "group", "239.1.1.1", "dev", peer, "dstport", "4789");
        b.execOk("ethtool", "-K", "vx1", "tx", "off");
        b.execOk("ip", "link", "set", "vx1", "up");
        b.execOk("ip", "link", "add", "vx2", "type", "vxlan", "id", "44", "local", "2001:db8::2", "remote", "2001:db8::1",
                "dstport", "4789"); // no dev: Linux would cap its MTU at the underlay's less 70
        b.execOk("ip", "link", "set", "vx2", "netns", c.name()); // its underlay socket stays in B
        c.execOk("ethtool", "-K", "vx2", "tx", "off");
        // more than the 1430 an IPv6 underlay of MTU 1500 carries whole: A's datagrams to it are fragmented
        c.execOk("ip", "link", "set", "vx2", "mtu", "1500");
        c.execOk("ip", "link", "set", "vx2", "up");
        // zero UDP checksums over IPv6 (RFC 6935): A takes them with udp6zerocsumrx=on, as Linux with its own
        b.execOk("ip", "link", "add", "vx3", "type", "vxlan", "id", "45", "group", "ff05::100", "dev", peer, "dstport", "4789",
                "udp6zerocsumtx");
        b.execOk("ethtool", "-K", "vx3", "tx", "off");
        b.execOk("ip", "link", "set", "vx3", "up");

        dir = Files.createTempDirectory("vnet4j-vxlan-it");
        Files.writeString(dir.resolve("index.html"), "hello over vxlan\n");
        byte[] blob = new byte[4 << 20]; // the user network sends it in large segments, cut with UDP GSO
        new java.util.Random(7).nextBytes(blob);
        Files.write(dir.resolve("blob"), blob);
        blobMd5 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(blob));
        http = a.start("busybox", "httpd", "-f", "-p", "127.0.0.1:8080", "-h", dir.toString());
        vnetA = VnetProcess.startIn(a.name(),
                "-object", "switch,id=sw0", // flooded, the IPv4 guest's frames would not fit the IPv6 underlay (MTU 1430)
                "-netdev", "user,id=u,ipv6=off",
                "-netdev", "vxlan,id=vx,vni=42,local=198.51.100.1,remote=198.51.100.2",
                "-netdev", "vxlan,id=vg,vni=43,group=239.1.1.1,dev=" + veth,
                "-netdev", "vxlan,id=v6,vni=44,local=2001:db8::1,remote=2001:db8::2",
                "-netdev", "vxlan,id=vg6,vni=45,group=ff05::100,udp6zerocsumrx=on,dev=" + veth,
                "-netdev", "vxlan,id=vy,hubid=1,vni=7,local=198.51.100.1,remote=198.51.100.2,dstport=4790",
                "-netdev", "stream,id=vm,hubid=1,server=on,addr.type=unix,addr.path=" + dir.resolve("a.sock"),
                "--control", dir.resolve("a-control.sock").toString(), "--http", "127.0.0.1:9464");
        vnetB = VnetProcess.startIn(b.name(),
                "-netdev", "vxlan,id=vy,vni=7,local=198.51.100.2,remote=198.51.100.1,dstport=4790",
                "-netdev", "stream,id=vm,server=on,addr.type=unix,addr.path=" + dir.resolve("b.sock"),
                "--control", "none");
        guestA = QemuGuest.builder("vxlan-a").ip("192.0.2.10/24")
                .netdev("stream,server=off,addr.type=unix,addr.path=" + dir.resolve("a.sock")).start();
        guestB = QemuGuest.builder("vxlan-b").ip("192.0.2.11/24")
                .netdev("stream,server=off,addr.type=unix,addr.path=" + dir.resolve("b.sock")).start();
        guestA.awaitReady(Duration.ofSeconds(90));
        guestB.awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    void stop() throws IOException {
        PeerTools.closeAll(guestA, guestB, vnetA, vnetB);
        if (http != null) http.destroyForcibly();
        for (NetNamespace ns : new NetNamespace[] {c, a, b}) {
            if (ns != null) ns.close();
        }
        if (dir != null) PeerTools.deleteTree(dir);
    }

    @Test
    void aLinuxVxlanDeviceGetsALeasePingsTheGatewayFetchesAndUploadsThroughTheNat() throws Exception {
        String lease = b.execOk("busybox", "udhcpc", "-i", "vx0", "-n", "-q", "-f", "-t", "3", "-T", "2", "-s", "/bin/true");
        assertThat(lease).contains("obtained from 10.0.2.2");
        String address = lease.replaceAll("(?s).*lease of (10\\.0\\.2\\.\\d+) obtained.*", "$1");
        b.execOk("ip", "addr", "add", address + "/24", "dev", "vx0");
        assertThat(b.execOk("busybox", "ping", "-c", "2", "-W", "5", "10.0.2.2")).contains("2 packets received");
        // busybox's wget segfaults with -T, hence timeout(1)
        assertThat(b.execOk("timeout", "20", "busybox", "wget", "-q", "-O", "-", "http://10.0.2.2:8080/index.html"))
                .isEqualTo("hello over vxlan\n");
        assertThat(b.execOk("sh", "-c", "timeout 60 busybox wget -q -O - http://10.0.2.2:8080/blob | busybox md5sum"))
                .startsWith(blobMd5);
        // an upload to a listener on A's loopback: the device's segments come in batches, which the vxlan
        // netdev joins into large segments for the user network (TcpCoalescer)
        Path received = dir.resolve("uploaded");
        Process listener = a.startTcpSink(9000, received);
        b.execOk("sh", "-c", "timeout 60 busybox nc 10.0.2.2 9000 < " + dir.resolve("blob"));
        assertThat(listener.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(b.execOk("busybox", "md5sum", received.toString())).startsWith(blobMd5);
        // the user network sends the guest's whole window in one burst: none of it may be lost on the way
        PeerTools.Exec info = VnetProcess.ctl(a.name(), "--control", dir.resolve("a-control.sock").toString(), "info", "network");
        assertThat(info.output()).as(vnetA.log()).containsPattern(" \\\\ vx: type=vxlan[^\\n]*\\n[^\\n]*, dropped 0, ");
        assertThat(info.output()).as("the upload's segments joined").containsPattern("joined to the one before [1-9]");
        assertThat(vnetA.log()).contains("vx: VXLAN VNI 42 to 198.51.100.2, UDP port 4789",
                "MTU 1500: inner MTU 1450");
    }

    @Test
    void overAnIpv6UnderlayALinuxVxlanDeviceGetsALeasePingsAndFetchesThroughTheNat() {
        String lease = c.execOk("busybox", "udhcpc", "-i", "vx2", "-n", "-q", "-f", "-t", "3", "-T", "2", "-s", "/bin/true");
        assertThat(lease).contains("obtained from 10.0.2.2");
        String address = lease.replaceAll("(?s).*lease of (10\\.0\\.2\\.\\d+) obtained.*", "$1");
        c.execOk("ip", "addr", "add", address + "/24", "dev", "vx2");
        assertThat(c.execOk("busybox", "ping", "-c", "2", "-W", "5", "10.0.2.2")).contains("2 packets received");
        assertThat(c.execOk("sh", "-c", "timeout 60 busybox wget -q -O - http://10.0.2.2:8080/blob | busybox md5sum"))
                .startsWith(blobMd5);
        PeerTools.Exec info = VnetProcess.ctl(a.name(), "--control", dir.resolve("a-control.sock").toString(), "info", "network");
        assertThat(info.output()).as(vnetA.log()).containsPattern(" \\\\ v6: type=vxlan[^\\n]*\\n[^\\n]*, dropped 0, ");
        assertThat(info.output()).contains("vxlan: on UDP port 4789 over IPv6,");
        assertThat(vnetA.log()).contains("v6: VXLAN VNI 44 to 2001:db8::2, UDP port 4789", "MTU 1500: inner MTU 1430",
                "v6: datagrams of 1522 bytes do not fit the underlay's MTU: they leave one at a time");
    }

    @Test
    void overAnIpv6MulticastGroupALinuxVxlanDeviceGetsALeaseAndIsLearnt() {
        assertThat(b.execOk("busybox", "udhcpc", "-i", "vx3", "-n", "-q", "-f", "-t", "3", "-T", "2", "-s", "/bin/true"))
                .contains("obtained from 10.0.2.2");
        PeerTools.Exec info = VnetProcess.ctl(a.name(), "--control", dir.resolve("a-control.sock").toString(), "info", "network");
        assertThat(info.output()).containsPattern("vg6: type=vxlan,vni=45,group=ff05::100,dev=\\w+,dstport=4789,udp6zerocsumrx=on,link=up\\n"
                + "(?:[^\\n]*\\n){0,2}[^\\n]*MACs learnt behind remote VTEPs 1,");
    }

    @Test
    void aLinuxVxlanDeviceOnAMulticastGroupGetsALeaseAndIsLearntBehindItsVtep() {
        assertThat(b.execOk("busybox", "udhcpc", "-i", "vx1", "-n", "-q", "-f", "-t", "3", "-T", "2", "-s", "/bin/true"))
                .contains("obtained from 10.0.2.2");
        PeerTools.Exec info = VnetProcess.ctl(a.name(), "--control", dir.resolve("a-control.sock").toString(), "info", "network");
        assertThat(info.output()).contains("vg: type=vxlan,vni=43,group=239.1.1.1",
                "MACs learnt behind remote VTEPs 1,");
        // the same counters as metrics (helper-94: info network's prose only), the UDP port's once per port and family
        String metrics = a.execOk("curl", "-sf", "http://127.0.0.1:9464/metrics");
        assertThat(metrics).contains("vnet4j_vxlan_learnt_macs{hub=\"0\",netdev=\"vg\"} 1.0")
                .contains("vnet4j_vxlan_joined_segments_total{hub=\"0\",netdev=\"vx\"}")
                .containsPattern("vnet4j_vxlan_dropped_datagrams_total\\{dstport=\"4789\",family=\"ipv4\",reason=\"other_vni\"} \\d");
        assertThat(metrics.lines().filter(l -> l.startsWith("vnet4j_vxlan_dropped_datagrams_total{dstport=\"4789\",family=\"ipv4\",reason=\"malformed\"}")))
                .hasSize(1);
        // and as fields of query-network's netdev state
        PeerTools.Exec json = VnetProcess.ctl(a.name(), "--control", dir.resolve("a-control.sock").toString(), "query-network");
        assertThat(json.output()).contains("\"id\":\"vg\"").containsPattern("\"learnt-macs\":1[,}]")
                .contains("\"other-vni-datagrams\":");
    }

    @Test
    void aCaptureOfTheUnderlayDecodesOurDatagramsAsVxlan() throws Exception {
        Process tshark = new ProcessBuilder("ip", "netns", "exec", b.name(), "timeout", "30", "tshark", "-n", "-i", underlay,
                "-c", "2", "-f", "udp and src host 198.51.100.1 and dst host 198.51.100.2 and dst port 4789", "-T", "fields", "-e", "vxlan.flag_i",
                "-e", "vxlan.vni").start();
        var errors = new java.io.BufferedReader(new java.io.InputStreamReader(tshark.getErrorStream()));
        StringBuilder said = new StringBuilder();
        for (String line; (line = errors.readLine()) != null && !line.contains("Capturing on"); ) {
            said.append(line).append('\n'); // until tshark says it captures
        }
        // offer, ack; again while tshark has not seen two: "Capturing on" can come before its filter takes the first
        // datagrams (one of two captured in a CI run with the machine busy)
        for (int round = 0; round < 5 && !tshark.waitFor(round == 0 ? 0 : 2, java.util.concurrent.TimeUnit.SECONDS); round++) {
            b.execOk("busybox", "udhcpc", "-i", "vx0", "-n", "-q", "-f", "-t", "3", "-T", "2", "-s", "/bin/true");
        }
        String fields = new String(tshark.getInputStream().readAllBytes());
        tshark.waitFor();
        assertThat(fields.lines().toList()).as(said + fields).hasSize(2).allSatisfy(line -> assertThat(line).isIn("True\t42", "1\t42"));
    }

    /**
     * Group netdevs added and removed at run time: a second VNI on vg's group joins nothing more (the kernel
     * refuses a second membership with EADDRINUSE), a group's last netdev leaves it (it can be added again),
     * and a second process on A's VXLAN port is refused as a Linux vxlan device there is, not let take its
     * datagrams.
     */
    @Test
    void groupNetdevsShareAGroupLeaveItWithTheLastAndNoOtherProcessTakesThePort() {
        String control = dir.resolve("a-control.sock").toString();
        String igmp = "010101EF"; // 239.1.1.1 as /proc/net/igmp shows it
        for (int round = 0; round < 2; round++) {
            assertThat(VnetProcess.ctl(a.name(), "--control", control, "netdev_add",
                    "vxlan,id=vg2,vni=46,group=239.1.1.1,dev=" + underlayA).output()).as("round " + round).isBlank();
            assertThat(VnetProcess.ctl(a.name(), "--control", control, "netdev_add",
                    "vxlan,id=vg3,vni=47,group=239.1.1.2,dev=" + underlayA).output()).as("round " + round).isBlank();
            assertThat(a.execOk("cat", "/proc/net/igmp")).contains(igmp, "020101EF");
            VnetProcess.ctl(a.name(), "--control", control, "netdev_del", "vg2");
            VnetProcess.ctl(a.name(), "--control", control, "netdev_del", "vg3");
            assertThat(a.execOk("cat", "/proc/net/igmp")).as("vg's group kept, vg3's left").contains(igmp)
                    .doesNotContain("020101EF");
        }
        PeerTools.Exec second = PeerTools.exec(Duration.ofSeconds(60), java.util.stream.Stream.concat(
                java.util.stream.Stream.of("ip", "netns", "exec", a.name()), java.util.stream.Stream.concat(
                        VnetProcess.javaCommand().stream(), java.util.stream.Stream.of("--control", "none",
                                "-netdev", "vxlan,id=x,vni=99,remote=198.51.100.2"))).toList());
        assertThat(second.exitCode()).as(second.output()).isEqualTo(1);
        assertThat(second.output()).contains("x: ", "Address already in use");
    }

    /**
     * A group netdev whose {@code dev=} is deleted and made again (a veth re-created, a VPN's interface restarted)
     * joins the group on the new interface, which has a new index: before, it stayed {@code link=up} but its
     * membership and its datagrams' interface named the old index, and nothing came from the group again. The
     * interface has no address (its veth peer is down): iproute2 takes such a {@code dev}, and so does vnet4j now
     * (the JDK's {@code NetworkInterface}, which it asked before, finds only interfaces with an address).
     */
    @Test
    void aGroupNetdevJoinsItsGroupAgainWhenItsDevIsMadeAgain() throws InterruptedException {
        String control = dir.resolve("a-control.sock").toString();
        String dev = "vxd" + ProcessHandle.current().pid() % 100000;
        String group = "030101EF"; // 239.1.1.3 as /proc/net/igmp shows it
        a.execOk("ip", "link", "add", dev, "type", "veth", "peer", "name", dev + "p");
        a.execOk("ip", "link", "set", dev, "up");
        try {
            assertThat(VnetProcess.ctl(a.name(), "--control", control, "netdev_add",
                    "vxlan,id=vd,vni=48,group=239.1.1.3,dev=" + dev).output()).isBlank();
            GroupRejoins.twice(a, vnetA, dev, "vd: dev=" + dev, group, () -> {
                a.execOk("ip", "link", "add", dev, "type", "veth", "peer", "name", dev + "p");
                a.execOk("ip", "link", "set", dev, "up");
            });
        } finally {
            VnetProcess.ctl(a.name(), "--control", control, "netdev_del", "vd");
            a.execOk("ip", "link", "del", dev);
        }
    }

    @Test
    void twoDaemonsJoinTheirHubsOverVxlanAndTheirGuestsPingEachOther() throws InterruptedException {
        assertThat(guestA.runOk("ping -c 3 -W 5 192.0.2.11")).contains("3 packets received");
        PeerTools.Exec info = VnetProcess.ctl(a.name(), "--control", dir.resolve("a-control.sock").toString(), "info", "network");
        assertThat(info.output()).contains("vy: type=vxlan,vni=7,local=198.51.100.1,remote=198.51.100.2,dstport=4790",
                "vxlan: on UDP port 4790, datagrams of a VNI no vxlan netdev serves 0, malformed 0");
    }
}
