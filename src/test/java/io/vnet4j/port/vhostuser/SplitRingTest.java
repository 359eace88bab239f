package io.vnet4j.port.vhostuser;

import static io.vnet4j.port.vhostuser.SplitRing.AVAIL_F_NO_INTERRUPT;
import static io.vnet4j.port.vhostuser.SplitRing.DESC_F_INDIRECT;
import static io.vnet4j.port.vhostuser.SplitRing.DESC_F_NEXT;
import static io.vnet4j.port.vhostuser.SplitRing.DESC_F_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A fake guest: 1 MiB of native memory at guest physical {@link FakeGuest#GUEST_PHYSICAL}, holding a descriptor
 * table, an available ring and a used ring of {@link FakeGuest#SIZE} entries, written little-endian as a virtio
 * driver would, and the buffers the descriptors point at. The ring under test is the device's side over it.
 */
class SplitRingTest {
    private static final int HEADER = SplitRing.HEADER;
    private static final int LEGACY = SplitRing.LEGACY_HEADER;
    /**
     * The virtio-net header handed to {@link SplitRing#giveReceived}: flags NEEDS_CSUM, gso_type 0, hdr_len 54,
     * gso_size 1448, csum_start 34, csum_offset 16, and a num_buffers of 0xBBAA that the ring must replace.
     */
    private static final byte[] NET_HEADER_BYTES = {1, 0, 54, 0, (byte) 0xA8, 5, 34, 0, 16, 0, (byte) 0xAA, (byte) 0xBB};
    private static final MemorySegment NET_HEADER = MemorySegment.ofArray(NET_HEADER_BYTES);

    private final FakeGuest guest = new FakeGuest();
    private final ByteBuffer frame = ByteBuffer.allocate(2048);
    private final MemorySegment frameMemory = MemorySegment.ofBuffer(frame);

    @AfterEach
    void close() {
        guest.close();
    }

    // --- transmit ---

    @Test
    void aTransmitChainSplitOverSeveralDescriptorsArrivesWholeWithItsHeaderAndReturnsItsHead() {
        SplitRing ring = guest.ring(HEADER, 0);
        byte[] sent = pattern(60, 1);
        // the header in two pieces (5 + 7 bytes), the second descriptor going on with the frame's first 20 bytes
        guest.write(guest.buffer(0), Arrays.copyOf(NET_HEADER_BYTES, 5));
        guest.write(guest.buffer(1), concat(Arrays.copyOfRange(NET_HEADER_BYTES, 5, 12), Arrays.copyOfRange(sent, 0, 20)));
        guest.write(guest.buffer(2), Arrays.copyOfRange(sent, 20, 60));
        guest.descriptor(3, guest.buffer(0), 5, DESC_F_NEXT, 9);
        guest.descriptor(9, guest.buffer(1), 27, DESC_F_NEXT, 6);
        guest.descriptor(6, guest.buffer(2), 40, 0, 0);
        guest.offer(3);
        assertThat(ring.pending()).isEqualTo(1);

        assertThat(ring.takeSent(frame, frameMemory)).isEqualTo(HEADER + 60);
        assertThat(frame.position()).isZero();
        assertThat(frame.limit()).isEqualTo(HEADER + 60);
        assertThat(Arrays.copyOf(frame.array(), HEADER)).isEqualTo(NET_HEADER_BYTES);
        assertThat(Arrays.copyOfRange(frame.array(), HEADER, HEADER + 60)).isEqualTo(sent);
        assertThat(ring.pending()).isZero();
        assertThat(ring.lastAvailable()).isEqualTo(1);
        assertThat(guest.usedId(0)).as("the head's id").isEqualTo(3);
        assertThat(guest.usedLength(0)).as("nothing written").isZero();
        assertThat(guest.usedIndex()).as("not published yet").isZero();

        ring.publish();
        assertThat(guest.usedIndex()).isEqualTo(1);
        assertThat(ring.wantsInterrupt()).isTrue();
        guest.availableFlags(AVAIL_F_NO_INTERRUPT);
        assertThat(ring.wantsInterrupt()).isFalse();
        guest.availableFlags(0);
        assertThat(ring.wantsInterrupt()).isTrue();
    }

    @Test
    void withTheEventIndexAnInterruptComesOnlyWhenTheUsedIndexPassesUsedEvent() {
        SplitRing ring = guest.ring(HEADER, 0, true);
        for (int i = 0; i < 6; i++) {
            guest.sendChain(i, guest.buffer(i), HEADER, pattern(60, i));
        }
        guest.usedEvent(3); // as Linux's virtqueue_enable_cb_delayed: after three quarters of what is outstanding
        take(ring, 1);
        assertThat(ring.wantsInterrupt()).as("the first decision always signals (nothing signalled yet)").isTrue();
        take(ring, 1);
        assertThat(ring.wantsInterrupt()).as("used index 2: not past 3").isFalse();
        take(ring, 1);
        assertThat(ring.wantsInterrupt()).as("used index 3: not past 3").isFalse();
        take(ring, 2);
        assertThat(ring.wantsInterrupt()).as("used index 3 to 5 passed used_event 3").isTrue();
        assertThat(ring.wantsInterrupt()).as("nothing new since").isFalse();
        guest.availableFlags(AVAIL_F_NO_INTERRUPT);
        take(ring, 1);
        guest.usedEvent(5);
        assertThat(ring.wantsInterrupt()).as("the flag means nothing with the event index").isTrue();
    }

    @Test
    void theEventIndexComparisonWrapsAt65536() {
        assertThat(SplitRing.needEvent(0xFFFF, 1, 0xFFFE)).isTrue();
        assertThat(SplitRing.needEvent(0xFFFF, 0xFFFF, 0xFFFE)).isFalse();
        assertThat(SplitRing.needEvent(2, 3, 0xFFF0)).isTrue();
        assertThat(SplitRing.needEvent(5, 3, 0xFFF0)).isFalse();
        assertThat(SplitRing.needEvent(7, 7, 7)).isFalse();
    }

    @Test
    void withoutTheEventIndexKicksAreHeldBackByTheUsedFlagAndArmingLooksAgain() {
        SplitRing ring = guest.ring(HEADER, 0, false);
        ring.suppressKicks();
        assertThat(guest.usedFlags()).isEqualTo(SplitRing.USED_F_NO_NOTIFY);
        assertThat(ring.armKicks()).as("nothing pending").isFalse();
        assertThat(guest.usedFlags()).isZero();
        ring.suppressKicks();
        guest.sendChain(0, guest.buffer(0), HEADER, pattern(60, 0));
        assertThat(ring.armKicks()).as("an entry came while the kicks were held back").isTrue();
    }

    @Test
    void withTheEventIndexArmingAsksForAKickAtTheNextEntryAndSuppressingLeavesItBehind() {
        SplitRing ring = guest.ring(HEADER, 0, true);
        guest.sendChain(0, guest.buffer(0), HEADER, pattern(60, 0));
        guest.sendChain(1, guest.buffer(1), HEADER, pattern(60, 1));
        assertThat(ring.armKicks()).isTrue();
        assertThat(guest.availEvent()).isZero();
        take(ring, 2);
        ring.suppressKicks();
        assertThat(guest.availEvent()).as("left behind: the driver's next entries do not kick").isZero();
        assertThat(guest.usedFlags()).as("the flag is not used with the event index").isZero();
        assertThat(ring.armKicks()).isFalse();
        assertThat(guest.availEvent()).as("kick when entry 2 comes").isEqualTo(2);
    }

    /** Takes {@code n} sent frames and publishes their used elements. */
    private void take(SplitRing ring, int n) {
        for (int i = 0; i < n; i++) {
            assertThat(ring.takeSent(frame, frameMemory)).isPositive();
        }
        ring.publish();
    }

    @Test
    void nothingPendingGivesMinusOne() {
        SplitRing ring = guest.ring(HEADER, 0);

        assertThat(ring.takeSent(frame, frameMemory)).isEqualTo(-1);
        assertThat(ring.fault()).isNull();
    }

    @Test
    void aFrameShorterThanAnEthernetHeaderIsDroppedButItsBufferReturned() {
        SplitRing ring = guest.ring(HEADER, 0);
        guest.sendChain(0, guest.buffer(0), HEADER, pattern(13, 2));
        guest.sendChain(1, guest.buffer(1), HEADER, pattern(14, 3));

        assertThat(ring.takeSent(frame, frameMemory)).as("13 bytes").isZero();
        assertThat(ring.takeSent(frame, frameMemory)).as("14 bytes").isEqualTo(HEADER + 14);
        ring.publish();
        assertThat(guest.usedIndex()).isEqualTo(2);
        assertThat(guest.usedId(0)).isZero();
        assertThat(guest.usedId(1)).isEqualTo(1);
        assertThat(ring.fault()).isNull();
    }

    @Test
    void aFrameLongerThanTheCallersBufferIsDroppedButItsBufferReturned() {
        SplitRing ring = guest.ring(HEADER, 0);
        ByteBuffer small = ByteBuffer.allocate(HEADER + 64);
        MemorySegment smallMemory = MemorySegment.ofBuffer(small); // the whole buffer: takeSent moves its limit
        byte[] fits = pattern(64, 5);
        guest.sendChain(0, guest.buffer(0), HEADER, pattern(65, 4));
        guest.sendChain(1, guest.buffer(1), HEADER, fits);

        assertThat(ring.takeSent(small, smallMemory)).isZero();
        assertThat(ring.takeSent(small, smallMemory)).isEqualTo(HEADER + 64);
        assertThat(small.array()).isEqualTo(concat(new byte[HEADER], fits));
        ring.publish();
        assertThat(guest.usedIndex()).isEqualTo(2);
        assertThat(guest.usedId(0)).isZero();
        assertThat(guest.usedLength(0)).isZero();
        assertThat(ring.fault()).isNull();
    }

    @Test
    void theLegacyTenByteHeaderComesFirstOnTransmit() {
        SplitRing ring = guest.ring(LEGACY, 0);
        byte[] sent = pattern(50, 6);
        guest.sendChain(0, guest.buffer(0), LEGACY, sent);
        guest.sendChain(1, guest.buffer(1), LEGACY, pattern(13, 7));

        assertThat(ring.takeSent(frame, frameMemory)).isEqualTo(LEGACY + 50);
        assertThat(Arrays.copyOfRange(frame.array(), LEGACY, LEGACY + 50)).isEqualTo(sent);
        assertThat(ring.takeSent(frame, frameMemory)).as("10 + 13 bytes").isZero();
    }

    // --- receive ---

    @Test
    void aFrameReceivedIntoOneChainFollowsItsHeaderWithOneBuffer() {
        SplitRing ring = guest.ring(HEADER, 0);
        byte[] received = pattern(100, 7);
        guest.descriptor(5, guest.buffer(0), 2048, DESC_F_WRITE, 0);
        guest.offer(5);

        assertThat(ring.giveReceived(NET_HEADER, lead(3, received), 3, 100, false)).isTrue();
        assertThat(ring.refusal()).isEqualTo(SplitRing.Refusal.NONE);
        byte[] written = guest.read(guest.buffer(0), HEADER + 101);
        assertThat(Arrays.copyOf(written, 10)).as("flags, gso, csum").isEqualTo(Arrays.copyOf(NET_HEADER_BYTES, 10));
        assertThat(u16(written, 10)).as("num_buffers").isEqualTo(1);
        assertThat(Arrays.copyOfRange(written, HEADER, HEADER + 100)).isEqualTo(received);
        assertThat(written[HEADER + 100]).as("not a byte more").isEqualTo(FakeGuest.FILL);
        assertThat(guest.usedId(0)).isEqualTo(5);
        assertThat(guest.usedLength(0)).isEqualTo(HEADER + 100);
        assertThat(guest.usedIndex()).isZero();
        ring.publish();
        assertThat(guest.usedIndex()).isEqualTo(1);
        assertThat(ring.lastAvailable()).isEqualTo(1);
    }

    @Test
    void aHeaderSplitAcrossDescriptorsGetsBothBytesOfNumBuffers() {
        SplitRing ring = guest.ring(HEADER, 0);
        byte[] received = pattern(100, 8);
        // num_buffers' low byte ends the first descriptor, its high byte starts the second
        guest.descriptor(0, guest.buffer(0), 11, DESC_F_WRITE | DESC_F_NEXT, 1);
        guest.descriptor(1, guest.buffer(1), 2048, DESC_F_WRITE, 0);
        guest.offer(0);

        assertThat(ring.giveReceived(NET_HEADER, MemorySegment.ofArray(received), 0, 100, false)).isTrue();
        byte[] first = guest.read(guest.buffer(0), 12);
        byte[] second = guest.read(guest.buffer(1), 102);
        assertThat(Arrays.copyOf(first, 10)).isEqualTo(Arrays.copyOf(NET_HEADER_BYTES, 10));
        assertThat(first[10]).isEqualTo((byte) 1);
        assertThat(first[11]).as("past the descriptor").isEqualTo(FakeGuest.FILL);
        assertThat(second[0]).as("num_buffers' high byte").isZero();
        assertThat(Arrays.copyOfRange(second, 1, 101)).isEqualTo(received);
        assertThat(second[101]).isEqualTo(FakeGuest.FILL);
        assertThat(guest.usedLength(0)).isEqualTo(HEADER + 100);
    }

    @Test
    void theHeaderSplitAnyWayAcrossDescriptorsArrivesWholeWithNumBuffersPatched() {
        int[][] splits = {{10, 2}, {5, 7}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {12}, {0, 12}, {3, 0, 9}};
        for (int[] split : splits) {
            try (FakeGuest g = new FakeGuest()) {
                SplitRing ring = g.ring(HEADER, 0);
                byte[] received = pattern(100, 9);
                for (int i = 0; i <= split.length; i++) { // the split's descriptors, then one for the frame
                    boolean last = i == split.length;
                    g.descriptor(i, g.buffer(i), last ? 2048 : split[i], DESC_F_WRITE | (last ? 0 : DESC_F_NEXT), i + 1);
                }
                g.offer(0);

                assertThat(ring.giveReceived(NET_HEADER, MemorySegment.ofArray(received), 0, 100, false))
                        .as(Arrays.toString(split)).isTrue();
                java.io.ByteArrayOutputStream written = new java.io.ByteArrayOutputStream();
                for (int i = 0; i < split.length; i++) {
                    written.writeBytes(g.read(g.buffer(i), split[i]));
                }
                written.writeBytes(g.read(g.buffer(split.length), 100));
                byte[] expectedHeader = Arrays.copyOf(NET_HEADER_BYTES, HEADER);
                expectedHeader[10] = 1; // num_buffers, little-endian
                expectedHeader[11] = 0;
                assertThat(Arrays.copyOf(written.toByteArray(), HEADER)).as(Arrays.toString(split)).isEqualTo(expectedHeader);
                assertThat(Arrays.copyOfRange(written.toByteArray(), HEADER, HEADER + 100)).as(Arrays.toString(split))
                        .isEqualTo(received);
            }
        }
    }

    @Test
    void afterAFrameFoundTooFewBuffersTheKicksAreAskedForTheNextBufferNotForThoseSeen() {
        SplitRing ring = guest.ring(HEADER, 0, true);
        byte[] received = pattern(1400, 10);
        guest.descriptor(0, guest.buffer(0), 600, DESC_F_WRITE, 0);
        guest.offer(0);
        assertThat(ring.giveReceived(NET_HEADER, MemorySegment.ofArray(received), 0, 1400, true)).isFalse();
        assertThat(ring.refusal()).isEqualTo(SplitRing.Refusal.NO_BUFFERS);

        assertThat(ring.armKicks()).as("the buffer there already is not news: wait").isFalse();
        assertThat(guest.availEvent()).as("a kick when the guest adds entry 1").isEqualTo(1);
        guest.descriptor(1, guest.buffer(1), 600, DESC_F_WRITE, 0);
        guest.offer(1);
        assertThat(ring.armKicks()).as("a buffer added since the last look").isTrue();
    }

    @Test
    void aMergeableFrameSpreadsOverSmallBuffersCountedInTheFirstHeader() {
        SplitRing ring = guest.ring(HEADER, 0);
        byte[] received = pattern(1400, 9);
        for (int i = 0; i < 4; i++) {
            guest.descriptor(i, guest.buffer(i), 600, DESC_F_WRITE, 0);
            guest.offer(i);
        }

        assertThat(ring.giveReceived(NET_HEADER, MemorySegment.ofArray(received), 0, 1400, true)).isTrue();
        byte[] first = guest.read(guest.buffer(0), 600);
        assertThat(Arrays.copyOf(first, 10)).isEqualTo(Arrays.copyOf(NET_HEADER_BYTES, 10));
        assertThat(u16(first, 10)).as("num_buffers").isEqualTo(3);
        assertThat(Arrays.copyOfRange(first, HEADER, 600)).isEqualTo(Arrays.copyOfRange(received, 0, 588));
        assertThat(guest.read(guest.buffer(1), 600)).isEqualTo(Arrays.copyOfRange(received, 588, 1188));
        assertThat(guest.read(guest.buffer(2), 212)).isEqualTo(Arrays.copyOfRange(received, 1188, 1400));
        assertThat(guest.read(guest.buffer(2) + 212, 1)[0]).isEqualTo(FakeGuest.FILL);
        for (int i = 0; i < 3; i++) {
            assertThat(guest.usedId(i)).isEqualTo(i);
        }
        assertThat(guest.usedLength(0)).isEqualTo(600);
        assertThat(guest.usedLength(1)).isEqualTo(600);
        assertThat(guest.usedLength(2)).isEqualTo(212);
        ring.publish();
        assertThat(guest.usedIndex()).isEqualTo(3);
        assertThat(ring.pending()).as("the fourth buffer is left").isEqualTo(1);
        assertThat(ring.lastAvailable()).isEqualTo(3);
    }

    @Test
    void tooFewBuffersTakeNothingAndTheSameFrameGoesOnceTheDriverAddsMore() {
        SplitRing ring = guest.ring(HEADER, 0);
        byte[] received = pattern(1400, 10);
        for (int i = 0; i < 2; i++) {
            guest.descriptor(i, guest.buffer(i), 600, DESC_F_WRITE, 0);
            guest.offer(i);
        }

        assertThat(ring.giveReceived(NET_HEADER, MemorySegment.ofArray(received), 0, 1400, true)).isFalse();
        assertThat(ring.refusal()).isEqualTo(SplitRing.Refusal.NO_BUFFERS);
        assertThat(ring.fault()).isNull();
        assertThat(ring.pending()).isEqualTo(2);
        assertThat(ring.lastAvailable()).isZero();
        ring.publish();
        assertThat(guest.usedIndex()).isZero();

        guest.descriptor(2, guest.buffer(2), 600, DESC_F_WRITE, 0);
        guest.offer(2);
        assertThat(ring.giveReceived(NET_HEADER, MemorySegment.ofArray(received), 0, 1400, true)).isTrue();
        assertThat(ring.refusal()).isEqualTo(SplitRing.Refusal.NONE);
        ring.publish();
        assertThat(guest.usedIndex()).isEqualTo(3);
        assertThat(u16(guest.read(guest.buffer(0), HEADER), 10)).isEqualTo(3);
        assertThat(guest.read(guest.buffer(2), 212)).isEqualTo(Arrays.copyOfRange(received, 1188, 1400));
    }

    @Test
    void withNoBufferAtAllNothingIsTaken() {
        SplitRing ring = guest.ring(HEADER, 0);

        assertThat(ring.giveReceived(NET_HEADER, MemorySegment.ofArray(new byte[60]), 0, 60, false)).isFalse();
        assertThat(ring.refusal()).isEqualTo(SplitRing.Refusal.NO_BUFFERS);
        assertThat(ring.fault()).isNull();
    }

    @Test
    void aFrameLargerThanOneChainWithoutMergeableBuffersIsRefusedAndNothingTaken() {
        SplitRing ring = guest.ring(HEADER, 0);
        guest.descriptor(0, guest.buffer(0), 100, DESC_F_WRITE, 0);
        guest.descriptor(1, guest.buffer(1), 2048, DESC_F_WRITE, 0);
        guest.offer(0);
        guest.offer(1);

        assertThat(ring.giveReceived(NET_HEADER, MemorySegment.ofArray(pattern(89, 11)), 0, 89, false)).isFalse();
        assertThat(ring.refusal()).isEqualTo(SplitRing.Refusal.TOO_LONG);
        assertThat(ring.fault()).isNull();
        assertThat(ring.pending()).isEqualTo(2);
        assertThat(ring.lastAvailable()).isZero();
        ring.publish();
        assertThat(guest.usedIndex()).isZero();

        assertThat(ring.giveReceived(NET_HEADER, MemorySegment.ofArray(pattern(88, 12)), 0, 88, false)).as("exactly fits").isTrue();
        ring.publish();
        assertThat(guest.usedIndex()).isEqualTo(1);
        assertThat(guest.usedId(0)).isZero();
        assertThat(guest.usedLength(0)).isEqualTo(100);
    }

    @Test
    void theLegacyTenByteHeaderOnReceiveHasNoNumBuffers() {
        SplitRing ring = guest.ring(LEGACY, 0);
        byte[] received = pattern(60, 13);
        guest.descriptor(0, guest.buffer(0), 2048, DESC_F_WRITE, 0);
        guest.offer(0);

        assertThat(ring.giveReceived(NET_HEADER, MemorySegment.ofArray(received), 0, 60, false)).isTrue();
        byte[] written = guest.read(guest.buffer(0), LEGACY + 61);
        assertThat(Arrays.copyOf(written, LEGACY)).isEqualTo(Arrays.copyOf(NET_HEADER_BYTES, LEGACY));
        assertThat(Arrays.copyOfRange(written, LEGACY, LEGACY + 60)).isEqualTo(received);
        assertThat(written[LEGACY + 60]).isEqualTo(FakeGuest.FILL);
        assertThat(guest.usedLength(0)).isEqualTo(LEGACY + 60);
    }

    // --- a guest that breaks the rules ---

    @ParameterizedTest(name = "{0}")
    @MethodSource("transmitBreaches")
    void aGuestBreakingTheRulesOnTransmitStopsTheQueueWithoutAnException(Consumer<FakeGuest> breach) {
        SplitRing ring = guest.ring(HEADER, 0);
        breach.accept(guest);

        assertThat(ring.takeSent(frame, frameMemory)).isEqualTo(-1);
        assertThat(ring.fault()).isNotNull();
        assertStopped(ring);
    }

    static Stream<Arguments> transmitBreaches() {
        return Stream.of(
                breach("a head index past the ring", g -> g.offer(FakeGuest.SIZE)),
                breach("a next index past the ring", g -> {
                    g.descriptor(0, g.buffer(0), 40, DESC_F_NEXT, FakeGuest.SIZE);
                    g.offer(0);
                }),
                breach("a chain that loops", g -> {
                    g.descriptor(0, g.buffer(0), 40, DESC_F_NEXT, 1);
                    g.descriptor(1, g.buffer(1), 40, DESC_F_NEXT, 0);
                    g.offer(0);
                }),
                breach("an address below the guest's memory", g -> {
                    g.descriptor(0, FakeGuest.GUEST_PHYSICAL - 16, 40, 0, 0);
                    g.offer(0);
                }),
                breach("a length past the end of the guest's memory", g -> {
                    g.descriptor(0, FakeGuest.GUEST_PHYSICAL + FakeGuest.MEMORY - 16, 17, 0, 0);
                    g.offer(0);
                }),
                breach("an address and length that wrap past 2^64", g -> {
                    // ends at 0x100000 modulo 2^64: a check of start >= base and start + length <= end would pass
                    g.descriptor(0, 0xFFFF_FFFF_FFFF_FF00L, 0x100100, 0, 0);
                    g.offer(0);
                }),
                breach("a device-writable descriptor", g -> {
                    g.descriptor(0, g.buffer(0), 40, DESC_F_WRITE, 0);
                    g.offer(0);
                }),
                breach("an indirect descriptor", g -> {
                    g.descriptor(0, g.buffer(0), 32, DESC_F_INDIRECT, 0);
                    g.offer(0);
                }),
                breach("an available index more than the ring ahead", g -> {
                    g.sendChain(0, g.buffer(0), HEADER, new byte[60]);
                    g.availableIndex(FakeGuest.SIZE + 1);
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("receiveBreaches")
    void aGuestBreakingTheRulesOnReceiveStopsTheQueueWithoutAnException(Consumer<FakeGuest> breach) {
        SplitRing ring = guest.ring(HEADER, 0);
        breach.accept(guest);

        assertThat(ring.giveReceived(NET_HEADER, MemorySegment.ofArray(pattern(1000, 14)), 0, 1000, true)).isFalse();
        assertThat(ring.fault()).isNotNull();
        assertStopped(ring);
    }

    static Stream<Arguments> receiveBreaches() {
        return Stream.of(
                breach("a head index past the ring", g -> g.offer(0xFFFF)),
                breach("a next index past the ring", g -> {
                    g.descriptor(0, g.buffer(0), 40, DESC_F_WRITE | DESC_F_NEXT, FakeGuest.SIZE);
                    g.offer(0);
                }),
                breach("a chain that loops", g -> {
                    g.descriptor(0, g.buffer(0), 8, DESC_F_WRITE | DESC_F_NEXT, 1);
                    g.descriptor(1, g.buffer(1), 8, DESC_F_WRITE | DESC_F_NEXT, 0);
                    g.offer(0);
                }),
                breach("a chain of empty descriptors that loops", g -> {
                    g.descriptor(0, g.buffer(0), 0, DESC_F_WRITE | DESC_F_NEXT, 1);
                    g.descriptor(1, g.buffer(1), 0, DESC_F_WRITE | DESC_F_NEXT, 0);
                    g.offer(0);
                }),
                breach("an address above the guest's memory", g -> {
                    g.descriptor(0, FakeGuest.GUEST_PHYSICAL + FakeGuest.MEMORY, 2048, DESC_F_WRITE, 0);
                    g.offer(0);
                }),
                breach("an address and length that wrap past 2^64", g -> {
                    g.descriptor(0, 0xFFFF_FFFF_FFFF_FF00L, 0x100100, DESC_F_WRITE, 0);
                    g.offer(0);
                }),
                breach("a device-readable descriptor", g -> {
                    g.descriptor(0, g.buffer(0), 2048, 0, 0);
                    g.offer(0);
                }),
                breach("an indirect descriptor", g -> {
                    g.descriptor(0, g.buffer(0), 32, DESC_F_WRITE | DESC_F_INDIRECT, 0);
                    g.offer(0);
                }),
                breach("an available index more than the ring ahead", g -> g.availableIndex(FakeGuest.SIZE + 1)));
    }

    @Test
    void oneFrameNeverTakesMoreBuffersThanTheRingHolds() {
        // A guest that keeps making buffers available while the device fills them, as its other CPU could. Here
        // the device's own write does it: the last descriptor of the ring covers the available index, and the
        // frame's bytes that land there raise it by a ring's worth each round (to 32, 48, 64).
        SplitRing ring = guest.ring(HEADER, 0);
        for (int i = 0; i < FakeGuest.SIZE - 1; i++) {
            guest.descriptor(i, guest.buffer(i), 1, DESC_F_WRITE, 0);
        }
        guest.descriptor(FakeGuest.SIZE - 1, FakeGuest.GUEST_PHYSICAL + FakeGuest.AVAILABLE + 2, 2, DESC_F_WRITE, 0);
        for (int i = 0; i < FakeGuest.SIZE; i++) {
            guest.offer(i);
        }
        byte[] received = pattern(40, 21);
        // stream bytes 15-16, 32-33 and 49-50 (a round is 15 one-byte buffers and the 2-byte one): frame bytes 3, 20, 37
        received[3] = 32;
        received[4] = 0;
        received[20] = 48;
        received[21] = 0;
        received[37] = 64;
        received[38] = 0;

        boolean given = ring.giveReceived(NET_HEADER, MemorySegment.ofArray(received), 0, 40, true);
        ring.publish();
        assertThat(guest.usedIndex()).as("used elements published for one frame (given: %s)", given)
                .isLessThanOrEqualTo(FakeGuest.SIZE);
    }

    private static Arguments breach(String name, Consumer<FakeGuest> breach) {
        return arguments(named(name, breach));
    }

    /** A stopped queue takes nothing more, though the driver now offers good buffers both ways. */
    private void assertStopped(SplitRing ring) {
        String fault = ring.fault();
        guest.sendChain(10, guest.buffer(10), HEADER, pattern(60, 15));
        guest.descriptor(11, guest.buffer(11), 2048, DESC_F_WRITE, 0);
        guest.offer(11);

        assertThat(ring.pending()).isZero();
        assertThat(ring.takeSent(frame, frameMemory)).isEqualTo(-1);
        assertThat(ring.giveReceived(NET_HEADER, MemorySegment.ofArray(new byte[60]), 0, 60, true)).isFalse();
        assertThat(ring.giveReceived(NET_HEADER, MemorySegment.ofArray(new byte[60]), 0, 60, false)).isFalse();
        assertThat(ring.fault()).as("the first fault stays").isEqualTo(fault);
        ring.publish();
        assertThat(guest.usedIndex()).isZero();
    }

    // --- wrap-around ---

    @Test
    void theIndexesWrapFrom65535ToZeroOnTransmit() {
        guest.usedIndex(65534);
        SplitRing ring = guest.ring(HEADER, 65534);
        byte[][] sent = new byte[4][];
        for (int i = 0; i < 4; i++) {
            sent[i] = pattern(60 + i, 16 + i);
            guest.sendChain(i, guest.buffer(i), HEADER, sent[i]);
        }
        assertThat(guest.availableIndex()).isEqualTo(2);
        assertThat(ring.pending()).isEqualTo(4);

        for (int i = 0; i < 4; i++) {
            assertThat(ring.takeSent(frame, frameMemory)).isEqualTo(HEADER + 60 + i);
            assertThat(Arrays.copyOfRange(frame.array(), HEADER, HEADER + 60 + i)).isEqualTo(sent[i]);
            assertThat(ring.pending()).isEqualTo(3 - i);
        }
        assertThat(ring.lastAvailable()).isEqualTo(2);
        ring.publish();
        assertThat(guest.usedIndex()).isEqualTo(2);
        // 65534 and 65535 go to the ring's last two slots, 0 and 1 to its first two
        assertThat(guest.usedId(FakeGuest.SIZE - 2)).isZero();
        assertThat(guest.usedId(FakeGuest.SIZE - 1)).isEqualTo(1);
        assertThat(guest.usedId(0)).isEqualTo(2);
        assertThat(guest.usedId(1)).isEqualTo(3);
    }

    @Test
    void theIndexesWrapFrom65535ToZeroOnReceive() {
        guest.usedIndex(65534);
        SplitRing ring = guest.ring(HEADER, 65534);
        byte[] received = pattern(1400, 20);
        for (int i = 0; i < 3; i++) {
            guest.descriptor(i, guest.buffer(i), 600, DESC_F_WRITE, 0);
            guest.offer(i);
        }

        assertThat(ring.giveReceived(NET_HEADER, MemorySegment.ofArray(received), 0, 1400, true)).isTrue();
        ring.publish();
        assertThat(guest.usedIndex()).isEqualTo(1);
        assertThat(ring.lastAvailable()).isEqualTo(1);
        assertThat(guest.usedId(FakeGuest.SIZE - 2)).isZero();
        assertThat(guest.usedId(FakeGuest.SIZE - 1)).isEqualTo(1);
        assertThat(guest.usedId(0)).isEqualTo(2);
        assertThat(guest.usedLength(0)).isEqualTo(212);
        assertThat(u16(guest.read(guest.buffer(0), HEADER), 10)).isEqualTo(3);
    }

    // --- helpers ---

    private static byte[] pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed * 31 + i * 7 + 1);
        }
        return bytes;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** {@code bytes} after {@code lead} other bytes, so that the frame's offset matters. */
    private static MemorySegment lead(int lead, byte[] bytes) {
        byte[] all = new byte[lead + bytes.length + 5];
        Arrays.fill(all, (byte) 0x5a);
        System.arraycopy(bytes, 0, all, lead, bytes.length);
        return MemorySegment.ofArray(all);
    }

    private static int u16(byte[] bytes, int at) {
        return bytes[at] & 0xFF | (bytes[at + 1] & 0xFF) << 8;
    }

    /** The driver's side: memory, rings, buffers. */
    static final class FakeGuest implements AutoCloseable {
        static final long GUEST_PHYSICAL = 0x100000;
        static final long MEMORY = 1 << 20;
        static final long FRONT_END = 0x7f00_0000_0000L;
        static final int SIZE = 16;
        static final long DESCRIPTORS = 0;
        static final long AVAILABLE = 0x1000;
        static final long USED = 0x2000;
        static final long BUFFERS = 0x10000;
        /** What the buffers hold before the device writes. */
        static final byte FILL = (byte) 0xEE;

        private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

        private final Arena arena = Arena.ofConfined();
        final MemorySegment memory = arena.allocate(MEMORY, 4096);
        final GuestMemory guestMemory = new GuestMemory(
                new GuestMemory.Region[] {new GuestMemory.Region(GUEST_PHYSICAL, MEMORY, FRONT_END, memory)}, null);
        private int availableIndex;

        FakeGuest() {
            memory.fill(FILL);
            memory.asSlice(0, BUFFERS).fill((byte) 0);
        }

        /** The device's side of the ring, starting at available entry {@code base}. */
        SplitRing ring(int header, int base) {
            return ring(header, base, false);
        }

        /** {@link #ring(int, int)}, with the event index (VIRTIO_RING_F_EVENT_IDX) if {@code eventIndex}. */
        SplitRing ring(int header, int base, boolean eventIndex) {
            availableIndex(base);
            return new SplitRing(guestMemory, header, SIZE, memory.asSlice(DESCRIPTORS, SplitRing.descriptorBytes(SIZE)),
                    memory.asSlice(AVAILABLE, SplitRing.availableBytes(SIZE)), memory.asSlice(USED, SplitRing.usedBytes(SIZE)),
                    base, eventIndex);
        }

        /** Buffer {@code n}'s guest physical address: 4 KiB each. */
        long buffer(int n) {
            return GUEST_PHYSICAL + BUFFERS + 0x1000L * n;
        }

        void descriptor(int i, long address, int length, int flags, int next) {
            long d = DESCRIPTORS + 16L * i;
            memory.set(U64, d, address);
            memory.set(U32, d + 8, length);
            memory.set(U16, d + 12, (short) flags);
            memory.set(U16, d + 14, (short) next);
        }

        /** Makes the chain at {@code head} available (the ring entry, then the index, as a driver does). */
        void offer(int head) {
            memory.set(U16, AVAILABLE + 4 + 2L * (availableIndex & (SIZE - 1)), (short) head);
            availableIndex(availableIndex + 1);
        }

        /** Writes a transmit chain of one descriptor {@code index}: a zero header of {@code header} bytes, then the frame. */
        void sendChain(int index, long address, int header, byte[] frame) {
            write(address, new byte[header]);
            write(address + header, frame);
            descriptor(index, address, header + frame.length, 0, 0);
            offer(index);
        }

        void availableIndex(int index) {
            availableIndex = index & 0xFFFF;
            memory.set(U16, AVAILABLE + 2, (short) availableIndex);
        }

        int availableIndex() {
            return memory.get(U16, AVAILABLE + 2) & 0xFFFF;
        }

        void availableFlags(int flags) {
            memory.set(U16, AVAILABLE, (short) flags);
        }

        /** The driver's used_event (with the event index): interrupt me once the used index passes this. */
        void usedEvent(int index) {
            memory.set(U16, AVAILABLE + 4 + 2L * SIZE, (short) index);
        }

        /** The device's avail_event (with the event index): the available index the driver kicks at. */
        int availEvent() {
            return memory.get(U16, USED + 4 + 8L * SIZE) & 0xFFFF;
        }

        int usedFlags() {
            return memory.get(U16, USED) & 0xFFFF;
        }

        int usedIndex() {
            return memory.get(U16, USED + 2) & 0xFFFF;
        }

        void usedIndex(int index) {
            memory.set(U16, USED + 2, (short) index);
        }

        int usedId(int slot) {
            return memory.get(U32, USED + 4 + 8L * slot);
        }

        int usedLength(int slot) {
            return memory.get(U32, USED + 8 + 8L * slot);
        }

        void write(long address, byte[] bytes) {
            MemorySegment.copy(bytes, 0, memory, ValueLayout.JAVA_BYTE, address - GUEST_PHYSICAL, bytes.length);
        }

        byte[] read(long address, int length) {
            byte[] bytes = new byte[length];
            MemorySegment.copy(memory, ValueLayout.JAVA_BYTE, address - GUEST_PHYSICAL, bytes, 0, length);
            return bytes;
        }

        @Override
        public void close() {
            arena.close();
        }
    }
}
