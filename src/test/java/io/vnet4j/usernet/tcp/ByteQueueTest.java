package io.vnet4j.usernet.tcp;

import static io.vnet4j.usernet.tcp.TcpHarness.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ByteQueueTest {
    static byte[] read(ByteQueue q) {
        ByteBuffer head = q.headForWriting();
        byte[] out = new byte[head.remaining()];
        head.get(out);
        q.consume(out.length);
        return out;
    }

    static int append(ByteQueue q, byte[] b, int from, int to) {
        return q.append(ByteBuffer.wrap(b), from, to - from);
    }

    static void writeAhead(ByteQueue q, int distance, byte[] b, int from, int to) {
        q.writeAhead(distance, ByteBuffer.wrap(b), from, to - from);
    }

    @Test
    void bytesWrittenAheadJoinTheQueueWhenTheEndMovesOverThem() {
        ByteQueue q = new ByteQueue(100_000);
        byte[] data = bytes(3000, 1);
        writeAhead(q, 1000, data, 1000, 3000);
        assertThat(q.length()).isZero();
        assertThat(q.free()).isEqualTo(100_000); // held bytes are no part of the queue
        append(q, data, 0, 1000);
        q.appended(2000);
        assertThat(read(q)).isEqualTo(data);
    }

    @Test
    void bytesWrittenAheadSurviveGrowthAndCompaction() {
        ByteQueue q = new ByteQueue(64 * 1024);
        byte[] data = bytes(40_000, 2);
        append(q, data, 0, 3000); // a 4 KiB buffer
        assertThat(read(q)).isEqualTo(Arrays.copyOf(data, 3000));
        append(q, data, 3000, 4000);
        q.consume(500); // bytes before the front: compaction moves the rest
        writeAhead(q, 2000, data, 6000, 7000); // grows the buffer
        writeAhead(q, 30_000, data, 34_000, 40_000); // grows it again, past the first
        append(q, data, 4000, 6000); // fills the gap before the first
        q.appended(1000);
        append(q, data, 7000, 34_000); // fills the last gap
        q.appended(6000);
        assertThat(read(q)).isEqualTo(Arrays.copyOfRange(data, 3500, 40_000));
    }

    @Test
    void aDrainedQueueKeepsThePlaceOfBytesWrittenAhead() {
        ByteQueue q = new ByteQueue(100_000);
        byte[] data = bytes(300, 3);
        append(q, data, 0, 100);
        writeAhead(q, 100, data, 200, 300);
        assertThat(read(q)).isEqualTo(Arrays.copyOf(data, 100)); // the queue is empty now, the held bytes stay
        append(q, data, 100, 200);
        q.appended(100);
        assertThat(read(q)).isEqualTo(Arrays.copyOfRange(data, 100, 300));
    }

    @Test
    void anIdleQueueKeepsItsBufferWhileItHoldsBytesAhead() {
        ByteQueue q = new ByteQueue(100_000);
        byte[] data = bytes(300, 4);
        writeAhead(q, 100, data, 100, 300);
        q.releaseIfIdle();
        q.releaseIfIdle(); // nothing added since the last call, but bytes are held
        assertThat(q.bufferLength()).isPositive();
        q.forgetAhead();
        q.releaseIfIdle();
        assertThat(q.bufferLength()).isZero();
    }

    /**
     * A closed connection's queue gives its buffer back and is empty; the next queue takes that buffer, and
     * reads only what it wrote itself; a grown queue gives its small buffer back; the pool keeps at most its
     * size.
     */
    @Test
    void smallBuffersGoBackToThePoolAndAreTakenAgain() {
        BufferPool pool = new BufferPool(2);
        ByteQueue first = new ByteQueue(100_000, pool);
        append(first, bytes(100, 1), 0, 100);
        first.release();
        assertThat(first.length()).isZero();
        assertThat(first.bufferLength()).isZero();
        assertThat(pool.held()).isEqualTo(1);
        ByteQueue second = new ByteQueue(100_000, pool);
        byte[] data = bytes(10, 2);
        append(second, data, 0, 10);
        assertThat(pool.held()).isZero();
        assertThat(read(second)).isEqualTo(data);
        append(second, bytes(5000, 3), 0, 5000); // grows past 4 KiB: the small buffer goes back
        assertThat(second.bufferLength()).isEqualTo(2 * ByteQueue.MIN_ARRAY);
        assertThat(pool.held()).isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            pool.give(ByteBuffer.allocateDirect(ByteQueue.MIN_ARRAY));
        }
        assertThat(pool.held()).as("at most its size").isEqualTo(2);
    }

    /**
     * The direct buffers a queue grows out of and gives back, past those its pool keeps, are counted as left to
     * the collector: HeapTrim asks for a full collection by that count (600 MB of them outlived 300 closed
     * connections, with no collection ever asked for).
     */
    @Test
    void buffersLeftToTheCollectorAreCounted() {
        BufferPool pool = new BufferPool(1);
        ByteQueue q = new ByteQueue(1 << 20, pool);
        long before = ByteQueue.dropped();
        byte[] data = bytes(70_000, 3);
        append(q, data, 0, 3000); // a 4 KiB buffer, the pool's size
        append(q, data, 3000, 40_000); // grown to 64 KiB: the 4 KiB one goes back to the pool, uncounted
        assertThat(pool.held()).isEqualTo(1);
        append(q, data, 40_000, 70_000); // grown to 128 KiB: the 64 KiB one is the collector's
        q.release(); // and so is the 128 KiB one
        assertThat(ByteQueue.dropped() - before).isGreaterThanOrEqualTo((64 + 128) * 1024);
    }
}
