package io.vnet4j.bench;

import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.MacTable;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One 64-byte unicast frame from port 0 to port 1's MAC on a hub of {@code ports} in-JVM NICs, in one
 * thread: as a hub (copied into every other port's queue, and each taken out again) and as a learning
 * switch whose table knows every NIC (copied into port 1's queue only). The switch's cost should stay flat
 * as ports grow; the hub's grows with them. Run with {@code -prof gc} for the allocation per frame
 * (expected 0 B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SwitchForwardBenchmark {
    private static final long FIRST_MAC = 0x5254_0000_0000L;
    private static final int FRAME = 64;

    @Param({"2", "8", "32"})
    int ports;

    @Param({"hub", "switch"})
    String kind;

    private VirtualNic[] nics;
    private ByteBuffer frame;
    private ByteBuffer into;
    /** The last NIC the frame reaches: port 1 through the switch, every other port through the hub. */
    private int last;

    @Setup
    public void setUp() throws InterruptedException {
        Hub hub = new Hub(0);
        if (kind.equals("switch")) {
            hub.learn("sw", new MacTable<>(300, 4096, 256, System::nanoTime, (mac, from, to) -> {}));
        }
        nics = new VirtualNic[ports];
        for (int i = 0; i < ports; i++) {
            nics[i] = new VirtualNic("p" + i, hub);
            nics[i].start();
        }
        into = ByteBuffer.allocateDirect(VirtualNic.MAX_FRAME);
        frame = ByteBuffer.allocateDirect(FRAME);
        for (int i = 0; i < ports; i++) { // every NIC says hello once: the switch learns them all
            write(frame, 0xFFFF_FFFF_FFFFL, FIRST_MAC + i);
            nics[i].send(frame, 0, FRAME);
            for (VirtualNic n : nics) {
                while (n.receive(into.clear(), 0, TimeUnit.NANOSECONDS) > 0) {
                    into.clear();
                }
            }
        }
        write(frame, FIRST_MAC + 1, FIRST_MAC);
        last = kind.equals("switch") ? 1 : ports - 1;
    }

    private static void write(ByteBuffer f, long destination, long source) {
        f.putShort(0, (short) (destination >>> 32)).putInt(2, (int) destination);
        f.putShort(6, (short) (source >>> 32)).putInt(8, (int) source);
        f.putShort(12, (short) 0x88B5);
    }

    @Benchmark
    public int forwardOneFrame() throws InterruptedException {
        nics[0].send(frame, 0, FRAME);
        int got = 0;
        for (int i = 1; i <= last; i++) {
            got += nics[i].receive(into.clear(), 0, TimeUnit.NANOSECONDS);
        }
        return got;
    }

    @TearDown
    public void tearDown() {
        for (VirtualNic n : nics) {
            n.close();
        }
    }
}
