package io.vnet4j.usernet.tcp;

import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSynOptions;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
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

/**
 * The gateway's TCP receive path for one established connection: an in-order 1460-byte segment from the
 * guest is taken, acknowledged (the ACK is built into a segment sink that discards it) and written to the
 * host socket (a channel that takes everything). Run with {@code -prof gc} for the allocation per segment.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class TcpReceiveBenchmark {
    static final int MSS = 1460;

    private TcpConnection connection;
    private final ByteBuffer payload = ByteBuffer.allocate(MSS);
    private final ByteBuffer ackFrame = ByteBuffer.allocate(64);
    private int guestSequence = 5000;
    private int ourSequence;
    private long now;

    /** A host socket that takes whatever it is given. */
    private static final WritableByteChannel HOST = new WritableByteChannel() {
        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    };

    @Setup
    public void establish() {
        SegmentSink sink = segment -> {
            ackFrame.putInt(0, segment.sequence()).putInt(4, segment.acknowledgment()).putShort(8, (short) segment.window());
            ourSequence = segment.sequence();
        };
        connection = new TcpConnection(sink, MSS, 256 * 1024, 1000);
        connection.guestSyn(guestSequence, 64240, new TcpSynOptions(MSS, 7, false), now);
        connection.hostConnected(now);
        guestSequence++;
        connection.guestSegment(TcpFlags.ACK, guestSequence, ourSequence + 1, 502, null, null, payload, 0, 0, now);
    }

    @Benchmark
    public int receiveOneSegment() throws Exception {
        connection.guestSegment(TcpFlags.ACK | TcpFlags.PSH, guestSequence, 1001, 502, null, null, payload, 0, MSS, ++now);
        guestSequence += MSS;
        return connection.writeToHost(HOST);
    }
}
