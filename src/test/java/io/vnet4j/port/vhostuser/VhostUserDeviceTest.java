package io.vnet4j.port.vhostuser;

import static io.vnet4j.port.vhostuser.VhostUserProtocol.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import io.vnet4j.port.vhostuser.VhostUserDevice.ProtocolException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The control plane fed messages as QEMU sends them, with a {@link VhostUserDevice.Mapper} that hands out this
 * test's own memory instead of mapping the descriptor (the descriptor numbers are -1, which the device's closing
 * ignores), and with the "no descriptor" form of SET_VRING_KICK/CALL (bit 8), so that nothing here calls the
 * system.
 */
class VhostUserDeviceTest {
    private static final long MEMORY = 1 << 20;
    private static final long GUEST_PHYSICAL = 0x4000_0000L;
    private static final long FRONT_END = 0x7f12_3400_0000L;
    private static final int RING = 256;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment backing = arena.allocate(MEMORY, 4096);
    private final List<Long> mapped = new ArrayList<>();
    /** Our memory, tied to the device's arena: a ring left on memory the device let go would fail to read it. */
    private final VhostUserDevice.Mapper mapper = (fd, bytes, deviceArena) -> {
        mapped.add(bytes);
        if (bytes > MEMORY) {
            throw new IOException("no such file");
        }
        return backing.asSlice(0, bytes).reinterpret(deviceArena, null);
    };
    private final VhostUserDevice device = new VhostUserDevice(mapper);
    private final ByteBuffer reply = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);

    @AfterEach
    void close() {
        device.close();
        arena.close();
    }

    // --- features ---

    @Test
    void getFeaturesOffersVersion1MergeableBuffersEventIndexAndProtocolFeaturesAndNothingTheDeviceCannotDo() throws Exception {
        assertThat(send(GET_FEATURES, empty())).isEqualTo(8);
        long offered = reply.getLong(0);
        assertThat(offered).isEqualTo(FEATURES);
        long wanted = 1L << 32 | 1L << 15 | 1L << 29 | 1L << 30;
        assertThat(offered & wanted).isEqualTo(wanted);
        // VIRTIO_F_ACCESS_PLATFORM (33), RING_PACKED (34), INDIRECT_DESC (28), vhost's LOG_ALL (26);
        // virtio-net's GUEST_ECN, GUEST_UFO, HOST_ECN, HOST_UFO (9, 10, 13, 14), CTRL_VQ (17), MQ (22)
        for (int bit : new int[] {33, 34, 28, 26, 9, 10, 13, 14, 17, 22}) {
            assertThat(offered & 1L << bit).as("bit %d", bit).isZero();
        }
        assertThat(send(GET_PROTOCOL_FEATURES, empty())).isEqualTo(8);
        assertThat(reply.getLong(0)).as("REPLY_ACK").isEqualTo(1L << 3);
        assertThat(send(GET_QUEUE_NUM, empty())).isEqualTo(8);
        assertThat(reply.getLong(0)).isEqualTo(1);
    }

    @Test
    void setFeaturesKeepsOnlyTheOfferedBits() throws Exception {
        assertThat(send(SET_FEATURES, u64(~0L))).isEqualTo(-1);
        assertThat(device.mergeable()).isTrue();
        assertThat(device.headerBytes()).isEqualTo(12);
        memoryTable();
        startQueue(RX, 0);
        assertThat(device.queue(RX).ring).as("PROTOCOL_FEATURES agreed: waits for SET_VRING_ENABLE").isNull();

        // every bit but those offered: none of them counts, so neither is PROTOCOL_FEATURES agreed
        send(SET_FEATURES, u64(~FEATURES));
        assertThat(device.mergeable()).isFalse();
        assertThat(device.headerBytes()).as("legacy").isEqualTo(10);
        assertThat(device.queue(RX).ring).as("enabled at once").isNotNull();

        send(SET_FEATURES, u64(1L << F_VERSION_1));
        assertThat(device.mergeable()).isFalse();
        assertThat(device.headerBytes()).isEqualTo(12);
    }

    // --- the start sequence ---

    @Test
    void qemusStartSequenceLeavesBothRingsRunning() throws Exception {
        assertThat(send(GET_FEATURES, empty())).isEqualTo(8);
        long offered = reply.getLong(0);
        assertThat(send(GET_PROTOCOL_FEATURES, empty())).isEqualTo(8);
        assertThat(send(SET_PROTOCOL_FEATURES, u64(reply.getLong(0)))).isEqualTo(-1);
        assertThat(send(SET_OWNER, empty())).isEqualTo(-1);
        assertThat(send(SET_FEATURES, u64(offered))).isEqualTo(-1);
        memoryTable();
        assertThat(mapped).containsExactly(MEMORY);
        assertThat(device.regions()).isEqualTo(1);
        for (int q : new int[] {RX, TX}) {
            startQueue(q, 0);
            assertThat(send(SET_VRING_CALL, u64(q | VRING_NO_FD))).isEqualTo(-1);
            assertThat(device.queue(q).started).isTrue();
            assertThat(device.queue(q).ring).as("not enabled yet").isNull();
        }
        for (int q : new int[] {RX, TX}) {
            assertThat(send(SET_VRING_ENABLE, state(q, 1))).isEqualTo(-1);
        }

        for (int q : new int[] {RX, TX}) {
            SplitRing ring = device.queue(q).ring;
            assertThat(ring).isNotNull();
            assertThat(ring.fault()).isNull();
            assertThat(ring.pending()).isZero();
            assertThat(device.queue(q).unusable).isNull();
        }
        assertThat(device.mergeable()).isTrue();
        assertThat(device.headerBytes()).isEqualTo(12);

        send(SET_VRING_ENABLE, state(RX, 0));
        assertThat(device.queue(RX).ring).as("disabled").isNull();
        assertThat(device.queue(TX).ring).isNotNull();
    }

    @Test
    void withoutProtocolFeaturesTheRingsRunWithoutSetVringEnable() throws Exception {
        send(SET_OWNER, empty());
        send(SET_FEATURES, u64(1L << F_VERSION_1 | 1L << F_MRG_RXBUF));
        memoryTable();
        for (int q : new int[] {RX, TX}) {
            startQueue(q, 0);
        }

        assertThat(device.queue(RX).ring).isNotNull();
        assertThat(device.queue(TX).ring).isNotNull();
    }

    @Test
    void aRingFollowsANewMemoryTable() throws Exception {
        send(SET_FEATURES, u64(1L << F_VERSION_1));
        memoryTable();
        startQueue(TX, 0);
        SplitRing before = device.queue(TX).ring;
        assertThat(before).isNotNull();

        memoryTable();
        SplitRing after = device.queue(TX).ring;
        assertThat(after).isNotNull().isNotSameAs(before);
        writeTransmitFrame(TX, 0, 0, 60);
        ByteBuffer frame = ByteBuffer.allocate(2048);
        assertThat(after.takeSent(frame, MemorySegment.ofBuffer(frame))).as("header and frame").isEqualTo(12 + 60);
    }

    @Test
    void getVringBaseAnswersTheNextAvailableEntryAndStopsTheRing() throws Exception {
        send(SET_FEATURES, u64(1L << F_VERSION_1 | 1L << F_MRG_RXBUF));
        memoryTable();
        startQueue(TX, 7);
        SplitRing ring = device.queue(TX).ring;
        assertThat(ring.lastAvailable()).isEqualTo(7);
        writeTransmitFrame(TX, 7, 0, 60);
        ByteBuffer frame = ByteBuffer.allocate(2048);
        assertThat(ring.takeSent(frame, MemorySegment.ofBuffer(frame))).as("header and frame").isEqualTo(12 + 60);

        assertThat(send(GET_VRING_BASE, state(TX, 0))).isEqualTo(8);
        assertThat(reply.getInt(0)).as("the queue").isEqualTo(TX);
        assertThat(reply.getInt(4)).as("the next available entry").isEqualTo(8);
        assertThat(device.queue(TX).ring).isNull();
        assertThat(device.queue(TX).started).isFalse();

        // started again by the next kick, from where it stopped
        send(SET_VRING_KICK, u64(TX | VRING_NO_FD));
        assertThat(device.queue(TX).ring).isNotNull();
        assertThat(device.queue(TX).ring.lastAvailable()).isEqualTo(8);
    }

    @Test
    void ringAddressesOutsideTheMemoryLeaveTheRingNull() throws Exception {
        send(SET_FEATURES, u64(1L << F_VERSION_1));
        memoryTable();
        send(SET_VRING_NUM, state(TX, RING));
        send(SET_VRING_BASE, state(TX, 0));
        send(SET_VRING_ADDR, address(TX, FRONT_END + MEMORY - 16, FRONT_END + 0x2000, FRONT_END + 0x1000));
        send(SET_VRING_KICK, u64(TX | VRING_NO_FD));
        assertThat(device.queue(TX).ring).as("descriptors past the end").isNull();
        assertThat(device.queue(TX).unusable).isNotNull();

        send(SET_VRING_ADDR, address(TX, FRONT_END, GUEST_PHYSICAL + 0x2000, FRONT_END + 0x1000));
        assertThat(device.queue(TX).ring).as("a guest physical address for used").isNull();
        send(SET_VRING_ADDR, address(TX, FRONT_END, FRONT_END + 0x2000, FRONT_END - 0x1000));
        assertThat(device.queue(TX).ring).as("available below the region").isNull();
        send(SET_VRING_ADDR, address(TX, FRONT_END, FRONT_END + 0x2002, FRONT_END + 0x1000));
        assertThat(device.queue(TX).ring).as("used misaligned").isNull();

        send(SET_VRING_ADDR, address(TX, FRONT_END, FRONT_END + 0x2000, FRONT_END + 0x1000));
        assertThat(device.queue(TX).ring).isNotNull();
        assertThat(device.queue(TX).unusable).isNull();
    }

    /**
     * The ring's front-end addresses are aligned, but the memory under them is not: the region is mapped from an odd
     * file offset, or starts at an odd front-end address. The ring's ordered 16-bit index accesses need 2-byte
     * aligned memory; only a ProtocolException may leave {@code handle}, and a ring made must work.
     */
    @ParameterizedTest(name = "mmap_offset {0}, userspace_addr front-end {1}")
    @MethodSource("misalignedRegions")
    void aRingOverMisalignedMemoryThrowsOnlyProtocolErrors(long mmapOffset, long frontEndShift) throws Exception {
        send(SET_FEATURES, u64(1L << F_VERSION_1));
        send(SET_MEM_TABLE, memoryTable(new long[] {GUEST_PHYSICAL, MEMORY - 4096, FRONT_END + frontEndShift, mmapOffset}), -1);
        send(SET_VRING_NUM, state(TX, RING));
        send(SET_VRING_BASE, state(TX, 0));
        send(SET_VRING_ADDR, address(TX, FRONT_END + 0x1000, FRONT_END + 0x3000, FRONT_END + 0x2000));

        Throwable thrown = null;
        try {
            send(SET_VRING_KICK, u64(TX | VRING_NO_FD));
            SplitRing ring = device.queue(TX).ring;
            if (ring != null) {
                ring.pending();
                ByteBuffer frame = ByteBuffer.allocate(2048);
                ring.takeSent(frame, MemorySegment.ofBuffer(frame));
                ring.publish();
                ring.wantsInterrupt();
            }
        } catch (ProtocolException e) {
            // as good as a ring left null: the connection ends
        } catch (RuntimeException e) {
            thrown = e;
        }
        assertThat(thrown).as("only ProtocolException may leave handle, and a ring made must work").isNull();
    }

    static Stream<Arguments> misalignedRegions() {
        return Stream.of(arguments(1L, 0L), arguments(0L, -1L), arguments(0x3dL, 0L));
    }

    // --- malformed messages ---

    static Stream<Arguments> shortPayloads() {
        return Stream.of(
                arguments(SET_FEATURES, 8), arguments(SET_PROTOCOL_FEATURES, 8), arguments(SET_MEM_TABLE, 8),
                arguments(SET_VRING_NUM, 8), arguments(SET_VRING_ADDR, 40), arguments(SET_VRING_BASE, 8),
                arguments(GET_VRING_BASE, 8), arguments(SET_VRING_KICK, 8), arguments(SET_VRING_CALL, 8),
                arguments(SET_VRING_ERR, 8), arguments(SET_VRING_ENABLE, 8));
    }

    @ParameterizedTest(name = "{0}: {1} bytes")
    @MethodSource("shortPayloads")
    void aPayloadShorterThanTheRequestNeedsIsAProtocolError(int request, int needed) {
        for (int length : new int[] {0, 4, needed - 1}) {
            assertThatThrownBy(() -> send(request, ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN)))
                    .as("%d bytes", length)
                    .isInstanceOf(ProtocolException.class)
                    .hasMessageContaining(name(request));
        }
    }

    @ParameterizedTest(name = "queue {0}")
    @ValueSource(ints = {2, 3, 255, 0x7FFF_FFFF, 0xFFFF_FFFF})
    void aQueueThatDoesNotExistIsAProtocolError(int queue) {
        for (int request : new int[] {SET_VRING_NUM, SET_VRING_BASE, GET_VRING_BASE, SET_VRING_ENABLE}) {
            assertThatThrownBy(() -> send(request, state(queue, RING)))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining(name(request));
        }
        assertThatThrownBy(() -> send(SET_VRING_ADDR, address(queue, FRONT_END, FRONT_END + 0x2000, FRONT_END + 0x1000)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("SET_VRING_ADDR");
        for (int request : new int[] {SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR}) {
            assertThatThrownBy(() -> send(request, u64((queue & 0xFFFF_FFFFL) | VRING_NO_FD)))
                    .isInstanceOf(ProtocolException.class).hasMessageContaining(name(request));
        }
    }

    @Test
    void aKickWhoseFlagDisagreesWithTheDescriptorsIsAProtocolError() {
        assertThatThrownBy(() -> send(SET_VRING_KICK, u64(TX)))
                .as("the flag says one, none came")
                .isInstanceOf(ProtocolException.class).hasMessageContaining("SET_VRING_KICK");
        assertThatThrownBy(() -> send(SET_VRING_CALL, u64(TX | VRING_NO_FD), -1))
                .as("the flag says none, one came")
                .isInstanceOf(ProtocolException.class).hasMessageContaining("SET_VRING_CALL");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {0, 3, 6, 65536, 65537, -1, 1 << 31})
    void aRingSizeThatIsNotAPowerOfTwoUpTo32768IsAProtocolError(int size) {
        assertThatThrownBy(() -> send(SET_VRING_NUM, state(RX, size)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("SET_VRING_NUM");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {1, 2, 256, 32768})
    void ringSizesUpTo32768AreTaken(int size) throws Exception {
        assertThat(send(SET_VRING_NUM, state(RX, size))).isEqualTo(-1);
        assertThat(device.queue(RX).size).isEqualTo(size);
    }

    @Test
    void nineRegionsAreAProtocolError() {
        long[][] regions = new long[9][];
        for (int i = 0; i < 9; i++) {
            regions[i] = new long[] {GUEST_PHYSICAL + 0x1000L * i, 0x1000, FRONT_END + 0x1000L * i, 0};
        }
        assertThatThrownBy(() -> send(SET_MEM_TABLE, memoryTable(regions), -1, -1, -1, -1, -1, -1, -1, -1, -1))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("SET_MEM_TABLE");
        assertThat(mapped).isEmpty();
    }

    @Test
    void aRegionCountThatDisagreesWithTheDescriptorsIsAProtocolError() {
        ByteBuffer one = memoryTable(new long[] {GUEST_PHYSICAL, MEMORY, FRONT_END, 0});
        assertThatThrownBy(() -> send(SET_MEM_TABLE, one))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("SET_MEM_TABLE");
        assertThatThrownBy(() -> send(SET_MEM_TABLE, one, -1, -1))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("SET_MEM_TABLE");
        ByteBuffer negative = memoryTable(new long[] {GUEST_PHYSICAL, MEMORY, FRONT_END, 0});
        negative.putInt(0, -1);
        assertThatThrownBy(() -> send(SET_MEM_TABLE, negative, -1))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("SET_MEM_TABLE");
        assertThat(mapped).isEmpty();
    }

    @Test
    void aPayloadTooShortForItsRegionsIsAProtocolError() {
        ByteBuffer two = memoryTable(new long[] {GUEST_PHYSICAL, 0x1000, FRONT_END, 0},
                new long[] {GUEST_PHYSICAL + 0x1000, 0x1000, FRONT_END + 0x1000, 0});
        ByteBuffer cut = two.slice(0, 8 + 32 + 31).order(ByteOrder.LITTLE_ENDIAN);
        assertThatThrownBy(() -> send(SET_MEM_TABLE, cut, -1, -1))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("SET_MEM_TABLE");
        assertThat(mapped).isEmpty();
    }

    static Stream<Arguments> regionsThatDoNotFit() {
        return Stream.of(
                arguments("size + mmap_offset past 2^63", new long[] {GUEST_PHYSICAL, 0x1000, FRONT_END, Long.MAX_VALUE - 0x800}),
                arguments("size + mmap_offset past 2^64", new long[] {GUEST_PHYSICAL, 0x1000, FRONT_END, -0x800}),
                arguments("size 0", new long[] {GUEST_PHYSICAL, 0, FRONT_END, 0}),
                arguments("size past 2^63", new long[] {GUEST_PHYSICAL, -0x1000, FRONT_END, 0}),
                arguments("guest physical + size past 2^64", new long[] {-0x1000, 0x2000, FRONT_END, 0}),
                arguments("front-end virtual + size past 2^64", new long[] {GUEST_PHYSICAL, 0x2000, -0x1000, 0}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("regionsThatDoNotFit")
    void aRegionThatDoesNotFitTheAddressSpaceIsAProtocolError(String name, long[] region) {
        assertThatThrownBy(() -> send(SET_MEM_TABLE, memoryTable(region), -1))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("SET_MEM_TABLE");
        assertThat(mapped).as("nothing mapped").isEmpty();
        assertThat(device.regions()).isZero();
    }

    @Test
    void aRegionEndingExactlyAt2To64IsTaken() throws Exception {
        send(SET_MEM_TABLE, memoryTable(new long[] {-0x1000, 0x1000, FRONT_END, 0}), -1);
        assertThat(device.regions()).isEqualTo(1);
    }

    @Test
    void aMappingThatFailsIsAProtocolErrorAndKeepsTheMemoryBefore() throws Exception {
        memoryTable();
        assertThatThrownBy(() -> send(SET_MEM_TABLE, memoryTable(new long[] {GUEST_PHYSICAL, MEMORY, FRONT_END, 4096}), -1))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("SET_MEM_TABLE").hasMessageContaining("no such file");
        assertThat(device.regions()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {SET_LOG_BASE, SET_LOG_FD})
    void dirtyPageLoggingIsAProtocolError(int request) {
        assertThatThrownBy(() -> send(request, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN), -1))
                .isInstanceOf(ProtocolException.class).hasMessageContaining(name(request));
    }

    @Test
    void requestsWithNothingToDoAreAccepted() throws Exception {
        assertThat(send(RESET_OWNER, empty())).isEqualTo(-1);
        assertThat(send(SEND_RARP, ByteBuffer.allocate(8))).isEqualTo(-1);
        assertThat(send(NET_SET_MTU, ByteBuffer.allocate(8))).isEqualTo(-1);
        assertThat(send(SET_VRING_ERR, u64(RX | VRING_NO_FD))).isEqualTo(-1);
        assertThat(VhostUserDevice.known(NET_SET_MTU)).isTrue();
        assertThat(VhostUserDevice.known(NET_SET_MTU + 1)).isFalse();
        assertThat(VhostUserDevice.known(0)).isFalse();
    }

    // --- helpers ---

    private int send(int request, ByteBuffer payload, int... fds) throws ProtocolException {
        int[] all = Arrays.copyOf(fds, 16);
        Arrays.fill(all, fds.length, all.length, -1);
        return device.handle(request, payload, all, fds.length, reply.clear());
    }

    /** One region: our 1 MiB at {@link #GUEST_PHYSICAL} and {@link #FRONT_END}. */
    private void memoryTable() throws ProtocolException {
        assertThat(send(SET_MEM_TABLE, memoryTable(new long[] {GUEST_PHYSICAL, MEMORY, FRONT_END, 0}), -1)).isEqualTo(-1);
    }

    /** SET_VRING_NUM, SET_VRING_BASE, SET_VRING_ADDR (queue {@code q} at 64 KiB * (q + 1)), SET_VRING_KICK without a descriptor. */
    private void startQueue(int q, int base) throws ProtocolException {
        long at = FRONT_END + 0x10000L * (q + 1);
        assertThat(send(SET_VRING_NUM, state(q, RING))).isEqualTo(-1);
        assertThat(send(SET_VRING_BASE, state(q, base))).isEqualTo(-1);
        assertThat(send(SET_VRING_ADDR, address(q, at, at + 0x2000, at + 0x1000))).isEqualTo(-1);
        assertThat(send(SET_VRING_KICK, u64(q | VRING_NO_FD))).isEqualTo(-1);
    }

    /** As a driver: one transmit chain at available entry {@code entry} of queue {@code q}, descriptor {@code index}. */
    private void writeTransmitFrame(int q, int entry, int index, int length) {
        long ring = 0x10000L * (q + 1);
        long buffer = 0x80000;
        ValueLayout.OfLong u64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ValueLayout.OfInt u32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        ValueLayout.OfShort u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        backing.asSlice(buffer, 12 + length).fill((byte) 0x42);
        backing.set(u64, ring + 16L * index, GUEST_PHYSICAL + buffer);
        backing.set(u32, ring + 16L * index + 8, 12 + length);
        backing.set(u16, ring + 16L * index + 12, (short) 0);
        backing.set(u16, ring + 0x1000 + 4 + 2L * (entry % RING), (short) index);
        backing.set(u16, ring + 0x1000 + 2, (short) (entry + 1));
    }

    private static ByteBuffer empty() {
        return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer u64(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value);
    }

    /** struct vhost_vring_state: index u32, num u32. */
    private static ByteBuffer state(int index, int num) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0, index).putInt(4, num);
    }

    /** struct vhost_vring_addr: index, flags, desc, used, avail, log. */
    private static ByteBuffer address(int index, long descriptors, long used, long available) {
        return ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN).putInt(0, index).putInt(4, 0)
                .putLong(8, descriptors).putLong(16, used).putLong(24, available).putLong(32, 0);
    }

    /** nregions, padding, then each region's guest_phys_addr, memory_size, userspace_addr, mmap_offset. */
    private static ByteBuffer memoryTable(long[]... regions) {
        ByteBuffer b = ByteBuffer.allocate(8 + 32 * regions.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, regions.length);
        for (int i = 0; i < regions.length; i++) {
            for (int j = 0; j < 4; j++) {
                b.putLong(8 + 32 * i + 8 * j, regions[i][j]);
            }
        }
        return b;
    }
}
