package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.vnet4j.control.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@code vnet4j --http 127.0.0.1:0} on the default network with QEMU guests: {@code /metrics} moves by at
 * least a guest's download and passes {@code promtool check metrics}; the page, in headless Chromium,
 * shows a second VM within 2 s of its joining, without a reload, and then the switch, the gateway and both
 * VMs with their leased addresses inside a 1280x800 window (the screenshot is kept in
 * target/http-page.png, and a phone-sized one in target/http-page-phone.png).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(240)
class HttpConsoleIT {
    private static final Pattern PAGE_URL = Pattern.compile("http: the network's page at (http://127\\.0\\.0\\.1:\\d+)/");

    private Path runtime;
    private VnetProcess vnet;
    private String base;
    private HttpServer files;
    private QemuGuest alpha;
    private QemuGuest beta;
    private String alphaIp;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws Exception {
        PeerTools.require("promtool", "prometheus");
        runtime = Files.createTempDirectory("vnet4j-http-it");
        vnet = VnetProcess.startWith(null, Map.of("XDG_RUNTIME_DIR", runtime.toString()), "--http", "127.0.0.1:0");
        Matcher m = PAGE_URL.matcher(vnet.log());
        assertThat(m.find()).as(vnet.log()).isTrue();
        base = m.group(1);
        files = PeerTools.serve("/big", new byte[4 << 20]);
        alpha = QemuGuest.builder("alpha").mac("52:54:00:00:00:a1").netdev(netdev()).boot();
        alpha.runOk("udhcpc -i eth0 -n -q -t 5 -T 2 -x hostname:alpha");
        alphaIp = alpha.runOk("ip -4 -o addr show eth0").replaceAll("(?s).*inet (\\S+)/.*", "$1");
    }

    private String netdev() {
        return "stream,server=off,addr.type=unix,addr.path=" + runtime.resolve("vnet4j/qemu.sock");
    }

    @AfterAll
    void stop() throws IOException {
        PeerTools.closeAll(alpha, beta, vnet);
        if (files != null) files.stop(0);
        PeerTools.deleteTree(runtime);
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return r.body();
    }

    /** The default user network's {@code state} in {@code /api/network} (query-network's JSON). */
    private Map<?, ?> userState() throws Exception {
        for (Object hub : (List<?>) Json.parse(get("/api/network"))) {
            for (Object netdev : (List<?>) ((Map<?, ?>) hub).get("netdevs")) {
                if ("user0".equals(((Map<?, ?>) netdev).get("id"))) {
                    return (Map<?, ?>) ((Map<?, ?>) netdev).get("state");
                }
            }
        }
        throw new AssertionError("no user0 in /api/network");
    }

    private static double sample(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + series + " in\n" + metrics));
    }

    @Test
    @Order(1)
    void metricsMoveByAtLeastTheBytesOfAGuestsDownloadAndPassPromtool() throws Exception {
        String before = get("/metrics");
        alpha.transferOk("wget -q -O /dev/null http://10.0.2.2:" + files.getAddress().getPort() + "/big", Duration.ofSeconds(60));
        String after = get("/metrics");
        String toVm = "vnet4j_port_tx_bytes_total{hub=\"0\",netdev=\"qemu\",port=\"qemu.1\"}";
        String fromGateway = "vnet4j_port_rx_bytes_total{hub=\"0\",netdev=\"user0\",port=\"user0\"}";
        assertThat(sample(after, toVm) - sample(before, toVm)).isGreaterThan(4 << 20);
        assertThat(sample(after, fromGateway) - sample(before, fromGateway)).isGreaterThan(4 << 20);
        assertThat(sample(after, "vnet4j_usernet_leases{hub=\"0\",netdev=\"user0\"}")).isEqualTo(1);
        assertThat(sample(after, "vnet4j_usernet_dns_upstream_changes_total{hub=\"0\",netdev=\"user0\"}")).isZero();
        assertThat(sample(after, "vnet4j_usernet_tcp_resent_segments_total{after=\"timeout\",hub=\"0\",netdev=\"user0\"}"))
                .as("present (a slow TCG guest may see one)").isNotNegative();
        for (String cause : List.of("malformed", "no_arp_reply", "dhcp_no_free_address", "ndp", "dhcpv6_malformed")) {
            assertThat(sample(after, "vnet4j_usernet_dropped_frames_total{cause=\"" + cause + "\",hub=\"0\",netdev=\"user0\"}"))
                    .as("the drop cause " + cause + ", as info network tells it").isNotNegative();
        }
        PeerTools.Exec check = PeerTools.exec(Duration.ofSeconds(30), List.of("sh", "-c", "curl -s " + base + "/metrics | promtool check metrics"));
        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).as("promtool's complaints").isBlank();
    }

    @Test
    @Order(2)
    void thePageShowsAJoiningVmWithin2sThenTheSwitchTheGatewayAndBothVmsWithTheirAddresses() throws Exception {
        try (HeadlessChromium page = HeadlessChromium.open(base + "/", 1280, 800)) {
            page.viewport(1280, 800, false);
            assertThat(page.await("document.querySelector('[data-port=\"qemu.1\"]') !== null", Duration.ofSeconds(10)))
                    .as("alpha's port on the page").isNotNull();
            Object loads = page.evaluate("performance.getEntriesByType('navigation').length");
            beta = QemuGuest.builder("beta").mac("52:54:00:00:00:b2").netdev(netdev()).start();
            vnet.awaitLog("qemu.2: stream peer", Duration.ofSeconds(30));
            Duration shown = page.await("document.querySelector('[data-port=\"qemu.2\"]') !== null", Duration.ofSeconds(2));
            assertThat(shown).as("beta's port on the page within 2 s of its joining").isNotNull();
            assertThat(page.evaluate("performance.getEntriesByType('navigation').length")).as("no reload").isEqualTo(loads);

            beta.awaitReady(Duration.ofSeconds(90));
            beta.runOk("udhcpc -i eth0 -n -q -t 5 -T 2 -x hostname:beta");
            beta.runOk("ping -c 1 -w 10 10.0.2.2"); // the switch learns beta's MAC on qemu.2
            String betaIp = beta.runOk("ip -4 -o addr show eth0").replaceAll("(?s).*inet (\\S+)/.*", "$1");
            String visible = "(text) => [...document.querySelectorAll('svg text')].some(t => t.textContent.includes(text) && "
                    + "(r => r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight)(t.getBoundingClientRect()))";
            for (String text : List.of("switch0", "gateway 10.0.2.2", alphaIp, betaIp, "alpha", "beta")) {
                assertThat(page.await("(" + visible + ")(" + quote(text) + ")", Duration.ofSeconds(10)))
                        .as("'" + text + "' drawn inside the 1280x800 window").isNotNull();
            }
            try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                // a connection open in the TCP connections table (the kernel completes it; nothing reads it)
                alpha.runOk("sleep 60 | nc 10.0.2.2 " + held.getLocalPort() + " >/dev/null 2>&1 &");
                assertThat(page.await("document.querySelector('.tables').textContent.includes('10.0.2.2:" + held.getLocalPort()
                        + "')", Duration.ofSeconds(10))).as("alpha's connection in the table").isNotNull();
                assertThat(page.await("[...document.querySelectorAll('.tables .scroll')].every(s => s.scrollWidth <= s.clientWidth)",
                        Duration.ofSeconds(5))).as("every table whole beside the drawing at 1280 px (with a connection open, "
                        + "the TCP connections table's last column and the ports table's errors were cut off, behind a "
                        + "sideways scroll)").isNotNull();
            }
            // the user network's drops by cause: a row for each cause query-network counts above 0 (a guest's IGMP
            // and MLD reports are multicast the gateway drops), none for the others
            Map<?, ?> dropped = (Map<?, ?>) userState().get("dropped");
            List<String> counted = dropped.entrySet().stream().filter(e -> ((Number) e.getValue()).longValue() > 0)
                    .map(e -> e.getKey().toString()).toList();
            String causesShown = "(() => { const h = [...document.querySelectorAll('.tables h3')]"
                    + ".find(h => h.textContent === 'user0: not handled'); return h ? [...h.parentElement"
                    + ".querySelectorAll('td:first-child')].map(td => td.textContent) : null; })()";
            assertThat(page.await("(shown => shown !== null && " + Json.write(counted) + ".every(c => shown.includes(c)) && "
                    + "(shown.length === 1 && shown[0] === 'none' || shown.length <= " + dropped.size() + "))(" + causesShown + ")",
                    Duration.ofSeconds(5))).as("the drops table, with " + counted).isNotNull();
            page.screenshot(PeerTools.basedir().resolve("target/http-page.png"));

            page.viewport(390, 844, true);
            assertThat(page.await("document.querySelector('svg.topology').viewBox.baseVal.width === 420", Duration.ofSeconds(5)))
                    .as("the next poll draws the phone's smaller topology (same text size)").isNotNull();
            assertThat(page.await("document.documentElement.scrollWidth <= innerWidth", Duration.ofSeconds(5)))
                    .as("no sideways scrolling on a phone-sized window").isNotNull();
            assertThat(page.await("(" + visible + ")(" + quote(betaIp) + ")", Duration.ofSeconds(5)))
                    .as("the topology fits a phone's width").isNotNull();
            assertThat(page.await("document.querySelectorAll('.tables h3').length > 0 && [...document.querySelectorAll("
                    + "'.tables h3, .tables .legend')].every(e => (r => r.width > 0 && r.right <= innerWidth)(e.getBoundingClientRect()))",
                    Duration.ofSeconds(5))).as("every table's title and legend wrap inside a phone's width (the ports "
                    + "table's caption was as wide as its table and cut off)").isNotNull();
            page.screenshot(PeerTools.basedir().resolve("target/http-page-phone.png"));
        }
    }

    @Test
    @Order(3)
    void thePageWritesAnIpv6HostForwardsAddressInBrackets() throws Exception {
        int port = PeerTools.freePort();
        PeerTools.Exec add = VnetProcess.ctlWith(Map.of("XDG_RUNTIME_DIR", runtime.toString()), "hostfwd_add",
                "tcp:[::1]:" + port + "-:22");
        assertThat(add.ok()).as(add.output()).isTrue();
        try (HeadlessChromium page = HeadlessChromium.open(base + "/", 1280, 800)) {
            String cell = "(text) => [...document.querySelectorAll('td')].some(td => td.textContent === text)";
            assertThat(page.await("(" + cell + ")(" + quote("[::1]:" + port) + ")", Duration.ofSeconds(10)))
                    .as("the forward's host side as [::1]:" + port).isNotNull();
        }
    }

    private static String quote(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
