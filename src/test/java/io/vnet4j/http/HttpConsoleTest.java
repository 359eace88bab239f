package io.vnet4j.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.control.Json;
import io.vnet4j.port.nic.VirtualNic;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP side on loopback, with two in-JVM NICs on one hub: metrics move with frames, the API and page answer. */
@Timeout(30)
class HttpConsoleTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private Network network;
    private HttpConsole console;
    private VirtualNic a;
    private VirtualNic b;

    @BeforeEach
    void start() throws Exception {
        network = new Network();
        a = network.attachNic("a", 0);
        b = network.attachNic("b", 0);
        console = HttpConsole.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), network::netdevs, "test");
    }

    @AfterEach
    void stop() {
        console.close();
        network.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + console.address().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static double sample(String metrics, String series) {
        return metrics.lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError("no " + series + " in\n" + metrics));
    }

    /** A client that sends one byte of a request and stalls holds only its own connection (new user's trial). */
    @Test
    void aStalledRequestDoesNotHoldTheOthersUp() throws Exception {
        try (java.net.Socket stalled = new java.net.Socket("127.0.0.1", console.address().getPort())) {
            stalled.getOutputStream().write('G');
            stalled.getOutputStream().flush();
            Thread.sleep(200); // the server has begun reading it
            HttpResponse<String> version = client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + console.address().getPort() + "/api/version")).build(), HttpResponse.BodyHandlers.ofString())
                    .get(5, TimeUnit.SECONDS);
            assertThat(version.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void portCountersMoveByTheFramesSent() throws Exception {
        String before = get("/metrics").body();
        byte[] frame = new byte[100];
        frame[0] = (byte) 0xff; // broadcast: b gets it
        for (int i = 0; i < 3; i++) {
            a.send(frame);
            assertThat(b.receive(5, TimeUnit.SECONDS)).isNotNull();
        }
        String after = get("/metrics").body();
        String rx = "vnet4j_port_rx_bytes_total{hub=\"0\",netdev=\"a\",port=\"a\"}";
        String tx = "vnet4j_port_tx_bytes_total{hub=\"0\",netdev=\"b\",port=\"b\"}";
        assertThat(sample(after, rx) - sample(before, rx)).isEqualTo(300);
        assertThat(sample(after, tx) - sample(before, tx)).isEqualTo(300);
        assertThat(after).contains("# TYPE vnet4j_port_rx_frames_total counter", "vnet4j_hub_ports{hub=\"0\"} 2.0",
                "vnet4j_port_up{hub=\"0\",netdev=\"a\",port=\"a\"} 1.0", "# TYPE jvm_memory_used_bytes gauge");
    }

    @Test
    void theApiIsQueryNetworksJsonAndThePageIsServedFromTheJar() throws Exception {
        HttpResponse<String> api = get("/api/network");
        assertThat(api.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");
        List<?> hubs = (List<?>) Json.parse(api.body());
        assertThat(((Map<?, ?>) hubs.getFirst()).get("hub")).isEqualTo(0L);
        assertThat(api.body()).contains("\"id\":\"a\"", "\"id\":\"b\"");
        assertThat(get("/api/version").body()).isEqualTo("{\"package\":\"vnet4j test\"}");
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"page.js\">");
        assertThat(get("/page.js").body()).contains("/api/network");
        assertThat(get("/page.css").headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
        assertThat(get("/nothing").statusCode()).isEqualTo(404);
        assertThat(get("/../pom.xml").statusCode()).isEqualTo(404);
    }

    @Test
    void onlyReadsAreServed() throws Exception {
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + console.address().getPort()
                + "/api/network")).POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
        HttpResponse<String> postMetrics = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + console.address().getPort() + "/metrics")).POST(HttpRequest.BodyPublishers.ofString("x=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(postMetrics.statusCode()).isEqualTo(405);
        HttpResponse<String> postNothing = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + console.address().getPort() + "/nothing")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(postNothing.statusCode()).as("no such path: 404 before 405").isEqualTo(404);
    }

    /**
     * Prometheus with native histograms on asks for its protobuf format first: the answer is the text format
     * (the Prometheus client's own handler answered 200 with an empty body, a helper's replay: up, no samples).
     */
    @Test
    void metricsAreTextWhateverTheClientOffers() throws Exception {
        String accept = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,"
                + "application/openmetrics-text;version=1.0.0;q=0.8,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        for (String a : new String[] {accept, "application/vnd.google.protobuf", "*/*"}) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + console.address().getPort() + "/metrics?debug=nonsense")).header("Accept", a)
                    .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(a).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            assertThat(r.body()).contains("vnet4j_hub_ports{hub=\"0\"} 2.0");
        }
    }

    /** RFC 9112 §3.2's 400s, and on loopback only an address or localhost in Host (DNS rebinding). */
    @Test
    void aRequestIsAnsweredOnlyForAHostOfThisServer() throws Exception {
        assertThat(rawStatus("GET /api/version HTTP/1.1\r\nHost: rebind.example:8080\r\n")).isEqualTo(403);
        assertThat(rawStatus("GET /api/version HTTP/1.1\r\n")).isEqualTo(400);
        assertThat(rawStatus("GET /api/version HTTP/1.1\r\nHost: a\r\nHost: b\r\n")).isEqualTo(400);
        assertThat(rawStatus("GET /api/version HTTP/1.0\r\n")).as("HTTP/1.0 needs no Host").isEqualTo(200);
        for (String host : new String[] {"127.0.0.1:9100", "localhost", "LOCALHOST:1", "[::1]:9100", "vnet.localhost",
                "localhost.localdomain:9100", "ip6-localhost", "localhost."}) {
            assertThat(rawStatus("GET /api/version HTTP/1.1\r\nHost: " + host + "\r\n")).as(host).isEqualTo(200);
        }
        assertThat(HttpConsole.hostRefusal(List.of("vnet.example.org:9100"), "HTTP/1.1", false, null))
                .as("reached from another host").isNull();
        assertThat(HttpConsole.hostRefusal(List.of("127.0.0.1.nip.io"), "HTTP/1.1", true, "vm").status()).isEqualTo(403);
        assertThat(HttpConsole.hostRefusal(List.of("VM:9180"), "HTTP/1.1", true, "vm")).as("the machine's own name").isNull();
        assertThat(HttpConsole.hostRefusal(List.of("vm.attacker.example"), "HTTP/1.1", true, "vm").status()).isEqualTo(403);
    }

    /** A report that fails on a bug is a 500, and the other paths answer still. */
    @Test
    void aReportThatFailsOnABugIsA500() throws Exception {
        try (HttpConsole broken = HttpConsole.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), () -> {
            throw new IllegalStateException("a bug");
        }, "test")) {
            String base = "http://127.0.0.1:" + broken.address().getPort();
            for (String path : new String[] {"/api/network", "/metrics"}) {
                assertThat(client.send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode()).as(path).isEqualTo(500);
            }
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/api/version")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }

    /** The status of the answer to a request's head given by hand ({@code request} without its empty line). */
    private int rawStatus(String request) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", console.address().getPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write((request + "Connection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String status = new String(s.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }

    @Test
    void eachPathIsServedAloneWithTheSameHeaders() throws Exception {
        for (String path : new String[] {"/metricsfoo", "/api/networkX", "/api/version/x", "/metrics/../api/version"}) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + console.address().getPort()
                    + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(404);
        }
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(metrics.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }
}
