package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * A QEMU guest whose virtio-net NIC is served by vnet4j's vhost-user back-end ({@code -netdev vhost-user}):
 * its queues are read and written in its shared memory. DHCP and pings through the user network on the same
 * hub, 32 MB down and up through the NAT (the receive queue full and the guest's mergeable buffers), a
 * second front-end refused while one is served, and a new QEMU served after the first powers off.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(300)
class VhostUserIT {
    static final int SIZE = 32 * 1024 * 1024;

    private Path dir;
    private Path socket;
    private HttpServer http;
    private byte[] big;
    private VnetProcess vnet;
    private QemuGuest guest;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("vnet4j-vhost-user-it");
        socket = dir.resolve("vhost.sock");
        big = new byte[SIZE];
        new Random(7).nextBytes(big);
        http = PeerTools.serve("/big", big);
        vnet = VnetProcess.start("-netdev", "user,id=u", "-netdev", "vhost-user,id=vm,path=" + socket);
        guest = QemuGuest.builder("vhostuser").vhostUser(socket).boot();
        guest.runOk("udhcpc -i eth0 -n -q -t 5 -T 2");
    }

    @AfterAll
    void stop() throws IOException {
        PeerTools.closeAll(guest, vnet);
        if (http != null) http.stop(0);
        PeerTools.deleteTree(dir);
    }

    @Test
    @Order(1)
    void leaseAndPingsThroughTheUserNetwork() throws InterruptedException {
        assertThat(guest.runOk("ip route")).contains("default via 10.0.2.2");
        assertThat(guest.runOk("ping -c 3 -w 15 10.0.2.2")).contains("3 packets received");
        assertThat(vnet.log()).contains("vm: vhost-user front-end connected to hub 0");
    }

    @Test
    @Order(2)
    void infoNetworkShowsBothQueuesRunningTheEventIndexAndTheNotificationsCounted() {
        Matcher m = Pattern.compile("control socket (\\S+)").matcher(vnet.log());
        assertThat(m.find()).isTrue();
        PeerTools.Exec info = VnetProcess.ctl(null, "--control", m.group(1), "info", "network");
        assertThat(info.output()).contains("path=" + socket, "rx to the guest running, 256 entries", "tx from the guest running, 256 entries",
                "1 memory region, event index)");
        Matcher tx = Pattern.compile("tx from the guest running, 256 entries, (\\d+) kicks?, (\\d+) interrupts?").matcher(info.output());
        assertThat(tx.find()).as(info.output()).isTrue();
        assertThat(Long.parseLong(tx.group(1))).as("the guest's kicks for its pings and lease, counted").isPositive();
        assertThat(Long.parseLong(tx.group(2))).as("the interrupts it asked for, counted").isPositive();
    }

    @Test
    @Order(3)
    void downloads32MegabytesFromAHostServer() throws Exception {
        String out = guest.transferOk("wget -q -O - http://10.0.2.2:" + http.getAddress().getPort() + "/big | md5sum",
                Duration.ofSeconds(60));
        assertThat(out).contains(md5(big));
    }

    @Test
    @Order(4)
    void uploads32MegabytesToAHostListener() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> received = PeerTools.receiveOneUpload(listener);
            guest.runOk("head -c " + SIZE + " /dev/urandom > /tmp/up");
            String sum = guest.runOk("md5sum /tmp/up").substring(0, 32);
            guest.transferOk("nc 10.0.2.2 " + listener.getLocalPort() + " < /tmp/up", Duration.ofSeconds(60));
            guest.runOk("rm /tmp/up");
            assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(SIZE + " " + sum);
        }
    }

    @Test
    @Order(5)
    void aSecondFrontEndIsRefusedWhileOneIsServed() throws Exception {
        for (int attempt = 0; attempt < 3; attempt++) { // QEMU 7.2 tries again at once, and again
            try (SocketChannel second = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                second.connect(UnixDomainSocketAddress.of(socket));
                ByteBuffer b = ByteBuffer.allocate(16);
                assertThat(second.read(b)).isEqualTo(-1); // closed by the back-end
            }
        }
        String refused = "a second vhost-user front-end connected while one is served; refused";
        awaitLog(refused);
        assertThat(vnet.log().split(java.util.regex.Pattern.quote(refused), -1)).as("said once").hasSize(2);
        assertThat(guest.runOk("ping -c 1 -w 10 10.0.2.2")).contains("1 packets received");
    }

    @Test
    @Order(6)
    void aNewQemuIsServedAfterTheFirstGoes() throws Exception {
        guest.close();
        guest = null;
        awaitLog("vm: vhost-user front-end disconnected");
        guest = QemuGuest.builder("vhostuser2").vhostUser(socket).boot();
        guest.runOk("udhcpc -i eth0 -n -q -t 5 -T 2");
        assertThat(guest.runOk("ping -c 3 -w 15 10.0.2.2")).contains("3 packets received");
    }

    @Test
    @Order(7)
    void aGuestWhoseMemoryIsNotSharedIsSaid() throws Exception {
        guest.close();
        guest = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (vnet.log().split("vm: vhost-user front-end disconnected", -1).length < 3 && System.nanoTime() < deadline) {
            Thread.sleep(50); // the second guest's end, after the first's
        }
        guest = QemuGuest.builder("vhostuser3").vhostUserWithoutSharedMemory(socket).boot();
        awaitLog("the vhost-user front-end started the device but shared no guest memory");
    }

    /** Waits up to 20 s for the daemon's log to hold {@code line} (its output is read on another thread). */
    private void awaitLog(String line) throws InterruptedException {
        vnet.awaitLog(line, Duration.ofSeconds(20));
    }

    private static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }
}
