package io.vnet4j.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class FrameQueueTest {
    private static final long NO_WAIT = 0;

    private static byte[] frame(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (seed * 31 + i);
        }
        return b;
    }

    private static boolean offer(FrameQueue q, byte[] f) {
        return q.offer(ByteBuffer.wrap(f), 0, f.length, 0);
    }

    private static int drains;

    /**
     * Drains with the given limits, collecting copies of the frames; alternately under the lock and in
     * place, so every test covers both ways.
     */
    private static byte[] bytes(ByteBuffer ring, int offset, int length) {
        byte[] frame = new byte[length];
        ring.get(offset, frame);
        return frame;
    }

    private static List<byte[]> drain(FrameQueue q, int maxBytes, int maxFrames) throws InterruptedException {
        List<byte[]> out = new ArrayList<>();
        FrameQueue.FrameHandler collect = (ring, off, len, seg) -> out.add(bytes(ring, off, len));
        int n = drains++ % 2 == 0 ? q.drain(collect, maxBytes, maxFrames, NO_WAIT)
                : q.drainInPlace(collect, maxBytes, maxFrames, NO_WAIT);
        assertThat(n).isEqualTo(out.size());
        return out;
    }

    @Test
    void anIdleQueueHoldsASmallRingThatGrowsToTheBoundAsFramesWait() throws InterruptedException {
        FrameQueue q = new FrameQueue(1 << 20);
        assertThat(q.ringBytes()).isEqualTo(FrameQueue.INITIAL_BYTES);
        assertThat(q.capacity()).isEqualTo(1 << 20);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; offer(q, frame(1500, i)); i++) {
            sent.add(frame(1500, i));
        }
        assertThat(q.ringBytes()).isEqualTo(1 << 20);
        assertThat(sent.size()).isEqualTo((1 << 20) / 1508);
        List<byte[]> got = drain(q, Integer.MAX_VALUE, Integer.MAX_VALUE);
        assertThat(got).containsExactlyElementsOf(sent);
    }

    @Test
    void aRingThatGrowsWhileTheConsumerHandlesInPlaceKeepsOrderAndFreesTheBatch() throws InterruptedException {
        FrameQueue q = new FrameQueue(1 << 20);
        // wrap the small ring first, so the copy has padding to leave out
        for (int i = 0; i < 20; i++) {
            assertThat(offer(q, frame(1000, i))).isTrue();
        }
        assertThat(drain(q, Integer.MAX_VALUE, 15)).hasSize(15);
        for (int i = 20; i < 40; i++) {
            assertThat(offer(q, frame(1000, i))).isTrue();
        }
        List<byte[]> handled = new ArrayList<>();
        int n = q.drainInPlace((ring, off, len, seg) -> {
            if (handled.isEmpty()) {
                for (int i = 40; i < 100; i++) { // a producer fills the ring past its size meanwhile
                    assertThat(offer(q, frame(1000, i))).isTrue();
                }
            }
            handled.add(bytes(ring, off, len));
        }, Integer.MAX_VALUE, 10, NO_WAIT);
        assertThat(n).isEqualTo(10);
        assertThat(q.ringBytes()).isGreaterThan(FrameQueue.INITIAL_BYTES);
        for (int i = 0; i < 10; i++) {
            assertThat(handled.get(i)).isEqualTo(frame(1000, 15 + i));
        }
        List<byte[]> rest = drain(q, Integer.MAX_VALUE, Integer.MAX_VALUE);
        assertThat(rest).hasSize(75);
        for (int i = 0; i < 75; i++) {
            assertThat(rest.get(i)).isEqualTo(frame(1000, 25 + i));
        }
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void purgeDropsWhatWaitsAndTheQueueGoesOnAsNew() throws InterruptedException {
        FrameQueue q = new FrameQueue(1 << 16);
        for (int i = 0; i < 40; i++) {
            assertThat(offer(q, frame(1000, i))).isTrue(); // past the first ring: it grew, and wrapped
        }
        drain(q, Integer.MAX_VALUE, 3);
        assertThat(q.purge()).isEqualTo(37);
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.usedBytes()).isZero();
        assertThat(q.purge()).isZero();
        assertThat(offer(q, frame(60, 7))).isTrue();
        assertThat(drain(q, Integer.MAX_VALUE, 10)).containsExactly(frame(60, 7));
    }

    @Test
    void purgeWhileTheConsumerHandlesInPlaceKeepsItsBatchAndDropsTheRest() throws InterruptedException {
        FrameQueue q = new FrameQueue(1 << 16);
        for (int i = 0; i < 6; i++) {
            offer(q, frame(500, i));
        }
        int[] purged = {-1};
        List<byte[]> handled = new ArrayList<>();
        q.drainInPlace((ring, off, len, seg) -> {
            if (purged[0] < 0) {
                purged[0] = q.purge();
                offer(q, frame(70, 99)); // queued after the purge: it stays
            }
            handled.add(bytes(ring, off, len));
        }, Integer.MAX_VALUE, 2, NO_WAIT);
        assertThat(purged[0]).isEqualTo(4);
        assertThat(handled).containsExactly(frame(500, 0), frame(500, 1));
        assertThat(drain(q, Integer.MAX_VALUE, 10)).containsExactly(frame(70, 99));
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void refusesCapacityBelow2048Bytes() {
        assertThatThrownBy(() -> new FrameQueue(2047)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2047");
        assertThat(new FrameQueue(2048).capacity()).isEqualTo(2048);
    }

    @Test
    void handsFramesOverInFifoOrderWithTheirContent() throws InterruptedException {
        FrameQueue q = new FrameQueue(4096);
        byte[] a = frame(60, 1);
        byte[] b = frame(1, 2);
        byte[] c = frame(1500, 3);
        assertThat(offer(q, a)).isTrue();
        assertThat(offer(q, b)).isTrue();
        assertThat(offer(q, c)).isTrue();
        List<byte[]> got = drain(q, Integer.MAX_VALUE, Integer.MAX_VALUE);
        assertThat(got).containsExactly(a, b, c);
        assertThat(drain(q, Integer.MAX_VALUE, Integer.MAX_VALUE)).isEmpty();
    }

    @Test
    void copiesTheGivenSliceOfTheSourceBuffer() throws InterruptedException {
        FrameQueue q = new FrameQueue(4096);
        byte[] big = frame(100, 7);
        ByteBuffer src = ByteBuffer.wrap(big);
        src.position(50); // offer uses absolute offsets; the position must not matter
        assertThat(q.offer(src, 10, 20, 0)).isTrue();
        assertThat(drain(q, Integer.MAX_VALUE, 1)).containsExactly(Arrays.copyOfRange(big, 10, 30));
        assertThat(src.position()).isEqualTo(50);
    }

    @Test
    void acceptsAnEmptyFrame() throws InterruptedException {
        FrameQueue q = new FrameQueue(2048);
        assertThat(q.offer(ByteBuffer.allocate(0), 0, 0, 0)).isTrue();
        List<byte[]> got = drain(q, 100, 10);
        assertThat(got).hasSize(1);
        assertThat(got.getFirst()).isEmpty();
    }

    @Test
    void refusesWhenFullAndAcceptsAgainAfterDrain() throws InterruptedException {
        FrameQueue q = new FrameQueue(2048);
        byte[] f = frame(504, 1); // 512-byte records (8-byte header): exactly 4 fit
        for (int i = 0; i < 4; i++) {
            assertThat(offer(q, f)).as("frame %d", i).isTrue();
        }
        assertThat(offer(q, f)).isFalse();
        assertThat(offer(q, frame(1, 9))).as("not even a 1-byte frame fits a full ring").isFalse();
        assertThat(drain(q, Integer.MAX_VALUE, 1)).hasSize(1);
        assertThat(offer(q, f)).isTrue();
        assertThat(drain(q, Integer.MAX_VALUE, Integer.MAX_VALUE)).hasSize(4);
    }

    @Test
    void refusesAFrameLargerThanTheRing() {
        FrameQueue q = new FrameQueue(2048);
        assertThat(offer(q, frame(2041, 1))).isFalse();
        assertThat(offer(q, frame(2040, 1))).isTrue();
    }

    @Test
    void refusesAFrameThatWouldNeedTheSpaceTheConsumerHasNotFreed() throws InterruptedException {
        FrameQueue q = new FrameQueue(2048);
        // fill 1500 bytes, drain 1000, then a frame that needs more than the free space at either end
        assertThat(offer(q, frame(992, 1))).isTrue();  // [0,1000)
        assertThat(offer(q, frame(492, 2))).isTrue();  // [1000,1500)
        assertThat(drain(q, Integer.MAX_VALUE, 1)).hasSize(1); // head = 1000
        // 548 bytes at the end, 1000 at the start: a 1100-byte record fits neither
        assertThat(offer(q, frame(1092, 3))).isFalse();
        // a 900-byte record wraps to the start (the end becomes padding)
        byte[] wrapped = frame(892, 4);
        assertThat(offer(q, wrapped)).isTrue();
        assertThat(drain(q, Integer.MAX_VALUE, Integer.MAX_VALUE)).containsExactly(frame(492, 2), wrapped);
    }

    @Test
    void wrapsAroundTheRingEndWithoutCorruptingFramesOverManyRandomSizes() throws InterruptedException {
        Random random = new Random(20240601L);
        FrameQueue q = new FrameQueue(4099); // an odd size, so ends shorter than a length field happen
        Deque<byte[]> expected = new ArrayDeque<>();
        int seq = 0;
        int refused = 0;
        int delivered = 0;
        for (int round = 0; round < 20_000; round++) {
            if (random.nextInt(3) != 0) {
                int len = random.nextInt(10) == 0 ? random.nextInt(4) : 1 + random.nextInt(1200);
                byte[] f = frame(len, seq++);
                if (offer(q, f)) {
                    expected.addLast(f);
                } else {
                    refused++;
                }
            } else {
                int maxFrames = 1 + random.nextInt(4);
                int maxBytes = 1300 + random.nextInt(3000);
                for (byte[] got : drain(q, maxBytes, maxFrames)) {
                    assertThat(got).as("frame after %d delivered", delivered).isEqualTo(expected.removeFirst());
                    delivered++;
                }
            }
        }
        List<byte[]> rest = drain(q, Integer.MAX_VALUE, Integer.MAX_VALUE);
        assertThat(rest).containsExactlyElementsOf(expected);
        assertThat(delivered).isGreaterThan(1000);
        assertThat(refused).as("the ring filled up at times").isGreaterThan(0);
    }

    @Test
    void handsOverEachFramesSegmentSize() throws InterruptedException {
        FrameQueue q = new FrameQueue(4096);
        q.offer(ByteBuffer.wrap(frame(100, 1)), 0, 100, 0);
        q.offer(ByteBuffer.wrap(frame(3000, 2)), 0, 3000, 1448);
        List<Integer> sizes = new ArrayList<>();
        assertThat(q.drain((r, o, l, s) -> sizes.add(s), Integer.MAX_VALUE, 10, NO_WAIT)).isEqualTo(2);
        assertThat(sizes).containsExactly(0, 1448);
    }

    @Test
    void aProducerMayQueueWhileTheConsumerHandlesFramesAndNeverOverwritesThem() throws Exception {
        FrameQueue q = new FrameQueue(4096);
        byte[] first = frame(1000, 1);
        offer(q, first);
        List<byte[]> seen = new ArrayList<>();
        q.drainInPlace((ring, off, len, seg) -> {
            // an in-place handler runs without the queue's lock: another thread can queue meanwhile
            Thread producer = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10; i++) {
                    offer(q, frame(500, 10 + i)); // fills the free space, never the frame being handled
                }
            });
            try {
                producer.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            seen.add(bytes(ring, off, len));
        }, Integer.MAX_VALUE, 1, NO_WAIT);
        assertThat(seen).containsExactly(first);
        List<byte[]> rest = drain(q, Integer.MAX_VALUE, Integer.MAX_VALUE);
        assertThat(rest).isNotEmpty().allSatisfy(f -> assertThat(f).hasSize(500));
    }

    @Test
    void awaitFramesTellsWithoutTakingAndEndsWhenClosedAndEmpty() throws InterruptedException {
        FrameQueue q = new FrameQueue(2048);
        assertThat(q.awaitFrames(TimeUnit.MILLISECONDS.toNanos(10))).isZero();
        offer(q, frame(10, 1));
        assertThat(q.awaitFrames(0)).isEqualTo(1);
        assertThat(q.awaitFrames(0)).isEqualTo(1);
        q.close();
        assertThat(q.awaitFrames(0)).isEqualTo(1); // queued frames can still be drained
        assertThat(drain(q, Integer.MAX_VALUE, 10)).containsExactly(frame(10, 1));
        assertThat(q.awaitFrames(TimeUnit.SECONDS.toNanos(5))).isEqualTo(-1);
    }

    @Test
    void respectsMaxFrames() throws InterruptedException {
        FrameQueue q = new FrameQueue(4096);
        for (int i = 0; i < 5; i++) {
            offer(q, frame(10, i));
        }
        assertThat(drain(q, Integer.MAX_VALUE, 2)).containsExactly(frame(10, 0), frame(10, 1));
        assertThat(drain(q, Integer.MAX_VALUE, 2)).containsExactly(frame(10, 2), frame(10, 3));
        assertThat(drain(q, Integer.MAX_VALUE, 2)).containsExactly(frame(10, 4));
    }

    @Test
    void respectsMaxBytesCountingFourBytesPerFrame() throws InterruptedException {
        FrameQueue q = new FrameQueue(4096);
        for (int i = 0; i < 3; i++) {
            offer(q, frame(96, i)); // the budget counts 100 bytes each
        }
        assertThat(drain(q, 199, 10)).containsExactly(frame(96, 0));
        assertThat(drain(q, 200, 10)).containsExactly(frame(96, 1), frame(96, 2));
    }

    @Test
    void handsOverNothingAndKeepsTheFrameWhenTheOldestExceedsMaxBytes() throws InterruptedException {
        FrameQueue q = new FrameQueue(4096);
        offer(q, frame(1000, 1));
        assertThat(q.drain((r, o, l, s) -> { }, 1003, 10, TimeUnit.SECONDS.toNanos(5))).isZero();
        assertThat(drain(q, 1004, 10)).containsExactly(frame(1000, 1));
    }

    @Test
    void drainTimesOutWithZeroWhenEmpty() throws InterruptedException {
        FrameQueue q = new FrameQueue(2048);
        assertThat(q.drain((r, o, l, s) -> { }, 2048, 1, TimeUnit.MILLISECONDS.toNanos(20))).isZero();
    }

    @Test
    @Timeout(10)
    void closeWakesAWaitingConsumerAndDrainReturnsMinusOneOnceEmpty() throws Exception {
        FrameQueue q = new FrameQueue(2048);
        AtomicInteger result = new AtomicInteger(99);
        CountDownLatch started = new CountDownLatch(1);
        Thread consumer = Thread.ofPlatform().start(() -> {
            started.countDown();
            try {
                result.set(q.drain((r, o, l, s) -> { }, 2048));
            } catch (InterruptedException e) {
                result.set(-99);
            }
        });
        started.await();
        Thread.sleep(50); // let it block; correctness does not depend on this
        q.close();
        consumer.join(5000);
        assertThat(consumer.isAlive()).isFalse();
        assertThat(result.get()).isEqualTo(-1);
    }

    @Test
    void closedQueueRefusesNewFramesButStillHandsOverQueuedOnes() throws InterruptedException {
        FrameQueue q = new FrameQueue(2048);
        offer(q, frame(10, 1));
        q.close();
        assertThat(offer(q, frame(10, 2))).isFalse();
        assertThat(drain(q, 2048, 10)).containsExactly(frame(10, 1));
        assertThat(q.drain((r, o, l, s) -> { }, 2048, 10, 0)).isEqualTo(-1);
    }

    @Test
    @Timeout(30)
    void concurrentProducersAndOneConsumerKeepEachProducersOrder() throws Exception {
        FrameQueue q = new FrameQueue(8192);
        int producers = 3;
        int perProducer = 20_000;
        Thread[] threads = new Thread[producers];
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads[p] = Thread.ofPlatform().start(() -> {
                Random random = new Random(id);
                ByteBuffer buf = ByteBuffer.allocate(1200);
                for (int i = 0; i < perProducer; i++) {
                    int len = 8 + random.nextInt(1000);
                    buf.clear();
                    buf.putInt(0, id).putInt(4, i);
                    for (int k = 8; k < len; k++) {
                        buf.put(k, (byte) (id + i + k));
                    }
                    while (!q.offer(buf, 0, len, 0)) {
                        Thread.onSpinWait();
                    }
                }
            });
        }
        int[] next = new int[producers];
        int[] total = {0};
        List<String> problems = new ArrayList<>();
        boolean[] inPlace = {false};
        while (total[0] < producers * perProducer) {
            FrameQueue.FrameHandler check = (ring, off, len, seg) -> {
                ByteBuffer b = ring.slice(off, len);
                int id = b.getInt(0);
                int i = b.getInt(4);
                if (id < 0 || id >= producers || i != next[id]) {
                    problems.add("producer " + id + " frame " + i);
                    return;
                }
                for (int k = 8; k < len; k++) {
                    if (b.get(k) != (byte) (id + i + k)) {
                        problems.add("corrupt byte " + k + " of producer " + id + " frame " + i);
                        return;
                    }
                }
                next[id]++;
                total[0]++;
            };
            inPlace[0] = !inPlace[0]; // both ways of draining, while the producers write into the ring
            int n = inPlace[0] ? q.drainInPlace(check, 8192, Integer.MAX_VALUE, TimeUnit.SECONDS.toNanos(5))
                    : q.drain(check, 8192, Integer.MAX_VALUE, TimeUnit.SECONDS.toNanos(5));
            assertThat(n).as("frames kept coming").isPositive();
            assertThat(problems).isEmpty();
        }
        for (Thread t : threads) {
            t.join(5000);
        }
        assertThat(next).containsOnly(perProducer);
    }
}
