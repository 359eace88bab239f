package io.vnet4j.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.Netdev;
import io.vnet4j.port.nic.VirtualNic;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(20)
class ControlServerTest {
    @TempDir
    Path dir;

    private Path socket;
    private final List<Netdev> netdevs = new CopyOnWriteArrayList<>();
    private ControlServer server;
    private final Hub hub = new Hub(0);
    /** The netdev list's supplier throws, as a bug would. */
    private volatile boolean failing;

    /** A raw client: writes lines and reads the server's lines. */
    private static final class Client implements AutoCloseable {
        final SocketChannel channel;
        final InputStream in;
        final OutputStream out;

        Client(Path path) throws IOException {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(path));
            in = Channels.newInputStream(channel);
            out = Channels.newOutputStream(channel);
        }

        void send(String line) throws IOException {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        /** One line of the server's, of any length; null at the end of the stream. */
        String line() throws IOException {
            java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    return line.toString(StandardCharsets.UTF_8);
                }
                line.write(b);
            }
            return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
        }

        Map<?, ?> answer() throws IOException {
            String line = line();
            assertThat(line).as("an answer").isNotNull().endsWith("\r");
            return (Map<?, ?>) Json.parse(line.trim());
        }

        Map<?, ?> execute(String json) throws IOException {
            send(json);
            return answer();
        }

        /** Reads the greeting and negotiates capabilities, after which commands run. */
        Client negotiated() throws IOException {
            answer();
            assertThat(execute("{\"execute\":\"qmp_capabilities\"}")).isEqualTo(Map.of("return", Map.of()));
            return this;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    @BeforeEach
    void start() throws IOException {
        socket = dir.resolve("control.sock");
        server = new ControlServer(socket, () -> {
            if (failing) {
                throw new IllegalStateException("a bug");
            }
            return List.copyOf(netdevs);
        }, "1.2.3");
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        netdevs.forEach(Netdev::close);
    }

    private VirtualNic nic(String id) {
        VirtualNic n = new VirtualNic(id, hub);
        n.start();
        netdevs.add(n);
        return n;
    }

    /** A command's reply: a return, with the request's id. */
    private static void assertReturnsWithId(Map<?, ?> reply, Object id) {
        assertThat(reply.get("id")).isEqualTo(id);
        assertThat(reply.containsKey("return")).as("%s returns", reply).isTrue();
    }

    /** The reply to {@code request} is QMP's GenericError with {@code desc}. */
    private static void assertGenericError(Client c, String request, String desc) throws IOException {
        assertThat(c.execute(request).get("error")).as(request).isEqualTo(Map.of("class", "GenericError", "desc", desc));
    }

    /**
     * A command that fails on a bug is an error reply, and the session goes on (a helper's replay: a
     * {@code query-network} racing {@code netdev_del} threw, and the client's whole session was closed).
     */
    @Test
    void aCommandThatFailsOnABugIsAnErrorAndTheSessionGoesOn() throws IOException {
        failing = true;
        try (Client c = new Client(socket).negotiated()) {
            assertThat(c.execute("{\"execute\":\"query-network\"}").get("error"))
                    .isEqualTo(Map.of("class", "GenericError", "desc", "internal error: java.lang.IllegalStateException: a bug"));
            assertThat(c.execute("{\"execute\":\"query-version\"}").containsKey("return")).isTrue();
        }
    }

    /** A report made from the list as it was before a netdev was removed still names the netdev's hub. */
    @Test
    void aNetdevRemovedWhileAReportIsMadeIsStillReported() throws IOException {
        VirtualNic gone = nic("gone");
        List<Netdev> before = List.copyOf(netdevs);
        netdevs.remove(gone);
        gone.close();
        assertThat(NetworkReport.text(NetworkReport.query(before))).contains("gone");
    }

    @Test
    void theSocketFileIsReadableAndWritableOnlyByItsOwner() throws IOException {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-------");
    }

    @Test
    void closeRemovesTheSocketFile() {
        server.close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void greetsWithTheQmpBannerAndAnswersCapabilitiesAndVersion() throws IOException {
        try (Client c = new Client(socket)) {
            Map<?, ?> greeting = c.answer();
            // QAPI's VersionInfo: qemu (major, minor, micro) and package are both required (qapi/control.json)
            Map<String, Object> version = Map.of("qemu", Map.of("major", 1L, "minor", 2L, "micro", 3L), "package", "vnet4j 1.2.3");
            assertThat(greeting).isEqualTo(Map.of("QMP", Map.of("version", version, "capabilities", List.of())));
            assertThat(c.execute("{\"execute\":\"qmp_capabilities\"}")).isEqualTo(Map.of("return", Map.of()));
            assertThat(c.execute("{\"execute\":\"query-version\"}")).isEqualTo(Map.of("return", version));
        }
    }

    /**
     * QMP's capabilities negotiation, as QEMU 7.2 answers it (monitor/qmp.c, checked against the binary): before
     * {@code qmp_capabilities} every command, one it does not know too, is a CommandNotFound "Expecting
     * capabilities negotiation with 'qmp_capabilities'" and nothing runs; after it, a second one is a
     * CommandNotFound "Capabilities negotiation is already complete, command ignored". A request's shape is
     * checked before either (QEMU's dispatcher does so first).
     */
    @Test
    void commandsBeforeQmpCapabilitiesAreRefusedAndRunNothingAsInQemu() throws Exception {
        VirtualNic a = nic("a");
        VirtualNic b = nic("b");
        Map<String, Object> expecting = Map.of("class", "CommandNotFound",
                "desc", "Expecting capabilities negotiation with 'qmp_capabilities'");
        try (Client c = new Client(socket)) {
            c.answer();
            assertThat(c.execute("{\"execute\":\"query-version\",\"id\":7}")).isEqualTo(Map.of("error", expecting, "id", 7L));
            assertThat(c.execute("{\"execute\":\"set_link\",\"arguments\":{\"name\":\"b\",\"up\":false}}"))
                    .isEqualTo(Map.of("error", expecting));
            assertThat(c.execute("{\"execute\":\"nosuch\"}")).isEqualTo(Map.of("error", expecting));
            assertGenericError(c, "{\"execute\":\"query-version\",\"foo\":1}", "QMP input member 'foo' is unexpected");
            a.send(new byte[60]);
            assertThat(b.receive(5, java.util.concurrent.TimeUnit.SECONDS)).as("b's link stayed up").hasSize(60);
            // none offered (the greeting's capabilities is empty): a client that asks for oob stays in negotiation
            assertGenericError(c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}",
                    "Capability oob not available");
            assertGenericError(c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":\"oob\"}}",
                    "Invalid parameter type for 'enable', expected: array");
            assertThat(c.execute("{\"execute\":\"query-version\"}")).isEqualTo(Map.of("error", expecting));

            assertThat(c.execute("{\"execute\":\"qmp_capabilities\"}")).isEqualTo(Map.of("return", Map.of()));
            assertThat(c.execute("{\"execute\":\"qmp_capabilities\",\"id\":\"x\"}")).isEqualTo(Map.of("error",
                    Map.of("class", "CommandNotFound", "desc", "Capabilities negotiation is already complete, command ignored"),
                    "id", "x"));
            // in command mode too its arguments are read first, as QEMU 7.2's marshaller does (checked): a bad one is
            // refused as in negotiation; a good one, oob too, is ignored (vnet4j ignored the bad ones as well)
            assertGenericError(c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":null}}",
                    "Invalid parameter type for 'enable', expected: array");
            assertGenericError(c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"bogus\"]}}",
                    "Parameter 'null' does not accept value 'bogus'");
            assertGenericError(c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"x\":1}}", "Parameter 'x' is unexpected");
            assertThat(c.execute("{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\"]}}")).isEqualTo(Map.of("error",
                    Map.of("class", "CommandNotFound", "desc", "Capabilities negotiation is already complete, command ignored")));
            assertThat(c.execute("{\"execute\":\"query-version\"}").containsKey("return")).isTrue();
        }
        try (Client c = new Client(socket)) {
            c.answer();
            assertThat(c.execute("{\"execute\":\"query-version\"}")).as("each connection negotiates")
                    .isEqualTo(Map.of("error", expecting));
        }
    }

    /**
     * helper-120: qmp_capabilities's refusals of a bad {@code enable} as QEMU 7.2's input visitor words them (checked
     * against the binary): a list element is named 'null' when it is a string QMPCapability does not have, and
     * {@code enable[N]} when it is not a string; a null {@code enable} is not an array. vnet4j named 'enable' in each,
     * and took a null {@code enable} as none.
     */
    @Test
    void aBadEnableIsRefusedInQemusWords() throws Exception {
        try (Client c = new Client(socket)) {
            c.answer();
            assertGenericError(c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"bogus\"]}}",
                    "Parameter 'null' does not accept value 'bogus'");
            assertGenericError(c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\",\"x\"]}}",
                    "Parameter 'null' does not accept value 'x'");
            assertGenericError(c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[1,\"bogus\"]}}",
                    "Invalid parameter type for 'enable[0]', expected: string");
            assertGenericError(c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\",null]}}",
                    "Invalid parameter type for 'enable[1]', expected: string");
            assertGenericError(c, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":null}}",
                    "Invalid parameter type for 'enable', expected: array");
            assertThat(c.execute("{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[]}}")).isEqualTo(Map.of("return", Map.of()));
        }
    }

    /**
     * helper-120: human-monitor-command's {@code cpu-index} was taken and ignored, whatever it held; QEMU 7.2 with no
     * CPU (-M none, checked), as vnet4j has none, refuses any number as "Parameter 'cpu-index' expects a CPU number",
     * and what is not an integer as its type.
     */
    @Test
    void aCpuIndexIsRefusedAsByAQemuWithoutCpus() throws Exception {
        try (Client c = new Client(socket).negotiated()) {
            assertGenericError(c, "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info network\",\"cpu-index\":0}}",
                    "Parameter 'cpu-index' expects a CPU number");
            assertGenericError(c, "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info network\",\"cpu-index\":\"x\"}}",
                    "Invalid parameter type for 'cpu-index', expected: integer");
        }
    }

    /**
     * helper-120: netdev_add of an id that runs was refused "-netdev user,id=u: Duplicate ID 'u' for netdev (it runs
     * already)" over QMP and HMP; QEMU 7.2 (checked) says "Duplicate ID 'u'" to QMP's netdev_add, and its monitor prints
     * "Duplicate ID 'u' for netdev" with its Try line. A netdev_add refused for another reason does not repeat the
     * option before it either, as QEMU's do not (over QMP it was the flattened option, which no one typed).
     */
    @Test
    void aDuplicateNetdevIdIsRefusedInQemusWords() throws Exception {
        try (io.vnet4j.Network network = new io.vnet4j.Network()) {
            network.addNetdev("user,id=u,ipv6=off");
            Path other = dir.resolve("changes.sock");
            ControlServer changing = new ControlServer(other, network::netdevs, HumanMonitorTest.changes(network), "1.2.3");
            changing.start();
            try (Client c = new Client(other).negotiated()) {
                assertGenericError(c, "{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"user\",\"id\":\"u\"}}",
                        "Duplicate ID 'u'");
                assertThat(hmp(c, "netdev_add user,id=u"))
                        .isEqualTo("Duplicate ID 'u' for netdev\r\nTry \"help netdev_add\" for more information\r\n");
                assertThat((String) ((Map<?, ?>) c.execute("{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"user\","
                        + "\"id\":\"w\",\"bogus\":1}}").get("error")).get("desc")).startsWith("unknown option 'bogus' (expected one of: ");
                assertThat(hmp(c, "netdev_add user,id=w,bogus=1")).startsWith("Error: unknown option 'bogus' (expected one of: ");
            } finally {
                changing.close();
            }
        }
    }

    /**
     * helper-120: object-add and object_add refusals began with the object as vnet4j's command line would give it
     * ("-object filter-dump,id=f,...: netdev=nope names no running netdev"), which over QMP no one wrote; QEMU's
     * (checked) give the reason alone, HMP's after "Error: ".
     */
    @Test
    void anObjectAddRefusalDoesNotRepeatTheObject() throws Exception {
        try (io.vnet4j.Network network = new io.vnet4j.Network()) {
            Path other = dir.resolve("objects.sock");
            ControlServer changing = new ControlServer(other, network::netdevs, HumanMonitorTest.changes(network), "1.2.3");
            changing.start();
            String file = dir.resolve("f.pcap").toString();
            try (Client c = new Client(other).negotiated()) {
                assertGenericError(c, Json.write(Map.of("execute", "object-add", "arguments", Map.of("qom-type", "filter-dump",
                        "id", "f", "netdev", "nope", "file", file))), "netdev=nope names no running netdev");
                assertThat(hmp(c, "object_add filter-dump,id=f,netdev=nope,file=" + file))
                        .isEqualTo("Error: netdev=nope names no running netdev\r\n");
            } finally {
                changing.close();
            }
        }
    }

    @Test
    void aVersionWithoutATripleGivesZeros() {
        assertThat(ControlServer.versionInfo("0.1.0-SNAPSHOT")).containsEntry("qemu", Map.of("major", 0L, "minor", 1L, "micro", 0L));
        assertThat(ControlServer.versionInfo("dev")).isEqualTo(Map.of("qemu", Map.of("major", 0L, "minor", 0L, "micro", 0L),
                "package", "vnet4j dev"));
        assertThat(ControlServer.versionInfo("99999999999.1.1")).containsEntry("qemu", Map.of("major", 0L, "minor", 0L, "micro", 0L));
    }

    @Test
    void queryNetworkListsHubsNetdevsPortsAndMovingCounters() throws Exception {
        VirtualNic a = nic("a");
        VirtualNic b = nic("b");
        try (Client c = new Client(socket).negotiated()) {
            Map<?, ?> before = c.execute("{\"execute\":\"query-network\"}");
            assertThat(before).isEqualTo(Map.of("return", List.of(Map.of("hub", 0L, "duplicate-macs", 0L, "netdevs", List.of(
                    netdevReport("a", 0, 0, 0, 0), netdevReport("b", 0, 0, 0, 0))))));

            a.send(new byte[60]);
            assertThat(b.receive(5, java.util.concurrent.TimeUnit.SECONDS)).hasSize(60);
            Map<?, ?> after = c.execute("{\"execute\":\"query-network\"}");
            assertThat(after).isEqualTo(Map.of("return", List.of(Map.of("hub", 0L, "duplicate-macs", 0L, "netdevs", List.of(
                    netdevReport("a", 1, 60, 0, 0), netdevReport("b", 0, 0, 1, 60))))));
        }
    }

    private static Map<String, Object> netdevReport(String id, long rxFrames, long rxBytes, long txFrames, long txBytes) {
        Map<String, Object> port = new java.util.LinkedHashMap<>();
        port.put("id", id);
        port.put("link", "up");
        port.put("link-down", false);
        port.put("info", "in-JVM");
        port.put("rx-frames", rxFrames);
        port.put("rx-bytes", rxBytes);
        port.put("tx-frames", txFrames);
        port.put("tx-bytes", txBytes);
        port.put("tx-dropped", 0L);
        port.put("rx-errors", 0L);
        return Map.of("id", id, "type", "nic", "info", "in-JVM", "link-down", false, "ports", List.of(port));
    }

    @Test
    void infoNetworkIsQemuStyleText() throws Exception {
        VirtualNic a = nic("a");
        nic("b");
        a.send(new byte[60]);
        try (Client c = new Client(socket).negotiated()) {
            Map<?, ?> answer = c.execute("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info network\"}}");
            String text = (String) answer.get("return");
            assertThat(text).startsWith("hub 0\r\n");
            assertThat(text.lines()).contains(" \\ a: type=nic,in-JVM,link=up",
                    "     rx 1 frames 60 bytes, tx 0 frames 0 bytes, dropped 0, errors 0",
                    " \\ b: type=nic,in-JVM,link=up",
                    "     rx 0 frames 0 bytes, tx 1 frames 60 bytes, dropped 0, errors 0");
        }
    }

    /** QEMU's set_link (qapi/net.json): {"name": ..., "up": ...}; the port drops what the hub offers it until it is up again. */
    @Test
    void setLinkTakesAPortDownAndUpAgainAndNamesWhatIsWrong() throws Exception {
        VirtualNic a = nic("a");
        VirtualNic b = nic("b");
        try (Client c = new Client(socket).negotiated()) {
            assertThat(c.execute("{\"execute\":\"set_link\",\"arguments\":{\"name\":\"b\",\"up\":false}}"))
                    .isEqualTo(Map.of("return", Map.of()));
            a.send(new byte[60]);
            assertThat(b.receive(200, java.util.concurrent.TimeUnit.MILLISECONDS)).isNull();
            String text = (String) c.execute("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"info network\"}}")
                    .get("return");
            assertThat(text.lines()).contains(" \\ b: type=nic,in-JVM,link=down (set_link off)",
                    "     rx 0 frames 0 bytes, tx 0 frames 0 bytes, dropped 1, errors 0");

            assertThat(c.execute("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"set_link b on\"}}"))
                    .isEqualTo(Map.of("return", ""));
            a.send(new byte[60]);
            assertThat(b.receive(5, java.util.concurrent.TimeUnit.SECONDS)).hasSize(60);

            assertThat(c.execute("{\"execute\":\"set_link\",\"arguments\":{\"name\":\"x\",\"up\":true}}")).isEqualTo(Map.of("error",
                    Map.of("class", "DeviceNotFound", "desc", "Device 'x' not found")));
            assertGenericError(c, "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"b\"}}", "Parameter 'up' is missing");
            assertGenericError(c, "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"b\",\"up\":\"off\"}}",
                    "Invalid parameter type for 'up', expected: boolean");
            assertGenericError(c, "{\"execute\":\"set_link\",\"arguments\":{\"up\":true}}", "Parameter 'name' is missing");
            assertGenericError(c, "{\"execute\":\"set_link\",\"arguments\":{\"name\":\"b\",\"up\":true,\"x\":1}}",
                    "Parameter 'x' is unexpected");
            assertThat(hmp(c, "set_link b down")).isEqualTo("Expected 'on' or 'off'\r\nTry \"help set_link\" for more information\r\n");
            assertThat(hmp(c, "set_link b")).isEqualTo("Expected 'on' or 'off'\r\nTry \"help set_link\" for more information\r\n");
            assertThat(hmp(c, "set_link")).isEqualTo("set_link: string expected\r\nTry \"help set_link\" for more information\r\n");
            assertThat(hmp(c, "set_link b on x"))
                    .isEqualTo("set_link: extraneous characters at the end of line\r\nTry \"help set_link\" for more information\r\n");
        }
    }

    /** An HMP command line's "return": the text QEMU's monitor would print for it. */
    private static String hmp(Client c, String commandLine) throws IOException {
        Map<?, ?> answer = c.execute(Json.write(Map.of("execute", "human-monitor-command", "arguments",
                Map.of("command-line", commandLine))));
        assertThat(answer.containsKey("return")).as(commandLine + ": " + answer).isTrue();
        return (String) answer.get("return");
    }

    /**
     * helper-120: an HMP command that failed was a GenericError, where QEMU 7.2 (checked over its QMP socket) returns
     * what its monitor prints, as the command's text: "Error: " before an Error's line (netdev_del, set_link), net/slirp.c's
     * lines as they are, an argument it could not read with "Try "help CMD" ...", every line ending in CR LF; a client
     * that shows or parses that text (virsh qemu-monitor-command --hmp) got an error instead. ctl asks for the error.
     */
    @Test
    void aFailingHumanCommandReturnsQemusTextAndAnErrorOnlyWhenAskedFor() throws IOException {
        nic("a");
        try (Client c = new Client(socket).negotiated()) {
            assertThat(hmp(c, "netdev_del nosuch")).isEqualTo("Error: Device 'nosuch' not found\r\n");
            assertThat(hmp(c, "set_link nosuch on")).isEqualTo("Error: Device 'nosuch' not found\r\n");
            assertThat(hmp(c, "object_del nosuch")).isEqualTo("Error: object 'nosuch' not found\r\n");
            assertThat(hmp(c, "hostfwd_remove tcp::9999")).isEqualTo("user mode network stack not in use\r\n");
            assertThat(hmp(c, "info block")).startsWith("unknown command: 'info block'").endsWith("\r\n");
            assertThat(hmp(c, "nosuchcmd")).startsWith("unknown command: 'nosuchcmd'").endsWith("\r\n");
            assertThat(hmp(c, "info network extra"))
                    .isEqualTo("network: extraneous characters at the end of line\r\nTry \"help info network\" for more information\r\n");
            assertThat(hmp(c, "netdev_del a b"))
                    .isEqualTo("netdev_del: extraneous characters at the end of line\r\nTry \"help netdev_del\" for more information\r\n");
            assertThat(hmp(c, "info network")).startsWith("hub 0\r\n").doesNotContainPattern("[^\\r]\\n").endsWith("\r\n");

            assertGenericError(c, "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"netdev_del nosuch\","
                    + "\"x-failure-as-error\":true}}", "Device 'nosuch' not found");
            assertThat(c.execute("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"set_link a on\","
                    + "\"x-failure-as-error\":true}}")).isEqualTo(Map.of("return", ""));
            assertGenericError(c, "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"netdev_del nosuch\","
                    + "\"x-failure-as-error\":\"yes\"}}", "Invalid parameter type for 'x-failure-as-error', expected: boolean");
        }
    }

    @Test
    void anUnknownCommandIsCommandNotFound() throws IOException {
        try (Client c = new Client(socket).negotiated()) {
            assertThat(c.execute("{\"execute\":\"system_reset\"}")).isEqualTo(Map.of("error",
                    Map.of("class", "CommandNotFound", "desc", "The command system_reset has not been found")));
        }
    }

    /** Changes that add nothing and count their quits, as the daemon's would stop it. */
    private static class Quitting implements NetworkChanges {
        final java.util.concurrent.atomic.AtomicInteger quits = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public Netdev add(String option) throws io.vnet4j.config.ConfigException {
            throw new io.vnet4j.config.ConfigException("not here");
        }

        @Override
        public boolean remove(String id) {
            return false;
        }

        @Override
        public io.vnet4j.config.CaptureConfig addCapture(String option) throws io.vnet4j.config.ConfigException {
            throw new io.vnet4j.config.ConfigException("not here");
        }

        @Override
        public boolean removeCapture(String id) {
            return false;
        }

        @Override
        public boolean canQuit() {
            return true;
        }

        @Override
        public void quit() {
            quits.incrementAndGet();
        }
    }

    /**
     * An event a command raises comes after the command's answer, as QEMU 7.2 sends it (checked: a stream client's
     * netdev_add answers, then NETDEV_STREAM_CONNECTED): vnet4j connects in netdev_add itself, and its event went
     * out before the answer whenever the session's event sender was quicker than the command's end.
     */
    @Test
    void anEventACommandRaisesComesAfterItsAnswer() throws Exception {
        java.util.concurrent.atomic.AtomicReference<ControlServer> server = new java.util.concurrent.atomic.AtomicReference<>();
        Quitting changes = new Quitting() {
            @Override
            public boolean remove(String id) {
                server.get().netdevEvents().streamDisconnected("peer-of-" + id); // as a stream client of it would
                try {
                    Thread.sleep(200); // the rest of the command's work
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return true;
            }
        };
        Path other = dir.resolve("events.sock");
        server.set(new ControlServer(other, List::of, changes, "1.2.3"));
        server.get().start();
        try (Client c = new Client(other).negotiated()) {
            assertReturnsWithId(c.execute("{\"execute\":\"netdev_del\",\"arguments\":{\"id\":\"s\"},\"id\":1}"), 1L);
            Map<?, ?> event = c.answer();
            assertThat(event.get("event")).isEqualTo("NETDEV_STREAM_DISCONNECTED");
            assertThat(event.get("data")).isEqualTo(Map.of("netdev-id", "peer-of-s"));
        } finally {
            server.get().close();
        }
    }

    /**
     * QEMU's quit, over QMP and as HMP: the SHUTDOWN event (reason host-qmp-quit) to every session in command mode,
     * then {"return": {}} (QEMU 7.2 sends the event first, checked: vnet4j sent the answer first), then the
     * connection ends and the daemon is told to stop; a server that cannot stop its program refuses it.
     */
    @Test
    void quitSendsTheShutdownEventThenAnswersThenStopsTheDaemon() throws IOException {
        Quitting changes = new Quitting();
        Path other = dir.resolve("quit.sock");
        ControlServer quitting = new ControlServer(other, List::of, changes, "1.2.3");
        quitting.start();
        try {
            for (String quit : List.of("{\"execute\":\"quit\",\"id\":7}",
                    "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"quit\"},\"id\":7}",
                    "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\" q \"},\"id\":7}")) {
                int before = changes.quits.get();
                try (Client watcher = new Client(other).negotiated(); Client c = new Client(other).negotiated()) {
                    Map<?, ?> event = c.execute(quit);
                    assertReturnsWithId(c.answer(), 7L);
                    assertThat(event.get("event")).isEqualTo("SHUTDOWN");
                    assertThat(event.get("data")).isEqualTo(Map.of("guest", false, "reason", "host-qmp-quit"));
                    assertThat(((Map<?, ?>) event.get("timestamp")).keySet()).asString().isIn("[seconds, microseconds]", "[microseconds, seconds]");
                    assertThat(c.line()).as("the connection ends").isNull();
                    assertThat(changes.quits.get()).isEqualTo(before + 1);
                    assertThat(watcher.answer()).as("every session in command mode hears it, as QEMU's").isEqualTo(event);
                }
            }
            try (Client c = new Client(other).negotiated()) {
                assertGenericError(c, "{\"execute\":\"quit\",\"arguments\":{\"force\":true}}", "Parameter 'force' is unexpected");
                assertThat(c.execute("{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":\"quit now\"}}")
                        .get("return")).asString().isEqualTo("quit|q: extraneous characters at the end of line\r\nTry \"help quit\" for more "
                                + "information\r\n");
                assertThat(changes.quits).hasValue(3);
            }
        } finally {
            quitting.close();
        }
        try (Client c = new Client(socket).negotiated()) {
            assertGenericError(c, "{\"execute\":\"quit\"}", "quit: this control socket's program is not stopped from it");
            assertThat(c.execute("{\"execute\":\"query-version\"}").containsKey("return")).isTrue();
        }
    }

    /** QEMU 7.2's events, as it sent them (checked with qemu-system-x86_64 7.2 and socat, 2026-12-07). */
    @Test
    void aStreamNetdevsEventsReachEverySessionInCommandModeInTheOrderTheyHappened() throws IOException {
        io.vnet4j.fabric.NetdevEvents events = server.netdevEvents();
        try (Client greeted = new Client(socket); Client a = new Client(socket).negotiated(); Client b = new Client(socket).negotiated()) {
            assertThat(greeted.answer().containsKey("QMP")).isTrue();
            for (Client c : List.of(a, b)) { // its next command is read once the session is in the events' list
                assertThat(c.execute("{\"execute\":\"query-version\"}").containsKey("return")).isTrue();
            }
            events.streamConnected("s0", new java.net.InetSocketAddress("127.0.0.1", 47666));
            events.streamConnected("s1", new java.net.InetSocketAddress("::1", 5555));
            events.streamConnected("u0", UnixDomainSocketAddress.of("/run/vm.sock"));
            events.streamDisconnected("s0");
            for (Client c : List.of(a, b)) {
                List<Map<?, ?>> got = List.of(c.answer(), c.answer(), c.answer(), c.answer());
                assertThat(got.stream().map(e -> (Object) e.get("event")).toList()).containsExactly("NETDEV_STREAM_CONNECTED",
                        "NETDEV_STREAM_CONNECTED", "NETDEV_STREAM_CONNECTED", "NETDEV_STREAM_DISCONNECTED");
                assertThat(got.stream().map(e -> (Object) e.get("data")).toList()).containsExactly(
                        Map.of("netdev-id", "s0", "addr", Map.of("type", "inet", "host", "127.0.0.1", "port", "47666", "ipv4", true)),
                        Map.of("netdev-id", "s1", "addr", Map.of("type", "inet", "host", "::1", "port", "5555", "ipv6", true)),
                        Map.of("netdev-id", "u0", "addr", Map.of("type", "unix", "path", "/run/vm.sock")),
                        Map.of("netdev-id", "s0"));
                assertThat(((Map<?, ?>) got.getFirst().get("timestamp")).keySet()).asString().isIn("[seconds, microseconds]",
                        "[microseconds, seconds]");
            }
            assertThat(greeted.execute("{\"execute\":\"qmp_capabilities\"}")).as("no event before the negotiation")
                    .isEqualTo(Map.of("return", Map.of()));
        }
    }

    /** A closed server closes its clients' connections too: one that waits for events reads the end. */
    @Test
    void closingTheServerEndsEveryClientsConnection() throws IOException {
        try (Client negotiated = new Client(socket).negotiated(); Client greeted = new Client(socket)) {
            assertThat(greeted.answer().containsKey("QMP")).isTrue();
            server.close();
            assertThat(negotiated.line()).isNull();
            assertThat(greeted.line()).isNull();
        }
    }

    /** A client that stops reading holds up neither the netdev that tells events nor the other clients. */
    @Test
    void aClientThatStopsReadingHoldsUpNoNetdevAndMissesOnlyItsOwnEvents() throws IOException {
        io.vnet4j.fabric.NetdevEvents events = server.netdevEvents();
        try (Client stalled = new Client(socket).negotiated()) {
            assertThat(stalled.execute("{\"execute\":\"query-version\"}").containsKey("return")).isTrue();
            for (int i = 0; i < 20_000; i++) { // far more than its socket's buffer and the session's backlog hold: a post
                events.streamDisconnected("s" + i); // that waited for the client would never return (the class's timeout)
            }
            try (Client reader = new Client(socket).negotiated()) {
                assertThat(reader.execute("{\"execute\":\"query-version\"}").containsKey("return")).isTrue();
                events.streamDisconnected("late");
                assertThat(reader.answer().get("data")).isEqualTo(Map.of("netdev-id", "late"));
            }
            assertThat(stalled.answer().get("data")).as("the stalled client's first event, when it reads again")
                    .isEqualTo(Map.of("netdev-id", "s0"));
        }
    }

    @Test
    void queryCommandsListsWhatItAnswersAndNetworkChangesAreRefusedWithoutANetwork() throws IOException {
        try (Client c = new Client(socket).negotiated()) {
            assertThat(c.execute("{\"execute\":\"query-commands\"}").get("return")).asString()
                    .contains("{name=netdev_add}", "{name=netdev_del}", "{name=query-network}", "{name=quit}");
            assertThat(c.execute("{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"user\",\"id\":\"u\"}}"))
                    .isEqualTo(Map.of("error", Map.of("class", "GenericError", "desc", "netdevs cannot be added here")));
            assertThat(c.execute("{\"execute\":\"netdev_del\",\"arguments\":{\"id\":\"u\"}}"))
                    .isEqualTo(Map.of("error", Map.of("class", "DeviceNotFound", "desc", "Device 'u' not found")));
            // QEMU 7.2 visits the Netdev base's id before its type
            assertThat(c.execute("{\"execute\":\"netdev_add\"}"))
                    .isEqualTo(Map.of("error", Map.of("class", "GenericError", "desc", "Parameter 'id' is missing")));
        }
    }

    @Test
    void qmpObjectAddAndObjectDelStartAndStopACapture() throws Exception {
        try (io.vnet4j.Network network = new io.vnet4j.Network()) {
            network.attachNic("n0", 0);
            Path other = dir.resolve("changes.sock");
            ControlServer changing = new ControlServer(other, network::netdevs, HumanMonitorTest.changes(network), "1.2.3");
            changing.start();
            try (Client c = new Client(other).negotiated()) {
                Path file = dir.resolve("n0.pcap");
                assertThat(c.execute("{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":\"filter-dump\",\"id\":\"f0\","
                        + "\"netdev\":\"n0\",\"file\":\"" + file + "\",\"maxlen\":128}}")).isEqualTo(Map.of("return", Map.of()));
                assertThat(network.captures()).singleElement().satisfies(cap -> assertThat(cap.snapLength()).isEqualTo(128));
                assertThat(c.execute("{\"execute\":\"object_del\",\"arguments\":{\"id\":\"f0\"}}")).isEqualTo(Map.of("return", Map.of()));
                assertThat(network.captures()).isEmpty();
                assertThat(java.nio.file.Files.size(file)).isEqualTo(24);
                assertThat(c.execute("{\"execute\":\"object-del\",\"arguments\":{\"id\":\"f0\"}}"))
                        .isEqualTo(Map.of("error", Map.of("class", "GenericError", "desc", "object 'f0' not found")));
                assertThat(c.execute("{\"execute\":\"object-add\",\"arguments\":{\"id\":\"f0\"}}"))
                        .isEqualTo(Map.of("error", Map.of("class", "GenericError", "desc", "Parameter 'qom-type' is missing")));
            } finally {
                changing.close();
            }
        }
    }

    /**
     * Malformed JSON and requests of the wrong shape are GenericErrors in QEMU 7.2's words (qapi/qmp-dispatch.c,
     * checked against the binary; the parse error's detail is Jackson's), where vnet4j said "malformed JSON: ..."
     * and "expected {"execute": COMMAND}" for each shape.
     */
    /**
     * QEMU 7.2 checks a request's members before it looks for its command (qmp_dispatch_check_obj): with OOB not
     * offered, {@code {"exec-oob": ...}} is an unexpected member, as is any other, not a missing 'execute'.
     */
    @Test
    void membersAreCheckedBeforeTheCommandIsLookedFor() throws IOException {
        try (Client c = new Client(socket).negotiated()) {
            assertGenericError(c, "{\"exec-oob\":\"query-version\"}", "QMP input member 'exec-oob' is unexpected");
            assertGenericError(c, "{\"foo\":1}", "QMP input member 'foo' is unexpected");
            assertGenericError(c, "{\"arguments\":[]}", "QMP input member 'arguments' must be an object");
            assertGenericError(c, "{\"arguments\":{}}", "QMP input lacks member 'execute'");
        }
    }

    /** QEMU's JSON takes single-quoted strings; so does the control socket (its Python tests send them). */
    @Test
    void singleQuotedStringsAreTaken() throws IOException {
        try (Client c = new Client(socket).negotiated()) {
            assertReturnsWithId(c.execute("{'execute':'query-version','id':'}'}"), "}");
        }
    }

    @Test
    void malformedJsonIsAGenericErrorAndTheSessionContinues() throws IOException {
        try (Client c = new Client(socket).negotiated()) {
            Map<?, ?> bad = c.execute("{\"execute\":}");
            assertThat(((Map<?, ?>) bad.get("error")).get("class")).isEqualTo("GenericError");
            assertThat((String) ((Map<?, ?>) bad.get("error")).get("desc")).startsWith("JSON parse error, ");
            assertGenericError(c, "[1,2]", "QMP input must be a JSON object");
            assertGenericError(c, "\"x\"", "QMP input must be a JSON object");
            assertGenericError(c, "{\"id\":3}", "QMP input lacks member 'execute'");
            assertGenericError(c, "{\"execute\":3}", "QMP input member 'execute' must be a string");
            Map<?, ?> deep = c.execute("[".repeat(10_000) + "]".repeat(10_000));
            assertThat(((Map<?, ?>) deep.get("error")).get("class")).isEqualTo("GenericError");
            // QEMU 7.2's answers, one per token: the words, then the byte that starts none (the rest of the word skipped)
            assertGenericError(c, "execute qmp_capabilities", "JSON parse error, invalid keyword 'execute'");
            assertThat(c.answer().get("error")).isEqualTo(Map.of("class", "GenericError", "desc", "JSON parse error, invalid keyword 'qmp'"));
            assertThat(c.answer().get("error")).isEqualTo(Map.of("class", "GenericError", "desc", "JSON parse error, stray '_'"));
            c.send("   ");
            assertThat(c.execute("{\"execute\":\"query-version\"}").containsKey("return")).isTrue();
        }
    }

    /**
     * Requests are split as QEMU's JSON streamer splits them (a helper's replay: QEMU's Python QMP client sends
     * no newline, and vnet4j waited for one): without a newline, two on a line, one over several lines.
     */
    @Test
    void aRequestNeedsNoNewlineAndMaySpanLinesOrShareOne() throws IOException {
        try (Client c = new Client(socket)) {
            c.answer();
            c.out.write("{\"execute\":\"qmp_capabilities\",\"id\":1}".getBytes(StandardCharsets.UTF_8));
            c.out.flush();
            assertThat(c.answer()).isEqualTo(Map.of("return", Map.of(), "id", 1L));
            c.send("{\"execute\":\"query-commands\",\"id\":2} {\"execute\":\"query-commands\",\"id\":\"}{\"}");
            assertReturnsWithId(c.answer(), 2L);
            assertReturnsWithId(c.answer(), "}{");
            c.send("{\n  \"execute\": \"query-commands\",\n  \"id\": 3\n}");
            assertReturnsWithId(c.answer(), 3L);
        }
    }

    @Test
    void aLineLongerThan64KibIsAnsweredWithAnErrorAndTheSessionContinues() throws IOException {
        try (Client c = new Client(socket).negotiated()) {
            Map<?, ?> tooLong = c.execute("{\"execute\":\"" + "x".repeat(ControlServer.MAX_REQUEST * 16) + "\"}");
            assertThat(tooLong.get("error")).isEqualTo(Map.of("class", "GenericError",
                    "desc", "request longer than " + ControlServer.MAX_REQUEST + " bytes"));
            assertThat(c.execute("{\"execute\":\"query-version\"}").containsKey("return")).isTrue();
        }
    }

    @Test
    void aRequestsIdComesBackInItsReplyAndArgumentsOfTheWrongTypeAreNamed() throws IOException {
        try (Client c = new Client(socket).negotiated()) {
            assertReturnsWithId(c.execute("{\"execute\":\"query-commands\",\"id\":1}"), 1L);
            assertThat(c.execute("{\"execute\":\"nosuch\",\"id\":\"abc\"}").get("id")).isEqualTo("abc");
            // QEMU 7.2's words for a string argument of another JSON type, null too (checked; vnet4j said "Parameter
            // 'id' expects a string", and "is missing" for a null)
            assertGenericError(c, "{\"execute\":\"netdev_del\",\"arguments\":{\"id\":5}}", "Invalid parameter type for 'id', expected: string");
            assertGenericError(c, "{\"execute\":\"netdev_del\",\"arguments\":{\"id\":null}}", "Invalid parameter type for 'id', expected: string");
            assertGenericError(c, "{\"execute\":\"set_link\",\"arguments\":{\"name\":5,\"up\":true}}", "Invalid parameter type for 'name', expected: string");
            assertGenericError(c, "{\"execute\":\"object-del\",\"arguments\":{\"id\":5}}", "Invalid parameter type for 'id', expected: string");
            assertGenericError(c, "{\"execute\":\"object-add\",\"arguments\":{\"qom-type\":5,\"id\":\"f\"}}", "Invalid parameter type for 'qom-type', expected: string");
            assertGenericError(c, "{\"execute\":\"human-monitor-command\",\"arguments\":{\"command-line\":null}}", "Invalid parameter type for 'command-line', expected: string");
            assertGenericError(c, "{\"execute\":\"human-monitor-command\",\"arguments\":{}}", "Parameter 'command-line' is missing");
            assertGenericError(c, "{\"execute\":\"object-del\"}", "Parameter 'id' is missing");
            // QEMU's refusals of a request's shape: a member it does not know, arguments not an object, an
            // argument the command does not take
            assertGenericError(c, "{\"execute\":\"query-network\",\"argument\":{}}", "QMP input member 'argument' is unexpected");
            assertGenericError(c, "{\"execute\":\"query-network\",\"arguments\":[1]}", "QMP input member 'arguments' must be an object");
            assertGenericError(c, "{\"execute\":\"query-network\",\"arguments\":{\"verbose\":true}}", "Parameter 'verbose' is unexpected");
            assertGenericError(c, "{\"execute\":\"netdev_del\",\"arguments\":{\"id\":\"x\",\"force\":1}}", "Parameter 'force' is unexpected");
            assertThat(c.execute("{\"execute\":\"query-version\",\"arguments\":{},\"id\":7}").containsKey("return")).isTrue();
            assertThat((String) ((Map<?, ?>) c.execute("{]").get("error")).get("desc")).doesNotContain("Source");
        }
    }

    @Test
    void aLineOfExactly64KibIsStillServed() throws IOException {
        try (Client c = new Client(socket).negotiated()) {
            String prefix = "{\"execute\":\"";
            String suffix = "\"}";
            c.send(prefix + "y".repeat(ControlServer.MAX_REQUEST - prefix.length() - suffix.length()) + suffix);
            assertThat(((Map<?, ?>) c.answer().get("error")).get("class")).isEqualTo("CommandNotFound");
        }
    }

    @Test
    void aUserNetworksStateCountsTheTcpSegmentsResentToGuestsAndTheDrops() throws Exception {
        try (io.vnet4j.Network network = new io.vnet4j.Network()) {
            network.addNetdev("user,id=u,ipv6=off");
            Path other = dir.resolve("user.sock");
            ControlServer withUser = new ControlServer(other, network::netdevs, "1.2.3");
            withUser.start();
            try (ControlClient client = new ControlClient(other, ControlClient.DEFAULT_TIMEOUT)) {
                Map<?, ?> hub = (Map<?, ?>) ((List<?>) client.execute(Map.of("execute", "query-network")).get("return")).get(0);
                Map<?, ?> user = (Map<?, ?>) ((List<?>) hub.get("netdevs")).get(0);
                Map<?, ?> state = (Map<?, ?>) user.get("state");
                assertThat(state.get("tcp")).isEqualTo(List.of());
                assertThat(state.get("tcp-resent-segments")).isEqualTo(0L);
                assertThat(state.get("icmp-errors-sent")).isEqualTo(0L);
                assertThat(state.get("icmp-errors-over-rate-limit")).isEqualTo(0L);
                assertThat(state.get("tcp-resent-at-timeout")).isEqualTo(0L);
                assertThat((Map<Object, Object>) state.get("dropped")).containsEntry("too-long-for-ipv4", 0L)
                        .containsEntry("malformed", 0L).containsEntry("no-arp-reply", 0L);
            } finally {
                withUser.close();
            }
        }
    }

    /**
     * Events come to every negotiated session, ctl's too, and may come before an answer: quit's SHUTDOWN always does,
     * as in QEMU 7.2. The client passes over them to the answer, as QEMU's Python client does (it printed the event).
     */
    @Test
    void controlClientPassesOverEventsToTheAnswer() throws Exception {
        Quitting changes = new Quitting();
        Path other = dir.resolve("quit-client.sock");
        ControlServer quitting = new ControlServer(other, List::of, changes, "1.2.3");
        quitting.start();
        try (ControlClient client = new ControlClient(other, ControlClient.DEFAULT_TIMEOUT)) {
            assertThat(client.execute(Map.of("execute", "quit"))).isEqualTo(Map.of("return", Map.of()));
        } finally {
            quitting.close();
        }
    }

    @Test
    void controlClientSpeaksToTheServer() throws Exception {
        nic("a");
        try (ControlClient client = new ControlClient(socket, ControlClient.DEFAULT_TIMEOUT)) {
            Map<?, ?> answer = client.execute(Map.of("execute", "query-network"));
            assertThat(answer.get("return")).isInstanceOf(List.class);
            @SuppressWarnings("unchecked")
            String text = NetworkReport.text((List<Object>) answer.get("return"));
            assertThat(text).startsWith("hub 0\n").contains(" \\ a: type=nic,in-JVM,link=up");
        }
    }

    @Test
    void controlClientReadsAnAnswerLongerThan64Kib() throws Exception {
        // 400 ports of about 200 bytes each: the query-network answer is about 80 KiB
        for (int i = 0; i < 400; i++) {
            nic("nic-with-a-rather-long-name-" + i);
        }
        try (ControlClient client = new ControlClient(socket, ControlClient.DEFAULT_TIMEOUT)) {
            Map<?, ?> answer = client.execute(Map.of("execute", "query-network"));
            assertThat(Json.write(answer).length()).isGreaterThan(ControlServer.MAX_REQUEST);
            @SuppressWarnings("unchecked")
            List<Object> hubs = (List<Object>) answer.get("return");
            assertThat((List<?>) ((Map<?, ?>) hubs.getFirst()).get("netdevs")).hasSize(400);
        }
    }

    /**
     * helper-113: ctl pointed at a socket that is not a control socket said "Broken pipe" (one that closes
     * without a greeting: the slirp4netns drop-in's API socket after 5 s), or the JSON parser's or a class
     * cast's words (one that greets or answers with other text): each now names the path and says so.
     */
    @Test
    void controlClientSaysSoWhenTheSocketIsNotAControlSocket() throws Exception {
        record Fake(String greeting, String answer, String expected) {}
        List<Fake> fakes = List.of(
                new Fake(null, null, "closed the connection without a greeting"),
                new Fake("hello\n", "not json\n", "is not a vnet4j control socket: it greeted with 'hello'"),
                new Fake(VNET4J_GREETING, "[1,2]\n", "answered with what is not a QMP reply: '[1,2]'"),
                new Fake(VNET4J_GREETING, "not json\n", "answered with what is not a QMP reply: 'not json'"));
        for (Fake fake : fakes) {
            Path path = dir.resolve("fake.sock");
            Files.deleteIfExists(path);
            try (java.nio.channels.ServerSocketChannel listener = java.nio.channels.ServerSocketChannel
                    .open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path))) {
                Thread peer = Thread.ofVirtual().start(() -> {
                    try (SocketChannel c = listener.accept()) {
                        if (fake.greeting() == null) {
                            return;
                        }
                        c.write(java.nio.ByteBuffer.wrap(fake.greeting().getBytes(StandardCharsets.UTF_8)));
                        java.nio.ByteBuffer request = java.nio.ByteBuffer.allocate(4096);
                        while (c.read(request) > 0) {
                            c.write(java.nio.ByteBuffer.wrap(fake.answer().getBytes(StandardCharsets.UTF_8)));
                            request.clear();
                        }
                    } catch (IOException e) {
                        // the client went away
                    }
                });
                assertThatThrownBy(() -> {
                    try (ControlClient client = new ControlClient(path, java.time.Duration.ofSeconds(5))) {
                        client.execute(Map.of("execute", "query-version"));
                    }
                }).as(fake.toString()).isInstanceOf(IOException.class)
                        .hasMessageStartingWith(path + " ").hasMessageContaining(fake.expected());
                peer.join();
            }
        }
    }

    /**
     * helper-120: ctl pointed at a slirp4netns API socket (--api-socket, slirp4netns 1.2's or the drop-in's), which
     * takes the connection and waits for a request, waited for a greeting until its time-out and said "the daemon did
     * not take the connection: one out of file descriptors cannot ..." (meanwhile a real slirp4netns's loop stood still
     * in api.c's read). With no greeting soon the client sends its qmp_capabilities, which that socket answers as
     * slirp4netns 1.2 does (checked): the client says what the socket is, at once.
     */
    @Test
    void controlClientSaysSoWhenTheSocketIsASlirp4netnsApiSocket() throws Exception {
        Path path = dir.resolve("api.sock");
        try (java.nio.channels.ServerSocketChannel listener = java.nio.channels.ServerSocketChannel
                .open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path))) {
            Thread peer = Thread.ofVirtual().start(() -> {
                try (SocketChannel c = listener.accept()) {
                    c.read(java.nio.ByteBuffer.allocate(4096)); // the request, answered as api.c answers an unknown one
                    c.write(java.nio.ByteBuffer.wrap("{\"error\":{\"desc\":\"bad request: unknown execute\"}}"
                            .getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    // the client went away
                }
            });
            assertThatThrownBy(() -> new ControlClient(path, java.time.Duration.ofSeconds(10)).close())
                    .isInstanceOf(IOException.class).hasMessage(path + " is not a vnet4j control socket: it answered ctl's "
                            + "qmp_capabilities with no greeting first, as a slirp4netns API socket (--api-socket) does: "
                            + "'{\"error\":{\"desc\":\"bad request: unknown execute\"}}'");
            peer.join();
        }
    }

    /**
     * A daemon that greets late (its accept held up) is still a daemon: the client's qmp_capabilities, sent when no
     * greeting came soon, is answered after the greeting, and the session goes on.
     */
    @Test
    void controlClientTakesALateGreeting() throws Exception {
        Path path = dir.resolve("late.sock");
        try (java.nio.channels.ServerSocketChannel listener = java.nio.channels.ServerSocketChannel
                .open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path))) {
            Thread peer = Thread.ofVirtual().start(() -> {
                try (SocketChannel c = listener.accept()) {
                    Thread.sleep(ControlClient.GREETING_GRACE.multipliedBy(3));
                    c.write(java.nio.ByteBuffer.wrap(VNET4J_GREETING.getBytes(StandardCharsets.UTF_8)));
                    InputStream in = Channels.newInputStream(c);
                    String request;
                    while ((request = ControlServer.readLine(in, 4096)) != null) {
                        String answer = request.contains("qmp_capabilities") ? "{\"return\":{}}\r\n" : "{\"return\":\"late\"}\r\n";
                        c.write(java.nio.ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)));
                    }
                } catch (IOException | InterruptedException e) {
                    // the client went away
                }
            });
            try (ControlClient client = new ControlClient(path, java.time.Duration.ofSeconds(10))) {
                assertThat(client.execute(Map.of("execute", "query-version"))).isEqualTo(Map.of("return", "late"));
            }
            peer.join();
        }
    }

    /** A vnet4j daemon's greeting, as {@link ControlServer} sends it. */
    private static final String VNET4J_GREETING =
            "{\"QMP\":{\"version\":{\"qemu\":{\"major\":0,\"minor\":1,\"micro\":0},\"package\":\"vnet4j 0.1.0\"},\"capabilities\":[]}}\n";

    /**
     * helper-115: ctl pointed at a QEMU's QMP socket ({@code -qmp unix:PATH,server,nowait}) took its greeting for a
     * daemon's and ran the command on the VM: {@code ctl --control qmp.sock netdev_add user,id=x} added a netdev to
     * QEMU, {@code info network} printed QEMU's, exit status 0. A greeting whose package is not vnet4j's is refused,
     * and nothing is sent to it.
     */
    @Test
    void controlClientSendsNothingToAQemuMonitor() throws Exception {
        Path path = dir.resolve("qmp.sock");
        String qemu = "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "
                + "\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": [\"oob\"]}}\r\n";
        try (java.nio.channels.ServerSocketChannel listener = java.nio.channels.ServerSocketChannel
                .open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path))) {
            java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
            Thread peer = Thread.ofVirtual().start(() -> {
                try (SocketChannel c = listener.accept()) {
                    c.write(java.nio.ByteBuffer.wrap(qemu.getBytes(StandardCharsets.UTF_8)));
                    java.nio.ByteBuffer request = java.nio.ByteBuffer.allocate(4096);
                    int n;
                    while ((n = c.read(request)) > 0) {
                        received.addAndGet(n);
                        c.write(java.nio.ByteBuffer.wrap("{\"return\": {}}\r\n".getBytes(StandardCharsets.UTF_8)));
                        request.clear();
                    }
                } catch (IOException e) {
                    // the client went away
                }
            });
            assertThatThrownBy(() -> {
                try (ControlClient client = new ControlClient(path, java.time.Duration.ofSeconds(5))) {
                    client.execute(Map.of("execute", "netdev_add", "arguments", Map.of("type", "user", "id", "x")));
                }
            }).isInstanceOf(IOException.class).hasMessage(path + " is not a vnet4j control socket: it greeted as QEMU's "
                    + "QMP monitor does (package 'Debian 1:7.2+dfsg-7+deb12u18+b3'); nothing was sent to it");
            peer.join();
            assertThat(received).hasValue(0);
        }
    }

    @Test
    void severalClientsAreServedAtOnce() throws IOException {
        try (Client c1 = new Client(socket); Client c2 = new Client(socket)) {
            c1.answer();
            c2.answer();
            assertThat(c2.execute("{\"execute\":\"qmp_capabilities\"}").containsKey("return")).isTrue();
            assertThat(c1.execute("{\"execute\":\"qmp_capabilities\"}").containsKey("return")).isTrue();
            assertThat(c2.execute("{\"execute\":\"query-version\"}").containsKey("return")).isTrue();
        }
    }

    /**
     * helper-115: ctl pointed at a plain file or a directory said "cannot reach the control socket P (is vnet4j
     * running?): Connection refused", as for a stopped daemon's socket; it says what is there.
     */
    @Test
    void controlClientSaysWhenThePathIsNotASocket() throws Exception {
        Path file = Files.writeString(dir.resolve("plain"), "hello\n");
        assertThatThrownBy(() -> new ControlClient(file, java.time.Duration.ofSeconds(5))).isInstanceOf(IOException.class)
                .hasMessage("cannot reach the control socket " + file + ": it is a regular file, not a socket");
        assertThatThrownBy(() -> new ControlClient(dir, java.time.Duration.ofSeconds(5))).isInstanceOf(IOException.class)
                .hasMessage("cannot reach the control socket " + dir + ": it is a directory, not a socket");
    }

    /** helper-115: the start's refusal named the path twice ("control socket P: P: longer than ..."). */
    @Test
    void aRefusedStartNamesThePathOnce() throws Exception {
        for (Path path : List.of(dir.resolve("s".repeat(120)), Files.createFile(dir.resolve("plain")))) {
            ControlServer server = new ControlServer(path, List::of, "1.2.3");
            assertThatThrownBy(server::start).isInstanceOf(IOException.class).hasMessageStartingWith("control socket " + path)
                    .satisfies(e -> assertThat(e.getMessage().split(java.util.regex.Pattern.quote(path.toString()), -1)).hasSize(2));
            server.close();
        }
    }

    @Test
    void aSecondServerOnALiveSocketIsRefusedAndTheFirstKeepsAnswering() throws Exception {
        ControlServer second = new ControlServer(socket, List::of, "other");
        assertThatThrownBy(second::start).isInstanceOf(io.vnet4j.os.SocketFiles.InUseException.class)
                .hasMessageStartingWith(socket + " is in use by this vnet4j itself (pid ");
        second.close();
        try (ControlClient client = new ControlClient(socket, ControlClient.DEFAULT_TIMEOUT)) {
            assertThat(client.execute(Map.of("execute", "query-version")).toString()).contains("1.2.3");
        }
    }
}
