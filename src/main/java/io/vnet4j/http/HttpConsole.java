package io.vnet4j.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vnet4j.base.InternalErrors;
import io.vnet4j.base.Log;
import io.vnet4j.control.Json;
import io.vnet4j.control.NetworkReport;
import io.vnet4j.fabric.Netdev;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * {@code --http ADDR:PORT}: the network over HTTP, on the JDK's own server (jdk.httpserver). Each
 * exchange runs on a virtual thread of its own, so a client that sends half a request and stalls holds only
 * its own connection (on one thread, it held every other request up until it went away), and the server
 * closes it once it has not sent its whole request within {@value #MAX_REQUEST_SECONDS} s; at most
 * {@value #MAX_CONNECTIONS} connections are open. The answers are written one at a time (a lock), so a
 * scrape or a page never competes with the frame path for more than one core's slice:
 * <ul>
 *   <li>{@code /metrics}: Prometheus's text exposition format, written by the Prometheus Java client from
 *       {@link NetworkCollector} and the JVM's own metrics;</li>
 *   <li>{@code /api/network}: the JSON of the control socket's {@code query-network} (hubs, switches and
 *       their MAC tables, netdevs, ports and counters, the user networks' leases, forwards and flows);</li>
 *   <li>{@code /api/version}: {@code {"package": "vnet4j VERSION"}};</li>
 *   <li>{@code /}: the live topology page, plain HTML, CSS and JavaScript from the jar, which polls
 *       {@code /api/network} once a second.</li>
 * </ul>
 * Only GET and HEAD; no state changes over HTTP. The caller picks the address: the command line binds
 * 127.0.0.1 unless told otherwise.
 */
public final class HttpConsole implements AutoCloseable {
    private static final String PAGE_DIR = "/io/vnet4j/http/page/";
    private static final Map<String, String> PAGE = Map.of("/", "index.html", "/index.html", "index.html",
            "/page.js", "page.js", "/page.css", "page.css");

    /** The JDK server's {@code sun.net.httpserver.maxReqTime}: a request's line and headers arrive within it. */
    static final int MAX_REQUEST_SECONDS = 10;
    /** The JDK server's {@code jdk.httpserver.maxConnections}. */
    static final int MAX_CONNECTIONS = 64;
    /** One answer at a time. */
    private static final ReentrantLock ANSWERING = new ReentrantLock();
    private static final InternalErrors INTERNAL_ERRORS = new InternalErrors("http");
    private static final PrometheusTextFormatWriter TEXT_FORMAT = PrometheusTextFormatWriter.create();

    private final HttpServer server;
    private final ExecutorService executor;

    private HttpConsole(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /**
     * Serves on {@code address} (port 0: the kernel picks, see {@link #address()}).
     *
     * @throws IOException when the address cannot be bound (in use, not an address of this host)
     */
    public static HttpConsole start(InetSocketAddress address, Supplier<List<Netdev>> netdevs, String version)
            throws IOException {
        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new NetworkCollector(netdevs));
        JvmMetrics.builder().register(registry);
        // read once, when the JDK server's configuration first loads; an embedding application's own values stay
        setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
        setIfAbsent("jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));
        HttpServer server = HttpServer.create(address, 16);
        String machine = machineName();
        serve(server, machine, "/metrics", exchange -> metrics(exchange, registry));
        serve(server, machine, "/api/network", exchange -> json(exchange, NetworkReport.query(netdevs.get())));
        serve(server, machine, "/api/version", exchange -> json(exchange, Map.of("package", "vnet4j " + version)));
        serve(server, machine, "/", HttpConsole::page);
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("vnet4j-http").factory());
        server.setExecutor(executor);
        server.start();
        return new HttpConsole(server, executor);
    }

    private static void setIfAbsent(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    /** Where it serves (with the port the kernel picked for port 0). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /**
     * Serves {@code path} alone (the JDK's server matches contexts by prefix: {@code /metricsfoo} would reach
     * {@code /metrics}), GET and HEAD only, every answer with the same security headers; a request whose Host
     * {@link #hostRefusal} refuses is answered 400 or 403, one that fails on a bug 500 (said and counted).
     *
     * @param machine the machine's host name, which a request on loopback may name; null when unknown
     */
    private static void serve(HttpServer server, String machine, String path, HttpHandler handler) {
        server.createContext(path, exchange -> {
            try (exchange) {
                var headers = exchange.getResponseHeaders();
                headers.set("Cache-Control", "no-store");
                headers.set("X-Content-Type-Options", "nosniff");
                headers.set("Content-Security-Policy", "default-src 'self'");
                String method = exchange.getRequestMethod();
                Refusal refusal = hostRefusal(exchange.getRequestHeaders().get("Host"), exchange.getProtocol(),
                        exchange.getLocalAddress().getAddress().isLoopbackAddress(), machine);
                if (refusal != null) {
                    sendText(exchange, refusal.status(), refusal.text());
                } else if (!(path.equals("/") ? PAGE.containsKey(exchange.getRequestURI().getRawPath())
                        : exchange.getRequestURI().getRawPath().equals(path))) {
                    sendText(exchange, 404, "not found");
                } else if (!method.equals("GET") && !method.equals("HEAD")) {
                    headers.set("Allow", "GET, HEAD");
                    sendText(exchange, 405, "only GET and HEAD");
                } else {
                    answer(exchange, handler);
                }
            }
        });
    }

    private static void answer(HttpExchange exchange, HttpHandler handler) throws IOException {
        ANSWERING.lock();
        try {
            handler.handle(exchange);
        } catch (RuntimeException e) {
            INTERNAL_ERRORS.record(exchange.getRequestURI().getRawPath() + " was not answered", e);
            if (exchange.getResponseCode() == -1) { // nothing sent yet
                sendText(exchange, 500, "internal error");
            }
        } finally {
            ANSWERING.unlock();
        }
    }

    /** The loopback names of the hosts files of Red Hat's and Debian's systems, besides localhost. */
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost.localdomain",
            "ip6-localhost", "ip6-loopback");

    /** The machine's host name in lower case, from Linux's /proc/sys/kernel/hostname (no lookup); null when unknown. */
    private static String machineName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            return name.isEmpty() ? null : name.toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return null;
        }
    }

    /** An answer that refuses a request: its status and text. */
    record Refusal(int status, String text) {}

    /**
     * Why a request's Host header is refused, or null when it is not. RFC 9112 §3.2: an HTTP/1.1 request without
     * Host, or any with more than one, is answered 400. A request that came in on a loopback address names an
     * address literal or a loopback name ({@code localhost}, {@code *.localhost} (RFC 6761 §6.3),
     * {@code localhost.localdomain}, {@code ip6-localhost}, {@code ip6-loopback}) or the machine's own name in
     * Host, or is refused (403): a page of another site whose name its owner made resolve to 127.0.0.1 (DNS
     * rebinding) sends that name, and may not read the leases and connections. One from another host names
     * whatever the operator chose.
     *
     * @param hosts the request's Host headers (null when none)
     * @param protocol the request's protocol, {@code HTTP/1.1} or {@code HTTP/1.0}
     * @param loopback the request came in on a loopback address
     * @param machine the machine's host name in lower case (Linux's /proc/sys/kernel/hostname); null when unknown
     */
    static Refusal hostRefusal(List<String> hosts, String protocol, boolean loopback, String machine) {
        if (hosts == null || hosts.isEmpty()) {
            return protocol.equals("HTTP/1.0") ? null : new Refusal(400, "no Host header (RFC 9112 section 3.2)");
        }
        if (hosts.size() > 1) {
            return new Refusal(400, "more than one Host header (RFC 9112 section 3.2)");
        }
        String host = hosts.getFirst().strip();
        if (!loopback || host.startsWith("[")) {
            return null; // [IPv6 literal]
        }
        int colon = host.lastIndexOf(':');
        String name = (colon < 0 ? host : host.substring(0, colon)).toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || name.equals("localhost") || name.endsWith(".localhost")
                || LOOPBACK_NAMES.contains(name) || name.equals(machine)) {
            return null;
        }
        return new Refusal(403, "Host " + Log.printable(name) + ": on loopback this server answers to an address or "
                + "localhost only, a defence against DNS rebinding (a reverse proxy in front must send Host: localhost)");
    }

    /**
     * Prometheus's text format 0.0.4, whatever the client's Accept header offers: the Prometheus client's own
     * handler would pick its protobuf format for a Prometheus with native histograms on, whose writer this jar
     * leaves out, and answer 200 with an empty body (a target up, with no samples).
     */
    private static void metrics(HttpExchange exchange, PrometheusRegistry registry) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
        TEXT_FORMAT.write(body, registry.scrape());
        send(exchange, 200, TEXT_FORMAT.getContentType(), body.toByteArray());
    }

    private static void json(HttpExchange exchange, Object value) throws IOException {
        send(exchange, 200, "application/json; charset=utf-8", Json.write(value).getBytes(StandardCharsets.UTF_8));
    }

    /** One of {@link #PAGE}'s files ({@link #serve} answered any other path 404). */
    private static void page(HttpExchange exchange) throws IOException {
        String file = PAGE.get(exchange.getRequestURI().getRawPath());
        byte[] body;
        try (InputStream in = HttpConsole.class.getResourceAsStream(PAGE_DIR + file)) {
            body = in == null ? null : in.readAllBytes();
        }
        if (body == null) { // a jar without it
            sendText(exchange, 404, "not found");
            return;
        }
        String type = file.endsWith(".html") ? "text/html" : file.endsWith(".js") ? "text/javascript" : "text/css";
        send(exchange, 200, type + "; charset=utf-8", body);
    }

    /** Sends {@code text} and a line end as {@code text/plain}. */
    private static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", (text + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** Sends the answer; {@code type} is the whole Content-Type. */
    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try {
            executor.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
