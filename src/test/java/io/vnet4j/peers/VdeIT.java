package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * VDE both ways against the real thing. One vnet4j hub carries the user network, a plug into a real
 * vde_switch (with vde_plug2tap's tap in a namespace on its other side) and vnet4j's own VDE switch (a QEMU
 * guest joins with {@code -netdev vde}); both peers reach the gateway 10.0.2.2, and malformed requests on
 * vnet4j's switch disturb neither.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class VdeIT {
    private Path dir;
    private Path realSwitch;
    private Path ownSwitch;
    private Process vdeSwitch;
    private VnetProcess vnet;
    private NetNamespace ns;
    private Process plug2tap;
    private QemuGuest guest;

    @BeforeAll
    void start() throws Exception {
        PeerTools.require("vde_switch", "vde2");
        PeerTools.require("vde_plug2tap", "vde2");
        PeerTools.require("vde_plug", "vdeplug");
        PeerTools.require("busybox", "busybox-static");
        dir = Files.createTempDirectory("vnet4j-vde-it");
        realSwitch = dir.resolve("real");
        ownSwitch = dir.resolve("own");
        // foreground; it stops at EOF on stdin, so the pipe stays open until the test destroys it
        vdeSwitch = new ProcessBuilder("vde_switch", "-s", realSwitch.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("vde_switch.log").toFile()).start();
        awaitFile(realSwitch.resolve("ctl"));
        vnet = VnetProcess.start(
                "-netdev", "user,id=u",
                "-netdev", "vde,id=plug,sock=" + realSwitch,
                "-netdev", "vde,id=sw,sock=" + ownSwitch + ",server=on");
        ns = NetNamespace.create("vnet4j-vde-it");
        plug2tap = ns.start("vde_plug2tap", "-s", realSwitch.toString(), "vdetap0");
        awaitLink("vdetap0");
        ns.execOk("ip", "addr", "add", "10.0.2.100/24", "dev", "vdetap0");
        ns.execOk("ip", "link", "set", "vdetap0", "up");
        ns.execOk("ip", "link", "set", "lo", "up");
        guest = QemuGuest.builder("vde").netdev("vde,sock=" + ownSwitch).boot();
        guest.runOk("udhcpc -i eth0 -n -q -t 5 -T 2");
    }

    @AfterAll
    void stop() throws IOException {
        PeerTools.closeAll(guest, () -> destroy(plug2tap), ns, vnet, () -> destroy(vdeSwitch));
        if (dir != null) PeerTools.deleteTree(dir);
    }

    private static void destroy(Process p) throws InterruptedException {
        if (p == null) return;
        p.destroy();
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static void awaitFile(Path p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(p)) {
            if (System.nanoTime() > deadline) throw new AssertionError(p + " did not appear within 10 s");
            Thread.sleep(50);
        }
    }

    private void awaitLink(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!PeerTools.exec(Duration.ofSeconds(5), java.util.List.of("ip", "netns", "exec", ns.name(), "ip", "link",
                "show", name)).ok()) {
            if (System.nanoTime() > deadline) throw new AssertionError(name + " did not appear within 10 s");
            Thread.sleep(100);
        }
    }

    @Test
    void aTapBehindARealVdeSwitchPingsTheGatewayThroughVnet4jsPlug() {
        String out = ns.execOk("busybox", "ping", "-c", "3", "-W", "2", "10.0.2.2");
        assertThat(out).contains("3 packets received");
        assertThat(vnet.log()).contains("plug: joined the VDE switch at " + realSwitch);
    }

    @Test
    void aQemuGuestOnVnet4jsSwitchGetsALeaseAndPingsTheGateway() throws InterruptedException {
        assertThat(guest.runOk("cat /tmp/dhcp.env")).contains("ip=10.0.2.15", "router=10.0.2.2");
        assertThat(guest.runOk("ping -c 3 -w 15 10.0.2.2")).contains("3 packets received");
        assertThat(vnet.log()).contains("sw.1: VDE plug \"QEMU"); // libvdeplug 4 adds user= and pid=
    }

    @Test
    void malformedRequestsAndAPlugComingAndGoingDoNotDisturbTheGuest() throws Exception {
        byte[] badVersion = new byte[150];
        ByteBuffer.wrap(badVersion).order(ByteOrder.nativeOrder()).putInt(0xfeedface).putInt(2);
        for (byte[] request : new byte[][] {{1, 2, 3}, new byte[150], badVersion}) {
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(ownSwitch.resolve("ctl")));
                c.write(ByteBuffer.wrap(request));
                c.shutdownOutput();
                assertThat(c.read(ByteBuffer.allocate(200))).isEqualTo(-1);
            }
        }
        // a real vde_plug joins and leaves (stdin at EOF: it goes when it has nothing more to send)
        PeerTools.exec(Duration.ofSeconds(10), java.util.List.of("sh", "-c",
                "timeout 2 vde_plug " + ownSwitch + " </dev/null >/dev/null; true"));
        assertThat(guest.runOk("ping -c 3 -w 15 10.0.2.2")).contains("3 packets received");
        assertThat(vnet.log()).contains("sw: refused a VDE request: short request (3 bytes",
                "sw: refused a VDE request: bad magic 0x00000000", "sw: refused a VDE request: request version 2");
    }
}
