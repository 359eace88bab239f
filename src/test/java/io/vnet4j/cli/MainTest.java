package io.vnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.control.ControlServer;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.Netdev;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.usernet.BusyPoll;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

@Timeout(20)
class MainTest {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private PrintStream savedErr;
    private PrintStream savedOut;

    @BeforeEach
    void capture() {
        savedErr = System.err;
        savedOut = System.out;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restore() {
        System.setErr(savedErr);
        System.setOut(savedOut);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Runs the command line and expects exit code 2 and exactly {@code line} on standard error. */
    private void assertRefused(String line, String... args) {
        err.reset();
        assertThat(Main.run(args)).isEqualTo(2);
        assertThat(err()).isEqualTo(line + System.lineSeparator());
    }

    @Test
    void aBadNetdevReturnsTwoWithOneLineOnStderr() {
        assertRefused("vnet4j: -netdev bogus,id=a: unknown netdev type 'bogus' (expected socket, stream, dgram, user, tap, vde, vxlan or vhost-user)",
                "-netdev", "bogus,id=a");
    }

    @Test
    void aVhostUserClientsBadReconnectReturnsTwoWithOneLine() {
        assertRefused("vnet4j: -netdev vhost-user,id=vm,path=/tmp/vm.sock,server=off,reconnect=never: reconnect: expected a"
                + " whole number from 1 to 3600, got 'never'", "-netdev", "vhost-user,id=vm,path=/tmp/vm.sock,server=off,reconnect=never");
        assertRefused("vnet4j: -netdev vhost-user,id=vm,path=/tmp/vm.sock,server=maybe: server: expected on or off, got 'maybe'",
                "-netdev", "vhost-user,id=vm,path=/tmp/vm.sock,server=maybe");
    }

    @Test
    void qemusNicIsRefusedInOneLineSayingWhatToWrite() {
        // helper-134: QEMU's manual's -nic lines got picocli's "Unknown options: '-nic', 'user,...'"
        assertRefused("vnet4j: -nic user,hostfwd=tcp::5555-:23: -nic makes a guest NIC and its backend in one; vnet4j makes"
                + " no guest NICs (they belong on QEMU's command line): give vnet4j the backend, -netdev user,id=ID,"
                + "hostfwd=tcp::5555-:23, and attach the VM to it", "-nic", "user,hostfwd=tcp::5555-:23");
        assertRefused("vnet4j: -nic none: vnet4j makes no guest NICs, so there is none to turn off: leave -nic none out",
                "-netdev", "user,id=u", "--nic=none");
    }

    @Test
    void ctlTakesAWholeQmpCommandAndRefusesBadJsonWithTwo() {
        assertThat(Main.run("ctl", "--control", "/nonexistent/control.sock", "{\"execute\": ")).isEqualTo(2);
        assertThat(err()).startsWith("vnet4j: COMMAND: not a JSON object").hasLineCount(1);
        // helper-126: a JSON array (a batch of commands) went as an HMP line, "unknown command: '[...]'", exit 1
        err.reset();
        assertThat(Main.run("ctl", "--control", "/nonexistent/control.sock", "[{\"execute\":\"query-network\"}]"))
                .isEqualTo(2);
        assertThat(err()).isEqualTo("vnet4j: COMMAND: expected a JSON object like {\"execute\":\"query-network\"}"
                + " (see vnet4j ctl --help)\n");
    }

    /**
     * A helper's trial: {@code ctl query-network x} went as an HMP line and came back "unknown command:
     * 'query-network' (expected: info network, ...)", though {@code ctl query-network} runs.
     */
    @Test
    void ctlRefusesWordsAfterAQmpCommandName() {
        assertRefused("vnet4j: COMMAND: a QMP command name stands alone (query-network); its arguments go in one JSON "
                + "object: '{\"execute\":\"query-network\",\"arguments\":{...}}' (see vnet4j ctl --help)",
                "ctl", "--control", "/nonexistent/control.sock", "query-network", "x");
    }

    @Test
    void aBadOptionPointsToTheHelpOfItsOwnCommand() {
        assertRefused("vnet4j: Missing required parameter: 'COMMAND' (see vnet4j ctl --help)", "ctl");
        assertRefused("vnet4j: Unknown option: '--bogus' (see vnet4j --help)", "--bogus");
        // the unknown option is the fault, not the COMMAND it stood where
        assertRefused("vnet4j: Unknown option: '--bogus' (see vnet4j ctl --help)", "ctl", "--bogus");
        assertRefused("vnet4j: Unknown option: '-control': did you mean --control? (see vnet4j ctl --help)", "ctl", "-control");
    }

    /** --keep-warm: 0 to a minute in ms; --busy-poll: 0 to 1000 us. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--keep-warm|-5, soon, 1.5, 60001, 99999999999|a period in milliseconds from 1 to 60000",
        "--busy-poll|-1, fast, 0.5, 1001, 99999999999|a window in microseconds from 1 to 1000"})
    void aPeriodOrWindowOutOfRangeReturnsTwoWithOneLine(String option, String bads, String expected) {
        for (String bad : bads.split(", ")) {
            assertRefused("vnet4j: Invalid value for option '" + option + "': expected 0 (never) or "
                    + expected + ", got '" + bad + "' (see vnet4j --help)",
                    option, bad, "-netdev", "user,id=u");
        }
    }

    @Test
    void aNewlineInABadOptionStillGivesOneLine() {
        assertThat(Main.run("-netdev", "socket,id=s,listen=127.0.0.1:80\n10")).isEqualTo(2);
        assertThat(err()).contains("80\\n10").endsWith(System.lineSeparator());
        assertThat(err().strip().lines()).hasSize(1);
    }

    @Test
    void aBadLegacyNetAndABadObjectReturnTwo() {
        assertThat(Main.run("-net", "socket,vlan=x,listen=:8010")).isEqualTo(2);
        assertThat(err()).startsWith("vnet4j: -net socket,vlan=x,listen=:8010: vlan: expected a whole number")
                .hasLineCount(1);
        err.reset();
        assertThat(Main.run("-netdev", "socket,id=a,listen=127.0.0.1:0", "-object", "filter-dump,id=f,netdev=b,file=x.pcap"))
                .isEqualTo(2);
        assertThat(err()).startsWith("vnet4j: -object filter-dump,id=f: netdev=b names no -netdev").hasLineCount(1);
    }

    /** A helper's trial: "id switch0 is used twice" did not say that the other switch0 is the default network's. */
    @Test
    void aSwitchNamedAsTheDefaultNetworksSaysSo() {
        assertThat(Main.run("-object", "switch,id=switch0,hubid=1")).isEqualTo(2);
        assertThat(err()).startsWith("vnet4j: -object switch,id=switch0: the default network (no -netdev given) puts a"
                + " switch of that id on its hub 0: give this one hubid=0").hasLineCount(1);
    }

    /**
     * A netdev setting written as a word of its own, after a space instead of a comma (QEMU would take it as
     * the disk image), is refused with how to write it: picocli's "Unmatched argument at index 2" said neither
     * (the new-user trial, fifty-second pass).
     */
    @Test
    void aSettingAfterASpaceInsteadOfACommaIsRefusedWithHowToWriteIt() {
        assertRefused("vnet4j: Unmatched argument at index 2: 'hostfwd=tcp::2222-:22': settings follow the type and id "
                + "after commas, with no spaces (-netdev user,id=u,hostfwd=tcp::2222-:22) (see vnet4j --help)",
                "-netdev", "user,id=u", "hostfwd=tcp::2222-:22");
        assertRefused("vnet4j: Unmatched argument at index 0: 'extra' (see vnet4j --help)", "extra");
    }

    @Test
    void anUnknownOptionReturnsTwoWithOneLineOnStderr() {
        assertThat(Main.run("--bogus")).isEqualTo(2);
        assertThat(err()).startsWith("vnet4j: ").contains("--bogus").contains("--help").hasLineCount(1);
    }

    @Test
    void aBadHttpAddressReturnsTwoWithOneLineNamingTheOption() {
        for (String bad : new String[] {"70000", "localhost:x", "::1:9100", ""}) {
            err.reset();
            assertThat(Main.run("--http", bad)).as(bad).isEqualTo(2);
            assertThat(err()).as(bad).startsWith("vnet4j: ").contains("--http").hasLineCount(1);
        }
        assertThat(err()).contains("expected [ADDR:]PORT with a port from 0 to 65535, got ''");
        assertRefused("vnet4j: Invalid value for option '--http': '300.1.1.1' is not an IPv4 address (four decimal "
                + "numbers 0-255 without leading zeros, such as 192.0.2.1) (see vnet4j --help)", "--http", "300.1.1.1:80");
    }

    @Test
    void anHttpPortInUseFailsTheStartBeforeTheNetworkStartsWithItsCauseFirst() throws IOException {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String address = "127.0.0.1:" + taken.getLocalPort();
            assertThat(Main.run("--control", "none", "--no-warm-up", "--http", address, "-netdev", "user,id=u,ipv6=off"))
                    .isEqualTo(1);
            assertThat(err().lines().findFirst().orElse("")).as("the cause, first")
                    .endsWith("vnet4j: --http " + address + ": Address already in use");
            assertThat(err()).as("no network was started for nothing").doesNotContain("user network");
        }
    }

    /** {@code vnet4j ctl quit} (QEMU's HMP quit) stops the daemon as SIGTERM does, but to exit status 0. */
    @Test
    void ctlQuitStopsTheDaemonWithZeroAndRemovesItsControlSocket(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("c.sock");
        java.util.concurrent.FutureTask<Integer> daemon = new java.util.concurrent.FutureTask<>(() -> Main.run("--control",
                socket.toString(), "--no-warm-up", "-netdev", "socket,id=a,listen=127.0.0.1:0"));
        Thread.ofPlatform().start(daemon);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!err().contains("ready") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(err()).contains("ready");
        assertThat(Main.run("ctl", "--control", socket.toString(), "quit")).isZero();
        assertThat(out()).isEmpty();
        try {
            assertThat(daemon.get(5, java.util.concurrent.TimeUnit.SECONDS)).isZero();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the daemon still runs 5 s after quit; it said:\n" + err(), e);
        }
        assertThat(socket).doesNotExist();
        assertThat(err()).contains("vnet4j: quit (control socket)", "vnet4j: stopping");
    }

    /**
     * {@code vnet4j ctl --events}: after its command's answer, the daemon's QMP events a line each (a stream listener's
     * peer coming and going, then quit's SHUTDOWN), until the daemon closes the connection, to exit status 0.
     */
    @Test
    void ctlEventsPrintsTheDaemonsQmpEventsUntilItStops(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("c.sock");
        Path vms = dir.resolve("vms.sock");
        java.util.concurrent.FutureTask<Integer> daemon = new java.util.concurrent.FutureTask<>(() -> Main.run("--control",
                socket.toString(), "--no-warm-up", "-netdev", "stream,id=vms,server=on,addr.type=unix,addr.path=" + vms));
        Thread.ofPlatform().start(daemon);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!err().contains("ready") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(err()).contains("ready");
        java.util.concurrent.FutureTask<Integer> watcher = new java.util.concurrent.FutureTask<>(() -> Main.run("ctl",
                "--control", socket.toString(), "--events", "info version"));
        Thread.ofPlatform().start(watcher);
        while (!out().contains("vnet4j") && System.nanoTime() < deadline) { // its answer: it hears events from now on
            Thread.sleep(20);
        }
        try (java.nio.channels.SocketChannel vm = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            vm.connect(java.net.UnixDomainSocketAddress.of(vms));
            while (!out().contains("NETDEV_STREAM_CONNECTED") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
        while (!out().contains("NETDEV_STREAM_DISCONNECTED") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(Main.run("ctl", "--control", socket.toString(), "quit")).isZero();
        assertThat(watcher.get(10, java.util.concurrent.TimeUnit.SECONDS)).isZero();
        assertThat(daemon.get(10, java.util.concurrent.TimeUnit.SECONDS)).isZero();
        List<String> lines = out().lines().toList();
        assertThat(lines.getFirst()).contains("(vnet4j ");
        assertThat(lines.subList(1, lines.size())).hasSize(3).satisfies(events -> {
            assertThat(events.get(0)).contains("\"event\":\"NETDEV_STREAM_CONNECTED\"", "\"netdev-id\":\"vms\"",
                    "\"path\":\"" + vms + "\"");
            assertThat(events.get(1)).contains("\"event\":\"NETDEV_STREAM_DISCONNECTED\"");
            assertThat(events.get(2)).contains("\"event\":\"SHUTDOWN\"", "host-qmp-quit");
        });
    }

    @Test
    void ctlWithoutACommandIsRefusedUnlessItWaitsForEvents() {
        assertRefused("vnet4j: Missing required parameter: 'COMMAND' (see vnet4j ctl --help)", "ctl", "--timeout", "3");
    }

    @Test
    void anEmptyControlPathIsRefusedAsAnOption() {
        assertRefused("vnet4j: Invalid value for option '--control': expected a socket path, got an empty one (see vnet4j --help)",
                "--control", "", "-netdev", "user,id=u");
        assertRefused("vnet4j: Invalid value for option '--control': expected a socket path, got only spaces (see vnet4j --help)",
                "--control", " ", "-netdev", "user,id=u");
    }

    @Test
    void anOptionsValueMayFollowAnEqualsSignAsGetoptLongTakesIt() {
        assertRefused("vnet4j: Invalid value for option '--http': expected [ADDR:]PORT with a port from 0 to "
                + "65535, got '70000' (see vnet4j --help)",
                "--http=70000");
        err.reset();
        assertThat(Main.run("--keep-warm=soon", "--log-format=text", "-netdev", "user,id=u")).isEqualTo(2);
        assertThat(err()).startsWith("vnet4j: Invalid value for option '--keep-warm': ").hasLineCount(1);
        err.reset();
        assertThat(Main.run("ctl", "--control=/nonexistent/control.sock", "{\"execute\": ")).isEqualTo(2);
        assertThat(err()).startsWith("vnet4j: COMMAND: not a JSON object").hasLineCount(1);
    }

    @Test
    void aLogFormatIsTextOrJsonInAnyCaseAndAnythingElseIsOneLine() {
        assertThat(new LogFormatName().convert("JSON")).isEqualTo(DaemonCommand.LogFormat.json);
        assertThat(new LogFormatName().convert("Text")).isEqualTo(DaemonCommand.LogFormat.text);
        assertRefused("vnet4j: Invalid value for option '--log-format': expected text or json, got 'xml' "
                + "(see vnet4j --help)",
                "--log-format=xml", "-netdev", "user,id=u");
    }

    @Test
    void aFlagTakesAnAttachedTrueOrFalseAsPicocliAnnotationsDid() {
        DaemonCommand command = new DaemonCommand();
        new CommandLine(DaemonCommand.spec(command)).parseArgs("--quiet=true", "--no-warm-up=false");
        assertThat(command.quiet).isTrue();
        assertThat(command.noWarmUp).isFalse();
        assertRefused("vnet4j: Invalid value for option '--quiet': 'yes' is not a boolean (see vnet4j --help)",
                "--quiet=yes");
    }

    @Test
    void qemusDoubleDashSpellingsAreTheSameOptions() {
        // QEMU reads --netdev as -netdev (softmmu/vl.c, lookup_opt: "Treat --foo the same as -foo")
        assertThat(Main.run("--netdev", "bogus,id=a")).isEqualTo(2);
        assertThat(err()).startsWith("vnet4j: -netdev bogus,id=a: unknown netdev type 'bogus'").hasLineCount(1);
        err.reset();
        assertThat(Main.run("--net", "bogus")).isEqualTo(2);
        assertThat(err()).startsWith("vnet4j: -net ").hasLineCount(1);
        err.reset();
        assertThat(Main.run("--object", "bogus,id=o")).isEqualTo(2);
        assertThat(err()).startsWith("vnet4j: -object ").hasLineCount(1);
    }

    @Test
    void aSingleDashOnALongOptionIsRefusedWithTheRightSpelling() {
        // picocli's clusters of short options read -http as -h and printed the help with 0
        assertRefused("vnet4j: Unknown options: '-http', '9100': did you mean --http? (see vnet4j --help)",
                "-http", "9100");
        assertRefused("vnet4j: Unknown option: '-keep-warm=5': did you mean --keep-warm? (see vnet4j --help)",
                "-keep-warm=5");
        assertRefused("vnet4j: Unknown option: '-hV' (see vnet4j --help)", "-hV");
        assertThat(out()).isEmpty();
    }

    @Test
    void helpShowsAValueAfterASpaceAsQemuWritesIt() {
        assertThat(Main.run("--help")).isZero();
        assertThat(out()).contains("-netdev, --netdev TYPE,id=ID").contains("[--http [ADDR:]PORT]")
                .contains("--control PATH|none").doesNotContain("-netdev=").doesNotContain("--http=").doesNotContain("--control=");
        out.reset();
        assertThat(Main.run("ctl", "--help")).isZero();
        assertThat(out()).contains("--control PATH ").doesNotContain("--control=");
    }

    @Test
    void httpAddressesDefaultToLoopback() {
        HttpAddress parse = new HttpAddress();
        assertThat(parse.convert("9100")).isEqualTo(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 9100));
        assertThat(parse.convert(":9100").getAddress().isLoopbackAddress()).isTrue();
        assertThat(parse.convert("0.0.0.0:80").getAddress().isAnyLocalAddress()).isTrue();
        assertThat(parse.convert("[::1]:80").getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
    }

    @Test
    void anOptionWithoutItsValueReturnsTwo() {
        assertThat(Main.run("-netdev")).isEqualTo(2);
        assertThat(err()).startsWith("vnet4j: ").hasLineCount(1);
    }

    @Test
    void versionReturnsZeroAndPrintsTheVersion() {
        assertThat(Main.run("--version")).isZero();
        assertThat(out()).startsWith("vnet4j ").contains("Java");
        assertThat(err()).isEmpty();
    }

    @Test
    void helpReturnsZero() {
        assertThat(Main.run("--help")).isZero();
        assertThat(out()).contains("-netdev").contains("-object");
    }

    @Test
    void helpsAttachExampleIsTheDefaultNetworksSocket() {
        assertThat(Main.run("--help")).isZero();
        assertThat(out().replaceAll("\\s+\\\\\\s+", " ")).contains("qemu-system-x86_64 ... -netdev stream,id=n0,server=off,addr.type=unix,addr.path="
                + RuntimeDir.get().resolve("qemu.sock") + " -device virtio-net-pci,netdev=n0,mac=52:54:00:XX:XX:XX");
    }

    @Test
    void ctlWithoutARunningDaemonReturnsOne(@TempDir Path dir) {
        assertThat(Main.run("ctl", "--control", dir.resolve("none.sock").toString(), "info", "network")).isEqualTo(1);
        assertThat(err()).startsWith("vnet4j: cannot reach the control socket").hasLineCount(1);
    }

    /**
     * A daemon that cannot take the connection (out of file descriptors: its accept fails and is retried)
     * leaves ctl in its listen queue; ctl gives up after --timeout with one line saying why it may be.
     */
    @Test
    void ctlGivesUpOnADaemonThatNeverTakesTheConnection(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("deaf.sock");
        try (var deaf = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            deaf.bind(java.net.UnixDomainSocketAddress.of(socket)); // listening, never accepting
            long start = System.nanoTime();
            assertThat(Main.run("ctl", "--timeout", "1", "--control", socket.toString(), "info", "network")).isEqualTo(1);
            assertThat(System.nanoTime() - start).isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(8));
            assertThat(err()).isEqualTo("vnet4j: no answer on " + socket + " within 1 s: no greeting came: the daemon did not "
                    + "take the connection: one out of file descriptors cannot (its log says \"accept failed\"), nor a stopped "
                    + "one; or this is not a vnet4j control socket but one that waits and says nothing (a VM's stream socket) "
                    + "(--timeout SECONDS waits longer)" + System.lineSeparator());
        }
    }

    /** A daemon that greets and takes the capabilities but never answers the command: ctl says that instead. */
    @Test
    void ctlGivesUpOnACommandNeverAnswered(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("slow.sock");
        try (var server = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
            Thread.ofVirtual().start(() -> {
                try (var c = server.accept(); var in = new java.io.BufferedReader(java.nio.channels.Channels.newReader(c, StandardCharsets.UTF_8))) {
                    var out = java.nio.channels.Channels.newOutputStream(c);
                    out.write("{\"QMP\":{\"version\":{\"package\":\"vnet4j 0.1.0\"}}}\n".getBytes(StandardCharsets.UTF_8));
                    in.readLine();
                    out.write("{\"return\":{}}\n".getBytes(StandardCharsets.UTF_8));
                    in.readLine();
                    Thread.sleep(5000); // the command, never answered
                } catch (Exception e) {
                    // ctl gave up
                }
            });
            assertThat(Main.run("ctl", "--timeout", "1", "--control", socket.toString(), "info", "network")).isEqualTo(1);
            assertThat(err()).isEqualTo("vnet4j: no answer on " + socket + " within 1 s: the daemon took the connection "
                    + "but did not answer the command (--timeout SECONDS waits longer)" + System.lineSeparator());
        }
    }

    @Test
    void ctlTakesATimeoutInSeconds() {
        assertRefused("vnet4j: Invalid value for option '--timeout': expected 0 (for ever) or a time in seconds from 1 to 3600, "
                + "got 'soon' (see vnet4j ctl --help)", "ctl", "--timeout", "soon", "info", "network");
    }

    /** The warning comes before the control socket, which a live server holds here, so nothing starts. */
    @Test
    void aBusyPollWindowWithoutAUserNetworkIsSaidToDoNothing(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("c.sock");
        try (ControlServer live = live(socket)) {
            assertThat(Main.run("--busy-poll", "100", "--control", socket.toString(), "-netdev",
                    "socket,id=a,listen=127.0.0.1:0")).isEqualTo(1);
            assertThat(err().lines().filter(l -> l.contains("--busy-poll")).map(l -> l.replaceFirst("^\\S+Z ", "")))
                    .containsExactly("vnet4j: warning: --busy-poll 100 applies to user networks (-netdev user), and none "
                            + "is configured (a netdev_add of one would use it)");
            err.reset();
            assertThat(Main.run("--busy-poll", "100", "--control", socket.toString(), "-netdev", "user,id=u")).isEqualTo(1);
            assertThat(err()).doesNotContain("--busy-poll");
        } finally {
            BusyPoll.setMicros(BusyPoll.DEFAULT_MICROS);
        }
    }

    /** A control server answering on {@code socket}, as a live daemon's would. */
    private static ControlServer live(Path socket) throws IOException {
        ControlServer live = new ControlServer(socket, List::of, "live");
        live.start();
        return live;
    }

    @Test
    void aDaemonWhoseControlSocketALiveDaemonHoldsIsRefusedInOneLineAndLeavesItAlone(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("c.sock");
        try (ControlServer live = live(socket)) {
            assertThat(Main.run("--control", socket.toString(), "-netdev", "socket,id=a,listen=127.0.0.1:0")).isEqualTo(1);
            // the options were good: the line has its time, as standard error is a pipe here
            // (a line a daemon of an earlier test prints late may come first)
            assertThat(err().lines().filter(l -> l.contains("control socket")).map(l -> l.replaceFirst("^\\S+Z ", ""))
                    .toList()).singleElement().isEqualTo("vnet4j: control socket " + socket + " is in use by this vnet4j itself (pid " + ProcessHandle.current().pid()
                    + "): another vnet4j? choose another --control PATH, or leave --control out for a free name in "
                    + RuntimeDir.get());
            assertThat(Main.run("ctl", "--control", socket.toString(), "query-version")).isZero();
            assertThat(out()).contains("vnet4j live");
        }
    }

    /**
     * helper-120: {@code ctl qmp_capabilities} exited 1 with QEMU's "Capabilities negotiation is already complete,
     * command ignored", the answer to the second negotiation ctl sent after its own. ctl negotiates every connection
     * itself, so the command's answer is that negotiation's: {} and 0, as any QMP command that returns nothing.
     */
    @Test
    void ctlQmpCapabilitiesPrintsItsOwnNegotiationsAnswer(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("c.sock");
        try (ControlServer live = live(socket)) {
            assertThat(Main.run("ctl", "--control", socket.toString(), "qmp_capabilities")).isZero();
            assertThat(out()).isEqualTo("{}\n");
            assertThat(err()).isEmpty();
        }
    }

    @Test
    void ctlPrintsInfoNetworkAndQueryNetwork(@TempDir Path dir) {
        Path socket = dir.resolve("c.sock");
        Hub hub = new Hub(3);
        VirtualNic nic = new VirtualNic("n", hub);
        nic.start();
        ControlServer server = new ControlServer(socket, () -> List.<Netdev>of(nic), "t");
        try {
            server.start();
            assertThat(Main.run("ctl", "--control", socket.toString(), "info", "network")).isZero();
            assertThat(out()).startsWith("hub 3\n").contains(" \\ n: type=nic,in-JVM,link=up");
            out.reset();
            assertThat(Main.run("ctl", "--control", socket.toString(), "query-network")).isZero();
            assertThat(out()).startsWith("[{\"hub\":3,").endsWith("\n");
            assertThat(Main.run("ctl", "--control", socket.toString(), "no-such-command")).isEqualTo(1);
            assertThat(err()).contains("vnet4j: unknown command: 'no-such-command' (expected: info network, info usernet, info mac-table, info captures, info version, hostfwd_add, hostfwd_remove, netdev_add, netdev_del, set_link, object_add, object_del, capture, quit, help)");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        } finally {
            server.close();
            nic.close();
        }
    }
}
