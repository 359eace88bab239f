package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The user network's DHCP, DHCPv6 and router advertisements as full-size clients meet them, each in a namespace
 * on a {@code configure=off} TAP (the client configures it): ISC dhclient (IPv4, {@code -6 -S}, release,
 * INIT-REBOOT with another network's lease; stateful {@code -6}: its address, Confirm, Release, Decline), dhcpcd
 * (renew, rebind, release, INFORM, DECLINE, the O flag's Information-request; {@code ia_na}: bind, renew, release),
 * systemd-networkd and rdisc6. The clients' scripts are the test's own (dhclient's default
 * one runs hooks that write files outside the namespace), dhcpcd's and networkd's state directories are tmpfs in
 * the private mount namespace {@code ip netns exec} gives them. Upstream DNS is a dnsmasq on loopback.
 */
@Timeout(120)
class DhcpClientsIT {
    /**
     * Records what a client tells its script, one block per event, and sets a dhclient lease's IPv4 address (dhcpcd,
     * which says its {@code protocol}, sets its own).
     */
    private static final String RECORDER = """
            #!/bin/sh
            { echo "reason=$reason"; env | grep -E '^(new_|old_)' | sort; echo; } >> LOG
            case "$reason" in
            BOUND|RENEW|REBIND|REBOOT) [ -z "$protocol" ] && { ip -4 addr flush dev "$interface";
                ip -4 addr add "$new_ip_address/$new_subnet_mask" dev "$interface"; } ;;
            RELEASE|EXPIRE|STOP) [ -z "$protocol" ] && ip -4 addr flush dev "$interface" ;;
            esac
            exit 0
            """;
    /** A script's stop: its last background client gets SIGTERM, and SIGKILL if it is still there 5 s later. */
    private static final String STOP = """
            stop() { kill $! 2>/dev/null; for i in $(seq 50); do kill -0 $! 2>/dev/null || break; sleep 0.1; done; kill -9 $! 2>/dev/null; wait; }
            """;
    /** Runs dhcpcd with its run and state directories private (tmpfs) and waits for events: sh -c SCRIPT CONF LOG. */
    private static final String DHCPCD_PRELUDE = """
            mount -t tmpfs none /run && mkdir /run/dhcpcd && mount -t tmpfs none /var/lib/dhcpcd || exit 9
            events() { n=$(grep -c "^reason=$1\\$" "$2" 2>/dev/null); echo "${n:-0}"; }
            await() { for i in $(seq 300); do [ "$(events "$1" "$LOG")" -ge "$2" ] && return 0; sleep 0.1; done; echo "no $2 x $1"; cat "$LOG"; stop; exit 8; }
            # asks the running dhcpcd (a signal) and awaits the event, asking again after 5 s: dhcpcd 9.4 now and then
            # does not act on a signal sent right after an event (a rebind's HUP after a renewal, -k's after one)
            ask() { want=$1; n=$2; shift 2; for t in 1 2; do "$@"; for i in $(seq 50); do [ "$(events "$want" "$LOG")" -ge "$n" ] && return 0; sleep 0.1; done; done; await "$want" "$n"; }
            """ + STOP;

    private final List<NetNamespace> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<VnetProcess> daemons = new ArrayList<>();
    private Path dir;
    private int dnsPort;
    private NetNamespace ns;

    @BeforeEach
    void start() throws Exception {
        PeerTools.require("dhclient", "isc-dhcp-client");
        PeerTools.require("dhcpcd", "dhcpcd-base");
        PeerTools.require("rdisc6", "ndisc6");
        PeerTools.require("dnsmasq", "dnsmasq");
        dir = Files.createTempDirectory("vnet4j-dhcp-clients");
        dnsPort = PeerTools.freePort();
        processes.add(new ProcessBuilder("dnsmasq", "--no-daemon", "--no-resolv", "--no-hosts", "--port=" + dnsPort,
                "--listen-address=127.0.0.1", "--bind-interfaces", "--pid-file=")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
        PeerTools.awaitListening(dnsPort, Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() throws IOException {
        try (var pidFiles = Files.newDirectoryStream(dir, "dhclient*.pid")) {
            for (Path pidFile : pidFiles) { // dhclient -1 stays in the background once it has a lease
                ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
        } catch (NumberFormatException e) {
            // a pid file cut short: the client ended first
        }
        daemons.forEach(VnetProcess::close);
        processes.forEach(Process::destroyForcibly);
        namespaces.forEach(NetNamespace::close);
        PeerTools.deleteTree(dir);
    }

    private NetNamespace namespace(String tag) {
        NetNamespace created = NetNamespace.create("vnet4j-it-dhcp" + tag + "-" + ProcessHandle.current().pid());
        namespaces.add(created);
        return created;
    }

    /**
     * A daemon whose user network serves an MTU of 1400, a domain and a search list, keeping its bindings in
     * {@code leases}, with a TAP left down in a fresh namespace, which the test then brings up (and {@code more} netdevs).
     */
    private VnetProcess gateway(String... more) throws InterruptedException {
        ns = namespace("");
        List<String> args = new ArrayList<>(List.of("--control", dir.resolve("control.sock").toString(), "-netdev", "user,id=u,mtu=1400,domainname=example.test,dnssearch=example.test,"
                + "dnssearch=corp.test,leasefile=" + dir.resolve("leases") + ",dns-upstream=127.0.0.1:" + dnsPort,
                "-netdev", "tap,id=t,ifname=tap0,netns=/run/netns/" + ns.name()));
        args.addAll(List.of(more));
        VnetProcess v = VnetProcess.start(args.toArray(String[]::new));
        daemons.add(v);
        ns.execOk("ip", "link", "set", "lo", "up");
        ns.execOk("ip", "link", "set", "tap0", "mtu", "1400", "up");
        return v;
    }

    /** Waits until tap0's link-local address is past duplicate address detection: IPv6 clients send from it. */
    private void awaitLinkLocal() throws InterruptedException {
        ns.await("ip -6 addr show dev tap0 | grep 'inet6 fe80' | grep -vq tentative", Duration.ofSeconds(10));
    }

    /** A recording script writing to {@code log}; returns its path. */
    private Path recorder(String name, Path log) throws IOException {
        Path script = dir.resolve(name);
        Files.writeString(script, RECORDER.replace("LOG", log.toString()));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        return script;
    }

    /** The events a recorder wrote, in order: each its reason and variables. */
    private static List<Map<String, String>> events(Path log) throws IOException {
        List<Map<String, String>> events = new ArrayList<>();
        Map<String, String> event = null;
        for (String line : Files.exists(log) ? Files.readAllLines(log) : List.<String>of()) {
            int eq = line.indexOf('=');
            if (line.startsWith("reason=")) {
                event = new LinkedHashMap<>();
                events.add(event);
            }
            if (event != null && eq > 0) {
                event.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return events;
    }

    /** The last event of this reason. */
    private static Map<String, String> last(Path log, String reason) throws IOException {
        return events(log).stream().filter(e -> reason.equals(e.get("reason"))).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + reason + " in " + log + ":\n" + readQuietly(log)));
    }

    private static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(none)";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private String mac(NetNamespace in) {
        String link = in.execOk("ip", "-o", "link", "show", "tap0");
        return link.replaceAll("(?s).*link/ether (\\S+).*", "$1");
    }

    /** The lease file's line for {@code mac}, or "" once there is none (waits up to 5 s for {@code expectBinding}). */
    private String binding(String mac, boolean expectBinding) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String line;
        do {
            line = Files.exists(dir.resolve("leases")) ? Files.readAllLines(dir.resolve("leases")).stream()
                    .filter(l -> l.contains(" " + mac + " ")).findFirst().orElse("") : "";
            if (line.isEmpty() != expectBinding) {
                return line;
            }
            Thread.sleep(50);
        } while (System.nanoTime() < deadline);
        return line;
    }

    private PeerTools.Exec inNamespace(Duration timeout, String... command) {
        List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns.name()));
        all.addAll(List.of(command));
        return PeerTools.exec(timeout, all);
    }

    private Path dhclientConfig() throws IOException {
        Path conf = dir.resolve("dhclient.conf");
        Files.writeString(conf, """
                send host-name "alpha";
                send dhcp-client-identifier "alpha-id";
                request subnet-mask, broadcast-address, routers, domain-name, domain-name-servers, domain-search,
                        interface-mtu, dhcp6.name-servers, dhcp6.domain-search;
                """);
        return conf;
    }

    /**
     * ISC dhclient gets the address, mask, router, DNS server, domain, search list (option 119), MTU (26) and the
     * day-long lease from the server it names, and its own client identifier back (RFC 6842; before, the gateway left
     * it out), and the gateway binds its host name; dhclient -r releases it and the binding is gone.
     */
    @Test
    void iscDhclientLeasesEveryOptionAndItsReleaseEndsTheBinding() throws Exception {
        gateway();
        Path log = dir.resolve("dhclient.log");
        String[] common = {"-sf", recorder("dhclient.sh", log).toString(), "-cf", dhclientConfig().toString(),
                "-pf", dir.resolve("dhclient.pid").toString(), "-lf", dir.resolve("dhclient.leases").toString(), "tap0"};
        PeerTools.Exec bound = inNamespace(Duration.ofSeconds(30), concat(new String[] {"dhclient", "-4", "-1", "-v"}, common));
        assertThat(bound.ok()).as(bound.output()).isTrue();
        Map<String, String> lease = last(log, "BOUND");
        assertThat(lease).containsEntry("new_ip_address", "10.0.2.15").containsEntry("new_subnet_mask", "255.255.255.0")
                .containsEntry("new_routers", "10.0.2.2").containsEntry("new_domain_name_servers", "10.0.2.3")
                .containsEntry("new_domain_name", "example.test")
                .containsEntry("new_domain_search", "example.test. corp.test.").containsEntry("new_interface_mtu", "1400")
                .containsEntry("new_dhcp_lease_time", "86400").containsEntry("new_dhcp_server_identifier", "10.0.2.2")
                .containsEntry("new_dhcp_client_identifier", "alpha-id"); // echoed (RFC 6842): dhclient keeps the ACK's
        String mac = mac(ns);
        assertThat(binding(mac, true)).endsWith(" " + mac + " 10.0.2.15 alpha *");

        PeerTools.Exec released = inNamespace(Duration.ofSeconds(30), concat(new String[] {"dhclient", "-4", "-r", "-v"}, common));
        assertThat(released.output()).contains("DHCPRELEASE of 10.0.2.15 on tap0 to 10.0.2.2 port 67");
        assertThat(binding(mac, false)).isEmpty();
    }

    /**
     * dhclient starting with a lease from another network (10.0.3.15, a VM moved between networks) asks for it
     * first (INIT-REBOOT): the gateway refuses it with a NAK, broadcast, and the client starts over and gets 10.0.2.15.
     */
    @Test
    void iscDhclientsLeaseFromAnotherNetworkIsRefusedAndItStartsOver() throws Exception {
        gateway();
        Path leases = dir.resolve("dhclient.leases");
        Files.writeString(leases, """
                lease {
                  interface "tap0";
                  fixed-address 10.0.3.15;
                  option subnet-mask 255.255.255.0;
                  option routers 10.0.3.2;
                  option dhcp-server-identifier 10.0.3.2;
                  option dhcp-lease-time 86400;
                  renew 4 2099/01/01 00:00:00;
                  rebind 4 2099/01/01 00:00:00;
                  expire 4 2099/01/01 00:00:00;
                }
                """);
        Path log = dir.resolve("dhclient.log");
        PeerTools.Exec run = inNamespace(Duration.ofSeconds(30), "dhclient", "-4", "-1", "-v", "-sf",
                recorder("dhclient.sh", log).toString(), "-cf", dhclientConfig().toString(), "-pf",
                dir.resolve("dhclient.pid").toString(), "-lf", leases.toString(), "tap0");
        assertThat(run.output()).contains("DHCPREQUEST for 10.0.3.15", "DHCPNAK from 10.0.2.2", "bound to 10.0.2.15");
        assertThat(last(log, "BOUND")).containsEntry("new_ip_address", "10.0.2.15");
    }

    /**
     * dhcpcd (Debian's dhcpcd-base, its privilege separation on) binds, renews by unicast ({@code -N}), rebinds by
     * broadcast ({@code -n}) and releases ({@code -k}); the gateway's binding follows: there until the release.
     */
    @Test
    void dhcpcdRenewsRebindsAndReleases() throws Exception {
        gateway();
        Path log = dir.resolve("dhcpcd.log");
        Path conf = dhcpcdConfig(log, true);
        String script = DHCPCD_PRELUDE + """
                dhcpcd -f "$CONF" -4 -B tap0 > "$LOG.out" 2>&1 &
                await BOUND 1
                ask RENEW 1 dhcpcd -f "$CONF" -4 -N tap0
                ask RENEW 2 dhcpcd -f "$CONF" -4 -n tap0
                ip -4 -o addr show tap0 > "$LOG.addr"
                ask STOPPED 1 dhcpcd -f "$CONF" -4 -k tap0
                wait
                """;
        PeerTools.Exec run = inNamespace(Duration.ofSeconds(60), "env", "CONF=" + conf, "LOG=" + log, "sh", "-c", script);
        assertThat(run.exitCode()).as(run.output() + readQuietly(Path.of(log + ".out"))).isZero();
        assertThat(last(log, "BOUND")).containsEntry("new_ip_address", "10.0.2.15")
                .containsEntry("new_domain_search", "example.test corp.test").containsEntry("new_interface_mtu", "1400")
                .containsEntry("new_domain_name_servers", "10.0.2.3").containsEntry("new_routers", "10.0.2.2");
        assertThat(last(log, "RENEW")).containsEntry("new_ip_address", "10.0.2.15");
        assertThat(Files.readString(Path.of(log + ".addr"))).contains("inet 10.0.2.15/24");
        assertThat(readQuietly(Path.of(log + ".out"))).contains("releasing lease of 10.0.2.15");
        assertThat(binding(mac(ns), false)).isEmpty();
    }

    /**
     * dhcpcd's INFORM from an address set by hand gets the network's options and no lease (RFC 2131 section 3.4);
     * the address gets no binding.
     */
    @Test
    void dhcpcdsInformGetsTheOptionsAndNoLease() throws Exception {
        gateway();
        Path log = dir.resolve("dhcpcd.log");
        Path conf = dhcpcdConfig(log, true);
        ns.execOk("ip", "addr", "add", "10.0.2.50/24", "dev", "tap0");
        String script = DHCPCD_PRELUDE + """
                dhcpcd -f "$CONF" -4 -B --inform=10.0.2.50/24 tap0 > "$LOG.out" 2>&1 &
                await INFORM 1
                stop
                """;
        PeerTools.Exec run = inNamespace(Duration.ofSeconds(60), "env", "CONF=" + conf, "LOG=" + log, "sh", "-c", script);
        assertThat(run.exitCode()).as(run.output() + readQuietly(Path.of(log + ".out"))).isZero();
        Map<String, String> inform = last(log, "INFORM");
        assertThat(inform).containsEntry("new_ip_address", "10.0.2.50").containsEntry("new_domain_name_servers", "10.0.2.3")
                .containsEntry("new_domain_search", "example.test corp.test").containsEntry("new_dhcp_server_identifier", "10.0.2.2")
                .doesNotContainKey("new_dhcp_lease_time");
        assertThat(binding(mac(ns), false)).isEmpty();
    }

    /**
     * An address a station holds that the gateway's own ARP check cannot see (it answers everyone but the gateway):
     * dhcpcd's probe after the ACK finds it, declines it, and takes the next address; the declined one stays unbound,
     * and the log says so (RFC 2131 section 4.3.3; before, nothing told the operator why the VM skipped .15).
     */
    @Test
    void dhcpcdDeclinesAnAddressInUseAndGetsTheNext() throws Exception {
        NetNamespace squatter = namespace("sq");
        VnetProcess v = gateway("-netdev", "tap,id=s,ifname=tap0,netns=/run/netns/" + squatter.name());
        squatter.execOk("ip", "link", "set", "tap0", "up");
        squatter.execOk("sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=8", "net.ipv4.conf.tap0.arp_ignore=8");
        squatter.execOk("ip", "addr", "add", "10.0.2.15/24", "dev", "tap0");
        String responder = """
                import socket, sys
                target = socket.inet_aton("10.0.2.15"); gateway = bytes.fromhex("52550a000202")
                s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806)); s.bind(("tap0", 0x0806))
                mine = s.getsockname()[4]
                while True:
                    f = s.recv(2048)
                    if len(f) < 42 or f[20:22] != b"\\x00\\x01" or f[38:42] != target or f[22:28] == gateway: continue
                    s.send(f[22:28] + mine + b"\\x08\\x06\\x00\\x01\\x08\\x00\\x06\\x04\\x00\\x02" + mine + target + f[22:28] + f[28:32])
                """;
        processes.add(squatter.start("python3", "-c", responder));
        Path log = dir.resolve("dhcpcd.log");
        Path conf = dhcpcdConfig(log, false);
        String script = DHCPCD_PRELUDE + """
                dhcpcd -f "$CONF" -4 -B tap0 > "$LOG.out" 2>&1 &
                await BOUND 1
                stop
                """;
        PeerTools.Exec run = inNamespace(Duration.ofSeconds(60), "env", "CONF=" + conf, "LOG=" + log, "sh", "-c", script);
        String out = readQuietly(Path.of(log + ".out"));
        assertThat(run.exitCode()).as(run.output() + out).isZero();
        assertThat(out).contains("claims 10.0.2.15", "DAD detected 10.0.2.15"); // and it declines it: the binding goes
        assertThat(last(log, "BOUND")).containsEntry("new_ip_address", "10.0.2.16");
        assertThat(Files.readString(dir.resolve("leases"))).doesNotContain(" 10.0.2.15 ").contains(" 10.0.2.16 ");
        assertThat(v.log()).contains("u: 10.0.2.15 declined by " + mac(ns) + ", which found it in use by another station");
    }

    private Path dhcpcdConfig(Path log, boolean noArp) throws IOException {
        Path conf = dir.resolve("dhcpcd.conf");
        Files.writeString(conf, (noArp ? "noarp\n" : "") + """
                hostname beta
                option domain_name_servers, domain_name, domain_search, interface_mtu
                require dhcp_server_identifier
                script SCRIPT
                """.replace("SCRIPT", recorder("dhcpcd.sh", log).toString()));
        return conf;
    }

    /**
     * Stateless DHCPv6 (RFC 8415 section 18.2.6, the RA's O flag): dhclient -6 -S and dhcpcd (which follows the
     * flag after SLAAC) get the DNS server and the search list (options 23 and 24) from the gateway's DUID.
     */
    @Test
    void statelessDhcpv6ClientsGetTheDnsServerAndSearchList() throws Exception {
        gateway();
        awaitLinkLocal();
        Path log = dir.resolve("dhclient6.log");
        PeerTools.Exec run = inNamespace(Duration.ofSeconds(30), "dhclient", "-6", "-S", "-1", "-v", "-sf",
                recorder("dhclient6.sh", log).toString(), "-cf", dhclientConfig().toString(), "-pf",
                dir.resolve("dhclient6.pid").toString(), "-lf", dir.resolve("dhclient6.leases").toString(), "tap0");
        assertThat(run.output()).contains("RCV: Reply message on tap0 from fe80::2.");
        Map<String, String> info = events(log).getLast();
        assertThat(info).containsEntry("new_dhcp6_name_servers", "fec0::3")
                .containsEntry("new_dhcp6_domain_search", "example.test. corp.test.")
                .containsEntry("new_dhcp6_server_id", "0:3:0:1:52:56:0:0:0:2");

        Path log6 = dir.resolve("dhcpcd6.log");
        Path conf = dhcpcdConfig(log6, true);
        String script = DHCPCD_PRELUDE + """
                dhcpcd -f "$CONF" -6 -B tap0 > "$LOG.out" 2>&1 &
                await INFORM6 1
                stop
                """;
        PeerTools.Exec dhcpcd = inNamespace(Duration.ofSeconds(60), "env", "CONF=" + conf, "LOG=" + log6, "sh", "-c", script);
        assertThat(dhcpcd.exitCode()).as(dhcpcd.output() + readQuietly(Path.of(log6 + ".out"))).isZero();
        assertThat(last(log6, "INFORM6")).containsEntry("new_dhcp6_name_servers", "fec0::3")
                .containsEntry("new_dhcp6_domain_search", "example.test corp.test")
                .containsEntry("new_dhcp6_server_id", "00030001525600000002");
    }

    /** The address stateful DHCPv6 gives the guest with this MAC: its 48 bits at the end of fec0::/64 (Dhcpv6Pool). */
    private static String dhcpv6Address(String mac) {
        String[] b = mac.split(":");
        return "fec0::" + Integer.toHexString(Integer.parseInt(b[0] + b[1], 16)) + ":"
                + Integer.toHexString(Integer.parseInt(b[2] + b[3], 16)) + ":" + Integer.toHexString(Integer.parseInt(b[4] + b[5], 16));
    }

    /**
     * Stateful DHCPv6 (RFC 8415 section 18): ISC dhclient -6 (Solicit, Advertise, Request, Reply) gets the guest's
     * address with the day-long lifetimes, T1 and T2, and the DNS options, from the gateway's DUID; the address works
     * (a ping to the gateway from it) and is logged; dhclient started again confirms it (Confirm, Success); dhclient -6 -r
     * releases it and the gateway counts the release. Before, the gateway ignored the Solicit and dhclient never got
     * an address.
     */
    @Test
    void iscDhclientStatefulGetsAnAddressThatWorksAndReleasesIt() throws Exception {
        VnetProcess v = gateway();
        awaitLinkLocal();
        Path log = dir.resolve("dhclient6.log");
        String[] common = {"-sf", recorder("dhclient6.sh", log).toString(), "-cf", dhclientConfig().toString(),
                "-pf", dir.resolve("dhclient6.pid").toString(), "-lf", dir.resolve("dhclient6.leases").toString(), "tap0"};
        PeerTools.Exec bound = inNamespace(Duration.ofSeconds(30), concat(new String[] {"dhclient", "-6", "-1", "-v"}, common));
        assertThat(bound.ok()).as(bound.output()).isTrue();
        assertThat(bound.output()).contains("RCV: Advertise message on tap0 from fe80::2.", "RCV: Reply message on tap0 from fe80::2.");
        String mac = mac(ns);
        String address = dhcpv6Address(mac);
        Map<String, String> lease = last(log, "BOUND6");
        assertThat(lease).containsEntry("new_ip6_address", address).containsEntry("new_ip6_prefixlen", "128")
                .containsEntry("new_preferred_life", "86400").containsEntry("new_max_life", "86400")
                .containsEntry("new_renew", "43200").containsEntry("new_rebind", "69120")
                .containsEntry("new_dhcp6_name_servers", "fec0::3")
                .containsEntry("new_dhcp6_domain_search", "example.test. corp.test.")
                .containsEntry("new_dhcp6_server_id", "0:3:0:1:52:56:0:0:0:2");
        ns.execOk("ip", "-6", "addr", "add", address + "/128", "dev", "tap0", "nodad");
        assertThat(ns.execOk("ping", "-6", "-c", "1", "-W", "5", "-I", address, "fec0::2")).contains("1 received");
        assertThat(v.log()).contains("u: dhcpv6 address " + address + " to " + mac + " on port t");

        // a second dhclient ends the first (its pid file) and starts from the lease file
        PeerTools.Exec again = inNamespace(Duration.ofSeconds(30), concat(new String[] {"dhclient", "-6", "-1", "-v"}, common));
        assertThat(again.output()).as("a restarted client confirms its lease (RFC 8415 section 18.2.3)")
                .contains("Confirming active lease (INIT-REBOOT)", "message status code Success", "Bound to lease");

        PeerTools.Exec released = inNamespace(Duration.ofSeconds(30), concat(new String[] {"dhclient", "-6", "-r", "-v"}, common));
        assertThat(released.output()).contains("XMT: Release on tap0", "Release Address " + address); // it prints no answer
        PeerTools.Exec info = VnetProcess.ctl(null, "--control", dir.resolve("control.sock").toString(), "info", "network");
        assertThat(info.output()).contains("addresses advertised 1, bound 1, renewed 0, released 1, declined 0");
    }

    /**
     * A station on the hub holds the guest's DHCPv6 address: the client's script finds it in duplicate address detection
     * and exits 3, dhclient declines it (RFC 8415 section 18.2.8), the gateway says so in its log and gives that guest
     * no address for a while: the next Solicit's Advertise has NoAddrsAvail in its IA_NA.
     */
    @Test
    void iscDhclientDeclinesAnAddressInUseAndGetsNoneForAWhile() throws Exception {
        NetNamespace squatter = namespace("sq");
        VnetProcess v = gateway("-netdev", "tap,id=s,ifname=tap0,netns=/run/netns/" + squatter.name());
        squatter.execOk("ip", "link", "set", "tap0", "up");
        String mac = mac(ns);
        String address = dhcpv6Address(mac);
        squatter.execOk("ip", "-6", "addr", "add", address + "/64", "dev", "tap0", "nodad");
        awaitLinkLocal();
        Path log = dir.resolve("dhclient6.log");
        Path script = dir.resolve("dad.sh");
        Files.writeString(script, """
                #!/bin/sh
                { echo "reason=$reason"; env | grep -E '^(new_|old_)' | sort; echo; } >> LOG
                [ "$reason" = BOUND6 ] || exit 0
                ip -6 addr add "$new_ip6_address/128" dev "$interface"
                for i in $(seq 50); do ip -6 addr show dev "$interface" tentative | grep -q "$new_ip6_address" || break; sleep 0.1; done
                ip -6 addr show dev "$interface" dadfailed | grep -q "$new_ip6_address" || exit 0
                ip -6 addr del "$new_ip6_address/128" dev "$interface"; exit 3
                """.replace("LOG", log.toString()));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        PeerTools.Exec run = inNamespace(Duration.ofSeconds(30), "timeout", "8", "dhclient", "-6", "-1", "-v", "-sf",
                script.toString(), "-cf", dhclientConfig().toString(), "-pf", dir.resolve("dhclient6.pid").toString(),
                "-lf", dir.resolve("dhclient6.leases").toString(), "tap0");
        assertThat(run.output()).contains("Flag address declined:" + address, "XMT: Decline on tap0",
                "message status code Success", "Status code of no addrs, IA_NA discarded.");
        assertThat(last(log, "BOUND6")).containsEntry("new_ip6_address", address);
        assertThat(v.log()).contains("u: " + address + " declined by " + mac
                + ", which found it in use by another station: not given to it by DHCPv6 for 10 min");
        PeerTools.Exec info = VnetProcess.ctl(null, "--control", dir.resolve("control.sock").toString(), "info", "network");
        assertThat(info.output()).contains("bound 1, renewed 0, released 0, declined 1");
    }

    /**
     * dhcpcd with {@code ia_na} (and {@code noipv6rs}: it solicits at once, not on the advertisement's flags) takes the
     * Advertise, binds the guest's address with its lifetimes, IAID, T1 and T2, renews it ({@code -N}) and releases it
     * ({@code -k}); the gateway counts each. Before, the gateway ignored the Solicit and dhcpcd got no address.
     */
    @Test
    void dhcpcdWithIaNaBindsRenewsAndReleases() throws Exception {
        VnetProcess v = gateway();
        awaitLinkLocal();
        Path log = dir.resolve("dhcpcd6.log");
        Path conf = dhcpcdConfig(log, true);
        Files.writeString(conf, Files.readString(conf) + "noipv6rs\ninterface tap0\n  ia_na 1\n");
        String script = DHCPCD_PRELUDE + """
                dhcpcd -f "$CONF" -6 -B tap0 > "$LOG.out" 2>&1 &
                await BOUND6 1
                ask RENEW6 1 dhcpcd -f "$CONF" -6 -N tap0
                ask STOPPED 1 dhcpcd -f "$CONF" -6 -k tap0
                wait
                """;
        PeerTools.Exec run = inNamespace(Duration.ofSeconds(60), "env", "CONF=" + conf, "LOG=" + log, "sh", "-c", script);
        String out = readQuietly(Path.of(log + ".out"));
        assertThat(run.exitCode()).as(run.output() + out).isZero();
        String address = dhcpv6Address(mac(ns));
        assertThat(last(log, "BOUND6")).containsEntry("new_dhcp6_ia_na1_ia_addr1", address)
                .containsEntry("new_dhcp6_ia_na1_ia_addr1_vltime", "86400").containsEntry("new_dhcp6_ia_na1_iaid", "00000001")
                .containsEntry("new_dhcp6_ia_na1_t1", "43200").containsEntry("new_dhcp6_ia_na1_t2", "69120")
                .containsEntry("new_dhcp6_name_servers", "fec0::3");
        assertThat(last(log, "RENEW6")).containsEntry("new_dhcp6_ia_na1_ia_addr1", address);
        assertThat(last(log, "RELEASE6")).containsEntry("old_dhcp6_ia_na1_ia_addr1", address);
        assertThat(out).contains("ADV " + address + "/128 from fe80::2", "adding address " + address + "/128");
        PeerTools.Exec info = VnetProcess.ctl(null, "--control", dir.resolve("control.sock").toString(), "info", "network");
        assertThat(info.output()).contains("bound 1, renewed 1, released 1");
        assertThat(v.log()).contains("u: dhcpv6 address " + address + " to ");
    }

    /**
     * rdisc6 reads the gateway's answer to its solicitation: the O flag without M (stateless DHCPv6 only), the
     * router lifetime, the SLAAC prefix and its lifetimes, the MTU, RDNSS and DNSSL (RFC 8106), from fe80::2.
     */
    @Test
    void rdisc6ShowsThePrefixFlagsMtuAndDnsOptions() throws Exception {
        gateway();
        awaitLinkLocal();
        String ra = ns.execOk("rdisc6", "-1", "tap0").replaceAll("[ \\t]+", " ");
        assertThat(ra).contains("Stateful address conf. : No", "Stateful other conf. : Yes",
                "Router lifetime : 1800 (0x00000708) seconds", "Prefix : fec0::/64", "On-link : Yes",
                "Autonomous address conf.: Yes", "Valid time : 86400", "Pref. time : 14400", "MTU : 1400 bytes (valid)",
                "DNS search list : example.test corp.test", "Recursive DNS server : fec0::3", "from fe80::2");
    }

    /**
     * systemd-networkd ({@code DHCP=yes}) gets the IPv4 lease with its DNS server, search list and MTU, takes the
     * SLAAC address and default route from the advertisement, and asks stateless DHCPv6 for the rest. Its state and
     * configuration directories are tmpfs here, and /sys is read-only in its mount namespace, as in a container,
     * so that it does not wait for udev.
     */
    @Test
    void systemdNetworkdConfiguresBothFamilies() throws Exception {
        Path networkd = Path.of("/lib/systemd/systemd-networkd");
        if (!Files.isExecutable(networkd)) {
            throw new AssertionError(networkd + " is missing: the real-peer tests need it (apt-get install systemd)");
        }
        gateway();
        String script = STOP + """
                mount -o remount,ro /sys && mount -t tmpfs -o mode=0755 none /run/systemd/netif \\
                    && mount -t tmpfs none /etc/systemd/network || exit 9
                chown systemd-network:systemd-network /run/systemd/netif
                printf '[Match]\\nName=tap0\\n[Network]\\nDHCP=yes\\n[DHCPv4]\\nUseMTU=yes\\n' > /etc/systemd/network/50-tap0.network
                SYSTEMD_LOG_LEVEL=debug /lib/systemd/systemd-networkd > "$LOG" 2>&1 &
                for i in $(seq 150); do grep -q 'Processed Reply message' "$LOG" && ls /run/systemd/netif/leases/* >/dev/null 2>&1 \\
                    && ip -6 addr show dev tap0 | grep 'inet6 fec0' | grep -vq tentative && break; sleep 0.1; done
                cat /run/systemd/netif/leases/*; ip link show tap0; ip -4 addr show tap0; ip -6 route show default
                stop
                """;
        Path log = dir.resolve("networkd.log");
        PeerTools.Exec run = inNamespace(Duration.ofSeconds(60), "env", "LOG=" + log, "sh", "-c", script);
        assertThat(run.output()).as(readQuietly(log)).contains("ADDRESS=10.0.2.15", "ROUTER=10.0.2.2", "DNS=10.0.2.3",
                "DOMAIN_SEARCH_LIST=example.test corp.test", "mtu 1400", "inet 10.0.2.15/24", "default via fe80::2 dev tap0");
        assertThat(readQuietly(log)).contains("DHCPv6 client: Starting in Information request mode",
                "DHCPv6 client: Processed Reply message");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
