package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A real guest on vnet4j's user network (-netdev user): DHCP with every option, ping to the gateway,
 * 32 MB down and up over TCP to host sockets, TFTP, host forwarding into the guest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(300)
class UsernetIT {
    static final int SIZE = 32 * 1024 * 1024;

    private Path dir;
    private Path stream;
    private int forwardPort;
    private int udpForwardPort;
    private HttpServer http;
    private byte[] big;
    private VnetProcess vnet;
    private QemuGuest guest;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("vnet4j-usernet-it");
        Path tftp = Files.createDirectories(dir.resolve("tftp"));
        Files.writeString(tftp.resolve("hello.txt"), "hello over tftp\n");
        stream = dir.resolve("qemu.sock");
        forwardPort = PeerTools.freePort();
        udpForwardPort = PeerTools.freePort();
        big = new byte[SIZE];
        new Random(42).nextBytes(big);
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/big", exchange -> {
            exchange.sendResponseHeaders(200, big.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(big);
            }
        });
        http.start();
        vnet = VnetProcess.start(
                "-netdev", "user,id=u,hostname=vm1,domainname=example.test,dnssearch=a.test,tftp=" + tftp
                        + ",tftp-server-name=boot.example.test,bootfile=pxelinux.0,hostfwd=tcp::" + forwardPort + "-:80"
                        + ",hostfwd=udp::" + udpForwardPort + "-:5000"
                        + ",guestfwd=tcp:10.0.2.100:7000-cmd:echo hello from a guestfwd command"
                        + ",guestfwd=tcp:10.0.2.102:7001-cmd:cat"
                        + ",guestfwd=tcp:10.0.2.101:80-tcp:127.0.0.1:" + http.getAddress().getPort(),
                "-netdev", "stream,id=vms,server=on,addr.type=unix,addr.path=" + stream);
        guest = QemuGuest.builder("usernet").netdev("stream,server=off,addr.type=unix,addr.path=" + stream).boot();
        guest.runOk("udhcpc -i eth0 -n -q -t 5 -T 2");
    }

    @AfterAll
    void stop() throws IOException {
        PeerTools.closeAll(guest, vnet);
        if (http != null) http.stop(0);
        PeerTools.deleteTree(dir);
    }

    @Test
    void dhcpLeaseCarriesEveryOption() throws InterruptedException {
        String env = guest.runOk("cat /tmp/dhcp.env");
        assertThat(env).contains("ip=10.0.2.15", "router=10.0.2.2", "dns=10.0.2.3", "subnet=255.255.255.0",
                "hostname=vm1", "domain=example.test", "search=a.test", "lease=86400", "serverid=10.0.2.2",
                "boot_file=pxelinux.0", "tftp=boot.example.test");
        assertThat(guest.runOk("ip route")).contains("default via 10.0.2.2");
    }

    @Test
    void pingsTheGateway() throws InterruptedException {
        assertThat(guest.runOk("ping -c 3 -w 15 10.0.2.2")).contains("3 packets received");
    }

    @Test
    void downloads32MegabytesFromAHostServer() throws Exception {
        String out = guest.transferOk("wget -q -O - http://10.0.2.2:" + http.getAddress().getPort() + "/big | md5sum",
                Duration.ofSeconds(60));
        assertThat(out).contains(md5(big));
    }

    @Test
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
    void fetchesAFileOverTftp() throws InterruptedException {
        assertThat(guest.runOk("cd /tmp && tftp -g -r hello.txt 10.0.2.2 && cat hello.txt")).contains("hello over tftp");
    }

    @Test
    void hostForwardReachesTheGuestsWebServer() throws Exception {
        guest.runOk("httpd -p 80 -h /www");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), forwardPort)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write("GET /index.html HTTP/1.0\r\n\r\n".getBytes());
            String reply = new String(s.getInputStream().readAllBytes());
            assertThat(reply).contains("200 OK", "hello from usernet");
        }
    }

    @Test
    void udpHostForwardReachesTheGuestsEchoServer() throws Exception {
        guest.runOk("udpecho 5000 > /dev/null 2>&1 &");
        try (DatagramSocket client = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            client.setSoTimeout(2000);
            DatagramPacket reply = new DatagramPacket(new byte[100], 100);
            String got = null;
            for (int attempt = 0; attempt < 10 && got == null; attempt++) {
                client.send(new DatagramPacket("ping".getBytes(), 4, InetAddress.getLoopbackAddress(), udpForwardPort));
                try {
                    client.receive(reply);
                    got = new String(reply.getData(), 0, reply.getLength());
                } catch (SocketTimeoutException e) {
                    // the echo server may still be starting: send again
                }
            }
            assertThat(got).isEqualTo("echo:ping");
        }
    }

    @Test
    void guestfwdRunsACommandPerConnection() throws InterruptedException {
        assertThat(guest.runOk("timeout 20 nc 10.0.2.100 7000 < /dev/null")).contains("hello from a guestfwd command");
    }

    @Test
    void guestfwdCommandAnswersWhileTheGuestKeepsTheConnectionOpen() throws InterruptedException {
        // the guest's side stays open (no half-close) until nc is stopped: the echo must come back before that
        String out = guest.runOk("{ echo ping from the guest; sleep 8; } | timeout 5 nc 10.0.2.102 7001; true");
        assertThat(out).contains("ping from the guest");
    }

    @Test
    void guestfwdReachesAHostTcpAddress() throws Exception {
        String out = guest.transferOk("wget -q -O - http://10.0.2.101/big | md5sum", Duration.ofSeconds(60));
        assertThat(out).contains(md5(big));
    }

    private static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }
}
