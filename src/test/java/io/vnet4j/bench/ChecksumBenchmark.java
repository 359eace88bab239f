package io.vnet4j.bench;

import io.vnet4j.wire.Checksum;
import java.nio.ByteBuffer;
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

    @Param({"heap", "direct"})
    String buffer;

    private ByteBuffer buf;

    @Setup
    public void setUp() {
        byte[] bytes = new byte[length];
        new Random(1071).nextBytes(bytes);
        buf = buffer.equals("heap") ? ByteBuffer.wrap(bytes) : ByteBuffer.allocateDirect(length).put(0, bytes);
    }

    @Benchmark
    public long sum() {
        return Checksum.sum(buf, 0, length);
    }
}
