package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The user network over IPv6 as a rootless container meets it (and, for the first scenario, slirp4netns
 * {@code --enable-ipv6} beside it as the reference): a namespace with a {@code configure=on}
 * TAP gets its address by SLAAC from the gateway's router advertisement (the kernel's own autoconfiguration,
 * no step of ours), pings the gateway, fetches from a host server on {@code ::1} through {@code ipv6-host}
 * (fec0::2), resolves AAAA names through {@code ipv6-dns} (fec0::3) from a dnsmasq on {@code ::1}, and is
 * reached by an IPv6 host forward that names no guest address; {@code restrict=on} stops IPv6 egress but
 * keeps the forward; {@code ping -6} to another host goes through the ICMPv6 proxy, by raw and by ping
 * socket. Every packet stays on loopback or in the test's namespaces.
 */
@Timeout(120)
class UsernetNamespaceIpv6IT {
    /** A TCP echo server on [::]:7778 in the namespace. */
    private static final String ECHO = """
            import socket
            t = socket.socket(socket.AF_INET6); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            t.bind(("::", 7778)); t.listen()
            while True:
                c, _ = t.accept(); c.sendall(c.recv(100)); c.close()
            """;

    private final List<NetNamespace> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<VnetProcess> daemons = new ArrayList<>();
    private Path dir;

    @BeforeEach
    void start() throws IOException {
        PeerTools.require("busybox", "busybox-static");
        PeerTools.require("curl", "curl");
        dir = Files.createTempDirectory("vnet4j-usernet-v6");
    }

    @AfterEach
    void stop() throws IOException {
        daemons.forEach(VnetProcess::close);
        processes.forEach(Process::destroyForcibly);
        namespaces.forEach(NetNamespace::close);
        PeerTools.deleteTree(dir);
    }

    /** A namespace with a configure=on TAP on a fresh daemon whose user network has {@code userOptions}. */
    private NetNamespace container(String userOptions) throws Exception {
        return container(null, userOptions);
    }

    /** As {@link #container(String)}, the daemon inside namespace {@code daemonNetns} (null: this one). */
    private NetNamespace container(String daemonNetns, String userOptions) throws Exception {
        NetNamespace ns = NetNamespace.create("vnet4j-it-v6-" + ProcessHandle.current().pid());
        namespaces.add(ns);
        daemons.add(VnetProcess.startIn(daemonNetns, "--control", dir.resolve("control.sock").toString(),
                "-netdev", "user,id=u" + userOptions,
                "-netdev", "tap,id=c,ifname=tap0,configure=on,netns=/run/netns/" + ns.name()));
        // SLAAC: a global address from the advertised prefix, past duplicate address detection
        await(ns, "ip -6 addr show dev tap0 | grep 'inet6 fec0::' | grep -vq tentative");
        return ns;
    }

    /**
     * The namespace scenario against the reference, slirp4netns {@code --enable-ipv6} (libslirp, as
     * Podman starts it): the same steps pass on both, each with its own defaults (fec0::/64 and gateway
     * fec0::2 as QEMU; fd00::/64 and fd00::2), both advertising from fe80::2.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"vnet4j", "slirp4netns"})
    void aConfiguredTapGetsAnAddressBySlaacPingsTheGatewayAndFetchesFromTheHostsLoopback(String peer) throws Exception {
        byte[] body = new byte[4 << 20];
        new Random(6).nextBytes(body);
        Files.write(dir.resolve("blob"), body);
        int port = PeerTools.freePort();
        processes.add(new ProcessBuilder("python3", "-m", "http.server", "--bind", "::1", String.valueOf(port),
                "--directory", dir.toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        boolean ours = peer.equals("vnet4j");
        String prefix = ours ? "fec0::" : "fd00::";
        NetNamespace ns;
        if (ours) {
            ns = container("");
        } else {
            PeerTools.require("slirp4netns", "slirp4netns");
            ns = NetNamespace.create("vnet4j-it-s4nn-" + ProcessHandle.current().pid());
            namespaces.add(ns);
            processes.add(new ProcessBuilder("slirp4netns", "--configure", "--enable-ipv6", "--netns-type=path",
                    "/run/netns/" + ns.name(), "tap0").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            await(ns, "ip -6 addr show dev tap0 | grep 'inet6 " + prefix + "' | grep -vq tentative");
        }

        assertThat(ns.execOk("ip", "-6", "route", "show", "default")).contains("via fe80::2 dev tap0");
        assertThat(ns.execOk("busybox", "ping", "-6", "-c", "2", prefix + "2")).contains("2 packets received");
        awaitHost("::1", port);
        ns.execOk("curl", "-6", "-sf", "-o", dir.resolve("fetched").toString(), "http://[" + prefix + "2]:" + port + "/blob");
        assertThat(sha256(Files.readAllBytes(dir.resolve("fetched")))).isEqualTo(sha256(body));
        if (ours) {
            String address = ns.execOk("sh", "-c", "ip -6 addr show dev tap0 | grep -o 'fec0::[0-9a-f:]*'").trim();
            assertThat(infoNetwork()).contains("neighbour " + address + " ").contains("ipv6-net=fec0::/64")
                    .contains("router advertisements sent ").contains("malformed 0,");
        }
    }

    /**
     * A guest's {@code ping -6} to another host goes through the gateway's ICMPv6 proxy and is answered by
     * that host. The "host" is a namespace of the test's own, where the daemon runs and whose loopback
     * carries 2001:db8::1 (documentation prefix): nothing is added to this machine's own interfaces, and its
     * {@code net.ipv4.ping_group_range} (a per-namespace setting) picks the path: "1 0" refuses ping sockets,
     * so the proxy (root here) takes a raw ICMPv6 socket; "0 2147483647" lets it take a ping socket.
     */
    @ParameterizedTest(name = "ping_group_range {0}")
    @ValueSource(strings = {"1 0", "0 2147483647"})
    void aPingToAnotherIpv6HostGoesThroughTheProxyAndIsAnsweredByThatHost(String pingGroupRange) throws Exception {
        NetNamespace host = NetNamespace.create("vnet4j-it-v6h-" + ProcessHandle.current().pid());
        namespaces.add(host);
        host.execOk("ip", "link", "set", "lo", "up");
        host.execOk("ip", "-6", "addr", "add", FAR + "/128", "dev", "lo", "nodad");
        host.execOk("sysctl", "-q", "-w", "net.ipv4.ping_group_range=" + pingGroupRange);
        NetNamespace ns = container(host.name(), "");

        assertThat(ns.execOk("busybox", "ping", "-6", "-c", "2", "-w", "15", FAR)).contains("2 packets received");
        boolean raw = pingGroupRange.equals("1 0");
        assertThat(infoNetwork()).contains("pings dropped: 0 (").contains("ipv6 by " + (raw ? "raw" : "ping") + " socket");
        if (raw) {
            assertThat(daemons.getLast().log()).contains("pings to other IPv4 and IPv6 hosts go through raw sockets");
        }
    }

    /**
     * A host without IPv6, as a container whose interfaces have it disabled (net.ipv6.conf.all.disable_ipv6=1:
     * the JVM then finds no IPv6 at its start, and every IPv6 socket's open throws): the daemon runs in such a
     * namespace of the test's own. A guest's IPv6 connection is refused at once as Network Unreachable (it
     * met an internal error and its SYN was retried for seconds before), IPv4 works, and an IPv6 host forward
     * is refused at start naming its rule.
     */
    @Test
    void aHostWithoutIpv6TellsGuestsIpv6ConnectionsUnreachableAtOnce() throws Exception {
        NetNamespace host = NetNamespace.create("vnet4j-it-no6-" + ProcessHandle.current().pid());
        namespaces.add(host);
        host.execOk("ip", "link", "set", "lo", "up");
        host.execOk("sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1");
        host.execOk("sysctl", "-q", "-w", "net.ipv6.conf.lo.disable_ipv6=1");
        int port = PeerTools.freePort();
        processes.add(new ProcessBuilder("ip", "netns", "exec", host.name(), "python3", "-m", "http.server", "--bind",
                "127.0.0.1", String.valueOf(port), "--directory", dir.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        host.await("curl -sf -o /dev/null http://127.0.0.1:" + port + "/", Duration.ofSeconds(10));
        NetNamespace ns = container(host.name(), "");

        String refused = ns.execOk("sh", "-c", "curl -6 -s -m 10 -o /dev/null -w '%{time_total} %{exitcode}' "
                + "http://[fec0::2]:" + port + "/; true");
        assertThat(refused).as("time and curl's exit code (7: could not connect)").endsWith(" 7");
        assertThat(Double.parseDouble(refused.split(" ")[0])).as("seconds to the refusal").isLessThan(2);
        assertThat(ns.execOk("curl", "-4", "-sf", "-o", "/dev/null", "-w", "%{http_code}", "http://10.0.2.2:" + port + "/"))
                .isEqualTo("200");
        assertThat(daemons.getLast().log()).contains("tcp: Network is unreachable (no IPv6 on this host")
                .doesNotContain("internal error");

        PeerTools.Exec start = PeerTools.exec(Duration.ofSeconds(30), List.of("ip", "netns", "exec", host.name(),
                PeerTools.basedir().resolve("bin/vnet4j").toString(), "--no-warm-up", "--control", "none",
                "-netdev", "user,id=u,hostfwd=tcp:[::1]:" + port + "-:22"));
        assertThat(start.output()).contains("u: hostfwd=tcp:[::1]:" + port + ": Network is unreachable (no IPv6 on this host");
    }

    /**
     * What a guest's own sockets report for a connected UDP socket and a connected ping socket (Python in
     * the guest's namespace, so the guest's kernel itself matches each ICMP error to its socket by the quote
     * it carries): {@code ADDRESS KIND RESULT} lines, RESULT an errno name, "answered" or "timeout". The
     * sockets ask for IP_RECVERR (as traceroute and resolvers do): without it Linux keeps the soft errors,
     * net and host unreachable (RFC 1122 section 4.2.3.9), from a UDP or ping socket.
     */
    private static final String PROBE = """
            import errno, socket, sys
            def probe(kind, address):
                family = socket.AF_INET6 if ":" in address else socket.AF_INET
                if kind == "udp":
                    s = socket.socket(family, socket.SOCK_DGRAM)
                    message = b"probe"
                else:
                    s = socket.socket(family, socket.SOCK_DGRAM,
                                      socket.IPPROTO_ICMPV6 if family == socket.AF_INET6 else socket.IPPROTO_ICMP)
                    message = bytes([128 if family == socket.AF_INET6 else 8, 0, 0, 0, 0, 0, 0, 1]) + b"probe"
                if family == socket.AF_INET6:
                    s.setsockopt(socket.IPPROTO_IPV6, 25, 1)  # IPV6_RECVERR
                else:
                    s.setsockopt(socket.IPPROTO_IP, 11, 1)  # IP_RECVERR
                s.connect((address, 9 if kind == "udp" else 0))
                s.settimeout(5)
                try:
                    s.send(message)
                    s.recv(100)
                    return "answered"
                except socket.timeout:
                    return "timeout"
                except OSError as e:
                    return errno.errorcode[e.errno]
            for address in sys.argv[1:]:
                for kind in ("udp", "ping"):
                    print(address, kind, probe(kind, address), flush=True)
            """;

    /**
     * Errors the host meets reach the guest as ICMP errors its kernel matches to the socket that sent: the
     * daemon's namespace routes 198.51.100.0/25 and 2001:db8:2::/48 through a router namespace (whose
     * loopback holds .7 and ::7, where UDP port 9 is closed, and which prohibits 198.51.100.64/26 and
     * 2001:db8:2:1::/64), and has unreachable routes for 198.51.100.128/25 and 2001:db8:3::/48 (and blackholes in
     * them, whose EINVAL libslirp calls network unreachable). So a
     * datagram meets a port unreachable later (queued on the flow's socket, IP_RECVERR), a ping a router's
     * "administratively prohibited" later (queued on the proxy's raw or ping socket), and both meet the
     * host's own refusal at once (sendto fails). All addresses are documentation ones, inside namespaces of
     * the test's own.
     */
    @ParameterizedTest(name = "ping_group_range {0}")
    @ValueSource(strings = {"1 0", "0 2147483647"})
    void errorsTheHostMeetsReachTheGuestsSocketsAsIcmpErrors(String pingGroupRange) throws Exception {
        String tag = String.valueOf(ProcessHandle.current().pid() % 100000);
        NetNamespace host = NetNamespace.create("vnet4j-it-errh-" + tag);
        namespaces.add(host);
        NetNamespace router = NetNamespace.create("vnet4j-it-errr-" + tag);
        namespaces.add(router);
        host.execOk("ip", "link", "add", "eh" + tag, "type", "veth", "peer", "name", "er" + tag);
        host.execOk("ip", "link", "set", "er" + tag, "netns", router.name());
        for (String[] side : new String[][] {{host.name(), "eh", "1"}, {router.name(), "er", "2"}}) {
            NetNamespace ns = side[0].equals(host.name()) ? host : router;
            ns.execOk("ip", "link", "set", "lo", "up");
            ns.execOk("ip", "addr", "add", "192.0.2." + side[2] + "/24", "dev", side[1] + tag);
            ns.execOk("ip", "-6", "addr", "add", "2001:db8:1::" + side[2] + "/64", "dev", side[1] + tag, "nodad");
            ns.execOk("ip", "link", "set", side[1] + tag, "up");
        }
        host.execOk("sysctl", "-q", "-w", "net.ipv4.ping_group_range=" + pingGroupRange);
        host.execOk("ip", "route", "add", "198.51.100.0/25", "via", "192.0.2.2");
        host.execOk("ip", "-6", "route", "add", "2001:db8:2::/48", "via", "2001:db8:1::2");
        host.execOk("ip", "route", "add", "unreachable", "198.51.100.128/25");
        host.execOk("ip", "-6", "route", "add", "unreachable", "2001:db8:3::/48");
        host.execOk("ip", "route", "add", "blackhole", "198.51.100.220/32"); // sendto and connect: EINVAL
        host.execOk("ip", "-6", "route", "add", "blackhole", "2001:db8:3::2/128");
        router.execOk("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        router.execOk("sysctl", "-q", "-w", "net.ipv6.conf.all.forwarding=1");
        router.execOk("ip", "addr", "add", "198.51.100.7/32", "dev", "lo");
        router.execOk("ip", "-6", "addr", "add", "2001:db8:2::7/128", "dev", "lo", "nodad");
        router.execOk("ip", "route", "add", "prohibit", "198.51.100.64/26");
        router.execOk("ip", "-6", "route", "add", "prohibit", "2001:db8:2:1::/64");
        NetNamespace guest = container(host.name(), "");
        guest.execOk("sysctl", "-q", "-w", "net.ipv4.ping_group_range=0 2147483647");
        Files.writeString(dir.resolve("probe.py"), PROBE);

        String report = guest.execOk("python3", dir.resolve("probe.py").toString(),
                "198.51.100.7", "198.51.100.70", "198.51.100.200", "198.51.100.220", "2001:db8:2::7", "2001:db8:2:1::1",
                "2001:db8:3::1", "2001:db8:3::2");

        assertThat(report.lines()).containsExactly(
                "198.51.100.7 udp ECONNREFUSED", // the router's port unreachable, queued on the flow's socket
                "198.51.100.7 ping answered",
                "198.51.100.70 udp EHOSTUNREACH", // the router's "prohibited" (ICMP 3/13), queued
                "198.51.100.70 ping EHOSTUNREACH", // the same, queued on the proxy's socket
                "198.51.100.200 udp EHOSTUNREACH", // the host's unreachable route: sendto failed at once
                "198.51.100.200 ping EHOSTUNREACH",
                "198.51.100.220 udp ENETUNREACH", // the host's blackhole (EINVAL): network unreachable, as libslirp
                "198.51.100.220 ping ENETUNREACH",
                "2001:db8:2::7 udp ECONNREFUSED",
                "2001:db8:2::7 ping answered",
                "2001:db8:2:1::1 udp EACCES", // ICMPv6 1/1, administratively prohibited
                "2001:db8:2:1::1 ping EACCES",
                "2001:db8:3::1 udp EHOSTUNREACH", // sendto's EHOSTUNREACH as ICMPv6 1/3, address unreachable
                "2001:db8:3::1 ping EHOSTUNREACH",
                "2001:db8:3::2 udp ENETUNREACH",
                "2001:db8:3::2 ping ENETUNREACH");
        assertThat(infoNetwork()).contains("icmp errors told to guests: 14");
    }

    /** The host address a guest pings, on the loopback of the daemon's namespace. */
    private static final String FAR = "2001:db8::1";

    @Test
    void aaaaNamesResolveThroughTheIpv6DnsAddressFromAnUpstreamOnIpv6Loopback() throws Exception {
        PeerTools.require("dnsmasq", "dnsmasq");
        int dnsPort = PeerTools.freePort();
        processes.add(new ProcessBuilder("dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts", "--port=" + dnsPort,
                "--listen-address=::1", "--bind-interfaces", "--address=/example.test/2001:db8::7",
                "--pid-file=" + dir.resolve("dnsmasq.pid"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        PeerTools.awaitListening(dnsPort, Duration.ofSeconds(10)); // up before the daemon asks it anything
        NetNamespace ns = container(",dns-upstream=[::1]:" + dnsPort);
        PeerTools.Exec lookup = PeerTools.exec(Duration.ofSeconds(20),
                List.of("ip", "netns", "exec", ns.name(), "busybox", "nslookup", "-type=AAAA", "example.test", "fec0::3"));
        assertThat(lookup.output()).contains("2001:db8::7");
    }

    @Test
    void anIpv6HostForwardWithoutGuestAddressReachesTheLearntAddressAndRestrictKeepsIt() throws Exception {
        int hostPort = PeerTools.freePort();
        int blocked = PeerTools.freePort();
        NetNamespace ns = container(",restrict=on,hostfwd=tcp:[::1]:" + hostPort + "-:7778");
        processes.add(ns.start("python3", "-c", ECHO));
        await(ns, "ss -ltn | grep -q :7778");
        // the gateway learns the guest's address from its traffic: its router solicitation and DAD come first
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName("::1"), hostPort), 10_000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write("ping6".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            assertThat(new String(in.readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("ping6");
        }
        // restrict=on: nothing leaves for the host over IPv6 either (the gateway refuses the SYN at once)
        PeerTools.Exec egress = PeerTools.exec(Duration.ofSeconds(20), List.of("ip", "netns", "exec", ns.name(),
                "curl", "-6", "-s", "--max-time", "5", "http://[fec0::2]:" + blocked + "/"));
        assertThat(egress.ok()).isFalse();
        assertThat(infoNetwork()).contains("restricted");
    }

    /**
     * A persistent TAP ({@code ip tuntap add}) keeps its namespace's address and default route when vnet4j stops. A
     * second start stopped at "cannot add the default route via tap0: File exists"; past that, the guest, which
     * keeps its SLAAC address and repeats no duplicate address detection, was never learnt, and every client of an
     * IPv6 host forward without a guest address was refused. Now the route found in place is taken, and the gateway
     * asks all nodes while it holds the client.
     */
    @Test
    void aPersistentTapIsConfiguredAgainAfterARestartAndAnIpv6ForwardReachesItsSilentGuest() throws Exception {
        int hostPort = PeerTools.freePort();
        NetNamespace ns = NetNamespace.create("vnet4j-it-v6p-" + ProcessHandle.current().pid());
        namespaces.add(ns);
        ns.execOk("ip", "tuntap", "add", "tap0", "mode", "tap");
        String[] args = {"--control", dir.resolve("control.sock").toString(),
                "-netdev", "user,id=u,hostfwd=tcp:[::1]:" + hostPort + "-:7778",
                "-netdev", "tap,id=c,ifname=tap0,configure=on,netns=/run/netns/" + ns.name()};
        try (VnetProcess first = VnetProcess.start(args)) {
            await(ns, "ip -6 addr show dev tap0 | grep 'inet6 fec0::' | grep -vq tentative");
            processes.add(ns.start("python3", "-c", ECHO));
            await(ns, "ss -ltn | grep -q :7778");
            assertThat(echo(hostPort, "first")).isEqualTo("first");
        }
        daemons.add(VnetProcess.start(args));
        assertThat(ns.execOk("ip", "-4", "route", "show", "default")).contains("via 10.0.2.2 dev tap0");
        assertThat(echo(hostPort, "again")).isEqualTo("again");
        assertThat(infoNetwork()).contains("guests asked 1 times, clients refused for want of a guest's IPv6 address 0");
    }

    /** What the echo server in the namespace sends back for {@code text}, through the host forward on {@code port}. */
    private static String echo(int port, String text) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getByName("::1"), port), 10_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readNBytes(text.length()), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void twoDualStackGuestsFindEachOthersIpv6AddressAndNameByDns() throws Exception {
        NetNamespace a = NetNamespace.create("vnet4j-it-v6a-" + ProcessHandle.current().pid());
        NetNamespace b = NetNamespace.create("vnet4j-it-v6b-" + ProcessHandle.current().pid());
        namespaces.add(a);
        namespaces.add(b);
        daemons.add(VnetProcess.start("--control", dir.resolve("control.sock").toString(),
                "-netdev", "user,id=u,domainname=vnet.test",
                "-netdev", "tap,id=ta,ifname=vna,netns=/run/netns/" + a.name(),
                "-netdev", "tap,id=tb,ifname=vnb,netns=/run/netns/" + b.name()));
        for (var guest : List.of(List.of(a, "vna", "alpha"), List.of(b, "vnb", "beta"))) {
            NetNamespace ns = (NetNamespace) guest.get(0);
            String ifname = (String) guest.get(1);
            ns.execOk("ip", "link", "set", ifname, "up");
            ns.execOk("busybox", "udhcpc", "-i", ifname, "-n", "-q", "-f", "-x", "hostname:" + guest.get(2), "-s", "/bin/true");
            await(ns, "ip -6 addr show dev " + ifname + " | grep 'inet6 fec0::' | grep -vq tentative");
        }
        String betaAddress = b.execOk("sh", "-c", "ip -6 addr show dev vnb | grep -o 'fec0::[0-9a-f:]*'").trim();
        // the name beta gave in DHCP answers AAAA with the SLAAC address the gateway learnt at beta's MAC
        String aaaa = a.execOk("busybox", "nslookup", "-type=AAAA", "beta.vnet.test", "fec0::3");
        assertThat(aaaa).contains(betaAddress);
        // and the address answers the name (PTR over ip6.arpa)
        String ptr = a.execOk("busybox", "nslookup", betaAddress, "fec0::3");
        assertThat(ptr).contains("beta.vnet.test");
        a.execOk("busybox", "ping", "-6", "-c", "1", "-W", "5", betaAddress);
    }

    private String infoNetwork() {
        PeerTools.Exec e = VnetProcess.ctl(null, "--control", dir.resolve("control.sock").toString(), "info", "network");
        assertThat(e.ok()).as(e.output()).isTrue();
        return e.output();
    }

    private static void awaitHost(String host, int port) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket((Inet6Address) InetAddress.getByName(host), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("no server on [" + host + "]:" + port);
    }

    private static void await(NetNamespace ns, String shellCondition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (PeerTools.exec(Duration.ofSeconds(5), List.of("ip", "netns", "exec", ns.name(), "sh", "-c", shellCondition)).ok()) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not ready in " + ns.name() + ": " + shellCondition);
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
