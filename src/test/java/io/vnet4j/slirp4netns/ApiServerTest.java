package io.vnet4j.slirp4netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.Network;
import io.vnet4j.usernet.UsernetNetdev;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API socket against a real in-JVM user network: each reply compared with what slirp4netns 1.2's api.c
 * writes (the golden strings were checked against the slirp4netns binary), and hostile clients.
 */
@Timeout(60)
class ApiServerTest {
    @TempDir
    Path dir;
    private Network network;
    private ApiServer api;
    private Path socket;

    @BeforeEach
    void start() throws Exception {
        network = new Network();
        UsernetNetdev usernet = (UsernetNetdev) network.addNetdev("user,id=slirp,ipv6=off");
        socket = dir.resolve("api.sock");
        api = new ApiServer(socket, new ApiHandler(usernet, IpAddress.parse("10.0.2.100")));
        api.start();
    }

    @AfterEach
    void stop() {
        api.close();
        network.close();
    }

    private String request(String text) throws IOException {
        return ApiClient.request(socket, text);
    }

    private static String add(String proto, String hostAddr, int hostPort, int guestPort) {
        return "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"" + proto + "\", \"host_addr\": \"" + hostAddr
                + "\", \"host_port\": " + hostPort + ", \"guest_port\": " + guestPort + "}}";
    }

    @Test
    void addListRemoveAsApiCAnswersThem() throws Exception {
        int port = freePort();
        assertThat(request("{\"execute\": \"list_hostfwd\"}")).isEqualTo("{\"entries\":[]}");
        assertThat(request(add("tcp", "127.0.0.1", port, 80))).isEqualTo("{\"return\":{\"id\":1}}");
        try (Socket s = new Socket("127.0.0.1", port)) {
            assertThat(s.isConnected()).isTrue(); // the user network listens there now
        }
        assertThat(request("{\"execute\":\"list_hostfwd\"}")).isEqualTo("{\"entries\":[{\"id\":1,\"proto\":\"tcp\","
                + "\"host_addr\":\"127.0.0.1\",\"host_port\":" + port + ",\"guest_addr\":\"10.0.2.100\",\"guest_port\":80}]}");
        assertThat(request("{\"execute\": \"remove_hostfwd\", \"arguments\": {\"id\": 1}}")).isEqualTo("{\"return\":{}}");
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
        assertThat(request("{\"execute\":\"list_hostfwd\"}")).isEqualTo("{\"entries\":[]}");
        assertThat(request("{\"execute\": \"remove_hostfwd\", \"arguments\": {\"id\": 1}}"))
                .isEqualTo("{\"error\":{\"desc\":\"bad request: remove_hostfwd: bad arguments.id\"}}");
    }

    /**
     * podman#13229: {@code -p 8080:80 -p [::]:8080:80} sends 0.0.0.0 and :: for one port; api.c refused the second
     * ("bad arguments.host_addr") and the container did not start. Both bind now, the IPv6 one IPv6 only.
     */
    @Test
    void anIpv6HostAddressListensOnIpv6OnlyBesideTheIpv4OneOfItsPort() throws Exception {
        int port = freePort();
        assertThat(request(add("tcp", "0.0.0.0", port, 80))).isEqualTo("{\"return\":{\"id\":1}}");
        assertThat(request(add("tcp", "::", port, 80))).isEqualTo("{\"return\":{\"id\":2}}");
        int udpPort = freeUdpPort();
        assertThat(request(add("udp", "::", udpPort, 53))).isEqualTo("{\"return\":{\"id\":3}}");
        assertThat(request(add("udp", "0.0.0.0", udpPort, 53))).isEqualTo("{\"return\":{\"id\":4}}");
        int loopbackPort = freePort();
        assertThat(request(add("tcp", "::1", loopbackPort, 22))).isEqualTo("{\"return\":{\"id\":5}}");
        assertThat(request("{\"execute\":\"list_hostfwd\"}")).contains(
                "{\"id\":2,\"proto\":\"tcp\",\"host_addr\":\"::\",\"host_port\":" + port
                        + ",\"guest_addr\":\"10.0.2.100\",\"guest_port\":80}",
                "{\"id\":5,\"proto\":\"tcp\",\"host_addr\":\"::1\",\"host_port\":" + loopbackPort + ",");
        try (Socket s = new Socket("::1", loopbackPort)) {
            assertThat(s.isConnected()).isTrue();
        }
        assertThat(network.netdev("slirp").details()).contains("hostfwd tcp [::]:" + port + " (IPv6 only) -> 10.0.2.100:80",
                "hostfwd tcp 0.0.0.0:" + port + " -> 10.0.2.100:80");
        assertThat(request("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":1}}")).isEqualTo("{\"return\":{}}");
        // the IPv4 one gone, the IPv6 one takes no IPv4 client: it is IPv6 only, not Linux's dual-stack ::
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
        try (Socket s = new Socket("::1", port)) {
            assertThat(s.isConnected()).isTrue();
        }
        assertThat(request("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":2}}")).isEqualTo("{\"return\":{}}");
        assertThatThrownBy(() -> new Socket("::1", port).close()).isInstanceOf(IOException.class);
    }

    @Test
    void udpAndExplicitGuestAndDefaultHostAddress() throws Exception {
        int port = freeUdpPort();
        assertThat(request("{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"udp\",\"host_addr\":\"127.0.0.1\","
                + "\"host_port\":" + port + ",\"guest_addr\":\"10.0.2.5\",\"guest_port\":53}}")).isEqualTo("{\"return\":{\"id\":1}}");
        try (DatagramChannel probe = DatagramChannel.open()) {
            assertThatThrownBy(() -> probe.bind(new InetSocketAddress("127.0.0.1", port))).isInstanceOf(IOException.class);
        }
        int anyPort = freePort();
        // no host_addr (or an empty one, or one that is not a string): 0.0.0.0, as api.c
        assertThat(request("{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":7,\"host_port\":"
                + anyPort + ",\"guest_port\":22.9}}")).isEqualTo("{\"return\":{\"id\":2}}");
        assertThat(request("{\"execute\":\"list_hostfwd\"}")).isEqualTo("{\"entries\":["
                + "{\"id\":1,\"proto\":\"udp\",\"host_addr\":\"127.0.0.1\",\"host_port\":" + port
                + ",\"guest_addr\":\"10.0.2.5\",\"guest_port\":53},"
                + "{\"id\":2,\"proto\":\"tcp\",\"host_addr\":\"0.0.0.0\",\"host_port\":" + anyPort
                + ",\"guest_addr\":\"10.0.2.100\",\"guest_port\":22}]}");
        assertThat(request("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":1.0}}")).isEqualTo("{\"return\":{}}");
        assertThat(request("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":2}}")).isEqualTo("{\"return\":{}}");
        // ids are never reused
        assertThat(request(add("tcp", "127.0.0.1", freePort(), 80))).isEqualTo("{\"return\":{\"id\":3}}");
    }

    @Test
    void badRequestsGetApiCsErrorsWordForWord() throws Exception {
        String[][] cases = {
                {"garbage", "cannot parse JSON"},
                {"", "cannot parse JSON"},
                {"[1]", "json_object() failed"},
                {"\"list_hostfwd\"", "json_object() failed"},
                {"{}", "no execute found"},
                {"{\"execute\":1}", "no execute found"},
                {"{\"execute\":\"nope\"}", "unknown execute"},
                {"{\"execute\":\"add_hostfwd\"}", "add_hostfwd: bad arguments.proto"},
                {"{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"sctp\"}}", "add_hostfwd: bad arguments.proto"},
                {"{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":\"1::2::3\",\"host_port\":80,"
                        + "\"guest_port\":80}}", "add_hostfwd: bad arguments.host_addr"},
                {"{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":\"[::1]\",\"host_port\":80,"
                        + "\"guest_port\":80}}", "add_hostfwd: bad arguments.host_addr"},
                {"{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":\"fe80::1%lo\",\"host_port\":80,"
                        + "\"guest_port\":80}}", "add_hostfwd: bad arguments.host_addr"},
                {"{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":8080,\"guest_addr\":\"fd00::100\","
                        + "\"guest_port\":80}}", "add_hostfwd: bad arguments.guest_addr"},
                {"{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":\"80\",\"guest_port\":80}}",
                        "add_hostfwd: bad arguments.host_port"},
                {"{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":70000,\"guest_port\":80}}",
                        "add_hostfwd: bad arguments.host_port"},
                {"{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":8080,\"guest_addr\":\"x\","
                        + "\"guest_port\":80}}", "add_hostfwd: bad arguments.guest_addr"},
                {"{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":8080}}",
                        "add_hostfwd: bad arguments.guest_port"},
                // api.c takes these and a client's connection hangs; refused in its words, and why
                {"{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":8080,\"guest_addr\":\"10.0.3.5\","
                        + "\"guest_port\":80}}", "add_hostfwd: bad arguments.guest_addr: 10.0.3.5 is outside the IPv4 network 10.0.2.0/24"},
                {"{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":8080,\"guest_addr\":\"10.0.2.255\","
                        + "\"guest_port\":80}}", "add_hostfwd: bad arguments.guest_addr: 10.0.2.255 is the network's own or broadcast address"},
                {"{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":8080,\"guest_addr\":\"10.0.2.2\","
                        + "\"guest_port\":80}}", "add_hostfwd: bad arguments.guest_addr: 10.0.2.2 is the gateway's own: a rule forwards to a guest"},
                {"{\"execute\":\"remove_hostfwd\"}", "remove_hostfwd: bad arguments.id"},
                {"{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":42}}", "remove_hostfwd: bad arguments.id"},
        };
        for (String[] c : cases) {
            assertThat(request(c[0])).as(c[0]).isEqualTo("{\"error\":{\"desc\":\"bad request: " + c[1] + "\"}}");
        }
        assertThat(request("{\"execute\":\"list_hostfwd\"}")).isEqualTo("{\"entries\":[]}"); // nothing was added
    }

    /**
     * Only a request's first JSON value is read, and what follows it is ignored, as parson's json_parse_string
     * ignores it in api.c (slirp4netns 1.2, checked against the binary): two requests in one write get the first
     * one's answer, and the second does not run (vnet4j answered "cannot parse JSON").
     */
    @Test
    void onlyTheFirstJsonValueOfARequestIsReadAsApiCReadsIt() throws Exception {
        int port = freePort();
        assertThat(request("{\"execute\":\"list_hostfwd\"}{\"execute\":\"add_hostfwd\"}")).isEqualTo("{\"entries\":[]}");
        assertThat(request("{\"execute\":\"list_hostfwd\"} trailing")).isEqualTo("{\"entries\":[]}");
        assertThat(request("{\"execute\":\"nope\"}]")).isEqualTo("{\"error\":{\"desc\":\"bad request: unknown execute\"}}");
        String addThenRemove = add("tcp", "127.0.0.1", port, 80) + "{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":1}}";
        // written at once, the side left open: the answer comes without the client's end of file
        assertThat(ApiClient.request(socket, addThenRemove.getBytes(StandardCharsets.US_ASCII), false))
                .isEqualTo("{\"return\":{\"id\":1}}");
        assertThat(request("{\"execute\":\"list_hostfwd\"}")).contains("\"id\":1,");
    }

    /** A thread that serves the next client of {@code server}, with a deadline no test waits for. */
    private static Thread serveOne(java.nio.channels.ServerSocketChannel server, ApiHandler handler) {
        return Thread.ofVirtual().start(() -> {
            try {
                ApiConnection.serve(server.accept(), 3_600_000, handler::handle);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /**
     * Bytes that no more bytes can make JSON (malformed, or a name twice in an object, which parson refuses) are
     * answered at once, as api.c answers what its one read got (slirp4netns 1.2, checked), where vnet4j waited for
     * more until its deadline, 5 s, before it said "cannot parse JSON". A value cut short still waits for its rest.
     */
    @Test
    void aRequestNoMoreBytesCanMakeJsonIsAnsweredWithoutWaiting() throws Exception {
        Path one = dir.resolve("one.sock");
        try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(one));
            ApiHandler handler = new ApiHandler((UsernetNetdev) network.netdevs().getFirst(), IpAddress.parse("10.0.2.100"));
            for (String request : new String[] {"garbage", "{\"execute\":\"list_hostfwd\",}", "[}",
                    "{\"execute\":\"list_hostfwd\",\"execute\":\"remove_hostfwd\"}"}) {
                Thread serving = serveOne(server, handler);
                assertThat(ApiClient.request(one, request.getBytes(StandardCharsets.US_ASCII), false)).as(request)
                        .isEqualTo("{\"error\":{\"desc\":\"bad request: cannot parse JSON\"}}");
                serving.join();
            }
            // a value cut short waits for its rest (vnet4j's, where api.c would answer its one read)
            Thread serving = serveOne(server, handler);
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(one));
                c.write(java.nio.ByteBuffer.wrap("{\"execute\":".getBytes(StandardCharsets.US_ASCII)));
                Thread.sleep(100); // the first part read alone, as far as the test can make it
                c.write(java.nio.ByteBuffer.wrap("\"list_hostfwd\"}".getBytes(StandardCharsets.US_ASCII)));
                assertThat(ApiClient.readAll(c)).isEqualTo("{\"entries\":[]}");
            }
            serving.join();
        }
    }

    @Test
    void hostPortZeroBindsOneTheKernelPicksAndTheReplyGivesIt() throws Exception {
        // api.c refuses it; slirp4netns#354 asks for it, to have no race between finding a free port and binding it
        String reply = request(add("tcp", "127.0.0.1", 0, 80));
        assertThat(reply).matches("\\{\"return\":\\{\"id\":1,\"host_port\":[1-9][0-9]*}}");
        int port = Integer.parseInt(reply.replaceAll("\\D+", " ").trim().split(" ")[1]);
        try (Socket s = new Socket("127.0.0.1", port)) {
            assertThat(s.isConnected()).isTrue();
        }
        assertThat(request("{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"udp\",\"host_port\":0.0,"
                + "\"guest_port\":53}}")).matches("\\{\"return\":\\{\"id\":2,\"host_port\":[1-9][0-9]*}}");
        assertThat(request("{\"execute\":\"list_hostfwd\"}")).contains("\"host_port\":" + port + ",")
                .doesNotContain("\"host_port\":0");
        assertThat(request("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":1}}")).isEqualTo("{\"return\":{}}");
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
        // absent or not a number is still api.c's error
        assertThat(request("{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"guest_port\":80}}"))
                .contains("bad arguments.host_port");
        assertThat(request("{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_port\":\"0\","
                + "\"guest_port\":80}}")).contains("bad arguments.host_port");
    }

    /**
     * A port the kernel will not bind is api.c's "slirp_add_hostfwd failed", and then why: the desc is all that
     * rootlesskit, Docker and Podman show (rootless-containers/slirp4netns#251: "reply.Error: map[desc:bad request:
     * add_hostfwd: slirp_add_hostfwd failed]" for a port below 1024, the reason only in the drop-in's log, which
     * rootlesskit shows with --debug alone).
     */
    @Test
    void aPortThatCannotBeBoundIsSlirpAddHostfwdFailedAndWhy() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            assertThat(request(add("tcp", "127.0.0.1", taken.getLocalPort(), 80)))
                    .isEqualTo("{\"error\":{\"desc\":\"bad request: add_hostfwd: slirp_add_hostfwd failed: hostfwd=tcp:127.0.0.1:"
                            + taken.getLocalPort() + ": Address already in use\"}}");
        }
        int port = freePort();
        assertThat(request(add("tcp", "127.0.0.1", port, 80))).isEqualTo("{\"return\":{\"id\":1}}");
        assertThat(request(add("tcp", "127.0.0.1", port, 81)))
                .startsWith("{\"error\":{\"desc\":\"bad request: add_hostfwd: slirp_add_hostfwd failed: hostfwd=tcp:127.0.0.1:"
                        + port + ": ");
        assertThat(request("{\"execute\":\"list_hostfwd\"}")).contains("\"id\":1").doesNotContain("\"id\":2");
    }

    @Test
    void truncatedOversizedAndSilentClientsGetAnswersAndNeverStopTheServer() throws Exception {
        assertThat(request("{\"execute\":\"list_")).isEqualTo("{\"error\":{\"desc\":\"bad request: cannot parse JSON\"}}");
        byte[] big = ("{\"execute\":\"list_hostfwd\",\"pad\":\"" + "x".repeat(5000) + "\"}").getBytes(StandardCharsets.US_ASCII);
        assertThat(ApiClient.request(socket, big, true))
                .isEqualTo("{\"error\":{\"desc\":\"bad request: too large message\"}}");
        byte[] exactly = ("{\"execute\":\"list_hostfwd\",\"pad\":\"" + "x".repeat(4096 - 35) + "\"}").getBytes(StandardCharsets.US_ASCII);
        assertThat(exactly).hasSize(4096);
        assertThat(ApiClient.request(socket, exactly, true)).contains("too large message");
        byte[] justUnder = ("{\"execute\":\"list_hostfwd\",\"pad\":\"" + "x".repeat(4095 - 35) + "\"}").getBytes(StandardCharsets.US_ASCII);
        assertThat(ApiClient.request(socket, justUnder, true)).isEqualTo("{\"entries\":[]}");
        byte[] notUtf8 = {(byte) 0xff, (byte) 0xfe, '{', 0};
        assertThat(ApiClient.request(socket, notUtf8, true)).contains("cannot parse JSON");

        // a client that connects and says nothing holds up no one else
        try (SocketChannel silent = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            silent.connect(UnixDomainSocketAddress.of(socket));
            assertThat(request("{\"execute\":\"list_hostfwd\"}")).isEqualTo("{\"entries\":[]}");
        }
        // a client that writes a whole request and waits, without shutting its side, gets the answer
        assertThat(ApiClient.request(socket, "{\"execute\":\"list_hostfwd\"}".getBytes(StandardCharsets.US_ASCII), false))
                .isEqualTo("{\"entries\":[]}");
    }

    @Test
    void manyClientsOneAfterAnother() throws Exception {
        for (int i = 1; i <= 20; i++) {
            assertThat(request(add("tcp", "127.0.0.1", freePort(), 80))).isEqualTo("{\"return\":{\"id\":" + i + "}}");
            assertThat(request("garbage " + i)).contains("cannot parse JSON");
        }
        assertThat(request("{\"execute\":\"list_hostfwd\"}")).contains("\"id\":20,");
        for (int i = 1; i <= 20; i++) {
            assertThat(request("{\"execute\":\"remove_hostfwd\",\"arguments\":{\"id\":" + i + "}}")).isEqualTo("{\"return\":{}}");
        }
    }

    @Test
    void theSocketIsTheUsersOnlyAndGoesAwayAtClose() throws Exception {
        assertThat(Files.getPosixFilePermissions(socket)).hasSize(2);
        api.close();
        assertThat(socket).doesNotExist();
    }

    @Test
    void aPathSomethingAnswersOnOrThatIsNoSocketIsRefused() throws Exception {
        ApiServer second = new ApiServer(socket, null);
        assertThatThrownBy(second::start).isInstanceOf(IOException.class).hasMessageStartingWith("api socket ");
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> new ApiServer(file, null).start()).hasMessageContaining("is not a socket");
        assertThat(request("{\"execute\":\"list_hostfwd\"}")).isEqualTo("{\"entries\":[]}"); // the first still answers
    }

    /** helper-115: as the control socket's, the refusal named the path twice ("api socket P: P: longer than ..."). */
    @Test
    void aRefusedStartNamesThePathOnce() throws Exception {
        for (Path path : java.util.List.of(dir.resolve("s".repeat(120)), Files.writeString(dir.resolve("plain"), "x"))) {
            assertThatThrownBy(() -> new ApiServer(path, null).start()).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("api socket " + path)
                    .satisfies(e -> assertThat(e.getMessage().split(java.util.regex.Pattern.quote(path.toString()), -1)).hasSize(2));
        }
    }

    @Test
    void theDefaultGuestFollowsCidr() throws Exception {
        api.close();
        UsernetNetdev other = (UsernetNetdev) network.addNetdev("user,id=other,net=10.0.3.0/24,ipv6=off");
        Settings s = SettingsTest.settings("--cidr=10.0.3.0/24", Long.toString(ProcessHandle.current().pid()), "tap0");
        assertThat(Ipv4Address.format(s.defaultGuest().ipv4())).isEqualTo("10.0.3.100");
        api = new ApiServer(socket, new ApiHandler(other, s.defaultGuest()));
        api.start();
        int port = freePort();
        request(add("tcp", "127.0.0.1", port, 80));
        assertThat(request("{\"execute\":\"list_hostfwd\"}")).contains("\"guest_addr\":\"10.0.3.100\"");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramChannel c = DatagramChannel.open()) {
            c.bind(new InetSocketAddress("127.0.0.1", 0));
            return ((InetSocketAddress) c.getLocalAddress()).getPort();
        }
    }
}
