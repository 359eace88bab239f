package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Real QEMU guests on vnet4j hubs: hub 0 joins a guest on a socket (TCP) port and one on a stream (unix)
 * port; a third guest sits alone on hub 1.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class VnetHubIT {
    private Path dir;
    private Path control;
    private Path stream;
    private int socketPort;
    private int hub1Port;
    private VnetProcess vnet;
    private QemuGuest viaSocket;
    private QemuGuest viaStream;
    private QemuGuest otherHub;

    @BeforeAll
    void startVnetAndThreeGuests() throws Exception {
        dir = Files.createTempDirectory("vnet4j-hub-it");
        control = dir.resolve("control.sock");
        stream = dir.resolve("b.sock");
        socketPort = PeerTools.freePort();
        hub1Port = PeerTools.freePort();
        vnet = VnetProcess.start(
                "-netdev", "socket,id=a,listen=127.0.0.1:" + socketPort,
                "-netdev", "stream,id=b,server=on,addr.type=unix,addr.path=" + stream,
                "-netdev", "socket,id=c,listen=127.0.0.1:" + hub1Port + ",hubid=1",
                "--control", control.toString());
        viaSocket = QemuGuest.builder("hub0-socket").ip("10.77.0.1/24")
                .netdev("socket,connect=127.0.0.1:" + socketPort).start();
        viaStream = QemuGuest.builder("hub0-stream").ip("10.77.0.2/24")
                .netdev("stream,server=off,addr.type=unix,addr.path=" + stream).start();
        otherHub = QemuGuest.builder("hub1-socket").ip("10.77.0.3/24")
                .netdev("socket,connect=127.0.0.1:" + hub1Port).start();
        for (QemuGuest g : new QemuGuest[] {viaSocket, viaStream, otherHub}) g.awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    void stopEverything() throws IOException {
        PeerTools.closeAll(otherHub, viaStream, viaSocket, vnet);
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void guestsOnTheSameHubPingEachOtherAcrossSocketAndStreamPorts() throws InterruptedException {
        assertThat(viaSocket.runOk("ping -c 3 -w 15 10.77.0.2")).contains("bytes from 10.77.0.2");
        assertThat(viaStream.runOk("ping -c 3 -w 15 10.77.0.1")).contains("bytes from 10.77.0.1");
    }

    @Test
    void guestFetchesPageOverHttpFromGuestOnTheSameHub() throws InterruptedException {
        viaStream.runOk("httpd -p 80 -h /www");
        // busybox 1.35 wget segfaults with -T, hence timeout(1)
        assertThat(viaSocket.runOk("timeout 20 wget -q -O - http://10.77.0.2/index.html"))
                .contains("hello from hub0-stream");
    }

    @Test
    void guestOnAnotherHubCannotReachHub0Guests() throws InterruptedException {
        QemuGuest.Result r = otherHub.run("ping -c 2 -w 4 10.77.0.1", Duration.ofSeconds(20));
        assertThat(r.exitCode()).as(r.output()).isNotZero();
        assertThat(r.output()).contains("0 packets received");
        r = viaSocket.run("ping -c 2 -w 4 10.77.0.3", Duration.ofSeconds(20));
        assertThat(r.exitCode()).as(r.output()).isNotZero();
    }

    @Test
    void infoNetworkListsBothHubsAndTheirPorts() {
        PeerTools.Exec info = VnetProcess.ctl(null, "--control", control.toString(), "info", "network");
        assertThat(info.exitCode()).as(info.output()).isZero();
        String out = info.output();
        assertThat(out).contains("hub 0\n", "hub 1\n");
        String hub0 = hubSection(out, 0);
        String hub1 = hubSection(out, 1);
        // QEMU HMP style: one " \ " line per port, naming its netdev's address
        assertThat(hub0.lines().filter(l -> l.startsWith(" \\ ")))
                .anyMatch(l -> l.contains("127.0.0.1:" + socketPort))
                .anyMatch(l -> l.contains(stream.toString()));
        assertThat(hub1.lines().filter(l -> l.startsWith(" \\ ")))
                .anyMatch(l -> l.contains("127.0.0.1:" + hub1Port))
                .noneMatch(l -> l.contains(stream.toString()));
    }

    /** The lines after {@code hub N} up to the next {@code hub} line. */
    private static String hubSection(String info, int hub) {
        int start = info.indexOf("hub " + hub + "\n") + ("hub " + hub + "\n").length();
        int end = info.indexOf("\nhub ", start - 1);
        return info.substring(start, end < 0 ? info.length() : end + 1);
    }
}
