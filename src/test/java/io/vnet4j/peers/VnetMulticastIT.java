package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A guest on QEMU's multicast socket netdev and a guest on a unix dgram netdev, joined by vnet4j's hub 0,
 * with a user network on it. Everything runs in a network namespace of its own whose loopback carries the
 * multicast group.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class VnetMulticastIT {
    private NetNamespace ns;
    private Path dir;
    private VnetProcess vnet;
    private QemuGuest viaMcast;
    private QemuGuest viaDgram;

    @BeforeAll
    void startVnetAndGuestsInANamespace() throws Exception {
        ns = NetNamespace.create("vnet4j-it-mcast-" + ProcessHandle.current().pid());
        ns.execOk("ip", "link", "set", "lo", "up");
        ns.execOk("ip", "link", "set", "lo", "multicast", "on");
        ns.execOk("ip", "route", "add", "224.0.0.0/4", "dev", "lo");
        dir = Files.createTempDirectory("vnet4j-mcast-it");
        Path vnetEnd = dir.resolve("vnet.dgram");
        Path guestEnd = dir.resolve("guest.dgram");
        int port = ThreadLocalRandom.current().nextInt(20000, 40000); // the namespace is new: any port is free
        String group = "230.0.0.1:" + port;
        vnet = VnetProcess.startIn(ns.name(),
                "--control", dir.resolve("control.sock").toString(),
                "-netdev", "user,id=u,ipv6=off",
                "-netdev", "socket,id=m,mcast=" + group,
                "-netdev", "dgram,id=d,local.type=unix,local.path=" + vnetEnd
                        + ",remote.type=unix,remote.path=" + guestEnd);
        viaMcast = QemuGuest.builder("mcast").ip("10.77.0.1/24").netns(ns.name())
                .netdev("socket,mcast=" + group).start();
        viaDgram = QemuGuest.builder("dgram").ip("10.77.0.2/24").netns(ns.name())
                .netdev("dgram,local.type=unix,local.path=" + guestEnd + ",remote.type=unix,remote.path=" + vnetEnd)
                .start();
        viaMcast.awaitReady(Duration.ofSeconds(90));
        viaDgram.awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    void stopEverythingAndDeleteTheNamespace() throws IOException {
        try {
            PeerTools.closeAll(viaDgram, viaMcast, vnet);
        } finally {
            if (ns != null) ns.close();
            if (dir != null) {
                try (var files = Files.list(dir)) {
                    for (Path p : files.toList()) Files.deleteIfExists(p);
                }
                Files.deleteIfExists(dir);
            }
        }
    }

    @Test
    void multicastGuestAndDgramGuestPingEachOtherThroughVnet() throws InterruptedException {
        assertThat(viaMcast.runOk("ping -c 3 -w 15 10.77.0.2")).contains("bytes from 10.77.0.2");
        assertThat(viaDgram.runOk("ping -c 3 -w 15 10.77.0.1")).contains("bytes from 10.77.0.1");
    }

    /**
     * Linux drops a group's membership with its interface. A multicast netdev given the interface's address
     * ({@code localaddr=}) stayed out of its group once the interface was deleted and made again (a bridge
     * re-created, a VPN reconnected); now it follows the interface by name, as a VXLAN group's {@code dev=}.
     */
    @Test
    void aMulticastNetdevWithLocaladdrJoinsItsGroupAgainWhenItsInterfaceIsMadeAgain() throws InterruptedException {
        String control = dir.resolve("control.sock").toString();
        String dev = "mcd" + ProcessHandle.current().pid() % 100000;
        String group = "090000E6"; // 230.0.0.9 as /proc/net/igmp shows it
        makeInterface(dev);
        try {
            assertThat(VnetProcess.ctl(ns.name(), "--control", control, "netdev_add",
                    "socket,id=ml,mcast=230.0.0.9:5409,localaddr=198.51.100.7").output()).isBlank();
            GroupRejoins.twice(ns, vnet, dev, "ml: " + dev + " (the interface of 198.51.100.7)", group, () -> makeInterface(dev));
        } finally {
            VnetProcess.ctl(ns.name(), "--control", control, "netdev_del", "ml");
            ns.execOk("ip", "link", "del", dev);
        }
    }

    /** A veth end named {@code dev} holding 198.51.100.7, up (its peer down). */
    private void makeInterface(String dev) {
        ns.execOk("ip", "link", "add", dev, "type", "veth", "peer", "name", dev + "p");
        ns.execOk("ip", "addr", "add", "198.51.100.7/24", "dev", dev);
        ns.execOk("ip", "link", "set", dev, "up");
    }

    @Test
    void theDgramGuestUploadsThroughTheUserNetworkWhole() throws Exception {
        // the dgram port takes the guest's datagrams in batches and joins a flow's segments for the user
        // network, which takes large segments (TcpCoalescer)
        viaDgram.runOk("ip addr add 10.0.2.15/24 dev eth0");
        viaDgram.runOk("head -c 4194304 /dev/urandom > /tmp/up");
        String sum = viaDgram.runOk("md5sum /tmp/up").substring(0, 32);
        Path received = dir.resolve("uploaded");
        Process sink = ns.startTcpSink(9000, received);
        viaDgram.transferOk("nc 10.0.2.2 9000 < /tmp/up", Duration.ofSeconds(60));
        viaDgram.runOk("rm /tmp/up");
        assertThat(sink.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(ns.execOk("busybox", "md5sum", received.toString())).startsWith(sum);
    }
}
