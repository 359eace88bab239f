package io.vnet4j.bench;

import io.vnet4j.fabric.Hub;
import io.vnet4j.port.nic.VirtualNic;
import java.nio.ByteBuffer;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One frame into a hub and out of its other port, in one thread: {@code deliver} into the hub, the copy
 * into the receiving port's queue, and the receiver taking it out again. Run with {@code -prof gc} to see
 * the allocation per frame (expected 0 B/op).
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

    private VirtualNic sender;
    private VirtualNic receiver;
    private ByteBuffer frame;
    private ByteBuffer into;

    @Setup
    public void setUp() {
        Hub hub = new Hub(0);
        sender = new VirtualNic("a", hub);
        receiver = new VirtualNic("b", hub);
        sender.start();
        receiver.start();
        frame = ByteBuffer.allocateDirect(frameSize);
        into = ByteBuffer.allocateDirect(VirtualNic.MAX_FRAME);
    }

    @Benchmark
    public int forwardOneFrame() throws InterruptedException {
        sender.send(frame, 0, frameSize);
        into.clear();
        return receiver.receive(into, 0, TimeUnit.NANOSECONDS);
    }
}
