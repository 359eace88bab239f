package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.vnet4j.slirp4netns.ApiClient;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bin/vnet4j-slirp4netns run as a peer runs slirp4netns, and the same script against the real slirp4netns
 * as the reference: {@code --configure --mtu=1500 -r 3 -e 4 --api-socket S --netns-type=path /run/netns/NAME
 * tap0} with descriptors 3 and 4 on FIFOs (bash opens them and execs the binary); "1" arrives on the ready
 * descriptor, which is then closed; the namespace fetches from an HTTP server on the host's 127.0.0.1 as
 * 10.0.2.2; {@code add_hostfwd} on the API socket makes a host port reach a server inside the namespace,
 * {@code list_hostfwd} answers the same bytes from both, {@code remove_hostfwd} closes the port; closing
 * the exit descriptor stops the process with status 0 and removes the API socket. Packets go only to
 * loopback and inside the namespace the test creates.
 */
@Timeout(180)
class Slirp4netnsDropInIT {
    /**
     * tap0 as {@code --configure} leaves it: the address and then the default route, which both peers add after
     * it (a ping beyond the subnet between the two is "Network is unreachable", as CI saw at 1583e346).
     */
    private static final String CONFIGURED = "ip -4 addr show dev tap0 | grep -q 'inet 10.0.2.100/24'"
            + " && ip -4 route show default | grep -q 'via 10.0.2.2 dev tap0'";

    /** A TCP server inside the namespace that answers every connection with one line. */
    private static final String NAMESPACE_SERVER = """
            import socket
            t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("0.0.0.0", 8080)); t.listen()
            while True:
                c, _ = t.accept(); c.sendall(b"hello from the namespace\\n"); c.close()
            """;

    private final List<Process> processes = new ArrayList<>();
    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(Thread.ofPlatform().daemon().factory());
    private NetNamespace ns;
    private HttpServer http;
    private Path dir;

    @BeforeEach
    void start() throws Exception {
        PeerTools.require("curl", "curl");
        PeerTools.require("python3", "python3");
        dir = Files.createTempDirectory("vnet4j-s4nn-it");
        ns = NetNamespace.create("vnet4j-it-dropin-" + ProcessHandle.current().pid());
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", exchange -> {
            byte[] body = "hello from the host\n".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
    }

    @AfterEach
    void stop() throws IOException {
        http.stop(0);
        threads.shutdownNow();
        processes.forEach(Process::destroyForcibly);
        ns.close();
        PeerTools.deleteTree(dir);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vnet4j-slirp4netns", "slirp4netns"})
    void readyFdNetworkApiAndExitFdAsRootlesskitAndPodmanUseThem(String binary) throws Exception {
        String program;
        if (binary.equals("slirp4netns")) {
            PeerTools.require("slirp4netns", "slirp4netns");
            program = "slirp4netns";
        } else {
            program = PeerTools.basedir().resolve("bin/vnet4j-slirp4netns").toString();
        }
        Path ready = fifo("ready");
        Path exit = fifo("exit");
        Path api = dir.resolve("api.sock");
        Path log = dir.resolve("log");
        // the FIFOs' other ends, opened by the test as bash opens its ends (each open waits for the other side)
        // (a thread each: the common pool may have one thread, and these block)
        CompletableFuture<String> readyText = CompletableFuture.supplyAsync(() -> readToEnd(ready), threads);
        CompletableFuture<OutputStream> exitWriter = CompletableFuture.supplyAsync(() -> openForWriting(exit), threads);
        Process peer = new ProcessBuilder("bash", "-c", "exec \"$0\" \"$@\" 3>" + ready + " 4<" + exit, program,
                "--configure", "--mtu=1500", "-r", "3", "-e", "4", "--api-socket", api.toString(), "--netns-type=path",
                "/run/netns/" + ns.name(), "tap0")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(peer);
        OutputStream exitEnd = exitWriter.get(60, TimeUnit.SECONDS);

        // "1", then end of file: the ready descriptor was written once and closed
        assertThat(readyText.get(120, TimeUnit.SECONDS)).as(() -> log(log)).isEqualTo("1");
        assertThat(peer.isAlive()).isTrue();
        assertThat(ns.execOk("ip", "-4", "addr", "show", "dev", "tap0")).contains("inet 10.0.2.100/24");

        // the namespace reaches the host's 127.0.0.1 through the gateway
        String fetched = ns.execOk("curl", "-sf", "-m", "20", "http://10.0.2.2:" + http.getAddress().getPort() + "/");
        assertThat(fetched).isEqualTo("hello from the host\n");

        // a host port reaches a server in the namespace once add_hostfwd made it so
        processes.add(ns.start("python3", "-c", NAMESPACE_SERVER));
        ns.await("ss -ltn | grep -q :8080", Duration.ofSeconds(20));
        int hostPort = PeerTools.freePort();
        assertThat(ApiClient.request(api, "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"tcp\", \"host_addr\": "
                + "\"127.0.0.1\", \"host_port\": " + hostPort + ", \"guest_port\": 8080}}")).isEqualTo("{\"return\":{\"id\":1}}");
        assertThat(readLine(hostPort)).isEqualTo("hello from the namespace");
        assertThat(ApiClient.request(api, "{\"execute\": \"list_hostfwd\"}")).isEqualTo("{\"entries\":[{\"id\":1,\"proto\":\"tcp\","
                + "\"host_addr\":\"127.0.0.1\",\"host_port\":" + hostPort + ",\"guest_addr\":\"10.0.2.100\",\"guest_port\":8080}]}");
        assertThat(ApiClient.request(api, "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"sctp\"}}"))
                .isEqualTo("{\"error\":{\"desc\":\"bad request: add_hostfwd: bad arguments.proto\"}}");
        assertThat(ApiClient.request(api, "{\"execute\": \"remove_hostfwd\", \"arguments\": {\"id\": 1}}")).isEqualTo("{\"return\":{}}");
        assertThatThrownBy(() -> readLine(hostPort)).isInstanceOf(IOException.class);

        // podman#13229: Podman's -p P:8080 -p [::]:P:8080 asks for 0.0.0.0 and :: on one port; slirp4netns refuses
        // the IPv6 one, and the container's start failed; vnet4j binds it beside the IPv4 one, IPv6 only
        int pairPort = PeerTools.freePort();
        assertThat(ApiClient.request(api, "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"tcp\", \"host_addr\": "
                + "\"0.0.0.0\", \"host_port\": " + pairPort + ", \"guest_port\": 8080}}")).isEqualTo("{\"return\":{\"id\":2}}");
        String ipv6 = ApiClient.request(api, "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"tcp\", \"host_addr\": "
                + "\"::\", \"host_port\": " + pairPort + ", \"guest_port\": 8080}}");
        if (binary.equals("slirp4netns")) {
            assertThat(ipv6).isEqualTo("{\"error\":{\"desc\":\"bad request: add_hostfwd: bad arguments.host_addr\"}}");
        } else {
            assertThat(ipv6).isEqualTo("{\"return\":{\"id\":3}}");
            assertThat(readLine("::1", pairPort)).isEqualTo("hello from the namespace");
        }
        assertThat(readLine(pairPort)).isEqualTo("hello from the namespace");

        // the exit descriptor's writer closes it: the process stops, cleanly, and takes its API socket along
        exitEnd.close();
        assertThat(peer.waitFor(30, TimeUnit.SECONDS)).as(() -> log(log)).isTrue();
        assertThat(peer.exitValue()).as(() -> log(log)).isZero();
        assertThat(api).doesNotExist();
    }

    /** {@code --disable-host-loopback}, as rootlesskit and Podman pass it: 10.0.2.2 no longer leads to the host's 127.0.0.1. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vnet4j-slirp4netns", "slirp4netns"})
    void disableHostLoopbackKeepsTheHostsLoopbackOutOfReach(String binary) throws Exception {
        String program = program(binary);
        Path log = dir.resolve("log");
        Process peer = new ProcessBuilder(program, "--configure", "--disable-host-loopback", "--netns-type=path",
                "/run/netns/" + ns.name(), "tap0").redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(peer);
        ns.await(CONFIGURED, Duration.ofSeconds(20));
        PeerTools.Exec fetch = PeerTools.exec(Duration.ofSeconds(30), List.of("ip", "netns", "exec", ns.name(), "curl",
                "-sf", "-m", "5", "http://10.0.2.2:" + http.getAddress().getPort() + "/"));
        assertThat(fetch.ok()).as(() -> fetch.output() + "\n" + log(log)).isFalse();
        assertThat(fetch.output()).doesNotContain("hello from the host");
        assertThat(Files.readString(log)).doesNotContain("WARNING: 127.0.0.1:* on the host is accessible");
    }

    /**
     * {@code --disable-dns} and {@code --macaddress}: a connection to 10.0.2.3:53 times out, as slirp4netns's
     * own test expects (tests/test-slirp4netns-disable-dns.sh), and the TAP carries the MAC. vnet4j only:
     * the real slirp4netns (libslirp's disable_dns) sends that connection on to the real 10.0.2.3 through
     * the host's default route, which a test must not do.
     */
    @Test
    void disableDnsSilencesTheDnsAddressAndMacaddressNamesTheTapWithoutAWarmUp() throws Exception {
        String program = PeerTools.basedir().resolve("bin/vnet4j-slirp4netns").toString();
        Path log = dir.resolve("log");
        ProcessBuilder builder = new ProcessBuilder(program, "-c", "--disable-dns", "--macaddress=52:54:00:12:34:57",
                "--netns-type=path", "/run/netns/" + ns.name(), "tap0").redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("VNET4J_WARM_UP", "off");
        Process peer = builder.start();
        processes.add(peer);
        ns.await(CONFIGURED, Duration.ofSeconds(20));
        assertThat(ns.execOk("ip", "link", "show", "dev", "tap0")).contains("link/ether 52:54:00:12:34:57");
        assertThat(ns.execOk("busybox", "ping", "-c", "1", "-W", "5", "10.0.2.2")).contains("1 packets received");
        PeerTools.Exec connect = PeerTools.exec(Duration.ofSeconds(30), List.of("ip", "netns", "exec", ns.name(), "curl",
                "-s", "--connect-timeout", "3", "telnet://10.0.2.3:53"));
        assertThat(connect.exitCode()).as(() -> connect.output() + "\n" + log(log)).isEqualTo(28); // timed out
        assertThat(Files.readString(log)).contains("* MAC address:     52:54:00:12:34:57")
                .contains("warm-up: skipped (VNET4J_WARM_UP=off)");
    }

    /**
     * Podman 4.3's exact command line (its network_cmd_path run, as checked on these machines; Podman itself
     * cannot start a container here): ready on fd 4, exit fd 3, IPv6 on. The namespace gets 10.0.2.100 and,
     * by SLAAC, an fd00::/64 address with a default route, and pings the gateway of both families. The real
     * slirp4netns runs without {@code --enable-sandbox} here: its sandbox, as root in the test's mount
     * namespace, takes the bind mount of /run/netns/NAME away from the test (setns then fails with EINVAL);
     * Podman runs it in a mount namespace of its own.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vnet4j-slirp4netns", "slirp4netns"})
    void podmansCommandLineGivesTheNamespaceBothFamilies(String binary) throws Exception {
        String program = program(binary);
        Path ready = fifo("ready");
        Path exit = fifo("exit");
        Path log = dir.resolve("log");
        CompletableFuture<String> readyText = CompletableFuture.supplyAsync(() -> readToEnd(ready), threads);
        CompletableFuture<OutputStream> exitWriter = CompletableFuture.supplyAsync(() -> openForWriting(exit), threads);
        List<String> command = new ArrayList<>(List.of("bash", "-c", "exec \"$0\" \"$@\" 4>" + ready + " 3<" + exit,
                program, "--disable-host-loopback", "--mtu=65520", "--enable-sandbox", "--enable-seccomp", "--enable-ipv6",
                "-c", "-e", "3", "-r", "4", "--netns-type=path", "/run/netns/" + ns.name(), "tap0"));
        if (binary.equals("slirp4netns")) {
            command.remove("--enable-sandbox");
        }
        Process peer = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(peer);
        OutputStream exitEnd = exitWriter.get(60, TimeUnit.SECONDS);
        assertThat(readyText.get(120, TimeUnit.SECONDS)).as(() -> log(log)).isEqualTo("1");
        assertThat(ns.execOk("ip", "-4", "addr", "show", "dev", "tap0")).contains("inet 10.0.2.100/24").contains("mtu 65520");
        ns.await("ip -6 addr show dev tap0 | grep 'inet6 fd00::' | grep -vq tentative", Duration.ofSeconds(20));
        ns.await("ip -6 route show default | grep -q 'via fe80::2 dev tap0'", Duration.ofSeconds(20));
        assertThat(ns.execOk("busybox", "ping", "-c", "1", "-W", "5", "10.0.2.2")).contains("1 packets received");
        assertThat(ns.execOk("busybox", "ping", "-6", "-c", "1", "-W", "5", "fd00::2")).contains("1 packets received");
        exitEnd.close();
        assertThat(peer.waitFor(30, TimeUnit.SECONDS)).as(() -> log(log)).isTrue();
    }

    /**
     * podman#11062: Podman starts the container's process once "1" arrives on the ready descriptor, and with
     * IPv6 the namespace had no IPv6 address or route yet (the kernel's duplicate address detection on the
     * link-local address, then the router solicitation, then DAD on the SLAAC address: 1.4 to 3 s after ready
     * here, each DAD after a random delay of up to 1 s and then 1 s of waiting), so the process's first IPv6
     * connect failed with Network is unreachable. slirp4netns 1.2 does the same. vnet4j's configure=on sets
     * the TAP's router_solicitation_delay to 0 and its neighbour retrans_time_ms to 50 before it comes up: the
     * namespace is dual stack, default route and all, by the time ready is written.
     */
    @Test
    void withIpv6TheNamespaceHasItsAddressAndRouteWhenReadyIsWritten() throws Exception {
        String program = PeerTools.basedir().resolve("bin/vnet4j-slirp4netns").toString();
        Path ready = fifo("ready");
        Path log = dir.resolve("log");
        CompletableFuture<String> readyText = CompletableFuture.supplyAsync(() -> readToEnd(ready), threads);
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", "exec \"$0\" \"$@\" 3>" + ready, program, "-c", "-6",
                "-r", "3", "--netns-type=path", "/run/netns/" + ns.name(), "tap0")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("VNET4J_WARM_UP", "off");
        processes.add(builder.start());
        assertThat(readyText.get(120, TimeUnit.SECONDS)).as(() -> log(log)).isEqualTo("1");
        // at once: 500 ms covers the ip commands themselves on a busy machine, not the seconds of DAD
        ns.await("ip -6 addr show dev tap0 scope global | grep 'inet6 fd00::' | grep -vq tentative"
                + " && ip -6 route show default | grep -q 'via fe80::2 dev tap0'", Duration.ofMillis(500));
        assertThat(ns.execOk("busybox", "ping", "-6", "-c", "1", "-W", "5", "fd00::2")).contains("1 packets received");
    }

    /**
     * slirp4netns's PID form names the namespace by a process in it; the namespace can outlive that process
     * (another process joined it, as nsenter, a container's second process or a pod's members do). slirp4netns
     * 1.2 then serves it on; the drop-in stopped when the process exited, which took the namespace's TAP and
     * with it the network of everything still inside (replay: target exited, the joined process's ping and
     * connections got "Network is unreachable"). Now it serves the namespace until no process is left in it,
     * and stops then (slirp4netns runs on; its descriptor of the TAP keeps the namespace, as the drop-in's does).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vnet4j-slirp4netns", "slirp4netns"})
    void theNetworkStaysWhileTheNamespaceOutlivesItsTargetProcess(String binary) throws Exception {
        String program = program(binary);
        Process target = new ProcessBuilder("unshare", "--net", "sleep", "600").start();
        processes.add(target);
        String hostNetns = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        Path targetNetns = Path.of("/proc/" + target.pid() + "/ns/net");
        awaitTrue(() -> !Files.readSymbolicLink(targetNetns).toString().equals(hostNetns), "unshare's namespace");
        String namespace = Files.readSymbolicLink(targetNetns).toString();
        Process joined = new ProcessBuilder("nsenter", "-t", Long.toString(target.pid()), "-n", "sleep", "600").start();
        processes.add(joined);
        Path joinedNetns = Path.of("/proc/" + joined.pid() + "/ns/net");
        awaitTrue(() -> Files.readSymbolicLink(joinedNetns).toString().equals(namespace), "nsenter in the namespace");
        List<String> inside = List.of("nsenter", "-t", Long.toString(joined.pid()), "-n");

        Path log = dir.resolve("log");
        ProcessBuilder builder = new ProcessBuilder(program, "--configure", Long.toString(target.pid()), "tap0")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("VNET4J_WARM_UP", "off");
        Process peer = builder.start();
        processes.add(peer);
        awaitTrue(() -> PeerTools.exec(Duration.ofSeconds(5), PeerTools.concat(inside,
                List.of("sh", "-c", "ip -4 addr show dev tap0 | grep -q 'inet 10.0.2.100/24'"))).ok(), "tap0 configured");

        target.destroy();
        assertThat(target.waitFor(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(2000); // the drop-in stopped 0.5 s after the target's exit
        assertThat(peer.isAlive()).as(() -> log(log)).isTrue();
        PeerTools.Exec fetch = PeerTools.exec(Duration.ofSeconds(30), PeerTools.concat(inside, List.of("curl", "-sf",
                "-m", "10", "http://10.0.2.2:" + http.getAddress().getPort() + "/")));
        assertThat(fetch.output()).as(() -> log(log)).isEqualTo("hello from the host\n");

        if (binary.equals("vnet4j-slirp4netns")) {
            // the last process leaves the namespace: the drop-in stops
            joined.destroy();
            assertThat(joined.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(peer.waitFor(30, TimeUnit.SECONDS)).as(() -> log(log)).isTrue();
            assertThat(peer.exitValue()).as(() -> log(log)).isZero();
        }
    }

    /** A far host's TCP and UDP servers on port 9000: each answers with the address it was reached from. */
    private static final String FAR_SERVER = """
            import socket, threading
            def tcp():
                t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("0.0.0.0", 9000)); t.listen()
                while True:
                    c, a = t.accept(); c.sendall(("tcp from %s\\n" % a[0]).encode()); c.close()
            threading.Thread(target=tcp, daemon=True).start()
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 9000))
            while True:
                d, a = u.recvfrom(100); u.sendto(("udp from %s\\n" % a[0]).encode(), a)
            """;

    /** The namespace's UDP datagram to 198.51.100.2:9000 and the answer, or "no answer". */
    private static final String UDP_CLIENT = """
            import socket
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.settimeout(5); u.sendto(b"hi", ("198.51.100.2", 9000))
            try:
                print(u.recv(100).decode().strip())
            except socket.timeout:
                print("no answer")
            """;

    /**
     * {@code --outbound-addr} (rootless-containers/slirp4netns#346 and #173, replayed): the namespace's pings,
     * TCP connections and UDP datagrams all leave the host from that address. The peer runs in a namespace
     * of the test's standing for the host (198.51.100.1 and .11 on a veth); the far end (198.51.100.2/32) has a
     * route back to .11 alone, so whatever leaves from another address goes unanswered. slirp4netns 1.2's
     * pings left from .11 (libslirp binds its ICMP sockets too); the drop-in's left from .1, the kernel's pick,
     * and were never answered, while its TCP and UDP left from .11.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vnet4j-slirp4netns", "slirp4netns"})
    void outboundAddrIsWherePingsConnectionsAndDatagramsLeaveFrom(String binary) throws Exception {
        String program = program(binary);
        long id = ProcessHandle.current().pid() % 100_000;
        try (NetNamespace host = NetNamespace.create("vnet4j-it-obh-" + id);
             NetNamespace far = NetNamespace.create("vnet4j-it-obf-" + id)) {
            String hostSide = "vjobh" + id;
            String farSide = "vjobf" + id;
            PeerTools.execOk("ip", "link", "add", hostSide, "netns", host.name(), "type", "veth", "peer", "name", farSide,
                    "netns", far.name());
            host.execOk("ip", "link", "set", "lo", "up");
            host.execOk("ip", "addr", "add", "198.51.100.1/24", "dev", hostSide);
            host.execOk("ip", "addr", "add", "198.51.100.11/24", "dev", hostSide);
            host.execOk("ip", "link", "set", hostSide, "up");
            far.execOk("ip", "link", "set", "lo", "up");
            far.execOk("ip", "addr", "add", "198.51.100.2/32", "dev", farSide);
            far.execOk("ip", "link", "set", farSide, "up");
            far.execOk("ip", "route", "add", "198.51.100.11/32", "dev", farSide);
            processes.add(far.start("python3", "-c", FAR_SERVER));
            far.await("ss -ltn | grep -q :9000", Duration.ofSeconds(20));

            Path log = dir.resolve("log");
            ProcessBuilder builder = new ProcessBuilder("ip", "netns", "exec", host.name(), program, "-c",
                    "--outbound-addr=198.51.100.11", "--netns-type=path", "/run/netns/" + ns.name(), "tap0")
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("VNET4J_WARM_UP", "off");
            Process peer = builder.start();
            processes.add(peer);
            ns.await(CONFIGURED, Duration.ofSeconds(20));

            PeerTools.Exec ping = PeerTools.exec(Duration.ofSeconds(30), List.of("ip", "netns", "exec", ns.name(),
                    "busybox", "ping", "-c", "2", "-W", "3", "198.51.100.2"));
            assertThat(ping.output()).as(() -> ping.output() + "\n" + log(log)).contains("2 packets received");
            assertThat(ns.execOk("curl", "-s", "-m", "10", "telnet://198.51.100.2:9000")).as(() -> log(log))
                    .isEqualTo("tcp from 198.51.100.11\n");
            assertThat(ns.execOk("python3", "-c", UDP_CLIENT)).as(() -> log(log)).isEqualTo("udp from 198.51.100.11\n");
            peer.destroy();
            assertThat(peer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Waits up to 20 s, trying every 50 ms, for {@code condition}. */
    private static void awaitTrue(java.util.concurrent.Callable<Boolean> condition, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (IOException e) {
                // not there yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not true after 20 s: " + what);
    }

    private Path fifo(String name) {
        Path p = dir.resolve(name);
        PeerTools.execOk("mkfifo", p.toString());
        return p;
    }

    private static String readToEnd(Path fifo) {
        try (InputStream in = new FileInputStream(fifo.toFile())) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static OutputStream openForWriting(Path fifo) {
        try {
            return new FileOutputStream(fifo.toFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String readLine(int port) throws IOException {
        return readLine("127.0.0.1", port);
    }

    /** The one line a server sends through {@code host}:{@code port} (an address literal) before it closes. */
    private static String readLine(String host, int port) throws IOException {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(10_000);
            String line = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            if (line.isEmpty()) {
                throw new IOException("connection closed without a reply");
            }
            return line.strip();
        }
    }

    private static String log(Path log) {
        try {
            return "the peer's output:\n" + Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** The program a side-by-side test runs: slirp4netns itself (on PATH, else the test fails saying so), or the drop-in. */
    private static String program(String binary) {
        if (binary.equals("slirp4netns")) {
            PeerTools.require("slirp4netns", "slirp4netns");
            return "slirp4netns";
        }
        return PeerTools.basedir().resolve("bin/vnet4j-slirp4netns").toString();
    }
}
