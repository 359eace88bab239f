package io.vnet4j.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.Network;
import io.vnet4j.config.SwitchConfig;
import io.vnet4j.port.nic.VirtualNic;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HMP hostfwd_add and hostfwd_remove on a running user network, with QEMU's messages. */
@Timeout(30)
class HumanMonitorTest {
    private Network network;
    private HumanMonitor monitor;
    /** The times {@code monitor}'s quit ran. */
    private int quits;

    @BeforeEach
    void start() throws Exception {
        network = new Network();
        network.attachNic("guest", 0);
        network.addNetdev("user,id=u");
        network.addNetdev("user,id=v,net=10.0.3.0/24");
        monitor = new HumanMonitor(network::netdevs, changes(network), () -> quits++, "1.2.3");
    }

    /** Changes that go to {@code network}, as the daemon's do. */
    static NetworkChanges changes(Network network) {
        return new NetworkChanges() {
            @Override
            public io.vnet4j.fabric.Netdev add(String option) throws io.vnet4j.config.ConfigException, IOException {
                return network.addNetdev(option);
            }

            @Override
            public boolean remove(String id) {
                return network.removeNetdev(id);
            }

            @Override
            public io.vnet4j.config.CaptureConfig addCapture(String option) throws io.vnet4j.config.ConfigException, IOException {
                return network.addCapture(option);
            }

            @Override
            public boolean removeCapture(String id) {
                return network.removeCapture(id);
            }

            @Override
            public java.util.List<io.vnet4j.config.CaptureConfig> captures() {
                return network.captures();
            }

            @Override
            public long captureDrops(String id) {
                return network.captureDrops(id);
            }

            @Override
            public boolean canQuit() {
                return true;
            }
        };
    }

    @AfterEach
    void stop() {
        network.close();
    }

    @Test
    void aForwardAddedAtRunTimeListensShowsInInfoNetworkAndGoesAwayWhenRemoved() throws Exception {
        int port = freePort();
        assertThat(monitor.run("hostfwd_add tcp::" + port + "-:22")).isEmpty();
        try (Socket s = new Socket("127.0.0.1", port)) {
            assertThat(s.isConnected()).isTrue();
            // the connection, as libslirp lists an SS_INCOMING one: the forward's host end to the guest
            String row = String.format("  TCP[SYN_SENT]       -       127.0.0.1 %5d       10.0.2.15    22", port);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!monitor.run("info usernet").contains(row) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(monitor.run("info usernet")).contains(row);
        }
        assertThat(monitor.run("info network")).contains("hostfwd tcp 127.0.0.1:" + port + " -> 10.0.2.15:22");
        assertThat(monitor.run("info usernet")).startsWith("Hub 0 (u):\n  Protocol[State]    FD  Source Address  Port")
                .contains(String.format("  TCP[HOST_FORWARD]   -       127.0.0.1 %5d       10.0.2.15    22     0     0%n", port));
        assertThat(NetworkReport.query(network.netdevs()).toString())
                .contains("forwards=[{protocol=tcp, host-address=127.0.0.1, host-port=" + port
                        + ", ipv6-only=false, guest-address=10.0.2.15, guest-port=22, guest-learnt=false}]");

        assertThat(monitor.run("hostfwd_remove tcp::" + port)).isEqualTo("host forwarding rule for tcp::" + port + " removed\n");
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
        assertThat(monitor.run("info network")).doesNotContain("hostfwd tcp 127.0.0.1:" + port);
        assertThat(monitor.run("hostfwd_remove tcp::" + port)).isEqualTo("host forwarding rule for tcp::" + port + " not found\n");
    }

    @Test
    void argumentsInDoubleQuotesAreReadAsQemusMonitorReadsThem() throws Exception {
        // a helper's replay: QEMU's monitor strips the quotes (monitor/hmp.c get_str); vnet4j kept them
        int port = freePort();
        assertThat(monitor.run("hostfwd_add \"tcp:127.0.0.1:" + port + "-:22\"")).isEmpty();
        assertThat(monitor.run("hostfwd_remove  \"tcp:127.0.0.1:" + port + "\" ")).isEqualTo(
                "host forwarding rule for tcp:127.0.0.1:" + port + " removed\n");
        assertThat(HumanMonitor.words("  a \"b c\" \"d\\\"e\\\\\" f")).containsExactly("a", "b c", "d\"e\\", "f");
        assertThat(HumanMonitor.words("   ")).containsExactly("");
        assertThatThrownBy(() -> HumanMonitor.words("hostfwd_add \"tcp::1-:22")).hasMessage("unterminated string");
        assertThatThrownBy(() -> HumanMonitor.words("hostfwd_add \"tcp\\")).hasMessage("unterminated string");
        assertThatThrownBy(() -> HumanMonitor.words("x \"\\q\"")).hasMessage("unsupported escape code: '\\q'");
    }

    @Test
    void aNetdevIdPicksTheUserNetworkAndUdpAndIpv6RulesWork() throws Exception {
        int port = freePort();
        assertThat(monitor.run("hostfwd_add v udp:[::1]:" + port + "-10.0.3.9:53")).isEmpty();
        assertThat(monitor.run("info network")).contains("hostfwd udp [::1]:" + port + " -> 10.0.3.9:53");
        try (DatagramChannel probe = DatagramChannel.open()) {
            assertThatThrownBy(() -> probe.bind(new InetSocketAddress("::1", port))).isInstanceOf(IOException.class);
        }
        assertThat(monitor.run("hostfwd_remove v udp:[::1]:" + port)).endsWith("removed\n");
        assertThat(monitor.run("hostfwd_remove u udp:[::1]:" + port)).endsWith("not found\n");
    }

    @Test
    void failuresAreQemusLinesAndChangeNothing() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> monitor.run("hostfwd_add tcp::" + port + "-:22"))
                    .hasMessageStartingWith("Could not set up host forwarding rule 'tcp::" + port + "-:22': ");
            assertThat(monitor.run("info network")).doesNotContain("hostfwd tcp 127.0.0.1:" + port);
        }
        assertThatThrownBy(() -> monitor.run("hostfwd_add tcp::99999-:22"))
                .hasMessage("Invalid host forwarding rule 'tcp::99999-:22' (Bad host port)");
        assertThatThrownBy(() -> monitor.run("hostfwd_add tcp::2222-:22,")).as("QEMU's line: a rule given here holds its "
                + "comma as typed, no escaped ',,' of an option string").hasMessage("Invalid host forwarding rule 'tcp::2222-:22,' (Bad guest port)");
        assertThatThrownBy(() -> monitor.run("hostfwd_add nosuch tcp::2222-:22")).hasMessage("unrecognized netdev id 'nosuch'");
        assertThatThrownBy(() -> monitor.run("hostfwd_add guest tcp::2222-:22")).hasMessage("invalid device specified");
        assertThatThrownBy(() -> monitor.run("hostfwd_remove icmp::2222")).hasMessage("invalid format");
        assertThatThrownBy(() -> monitor.run("hostfwd_remove tcp:[::1:2222")).hasMessage("invalid format");
        // brackets hold an IPv6 address, as in hostfwd_add, which refuses these two (helper-113: "[]" was 127.0.0.1)
        assertThatThrownBy(() -> monitor.run("hostfwd_remove tcp:[]:2222")).hasMessage("invalid format");
        assertThatThrownBy(() -> monitor.run("hostfwd_remove tcp:[127.0.0.1]:2222")).hasMessage("invalid format");
        assertThatThrownBy(() -> monitor.run("hostfwd_add")).hasMessageStartingWith("usage: hostfwd_add");
    }

    /**
     * An argument more than a command takes is QEMU 7.2's line (monitor/hmp.c, checked against the binary), where
     * vnet4j printed its usage, and "info network x" an unknown command. Too few keep vnet4j's usage line, which
     * says more than QEMU's "hostfwd_add: string expected" (set_link's are QEMU's already).
     */
    @Test
    void anArgumentTooManyIsQemusExtraneousCharacters() {
        String[][] cases = {
                {"hostfwd_add a b c", "hostfwd_add"}, {"hostfwd_remove a b c", "hostfwd_remove"},
                {"netdev_add user,id=a extra", "netdev_add"}, {"netdev_del a b", "netdev_del"},
                {"object_add a b", "object_add"}, {"object_del a b", "object_del"}, {"set_link a on b", "set_link"},
                {"info network x", "network"}, {"info usernet x", "usernet"}, {"info mac-table x", "mac-table"},
                {"info captures x", "captures"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> monitor.run(c[0])).as(c[0]).hasMessage(c[1] + ": extraneous characters at the end of line");
        }
        assertThatThrownBy(() -> monitor.run("hostfwd_remove")).hasMessageStartingWith("usage: hostfwd_remove");
        assertThatThrownBy(() -> monitor.run("netdev_del")).hasMessage("usage: netdev_del id");
    }

    /** A blank line runs nothing and says nothing, as in QEMU 7.2's monitor (vnet4j said "unknown command: ''"). */
    @Test
    void aBlankLineRunsNothingAndSaysNothingAsInQemu() throws Exception {
        assertThat(monitor.run("")).isEmpty();
        assertThat(monitor.run(" \t ")).isEmpty();
    }

    @Test
    void aNetdevAddedAtRunTimeServesAndGoesAwayWithItsSocketFile(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("b.sock");
        assertThat(monitor.run("netdev_add stream,id=b,server=on,addr.type=unix,addr.path=" + socket)).isEmpty();
        assertThat(socket).exists();
        assertThat(monitor.run("info network")).contains(" \\ b: ");
        // QEMU 7.2's words and shape (checked): the line without the option before it, then the Try line
        assertThatThrownBy(() -> monitor.run("netdev_add stream,id=b,server=on,addr.type=unix,addr.path=" + socket))
                .hasMessage("Duplicate ID 'b' for netdev").isInstanceOfSatisfying(HumanMonitor.Failure.class, f -> assertThat(f.text())
                        .isEqualTo("Duplicate ID 'b' for netdev\nTry \"help netdev_add\" for more information\n"));

        assertThat(monitor.run("netdev_del b")).isEmpty();
        assertThat(socket).doesNotExist();
        assertThat(monitor.run("info network")).doesNotContain(" \\ b: ");
        assertThatThrownBy(() -> monitor.run("netdev_del b")).hasMessage("Device 'b' not found");
        assertThatThrownBy(() -> monitor.run("netdev_add stream,id=c,bogus=1")).hasMessageContaining("bogus");
    }

    /**
     * A netdev's 802.1Q membership shows on its own line, as on its ports': a helper's netdev_add of a listener with
     * trunk=10,trunk=20 (and of a vhost-user netdev with vlan=10) showed no VLAN in {@code info network} or
     * {@code query-network} until a VM connected, though the start-up line names it.
     */
    @Test
    void aNetdevsVlansShowOnItsLineBeforeAnyPortComes(@TempDir Path dir) throws Exception {
        monitor.run("netdev_add stream,id=b,server=on,addr.type=unix,addr.path=" + dir.resolve("b.sock") + ",trunk=10,trunk=20");
        monitor.run("netdev_add vhost-user,id=h,path=" + dir.resolve("h.sock") + ",vlan=10");
        assertThat(monitor.run("info network")).contains("/b.sock (0 connections), trunk=10,trunk=20\n",
                "/h.sock (no front-end connected), vlan=10\n");
        assertThat(NetworkReport.query(network.netdevs()).toString()).contains("id=b, type=stream, info=server=on",
                "vlan=trunk=10,trunk=20, link-down=false, ports=[]");
    }

    /** helper-120: netdev_add of a type QEMU 7.2's schema has not is refused in QEMU's words (checked), as over QMP. */
    @Test
    void aTypeQemuHasNotIsRefusedInQemusWords() {
        for (String option : new String[] {"bogus,id=x", "type=bogus,id=x"}) {
            assertThatThrownBy(() -> monitor.run("netdev_add " + option)).as(option)
                    .isInstanceOfSatisfying(HumanMonitor.Failure.class, f -> assertThat(f.text())
                            .isEqualTo("Error: Parameter 'type' does not accept value 'bogus'\n"));
        }
        assertThatThrownBy(() -> monitor.run("netdev_add bridge,id=x")).hasMessageStartingWith("netdev type 'bridge' is not available");
    }

    /** A second gateway on a hub is a mistake the daemon's log alone would hide from whoever typed it. */
    @Test
    void aUserNetworkAddedOntoAHubWithOneSaysSoToWhoeverAddedIt() throws Exception {
        assertThat(monitor.run("netdev_add user,id=w,net=10.0.4.0/24")).isEqualTo("warning: w: hub 0 has the user network u "
                + "already; both answer its guests' DHCP, ARP and DNS (give each its own hubid=)\n");
        assertThat(monitor.run("netdev_add user,id=x,net=10.0.5.0/24,hubid=5")).isEmpty();
    }

    @Test
    void infoMacTableShowsEachSwitchsLearntAddressesAndHubsSayTheyHaveNone() throws Exception {
        network.learn(new SwitchConfig("sw1", 1, 60, 100, 10));
        VirtualNic x = network.attachNic("x", 1);
        network.attachNic("y", 1);
        byte[] frame = new byte[60];
        Arrays.fill(frame, 0, 6, (byte) 0xFF);
        System.arraycopy(new byte[] {0x52, 0x54, 0x00, 0x00, 0x00, 0x0A}, 0, frame, 6, 6);
        x.send(frame);

        assertThat(monitor.run("info mac-table")).isEqualTo("""
                hub 0: a hub (every frame to every port), no table
                hub 1: switch sw1, 1 MAC of at most 100 (10 per port), aging 60 s
                    learnt 1, moved 0, aged 0, not learnt: table full 0, port full 0; dropped as sent back to their own port 0, from no station's MAC 0, to 802.1D reserved addresses 0
                  52:54:00:00:00:0a  port x                age 0 s
                """);
        assertThat(monitor.run("info network")).contains("hub 1 (switch sw1: 1 MAC learnt; info mac-table)\n");
        assertThat(NetworkReport.query(network.netdevs()).toString())
                .contains("switch={id=sw1, aging=60, max-macs=100, max-macs-per-port=10, learned=1")
                .contains("mac=52:54:00:00:00:0a").contains("port=x");
    }

    /**
     * helper-113: {@code capture start} racing {@code netdev_del} of its netdev failed on a NullPointerException
     * (the netdev gone between the capture's check and its registration), or said "a capture of netdev 'r' runs
     * already" when the netdev had gone before the capture was asked for; each now says the netdev is gone, and
     * no capture outlives its netdev.
     */
    @Test
    @Timeout(60)
    void aCaptureStartRacingNetdevDelSaysTheNetdevWentAndOutlivesItNot(@TempDir Path dir) throws Exception {
        java.util.Map<String, Integer> answers = new java.util.TreeMap<>();
        for (int round = 0; round < 1500; round++) {
            network.attachNic("r", 5);
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            Thread remover = Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    network.removeNetdev("r");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            go.countDown();
            String answer;
            try {
                answer = monitor.run("capture start r " + dir.resolve("r.pcap")).startsWith("capturing") ? "started" : "?";
            } catch (HumanMonitor.Failure e) {
                answer = e.getMessage().replace(dir.toString(), "DIR");
            }
            remover.join();
            answers.merge(answer, 1, Integer::sum);
            assertThat(network.captures()).as("captures after round " + round).isEmpty();
        }
        assertThat(answers.keySet()).as(answers.toString()).allSatisfy(a -> assertThat(a).isIn("started",
                "no netdev 'r' runs (info network lists them)", "DIR/r.pcap: netdev r ended while the file was being opened"));
    }

    /** helper-94: {@code capture stop NETDEV} did not stop the netdev's capture that object_add started. */
    @Test
    void captureStopStopsTheNetdevsOneCaptureWhateverStartedIt(@TempDir Path dir) throws Exception {
        monitor.run("object_add filter-dump,id=f,netdev=u,file=" + dir.resolve("f.pcap"));
        assertThat(monitor.run("capture stop u")).isEqualTo("capture of netdev u stopped\n");
        assertThat(monitor.run("info captures")).isEqualTo("no captures run (capture start NETDEV FILE starts one)\n");
        monitor.run("object_add filter-dump,id=f,netdev=u,file=" + dir.resolve("f.pcap"));
        monitor.run("object_add filter-dump,id=g,netdev=u,file=" + dir.resolve("g.pcap"));
        assertThatThrownBy(() -> monitor.run("capture stop u")).hasMessage("netdev 'u' has 2 captures (f, g): object_del ID"
                + " stops one");
        monitor.run("capture start u " + dir.resolve("u.pcap"));
        assertThat(monitor.run("capture stop u")).isEqualTo("capture of netdev u stopped\n");
        assertThat(monitor.run("info captures")).contains("f: netdev u").contains("g: netdev u").doesNotContain("capture-u");
    }

    /**
     * A helper's finding: {@code capture start} into a FIFO nobody reads waited in its open past ctl's 10 s, which
     * said it failed, while the capture was neither listed nor stoppable, and started when a reader came. Now it
     * is refused after a few seconds, and nothing of it stays.
     */
    @Test
    void aCaptureIntoAFifoNobodyReadsIsRefusedAndLeavesNothing(@TempDir Path dir) throws Exception {
        java.nio.file.Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(9), () ->
                assertThatThrownBy(() -> monitor.run("capture start u " + fifo)).hasMessage(fifo
                        + ": a FIFO that no process reads: start its reader first (tshark -i " + fifo
                        + ", wireshark -k -i " + fifo + ")"));
        assertThat(monitor.run("info captures")).isEqualTo("no captures run (capture start NETDEV FILE starts one)\n");
        assertThat(monitor.run("capture start u " + dir.resolve("u.pcap"))).startsWith("capturing netdev u");
        assertThat(monitor.run("capture stop u")).isEqualTo("capture of netdev u stopped\n");
    }

    /**
     * A helper's finding: a capture into a FIFO nobody reads waited in its open holding the network's lock, so
     * that object_del, capture stop, netdev_del and the daemon's stop (SIGTERM) waited with it, for ever.
     */
    @Test
    void aCaptureWaitingForItsFifosReaderHoldsUpNothingElse(@TempDir Path dir) throws Exception {
        java.nio.file.Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        var failure = new java.util.concurrent.CompletableFuture<Throwable>();
        Thread opener = Thread.ofVirtual().start(() -> {
            try {
                network.addCapture("filter-dump,id=f,netdev=guest,file=" + fifo);
                failure.complete(null);
            } catch (Throwable t) {
                failure.complete(t);
            }
        });
        // until the capture waits for its FIFO's reader (PcapWriter.openFifo's timed wait, after the capture was
        // noted as opening): a fixed 200 ms was too short once in CI, when the virtual thread had not yet run, and
        // the second capture then opened the FIFO itself
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (opener.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(opener.getState()).isEqualTo(Thread.State.TIMED_WAITING);
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(5), () -> {
            assertThatThrownBy(() -> monitor.run("capture start v " + fifo))
                    .hasMessageContaining("capture f writes that file already");
            assertThat(monitor.run("capture start u " + dir.resolve("u.pcap"))).startsWith("capturing netdev u");
            assertThat(monitor.run("capture stop u")).isEqualTo("capture of netdev u stopped\n");
            network.close();
        });
        try (var reader = java.nio.file.Files.newInputStream(fifo)) { // the open goes on, into a closed network
            assertThat(failure.get(5, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(IOException.class)
                    .hasMessageContaining("ended while the file was being opened");
        }
        assertThat(network.captures()).isEmpty();
    }

    /**
     * A helper's finding: a capture stopped by a full disk (or a FIFO's reader gone) stayed listed by {@code info
     * captures} as running, and {@code capture start} of its netdev was refused as one running already.
     */
    @Test
    void aCaptureWhoseFileCannotBeWrittenEndsAndItsNetdevCanBeCapturedAgain(@TempDir Path dir) throws Exception {
        io.vnet4j.port.nic.VirtualNic a = (io.vnet4j.port.nic.VirtualNic) network.netdev("guest");
        io.vnet4j.port.nic.VirtualNic b = network.attachNic("other", 0);
        byte[] frame = broadcast();
        assertThatThrownBy(() -> monitor.run("capture start other /dev/full")).as("QEMU's dump write error")
                .hasMessageContaining("/dev/full: cannot write the pcap header: No space left on device");
        java.nio.file.Path fifo = dir.resolve("f");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        var reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.READ);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(monitor.run("capture start other " + fifo)).startsWith("capturing netdev other to " + fifo);
        try (var r = reader.get()) {
            r.read(java.nio.ByteBuffer.allocate(24)); // the header, then the reader goes
        }
        a.send(frame);
        assertThat(b.receive(5, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
        network.flushCaptures(); // EPIPE: the capture stops
        assertThat(monitor.run("info captures")).isEqualTo("no captures run (capture start NETDEV FILE starts one)\n");
        java.nio.file.Path file = dir.resolve("again.pcap");
        assertThat(monitor.run("capture start other " + file)).startsWith("capturing netdev other to " + file);
        a.send(frame);
        assertThat(b.receive(5, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
        assertThat(monitor.run("capture stop other")).isEqualTo("capture of netdev other stopped\n");
        assertThat(java.nio.file.Files.size(file)).isEqualTo(24 + 16 + 60);
    }

    /** A capture whose FIFO's reader stopped reading drops frames, and info captures counts them. */
    @Test
    void infoCapturesCountsTheFramesACaptureDropped(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        var reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.READ); // never read
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(monitor.run("capture start guest " + fifo)).startsWith("capturing netdev guest");
        try (var stalled = reader.get()) {
            VirtualNic guest = (VirtualNic) network.netdev("guest");
            byte[] frame = new byte[1500];
            Arrays.fill(frame, 0, 6, (byte) 0xff);
            for (int i = 0; i < 4000; i++) { // 6 MB: more than the pipe and the capture's two buffers hold
                guest.send(frame);
            }
            assertThat(monitor.run("info captures")).matches("capture-guest: netdev guest -> " + fifo
                    + " \\(maxlen 65536\\), [1-9][0-9]* frames dropped \\(the file took them too slowly\\)\n");
        }
    }

    /**
     * capture start's refusals name what is wrong: every refusal of its option was reported as "a capture of
     * netdev 'X' runs already", an empty FILE (ctl's {@code capture start vms ''}, a script's unset variable) and
     * the id capture-X taken by another netdev's capture too (the new-user trial, fifty-second pass).
     */
    @Test
    void captureStartNamesWhatIsWrongWithItsFile(@TempDir Path dir) throws Exception {
        network.attachNic("other", 0);
        assertThatThrownBy(() -> monitor.run("capture start guest \"\"")).hasMessage(
                "capture start: expected the pcap file's path, got an empty one");
        assertThat(monitor.run("object_add filter-dump,id=capture-other,netdev=guest,file=" + dir.resolve("g.pcap"))).isEmpty();
        assertThatThrownBy(() -> monitor.run("capture start other " + dir.resolve("o.pcap"))).hasMessage(
                "id capture-other is already in use (info captures lists it)");
        assertThat(monitor.run("capture stop guest")).isEqualTo("capture of netdev guest stopped\n");
        assertThat(monitor.run("capture start other " + dir.resolve("o.pcap"))).startsWith("capturing netdev other");
    }

    @Test
    void aCaptureStartedAndStoppedAtRunTimeHoldsTheFramesBetween() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("vnet4j-capture-test");
        try {
            io.vnet4j.port.nic.VirtualNic a = (io.vnet4j.port.nic.VirtualNic) network.netdev("guest");
            io.vnet4j.port.nic.VirtualNic b = network.attachNic("other", 0);
            byte[] frame = broadcast();
            a.send(frame); // before: not captured
            java.nio.file.Path file = dir.resolve("a,b.pcap");
            assertThat(monitor.run("capture start other " + file)).isEqualTo("capturing netdev other to " + file
                    + " (capture stop other ends it)\n");
            assertThatThrownBy(() -> monitor.run("capture start other " + file)).hasMessage(
                    "a capture of netdev 'other' runs already (capture stop other ends it)");
            assertThatThrownBy(() -> monitor.run("object_add filter-dump,id=f2,netdev=guest,file=" + file.toString().replace(",", ",,"))).hasMessage(
                    file + ": capture capture-other writes that file already");
            java.nio.file.Path link = java.nio.file.Files.createSymbolicLink(dir.resolve("link"), dir);
            assertThatThrownBy(() -> monitor.run("capture start guest " + link.resolve("a,b.pcap")))
                    .as("another spelling of the same file, through a symbolic link, as the start refuses it")
                    .hasMessage(link.resolve("a,b.pcap") + ": capture capture-other writes that file already");
            assertThatThrownBy(() -> monitor.run("capture start guest " + dir.resolve("no/such/dir.pcap"))).hasMessage(
                    dir.resolve("no/such/dir.pcap") + ": no such file or directory");
            assertThatThrownBy(() -> monitor.run("object_add filter-dump,id=f,netdev=nope,file=" + dir.resolve("x")))
                    .hasMessageContaining("netdev=nope names no running netdev");
            a.send(frame);
            a.send(frame);
            assertThat(b.receive(5, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
            assertThat(monitor.run("capture stop other")).isEqualTo("capture of netdev other stopped\n");
            a.send(frame); // after: not captured
            assertThat(java.nio.file.Files.size(file)).as("the pcap header and two records of 16 + 60 bytes")
                    .isEqualTo(24 + 2 * (16 + 60));
            assertThatThrownBy(() -> monitor.run("capture stop other")).hasMessageContaining("no capture of netdev 'other' runs");
            assertThat(monitor.run("object_add filter-dump,id=f1,netdev=guest,file=" + dir.resolve("f1.pcap"))).isEmpty();
            assertThat(network.captures()).extracting(io.vnet4j.config.CaptureConfig::id).containsExactly("f1");
            assertThat(monitor.run("info captures")).isEqualTo("f1: netdev guest -> " + dir.resolve("f1.pcap") + " (maxlen 65536)\n");
            assertThat(monitor.run("object_del f1")).isEmpty();
            assertThat(monitor.run("capture start other " + dir.resolve("gone.pcap"))).startsWith("capturing netdev other");
            assertThat(monitor.run("netdev_del other")).isEmpty();
            assertThat(network.captures()).as("a netdev's captures end with it, as QEMU's filters").isEmpty();
            assertThat(monitor.run("info captures")).isEqualTo("no captures run (capture start NETDEV FILE starts one)\n");
            assertThatThrownBy(() -> monitor.run("object_del f1")).hasMessage("object 'f1' not found");
            assertThatThrownBy(() -> monitor.run("object_add switch,id=s")).hasMessageContaining(
                    "only filter-dump objects can be added while the network runs");
        } finally {
            io.vnet4j.peers.PeerTools.deleteTree(dir);
        }
    }

    @Test
    void withoutAUserNetworkItSaysSo() {
        try (Network plain = new Network()) {
            plain.attachNic("n", 0);
            HumanMonitor m = new HumanMonitor(plain::netdevs, NetworkChanges.NONE, () -> { }, "1.2.3");
            assertThatThrownBy(() -> m.run("hostfwd_add tcp::2222-:22")).hasMessage("user mode network stack not in use");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * QEMU's {@code quit|q}: an empty answer, the quit asked of the session; an argument is refused in QEMU's
     * line, which names the command as its table does; a monitor whose program cannot be stopped says so.
     */
    @Test
    void quitAndQAnswerNothingAndAskTheSessionToQuit() throws Exception {
        assertThat(monitor.run("quit")).isEmpty();
        assertThat(monitor.run("q")).isEmpty();
        assertThat(quits).isEqualTo(2);
        assertThatThrownBy(() -> monitor.run("q now")).isInstanceOfSatisfying(HumanMonitor.Failure.class, f -> assertThat(f.text())
                .isEqualTo("quit|q: extraneous characters at the end of line\nTry \"help q\" for more information\n"));
        assertThat(quits).isEqualTo(2);
        assertThat(monitor.run("help q")).isEqualTo("quit|q -- stop vnet4j, as SIGTERM does, with exit status 0\n");
        HumanMonitor plain = new HumanMonitor(network::netdevs, NetworkChanges.NONE, () -> quits++, "1.2.3");
        assertThatThrownBy(() -> plain.run("quit")).hasMessage("quit: this control socket's program is not stopped from it");
        assertThat(quits).isEqualTo(2);
    }

    /** QEMU's {@code info version}: the triple, then the package in parentheses. */
    @Test
    void infoVersionPrintsTheTripleAndThePackage() throws Exception {
        assertThat(monitor.run("info version")).isEqualTo("1.2.3 (vnet4j 1.2.3)\n");
        assertThat(HumanMonitor.versionLine("0.1.0-SNAPSHOT")).isEqualTo("0.1.0 (vnet4j 0.1.0-SNAPSHOT)\n");
        assertThatThrownBy(() -> monitor.run("info version x")).isInstanceOfSatisfying(HumanMonitor.Failure.class,
                f -> assertThat(f.text()).startsWith("version: extraneous characters at the end of line\n"));
    }

    /** A helper's trial: {@code vnet4j ctl help} was an unknown command; QEMU's monitor has help and ?. */
    @Test
    void helpListsEveryCommandOneALine() throws Exception {
        String help = monitor.run("help");
        assertThat(monitor.run("?")).isEqualTo(help);
        for (String command : new String[] {"capture", "hostfwd_add", "hostfwd_remove", "info captures", "info mac-table",
                "info network", "info usernet", "netdev_add", "netdev_del", "object_add", "object_del", "set_link"}) {
            assertThat(help.lines()).anySatisfy(line -> assertThat(line).startsWith(command + " "));
        }
    }

    /** As QEMU's monitor: {@code help COMMAND} gives that command's line, and {@code info} alone lists the info commands. */
    @Test
    void helpOfACommandAndInfoAloneGiveTheirOwnLines() throws Exception {
        assertThat(monitor.run("help set_link")).isEqualTo("set_link name on|off -- change the link status of a network adapter\n");
        assertThat(monitor.run("? info").lines()).hasSize(5).allSatisfy(line -> assertThat(line).startsWith("info "));
        assertThat(monitor.run("info")).isEqualTo(monitor.run("help info"));
        assertThat(monitor.run("help ?")).startsWith("help|? [cmd] -- ");
        assertThat(monitor.run("help info network")).isEqualTo("info network -- show the hubs, their ports and counters\n");
        assertThatThrownBy(() -> monitor.run("help bogus")).hasMessage("unknown command: 'bogus' (help lists the commands)");
    }

    /**
     * As QEMU 7.2's monitor (monitor/hmp.c help_cmd_dump): the words after a command's name are not looked at,
     * and an unknown one is named with the words before it; vnet4j said {@code unknown command: 'netdev_del x'}.
     */
    @Test
    void helpLooksAtACommandsNameOnlyAsQemusMonitor() throws Exception {
        assertThat(monitor.run("help netdev_del x")).isEqualTo(monitor.run("help netdev_del"));
        assertThat(monitor.run("? set_link t on")).isEqualTo(monitor.run("help set_link"));
        assertThat(monitor.run("help info network x")).isEqualTo(monitor.run("help info network"));
        assertThatThrownBy(() -> monitor.run("help bogus x")).hasMessage("unknown command: 'bogus' (help lists the commands)");
        assertThatThrownBy(() -> monitor.run("help info bogus x"))
                .hasMessage("unknown command: 'info bogus' (help lists the commands)");
    }

    /** A frame of 60 bytes to the broadcast address: every other port of the hub gets it. */
    private static byte[] broadcast() {
        byte[] frame = new byte[60];
        Arrays.fill(frame, 0, 6, (byte) 0xff);
        return frame;
    }
}
