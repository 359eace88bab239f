package io.vnet4j.peers;

import io.vnet4j.control.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Debian's headless Chromium showing one page, driven over the DevTools protocol (a WebSocket, with the
 * JDK's client): evaluate JavaScript in the page, resize the viewport, take a screenshot. Started with the
 * flags this machine needs (no sandbox as root, no background networking: the network is closed).
 */
final class HeadlessChromium implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("DevTools listening on ws://127\\.0\\.0\\.1:(\\d+)/");

    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<Map<?, ?>>> pending = new ConcurrentHashMap<>();

    private HeadlessChromium(Process process, Path profile, WebSocket socket) {
        this.process = process;
        this.profile = profile;
        this.socket = socket;
    }

    /** Opens {@code url} in a {@code width} x {@code height} window. */
    static HeadlessChromium open(String url, int width, int height) throws Exception {
        PeerTools.require("chromium", "chromium");
        Path profile = Files.createTempDirectory("vnet4j-chromium");
        Process process = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "--remote-debugging-port=0",
                "--remote-allow-origins=*", url).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            int port = devtoolsPort(process);
            HttpClient http = HttpClient.newHttpClient();
            String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String page = ((List<?>) Json.parse(list)).stream().map(Map.class::cast).filter(t -> "page".equals(t.get("type")))
                    .map(t -> (String) t.get("webSocketDebuggerUrl")).findFirst()
                    .orElseThrow(() -> new AssertionError("no page target in " + list));
            HeadlessChromium[] self = new HeadlessChromium[1];
            WebSocket socket = http.newWebSocketBuilder().buildAsync(URI.create(page), new WebSocket.Listener() {
                private final StringBuilder text = new StringBuilder();

                @Override
                public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                    text.append(data);
                    if (last) {
                        Map<?, ?> message = (Map<?, ?>) Json.parse(text.toString());
                        text.setLength(0);
                        if (message.get("id") instanceof Number id) {
                            CompletableFuture<Map<?, ?>> f = self[0].pending.remove(id.intValue());
                            if (f != null) {
                                f.complete(message);
                            }
                        }
                    }
                    ws.request(1);
                    return null;
                }
            }).get(10, TimeUnit.SECONDS);
            self[0] = new HeadlessChromium(process, profile, socket);
            return self[0];
        } catch (Exception | AssertionError e) {
            process.destroyForcibly();
            PeerTools.deleteTree(profile);
            throw e;
        }
    }

    private static int devtoolsPort(Process process) throws IOException {
        BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream()));
        StringBuilder said = new StringBuilder();
        for (String line; (line = err.readLine()) != null; ) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread.ofVirtual().start(() -> {
                    try {
                        err.transferTo(java.io.Writer.nullWriter()); // keep its stderr pipe from filling
                    } catch (IOException ignored) {
                        // it exited
                    }
                });
                return Integer.parseInt(m.group(1));
            }
            said.append(line).append('\n');
        }
        throw new AssertionError("chromium ended without a DevTools port:\n" + said);
    }

    /** Calls a DevTools method; its {@code result}. */
    Map<?, ?> call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<Map<?, ?>> reply = new CompletableFuture<>();
        pending.put(id, reply);
        socket.sendText(Json.write(Map.of("id", id, "method", method, "params", params)), true).get(10, TimeUnit.SECONDS);
        Map<?, ?> message = reply.get(30, TimeUnit.SECONDS);
        if (message.get("error") != null) {
            throw new AssertionError(method + ": " + message.get("error"));
        }
        return (Map<?, ?>) message.get("result");
    }

    /** The value of a JavaScript expression in the page (a promise is awaited). */
    Object evaluate(String expression) throws Exception {
        Map<?, ?> result = (Map<?, ?>) call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true)).get("result");
        return result.get("value");
    }

    /** Polls {@code expression} until it is true; the time it took, or null past {@code timeout}. */
    Duration await(String expression, Duration timeout) throws Exception {
        long start = System.nanoTime();
        long end = start + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (Boolean.TRUE.equals(evaluate(expression))) {
                return Duration.ofNanos(System.nanoTime() - start);
            }
            Thread.sleep(50);
        }
        return null;
    }

    /** Makes the viewport {@code width} x {@code height} CSS pixels ({@code mobile}: a phone's). */
    void viewport(int width, int height, boolean mobile) throws Exception {
        call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1,
                "mobile", mobile));
    }

    /** Writes what the viewport shows to {@code file} as PNG. */
    void screenshot(Path file) throws Exception {
        String data = (String) call("Page.captureScreenshot", Map.of("format", "png")).get("data");
        Files.write(file, Base64.getDecoder().decode(data));
    }

    @Override
    public void close() throws IOException {
        socket.abort();
        List<ProcessHandle> helpers = process.descendants().toList(); // its renderer, GPU and zygote processes
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            for (ProcessHandle h : helpers) {
                h.destroyForcibly();
                h.onExit().get(5, TimeUnit.SECONDS);
            }
            for (int attempt = 0; ; attempt++) { // a helper may still have been writing the profile as it went
                try {
                    PeerTools.deleteTree(profile);
                    return;
                } catch (java.nio.file.DirectoryNotEmptyException e) {
                    if (attempt == 20) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("chromium's helper processes did not end: " + e, e);
        }
    }
}
