package io.vnet4j.bench;

import io.vnet4j.wire.Checksum;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
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
 * {@link Checksum#sum} over a range of random bytes: a small frame, a full 1500-byte frame and a 64 KiB TCP
 * segment of odd length (65483 bytes, the largest TCP payload in an IPv4 packet with a 32-byte TCP header),
 * in a heap buffer (the common case) and a direct one. Bytes per second are {@code length} times the score.
 * {@code mixed} measures the heap buffer after the method has also summed direct and little-endian buffers,
 * as it does in a running switch: code compiled for one kind of buffer can be much slower once it sees others.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ChecksumBenchmark {
    @Param({"64", "1500", "65483"})
    int length;

    @Param({"heap", "direct", "mixed"})
    String buffer;

    private ByteBuffer buf;

    @Setup
    public void setUp() {
        byte[] bytes = new byte[length];
        new Random(1071).nextBytes(bytes);
        ByteBuffer direct = ByteBuffer.allocateDirect(length).put(0, bytes);
        buf = buffer.equals("direct") ? direct : ByteBuffer.wrap(bytes);
        if (buffer.equals("mixed")) {
            ByteBuffer little = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 30_000; i++) {
                Checksum.sum(direct, 0, length);
                Checksum.sum(little, 1, length - 1);
                Checksum.sum(buf, 0, length);
            }
        }
    }

    @Benchmark
    public long sum() {
        return Checksum.sum(buf, 0, length);
    }
}
