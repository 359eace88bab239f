package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Peers' public reports of vhost-user back-ends replayed against vnet4j's, with a QEMU 7.2 guest (TCG). Each
 * is a lifecycle event of the device that a back-end has to follow through the vhost-user messages alone:
 * <ul>
 * <li>the VM stopped and continued (QMP stop/cont: GET_VRING_BASE, then the rings set up again from the base
 * it answered): rust-vmm/vhost#154 and #161 (GET_VRING_BASE answered 0 after resetting the ring, so a
 * virtiofsd VM could not resume, virtio-fs/virtiofsd#110), Mellanox/dpdk-vhost-vfe#40 (QEMU 7.2 sends
 * SET_VRING_ENABLE 0 before GET_VRING_BASE);</li>
 * <li>the guest rebooted (system_reset: the driver starts the device again): cloud-hypervisor#732;</li>
 * <li>the back-end killed and started again under a QEMU that reconnects (chardev reconnect=1):
 * kata-containers/runtime#605 (connectivity lost for good when VPP restarted), rust-vmm/vhost#375 (after a
 * restart the receive queue, which the driver kicks once at start, was never seen, so nothing inbound reached
 * the guest until it sent something);</li>
 * <li>memory hot-plugged (a pc-dimm: SET_MEM_TABLE again with a second region while the queues run):
 * cloud-hypervisor#941, rust-vmm/vhost#17;</li>
 * <li>a NIC attached, detached and attached again at run time (chardev-add, netdev_add, device_add; device_del,
 * netdev_del, which takes its chardev along): autotest/tp-libvirt#6197's attach_detach of a passt vhostuser
 * interface.</li>
 * </ul>
 * All hold: regression tests, no fault found. And one a user meets: the guest's memory with {@code share=off}
 * (libvirt validates that a vhostuser interface has {@code <access mode='shared'/>}, as its passt+vhostuser
 * series tells): QEMU 7.2 sends the memfd anyway and the back-end maps it while the guest writes private
 * copies, so the guest has no network and nobody said why.
 */
@Timeout(240)
class VhostUserReportsIT {
    private Path dir;
    private Path socket;
    private VnetProcess vnet;
    private QemuGuest guest;
    private int forwarded;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("vnet4j-vhost-user-reports-it");
        socket = dir.resolve("vhost.sock");
        forwarded = PeerTools.freePort();
        vnet = startVnet();
    }

    private VnetProcess startVnet() throws InterruptedException {
        return VnetProcess.start("-netdev", "user,id=u,hostfwd=tcp:127.0.0.1:" + forwarded + "-:7", "-netdev",
                "vhost-user,id=vm,path=" + socket);
    }

    @AfterEach
    void stop() throws Exception {
        PeerTools.closeAll(guest, vnet);
        PeerTools.deleteTree(dir);
    }

    private void leaseAndPing() throws InterruptedException {
        guest.runOk("udhcpc -i eth0 -n -q -t 5 -T 2");
        assertThat(guest.runOk("ping -c 2 -w 15 10.0.2.2")).contains("2 packets received");
    }

    @Test
    void aVmStoppedAndContinuedGoesOnWhereItsRingsWere() throws Exception {
        guest = QemuGuest.builder("vustopcont").vhostUser(socket).boot();
        leaseAndPing();
        for (int round = 0; round < 3; round++) {
            assertThat(guest.monitor("stop", "info status")).contains("VM status: paused");
            Thread.sleep(300);
            assertThat(guest.monitor("cont", "info status")).contains("VM status: running");
            assertThat(guest.runOk("ping -c 2 -w 15 10.0.2.2")).as("after cont %d", round).contains("2 packets received");
        }
        assertThat(vnet.log()).doesNotContain("is not shared"); // each cont's kick descriptor comes set once
        uploads4Megabytes();
    }

    @Test
    void aGuestWhoseMemoryIsPrivateIsSaid() throws Exception {
        guest = QemuGuest.builder("vuprivate").vhostUserWithPrivateMemory(socket).boot();
        assertThat(guest.run("udhcpc -i eth0 -n -q -t 2 -T 1", Duration.ofSeconds(20)).ok()).as("no lease").isFalse();
        vnet.awaitLog("the guest's memory is not shared with vnet4j (a memory backend with share=off)", Duration.ofSeconds(10));
    }

    @Test
    void aGuestResetIsServedWhenItsDriverStartsTheNicAgain() throws Exception {
        guest = QemuGuest.builder("vureset").vhostUser(socket).qemuArgs("-action", "reboot=reset").boot();
        leaseAndPing();
        guest.monitor("system_reset");
        guest.awaitReadyAgain(Duration.ofSeconds(90));
        leaseAndPing();
        assertThat(vnet.log()).doesNotContain("connection closed").doesNotContain("is not shared");
    }

    @Test
    void aBackEndKilledAndStartedAgainIsFoundByAQemuThatReconnectsAndReachesTheGuestFirst() throws Exception {
        guest = QemuGuest.builder("vurestart").vhostUserReconnecting(socket).boot();
        leaseAndPing();
        guest.runOk("nc -l -p 7 > /tmp/got 2>&1 &");
        vnet.process().destroyForcibly().waitFor(); // a crash: the socket file stays behind
        vnet.close();
        vnet = startVnet();
        vnet.awaitLog("vm: vhost-user front-end connected", Duration.ofSeconds(20));
        // the new back-end learns the receive ring from QEMU alone: a host client reaches the guest's listener
        // through the forward (the gateway's ARP request the first frame to the guest) before the guest sends
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), forwarded)) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write("through the new back-end\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                s.shutdownOutput();
                if (s.getInputStream().read() == -1) break; // the guest's nc closed after reading
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(500);
            }
        }
        assertThat(guest.runOk("sleep 1; cat /tmp/got")).contains("through the new back-end");
        assertThat(guest.runOk("ping -c 2 -w 15 10.0.2.2")).contains("2 packets received");
        assertThat(vnet.log()).doesNotContain("is not shared");
    }

    @Test
    void memoryPluggedWhileTheQueuesRunIsMappedAndTheGuestGoesOn() throws Exception {
        guest = QemuGuest.builder("vudimm").memory("256M,slots=4,maxmem=1G", "256M").vhostUser(socket).boot();
        leaseAndPing();
        String plugged = guest.monitor("object_add memory-backend-memfd,id=mem2,size=256M,share=on",
                "device_add pc-dimm,id=dimm1,memdev=mem2");
        assertThat(plugged).doesNotContain("error");
        long total = 0;
        for (int i = 0; i < 20 && total <= 300_000; i++) { // the guest's ACPI handler adds the DIMM's blocks, then they go online
            Thread.sleep(500);
            guest.runOk("for f in /sys/devices/system/memory/memory*/state; do grep -q offline $f && echo online > $f; done; true");
            total = Long.parseLong(guest.runOk("grep MemTotal /proc/meminfo").replaceAll("\\D", ""));
        }
        assertThat(total).as("kB, the DIMM online").isGreaterThan(300_000);
        assertThat(guest.runOk("ping -c 2 -w 15 10.0.2.2")).contains("2 packets received");
        String info = VnetProcess.ctl(null, "--control", controlSocket(), "info", "network").output();
        assertThat(info).contains("2 memory regions");
        uploads4Megabytes();
    }

    @Test
    void aNicAttachedDetachedAndAttachedAgainIsServedEachTime() throws Exception {
        guest = QemuGuest.builder("vuhotplug").netdev("hubport,hubid=0") // eth0 on QEMU's own hub, unused
                .qemuArgs("-object", "memory-backend-memfd,id=mem,size=128M,share=on", "-machine", "memory-backend=mem")
                .boot();
        for (int round = 1; round <= 2; round++) {
            String plugged = guest.monitor("chardev-add socket,id=c" + round + ",path=" + socket,
                    "netdev_add vhost-user,id=v" + round + ",chardev=c" + round,
                    "device_add virtio-net-pci,id=vnic" + round + ",netdev=v" + round + ",mac=52:54:00:42:00:0" + round
                            + ",vectors=0,romfile=");
            assertThat(plugged).doesNotContain("error");
            awaitInGuest("test -e /sys/class/net/eth1");
            guest.runOk("ip link set eth1 up; udhcpc -i eth1 -n -q -t 5 -T 2");
            assertThat(guest.runOk("ping -c 2 -w 15 10.0.2.2")).as("attached %d", round).contains("2 packets received");
            guest.monitor("device_del vnic" + round);
            awaitInGuest("! test -e /sys/class/net/eth1");
            // QEMU 7.2 unplugs the device once the guest ejects it, after its driver let eth1 go: a netdev_del
            // before that leaves the NIC a vhost-user peer without vhost_net, and the unplug aborts QEMU
            // (vhost_net.c: get_vhost_net: Assertion 'vhost_net' failed; CI at 6972fdd5)
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (guest.monitor("info pci").contains("\"vnic" + round + "\"")) {
                assertThat(System.nanoTime()).as("vnic%d unplugged", round).isLessThan(deadline);
                Thread.sleep(100);
            }
            assertThat(guest.monitor("netdev_del v" + round)).doesNotContain("error");
            deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (vnet.log().split("vm: vhost-user front-end disconnected", -1).length <= round) {
                assertThat(System.nanoTime()).as("disconnected %d", round).isLessThan(deadline);
                Thread.sleep(100);
            }
        }
        assertThat(vnet.log()).doesNotContain("second vhost-user front-end");
    }

    private void awaitInGuest(String test) throws InterruptedException {
        for (int i = 0; i < 40; i++) {
            if (guest.run(test, Duration.ofSeconds(10)).ok()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("`" + test + "` never held in the guest:\n" + guest.transcript());
    }

    /** The guest uploads 4 MB to a host listener, the md5 checked: many frames through the queues. */
    private void uploads4Megabytes() throws Exception {
        try (java.net.ServerSocket listener = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            java.util.concurrent.CompletableFuture<String> received = PeerTools.receiveOneUpload(listener);
            guest.runOk("head -c 4000000 /dev/urandom > /tmp/up");
            String sum = guest.runOk("md5sum /tmp/up").substring(0, 32);
            guest.transferOk("nc 10.0.2.2 " + listener.getLocalPort() + " < /tmp/up", Duration.ofSeconds(60));
            guest.runOk("rm /tmp/up");
            assertThat(received.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("4000000 " + sum);
        }
    }

    private String controlSocket() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("control socket (\\S+)").matcher(vnet.log());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
