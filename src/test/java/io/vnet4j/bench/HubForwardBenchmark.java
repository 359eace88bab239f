package io.vnet4j.bench;

import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.Netdev;
import io.vnet4j.http.HttpConsole;
import io.vnet4j.port.nic.VirtualNic;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One frame into a hub and out of its other port, in one thread: {@code deliver} into the hub, the copy
 * into the receiving port's queue, and the receiver taking it out again. Run with {@code -prof gc} to see
 * the allocation per frame (expected 0 B/op). With {@code metrics=1000} or {@code 100} an {@link HttpConsole}
 * serves the two ports and a thread scrapes its {@code /metrics} every 1000 or 100 ms (Prometheus's default
 * is every 15 s): the metrics read the counters the ports keep anyway, so only the scrape's own work (its
 * thread, its garbage) can show.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class HubForwardBenchmark {
    @Param({"64", "1500"})
    int frameSize;

    /** off, or /metrics scraped every this many ms (Prometheus's default is 15000). */
    @Param({"off", "1000", "100"})
    String metrics;

    private VirtualNic sender;
    private VirtualNic receiver;
    private ByteBuffer frame;
    private ByteBuffer into;
    private HttpConsole console;
    private Thread scraper;

    @Setup
    public void setUp() throws IOException {
        Hub hub = new Hub(0);
        sender = new VirtualNic("a", hub);
        receiver = new VirtualNic("b", hub);
        sender.start();
        receiver.start();
        frame = ByteBuffer.allocateDirect(frameSize);
        into = ByteBuffer.allocateDirect(VirtualNic.MAX_FRAME);
        if (!metrics.equals("off")) {
            long every = Long.parseLong(metrics);
            console = HttpConsole.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    () -> List.<Netdev>of(sender, receiver), "bench");
            URI uri = URI.create("http://127.0.0.1:" + console.address().getPort() + "/metrics");
            scraper = Thread.ofPlatform().daemon().start(() -> {
                HttpClient client = HttpClient.newHttpClient();
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding());
                        Thread.sleep(every);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }
    }

    @TearDown
    public void tearDown() throws InterruptedException {
        if (scraper != null) {
            scraper.interrupt();
            scraper.join();
            console.close();
        }
    }

    @Benchmark
    public int forwardOneFrame() throws InterruptedException {
        sender.send(frame, 0, frameSize);
        into.clear();
        return receiver.receive(into, 0, TimeUnit.NANOSECONDS);
    }
}
