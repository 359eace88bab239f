package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A QEMU guest that quits takes its connections and its lease with it, as under QEMU's own
 * {@code -netdev user} (helper-74's replay against QEMU 7.2: there the host peers read EOF at once; here they
 * hung until the gateway gave up on the guest, and the lease was held for a day, so the next VM with another
 * MAC took 10.0.2.16 while a hostfwd without a guest address still pointed at .15).
 */
@Timeout(180)
class GuestDepartureIT {
    private Path dir;
    private VnetProcess vnet;

    @BeforeEach
    void start() throws Exception {
        dir = Files.createTempDirectory("vnet4j-departure-it");
    }

    @AfterEach
    void stop() throws Exception {
        if (vnet != null) {
            vnet.close();
        }
        PeerTools.deleteTree(dir);
    }

    @Test
    void aGuestThatQuitsEndsItsNatAndForwardedConnectionsAndTheNextVmTakesItsAddress() throws Exception {
        Path stream = dir.resolve("vms.sock");
        int forwardPort = PeerTools.freePort();
        vnet = VnetProcess.start("-netdev", "user,id=u,hostfwd=tcp:127.0.0.1:" + forwardPort + "-:2222",
                "-netdev", "stream,id=vms,server=on,addr.type=unix,addr.path=" + stream);
        String netdev = "stream,server=off,addr.type=unix,addr.path=" + stream;
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(30_000);
            Socket nat;
            Socket forwarded;
            try (QemuGuest first = QemuGuest.builder("departing").mac("52:54:00:00:d0:01").netdev(netdev).boot()) {
                assertThat(first.runOk("udhcpc -i eth0 -n -q -t 5 -T 2")).contains("10.0.2.15");
                first.runOk("(sleep 600 | nc 10.0.2.2 " + listener.getLocalPort() + " > /dev/null 2>&1) &");
                nat = listener.accept();
                first.runOk("(sleep 600 | nc -l -p 2222 > /dev/null 2>&1) &");
                forwarded = connectedThroughTheForward(first, forwardPort);
            } // QEMU exits
            assertEndsAtOnce(nat, "the NAT'd connection's host peer");
            assertEndsAtOnce(forwarded, "the forwarded connection's host client");
        }
        vnet.awaitLog("u: 52:54:00:00:d0:01 left with port vms.1: lease 10.0.2.15 ended, 2 TCP connections closed",
                Duration.ofSeconds(5));
        try (QemuGuest next = QemuGuest.builder("arriving").mac("52:54:00:00:d0:02").netdev(netdev).boot()) {
            assertThat(next.runOk("udhcpc -i eth0 -n -q -t 5 -T 2")).as("the departed VM's address").contains("10.0.2.15");
        }
    }

    /** A host client through the forward to the guest's listener on port 2222, once the guest has it. */
    private static Socket connectedThroughTheForward(QemuGuest guest, int forwardPort) throws Exception {
        awaitInGuest(guest, "netstat -ltn", ":2222 ", "the guest's listener");
        Socket client = new Socket(InetAddress.getLoopbackAddress(), forwardPort);
        awaitInGuest(guest, "netstat -tn", "ESTABLISHED", "the forwarded connection in the guest");
        return client;
    }

    private static void awaitInGuest(QemuGuest guest, String command, String wanted, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!guest.runOk(command).contains(wanted)) {
            assertThat(System.nanoTime() < deadline).as(what).isTrue();
            Thread.sleep(200);
        }
    }

    /** {@code peer} reads EOF (or a reset) within 5 s: its connection ended with the VM, as under QEMU. */
    private static void assertEndsAtOnce(Socket peer, String what) throws Exception {
        try (peer) {
            peer.setSoTimeout(5000);
            InputStream in = peer.getInputStream();
            int got;
            try {
                got = in.read();
            } catch (java.net.SocketException reset) {
                got = -1;
            }
            assertThat(got).as(what + " reads EOF within 5 s").isEqualTo(-1);
        }
    }
}
