package io.vnet4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.base.Log;
import io.vnet4j.config.ConfigParser;
import io.vnet4j.port.nic.VirtualNic;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class NetworkTest {
    @TempDir
    Path dir;

    @Test
    void startsWhatTheConfigAsksAndCapturesAHubToPcap() throws Exception {
        ConfigParser parser = new ConfigParser();
        parser.netdev("stream,id=s,hubid=1,server=on,addr.type=unix,addr.path=" + dir.resolve("s.sock"));
        parser.net("dump,vlan=1,file=" + dir.resolve("hub1.pcap"));
        try (Network network = Network.start(parser.build())) {
            assertThat(network.netdev("s")).isNotNull();
            assertThat(network.netdev("s").hub().id()).isEqualTo(1);
            assertThat(dir.resolve("s.sock")).exists();
            VirtualNic a = network.attachNic("a", 1);
            VirtualNic b = network.attachNic("b", 1);
            a.send(new byte[60]);
            assertThat(b.receive(5, TimeUnit.SECONDS)).hasSize(60);
        }
        assertThat(dir.resolve("s.sock")).doesNotExist();
        // pcap global header (24 bytes) + one record header (16) + 60 bytes
        assertThat(Files.size(dir.resolve("hub1.pcap"))).isEqualTo(24 + 16 + 60);
    }

    /**
     * A helper's trial: a capture at start whose file cannot be written ended the daemon with
     * "/nonexistent/x.pcap: no such file or directory", naming neither the capture nor its option.
     */
    @Test
    void aCaptureAtStartThatCannotWriteItsFileNamesItsOption() throws Exception {
        ConfigParser parser = new ConfigParser();
        parser.netdev("stream,id=s,server=on,addr.type=unix,addr.path=" + dir.resolve("s.sock"));
        parser.object("filter-dump,id=f0,netdev=s,file=" + dir.resolve("no-such-dir/s.pcap"));
        assertThatThrownBy(() -> Network.start(parser.build())).isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(Log.describe(e)).startsWith("-object filter-dump,id=f0: cannot write file=")
                        .endsWith("no such file or directory"));
    }

    /**
     * A capture whose file fails later (its FIFO's reader gone) is said once, when it fails: a helper's trial saw
     * "capture to F stopped: Broken pipe" and then, at the next capture command, a second "capture capture-a ended:
     * its file F could not be written", stamped with that command's time.
     */
    @Test
    void aCaptureWhoseFileFailsLaterIsSaidOnceWhenItFails() throws Exception {
        Path fifo = dir.resolve("f");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Log.toStandardError(Log.Format.TEXT);
        try (Network network = new Network()) {
            VirtualNic a = network.attachNic("a", 0);
            network.attachNic("b", 0);
            CompletableFuture<Void> readerTakesTheHeaderAndGoes = CompletableFuture.runAsync(() -> {
                try (FileChannel reader = FileChannel.open(fifo, StandardOpenOption.READ)) {
                    reader.read(ByteBuffer.allocate(24));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            network.addCapture("filter-dump,id=capture-a,netdev=a,file=" + fifo);
            readerTakesTheHeaderAndGoes.get();
            while (!network.captures().isEmpty()) { // each second the capture's thread writes, and is refused
                a.send(new byte[60]);
                Thread.sleep(50);
            }
            network.addCapture("filter-dump,id=other,netdev=a,file=" + dir.resolve("other.pcap"));
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains(fifo.toString())))
                .singleElement().asString().contains("capture to " + fifo + " stopped: Broken pipe");
    }

    /**
     * A {@code -net dump} on a hub that no netdev is on (vlan= mistyped, or taken for hubid= of another netdev)
     * captures nothing: it is warned of, as a switch on such a hub is; it was silent, its file left with a pcap
     * header only (the new-user trial, fifty-second pass).
     */
    @Test
    void aDumpOfAHubWithoutNetdevsIsWarnedOfAndOneOfAHubWithOneIsNot() throws Exception {
        ConfigParser parser = new ConfigParser();
        parser.netdev("stream,id=s,server=on,addr.type=unix,addr.path=" + dir.resolve("s.sock"));
        parser.net("dump,vlan=0,file=" + dir.resolve("hub0.pcap"));
        parser.net("dump,vlan=5,file=" + dir.resolve("hub5.pcap"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Log.toStandardError(Log.Format.TEXT);
        try (Network network = Network.start(parser.build())) {
            assertThat(network.captures()).hasSize(2);
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("has no netdev")))
                .containsExactly("vnet4j: warning: dump.1: hub 5 has no netdev yet; it captures the frames of the ports "
                        + "that netdev_add puts there (hubid=5)");
    }

    /**
     * A capture at start into a FIFO waits for its reader, as QEMU's does, and now says so after a second: the
     * daemon sat silent, not even "ready", until tshark was started (the new-user trial, fifty-second pass).
     */
    @Test
    void aCaptureAtStartWaitingForItsFifosReaderSaysSo() throws Exception {
        Path fifo = dir.resolve("f");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        ConfigParser parser = new ConfigParser();
        parser.netdev("stream,id=s,server=on,addr.type=unix,addr.path=" + dir.resolve("s.sock"));
        parser.object("filter-dump,id=f0,netdev=s,file=" + fifo);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Log.toStandardError(Log.Format.TEXT);
        CompletableFuture<Void> lateReader = CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(1500);
                try (FileChannel reader = FileChannel.open(fifo, StandardOpenOption.READ)) {
                    reader.read(ByteBuffer.allocate(24));
                }
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        try (Network network = Network.start(parser.build())) {
            assertThat(network.captures()).hasSize(1);
        } finally {
            System.setErr(saved);
        }
        lateReader.get();
        assertThat(err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("FIFO")))
                .containsExactly("vnet4j: f0: waiting for a reader of the FIFO " + fifo + " (start it: tshark -i " + fifo
                        + "), as QEMU waits");
    }

    @Test
    void aNetdevThatCannotStartStopsTheOnesAlreadyStarted() throws Exception {
        ConfigParser parser = new ConfigParser();
        parser.netdev("stream,id=s,server=on,addr.type=unix,addr.path=" + dir.resolve("s.sock"));
        parser.netdev("stream,id=c,addr.type=unix,addr.path=" + dir.resolve("nobody.sock"));
        assertThatThrownBy(() -> Network.start(parser.build())).isInstanceOf(IOException.class);
        assertThat(dir.resolve("s.sock")).as("the server was stopped again").doesNotExist();
    }

    @Test
    void aSecondUserNetworkOnAHubIsWarnedOfAndOneOnItsOwnHubIsNot() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Log.toStandardError(Log.Format.TEXT);
        try (Network network = new Network()) {
            network.addNetdev("user,id=a,ipv6=off");
            network.addNetdev("user,id=b,hubid=1,ipv6=off");
            network.addNetdev("user,id=c,net=10.0.3.0/24,ipv6=off");
        } finally {
            System.setErr(saved);
        }
        assertThat(err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("has the user network")))
                .containsExactly("vnet4j: warning: c: hub 0 has the user network a already; both answer its guests' DHCP, "
                        + "ARP and DNS (give each its own hubid=)");
    }

    @Test
    void aNetdevAddedAtRunTimeThatAsksForWhatARunningOneHoldsIsRefusedNamingIt(@TempDir Path dir) throws Exception {
        try (Network network = new Network()) {
            network.addNetdev("stream,id=s,server=on,addr.type=unix,addr.path=" + dir.resolve("s.sock"));
            network.addNetdev("vde,id=v,sock=" + dir.resolve("vde") + ",server=on");
            assertThatThrownBy(() -> network.addNetdev("stream,id=s2,server=on,addr.type=unix,addr.path=" + dir + "/./s.sock"))
                    .hasMessage("-netdev stream,id=s2: the unix socket " + dir + "/./s.sock is stream s's already (it runs)");
            assertThatThrownBy(() -> network.addNetdev("vhost-user,id=h,path=" + dir.resolve("s.sock")))
                    .hasMessageContaining("the unix socket " + dir.resolve("s.sock") + " is stream s's already (it runs)");
            assertThatThrownBy(() -> network.addNetdev("vde,id=v2,sock=" + dir.resolve("vde") + ",server=on"))
                    .hasMessage("-netdev vde,id=v2: the VDE switch directory " + dir.resolve("vde") + " is vde v's already (it runs)");
            // what only uses another's: a client of its socket, a plug into its switch, datagrams to its path
            network.addNetdev("stream,id=c,server=off,addr.type=unix,addr.path=" + dir.resolve("s.sock"));
            network.addNetdev("vde,id=p,sock=" + dir.resolve("vde"));
            network.addNetdev("dgram,id=d1,local.type=unix,local.path=" + dir.resolve("d1") + ",remote.type=unix,remote.path=" + dir.resolve("d2"));
            network.addNetdev("dgram,id=d2,local.type=unix,local.path=" + dir.resolve("d2") + ",remote.type=unix,remote.path=" + dir.resolve("d1"));
            network.removeNetdev("s");
            network.addNetdev("stream,id=s2,server=on,addr.type=unix,addr.path=" + dir.resolve("s.sock")); // free again
        }
    }

    /**
     * A vhost-user client (server=off) added and removed at run time: it waits for QEMU's socket without making it,
     * and its removal stops its tries. Its path is held as a server's is: a client of this daemon's own vhost-user
     * socket would be served by nobody (each side waits for the other's first message), and two clients of one QEMU
     * socket would have the second sit in QEMU's listen queue.
     */
    @Test
    void aVhostUserClientAddedAtRunTimeWaitsForQemuAndItsPathIsHeld(@TempDir Path dir) throws Exception {
        try (Network network = new Network()) {
            network.addNetdev("vhost-user,id=vu,path=" + dir.resolve("vu.sock"));
            assertThatThrownBy(() -> network.addNetdev("vhost-user,id=vc,path=" + dir.resolve("vu.sock") + ",server=off"))
                    .hasMessage("-netdev vhost-user,id=vc: the unix socket " + dir.resolve("vu.sock") + " is vhost-user vu's already (it runs)");
            var client = network.addNetdev("vhost-user,id=vc,path=" + dir.resolve("qemu.sock") + ",server=off,reconnect=2");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!client.describe().contains("waiting") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(client.describe()).isEqualTo("path=" + dir.resolve("qemu.sock")
                    + ",server=off,reconnect=2 (waiting for QEMU to listen there: nothing there yet)");
            assertThat(network.removeNetdev("vc")).isTrue();
            assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("vnet4j-vc-connect"));
            assertThat(dir.resolve("qemu.sock")).doesNotExist();
        }
    }
}
