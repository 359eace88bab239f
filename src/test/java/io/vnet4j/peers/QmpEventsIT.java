package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.control.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * vnet4j's QMP events against QEMU 7.2's own, the same steps done to each: a stream listener's TCP and unix
 * peers come and go (NETDEV_STREAM_CONNECTED, NETDEV_STREAM_DISCONNECTED), a stream client added by
 * {@code netdev_add} connects and its server hangs up. QEMU runs with no guest ({@code -S}); the events, but for
 * their timestamps and the addresses each run has its own of, must be the same.
 */
@Timeout(120)
class QmpEventsIT {
    private Path dir;
    private Process qemu;
    private VnetProcess vnet;

    @AfterEach
    void stop() throws IOException {
        if (vnet != null) {
            vnet.close();
        }
        if (qemu != null) {
            qemu.destroy();
        }
        PeerTools.deleteTree(dir);
    }

    @Test
    void streamNetdevsEventsAreQemusOwn() throws Exception {
        PeerTools.require("qemu-system-x86_64", "qemu-system-x86");
        dir = Files.createTempDirectory("vnet4j-qmp-events");

        Path qemuDir = Files.createDirectory(dir.resolve("qemu"));
        int qemuPort = PeerTools.freePort();
        Path qemuQmp = qemuDir.resolve("qmp.sock");
        List<String> command = new ArrayList<>(List.of("qemu-system-x86_64", "-S", "-display", "none", "-nodefaults",
                "-qmp", "unix:" + qemuQmp + ",server=on,wait=off"));
        command.addAll(netdevs(qemuDir, qemuPort));
        qemu = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("qemu.log").toFile()).start();
        List<Map<String, Object>> fromQemu = steps(qemuQmp, qemuDir, qemuPort);

        Path vnetDir = Files.createDirectory(dir.resolve("vnet4j"));
        int vnetPort = PeerTools.freePort();
        Path vnetQmp = vnetDir.resolve("qmp.sock");
        List<String> args = new ArrayList<>(List.of("--control", vnetQmp.toString()));
        args.addAll(netdevs(vnetDir, vnetPort));
        vnet = VnetProcess.start(args.toArray(String[]::new));
        List<Map<String, Object>> fromVnet = steps(vnetQmp, vnetDir, vnetPort);

        assertThat(fromQemu).as("QEMU's events (the test's own check of what it compares with)").hasSize(8);
        assertThat(fromVnet).isEqualTo(fromQemu);
    }

    /** A stream listener on TCP and one on a unix socket in {@code dir}, as {@code -netdev} options. */
    private static List<String> netdevs(Path dir, int port) {
        return List.of("-netdev", "stream,id=t0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=" + port,
                "-netdev", "stream,id=u0,server=on,addr.type=unix,addr.path=" + dir.resolve("u0.sock"));
    }

    /**
     * Does the steps against the program whose QMP socket is {@code qmp}; returns the events they brought, each
     * without its timestamp (checked for its shape) and with the addresses of this run made into {@code PORT},
     * {@code PEER-PORT} and {@code DIR}.
     */
    private static List<Map<String, Object>> steps(Path qmp, Path dir, int port) throws Exception {
        List<Map<String, Object>> events = new ArrayList<>();
        try (Qmp session = Qmp.open(qmp)) {
            int peerPort;
            int beforeAnswer;
            try (SocketChannel tcp = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))) {
                peerPort = ((InetSocketAddress) tcp.getLocalAddress()).getPort();
                events.add(session.event());
            }
            events.add(session.event());
            try (SocketChannel unix = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                unix.connect(UnixDomainSocketAddress.of(dir.resolve("u0.sock")));
                events.add(session.event());
            }
            events.add(session.event());
            try (ServerSocketChannel listener = ServerSocketChannel.open()) {
                listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                int listening = ((InetSocketAddress) listener.getLocalAddress()).getPort();
                assertThat(session.execute("{\"execute\":\"netdev_add\",\"arguments\":{\"type\":\"stream\",\"id\":\"c0\","
                        + "\"server\":false,\"addr\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"" + listening + "\"}}}"))
                        .isEqualTo(Map.of("return", Map.of()));
                beforeAnswer = session.early().size(); // QEMU 7.2: 0, its CONNECTED follows the answer
                listener.accept().close();
                events.add(session.event());
                events.add(session.event());
                port = listening; // the client's event names its server's port
            }
            List<Map<String, Object>> result = new ArrayList<>(normalised(events, dir, port, peerPort));
            result.add(Map.of("events-before-netdev_add-answer", beforeAnswer));
            // QEMU 7.2 sends SHUTDOWN before quit's answer, then closes the connection
            assertThat(session.execute("{\"execute\":\"quit\"}")).isEqualTo(Map.of("return", Map.of()));
            result.add(Map.of("events-before-quit-answer", session.early().stream()
                    .map(e -> Map.of("event", e.get("event"), "data", e.get("data"))).toList()));
            String after;
            try {
                after = session.in().readLine();
            } catch (IOException reset) { // QEMU exits with the connection unread: a reset
                after = null;
            }
            assertThat(after).as("the connection ends after quit").isNull();
            return result;
        }
    }

    private static List<Map<String, Object>> normalised(List<Map<String, Object>> events, Path dir, int port, int peerPort) {
        String text = Json.write(events.stream().map(e -> {
            assertThat(e.get("timestamp")).asString().matches("\\{(seconds=\\d+, microseconds=\\d+|microseconds=\\d+, seconds=\\d+)}");
            Map<String, Object> without = new LinkedHashMap<>(e);
            without.remove("timestamp");
            return without;
        }).toList());
        text = text.replace("\"" + port + "\"", "\"PORT\"").replace("\"" + peerPort + "\"", "\"PEER-PORT\"")
                .replace(dir.toString(), "DIR");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> result = (List<Map<String, Object>>) Json.parse(text);
        return result;
    }

    /** A QMP session: the greeting read and capabilities negotiated; answers and events read a line at a time. */
    private record Qmp(SocketChannel channel, BufferedReader in, OutputStream out, List<Map<String, Object>> early)
            implements AutoCloseable {
        static Qmp open(Path socket) throws Exception {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!Files.exists(socket)) {
                assertThat(System.nanoTime()).as(socket + " to appear").isLessThan(deadline);
                Thread.sleep(50);
            }
            SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            Qmp qmp = new Qmp(channel, new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                    StandardCharsets.UTF_8)), Channels.newOutputStream(channel), new ArrayList<>());
            assertThat(qmp.message()).containsKey("QMP");
            assertThat(qmp.execute("{\"execute\":\"qmp_capabilities\"}")).isEqualTo(Map.of("return", Map.of()));
            return qmp;
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> message() throws IOException {
            String line = in.readLine();
            assertThat(line).as("a message").isNotNull();
            return (Map<String, Object>) Json.parse(line.trim());
        }

        /** Sends {@code request}; its answer, the events that came before it kept for {@link #event}. */
        Map<String, Object> execute(String request) throws IOException {
            out.write((request + "\n").getBytes(StandardCharsets.UTF_8));
            while (true) {
                Map<String, Object> m = message();
                if (!m.containsKey("event")) {
                    return m;
                }
                early.add(m);
            }
        }

        /** The next event. */
        Map<String, Object> event() throws IOException {
            if (!early.isEmpty()) {
                return early.removeFirst();
            }
            Map<String, Object> m = message();
            assertThat(m).as("an event").containsKey("event");
            return m;
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
