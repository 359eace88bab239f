package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** vnet4j's filter-dump writes a pcap that tshark reads back. */
@Timeout(120)
class VnetCaptureIT {
    @Test
    void filterDumpRecordsThePingsSoTsharkReadsEchoRequestsAndReplies() throws Exception {
        PeerTools.require("tshark", "tshark");
        Path pcap = PeerTools.basedir().resolve("target/peers-capture.pcap");
        Files.deleteIfExists(pcap);
        Path dir = Files.createTempDirectory("vnet4j-capture-it");
        Path stream = dir.resolve("b.sock");
        int port = PeerTools.freePort();
        try (VnetProcess vnet = VnetProcess.start(
                        "-netdev", "socket,id=a,listen=127.0.0.1:" + port,
                        "-netdev", "stream,id=b,server=on,addr.type=unix,addr.path=" + stream,
                        "-object", "filter-dump,id=f,netdev=a,file=" + pcap);
                QemuGuest pinger = QemuGuest.builder("cap-socket").ip("10.77.0.1/24")
                        .netdev("socket,connect=127.0.0.1:" + port).start();
                QemuGuest target = QemuGuest.builder("cap-stream").ip("10.77.0.2/24")
                        .netdev("stream,server=off,addr.type=unix,addr.path=" + stream).start()) {
            pinger.awaitReady(Duration.ofSeconds(90));
            target.awaitReady(Duration.ofSeconds(90));
            assertThat(pinger.runOk("ping -c 3 -w 15 10.77.0.2")).contains("bytes from 10.77.0.2");
            vnet.stop(); // the capture is complete once vnet4j has exited
        } finally {
            Files.deleteIfExists(stream);
            Files.deleteIfExists(dir);
        }

        assertThat(pcap).exists();
        PeerTools.Exec tshark = PeerTools.exec(Duration.ofSeconds(60), List.of(
                "tshark", "-n", "-r", pcap.toString(), "-Y", "icmp", "-T", "fields", "-e", "icmp.type"));
        assertThat(tshark.exitCode()).as(tshark.output()).isZero();
        List<String> types = tshark.output().lines().map(String::strip).toList();
        assertThat(types).as(tshark.output()).contains("8", "0"); // echo request, echo reply
    }
}
