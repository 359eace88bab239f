package io.vnet4j.bench;

import io.vnet4j.wire.offload.TcpCoalescer;
import io.vnet4j.wire.offload.TcpSegmenter;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link TcpCoalescer} over one batch as a VXLAN port's reader gets it: 16 IPv4 TCP segments of 1448 payload
 * bytes (one flow, in order, in 64 KiB slots of a direct buffer as recvmmsg fills them) offered and
 * flushed, which leave as one large segment. The score is batches per second (16 segments each); every
 * segment's checksum is verified and its payload copied once.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class TcpCoalescerBenchmark {
    private static final int SEGMENTS = 16;
    private static final int MSS = 1448;
    private static final int SLOT = 65536;

    private final TcpCoalescer coalescer = new TcpCoalescer();
    private final ByteBuffer slots = ByteBuffer.allocateDirect(SEGMENTS * SLOT);
    private final int[] lengths = new int[SEGMENTS];
    private Blackhole sinkHole;
    private final TcpCoalescer.Sink sink = (frame, offset, length, segmentSize) -> sinkHole.consume(length + segmentSize);

    @Setup
    public void setUp(Blackhole blackhole) {
        sinkHole = blackhole;
        int headers = 14 + 20 + 32;
        ByteBuffer large = ByteBuffer.allocate(headers + SEGMENTS * MSS);
        large.putShort(12, (short) 0x0800);
        large.put(14, (byte) 0x45);
        large.putShort(16, (short) (large.capacity() - 14));
        large.putShort(20, (short) 0x4000);
        large.put(22, (byte) 64);
        large.put(23, (byte) 6);
        large.putInt(26, 0xC0000201);
        large.putInt(30, 0xC0000282);
        large.putShort(34, (short) 5201);
        large.putShort(36, (short) 40000);
        large.putInt(38, 1000);
        large.putInt(42, 2000);
        large.put(46, (byte) 0x80);
        large.put(47, (byte) 0x10);
        large.putShort(48, (short) 512);
        for (int i = headers; i < large.capacity(); i++) {
            large.put(i, (byte) i);
        }
        int[] n = {0};
        new TcpSegmenter().segment(large, 0, large.capacity(), MSS, (frame, offset, length) -> {
            slots.put(n[0] * SLOT, frame, offset, length);
            lengths[n[0]++] = length;
        });
        int[] outputs = new int[2];
        TcpCoalescer check = new TcpCoalescer();
        TcpCoalescer.Sink count = (frame, offset, length, segmentSize) -> outputs[segmentSize == MSS ? 0 : 1]++;
        for (int i = 0; i < SEGMENTS; i++) {
            check.offer(slots, i * SLOT, lengths[i], count);
        }
        check.flush(count);
        if (n[0] != SEGMENTS || outputs[0] != 1 || outputs[1] != 0) {
            throw new IllegalStateException(n[0] + " segments did not join into one: " + outputs[0] + " large, " + outputs[1] + " others");
        }
    }

    @Benchmark
    public void sixteenSegments() {
        for (int i = 0; i < SEGMENTS; i++) {
            coalescer.offer(slots, i * SLOT, lengths[i], sink);
        }
        coalescer.flush(sink);
    }
}
