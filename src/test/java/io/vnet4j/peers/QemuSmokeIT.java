package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Proves the guest harness with QEMU alone: two guests joined by QEMU's own socket netdev, no vnet4j. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class QemuSmokeIT {
    private QemuGuest server;
    private QemuGuest client;

    @BeforeAll
    void bootTwoGuestsJoinedBySocketNetdev() throws InterruptedException {
        int port = PeerTools.freePort();
        server = QemuGuest.builder("smoke-a").ip("10.77.0.1/24").netdev("socket,listen=127.0.0.1:" + port).start();
        PeerTools.awaitListening(port, Duration.ofSeconds(20));
        client = QemuGuest.builder("smoke-b").ip("10.77.0.2/24").netdev("socket,connect=127.0.0.1:" + port).start();
        server.awaitReady(Duration.ofSeconds(90));
        client.awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    void stopGuests() {
        if (client != null) client.close();
        if (server != null) server.close();
    }

    @Test
    void guestShellReportsOutputAndExitStatus() throws InterruptedException {
        assertThat(server.run("echo hello; false", Duration.ofSeconds(10)))
                .isEqualTo(new QemuGuest.Result(1, "hello\n"));
        assertThat(server.runOk("hostname")).isEqualTo("smoke-a\n");
    }

    @Test
    void guestsPingEachOther() throws InterruptedException {
        assertThat(client.runOk("ping -c 3 -w 15 10.77.0.1")).contains("bytes from 10.77.0.1");
        assertThat(server.runOk("ping -c 3 -w 15 10.77.0.2")).contains("bytes from 10.77.0.2");
    }

    @Test
    void guestFetchesPageOverHttpFromTheOther() throws InterruptedException {
        // busybox 1.35 wget segfaults with -T, hence timeout(1)
        server.runOk("httpd -p 80 -h /www");
        assertThat(client.runOk("timeout 20 wget -q -O - http://10.77.0.1/index.html")).contains("hello from smoke-a");
    }
}
