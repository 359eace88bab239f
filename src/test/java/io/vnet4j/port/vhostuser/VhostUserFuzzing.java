package io.vnet4j.port.vhostuser;

import io.vnet4j.port.vhostuser.VhostUserDevice.ProtocolException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * What {@code io.vnet4j.fuzz.VhostUserFuzzTest} drives, here because {@link VhostUserDevice} and {@link SplitRing}
 * are package-private; test code only. Checks without AssertJ (a fuzzer calls these millions of times) and
 * without a system call: memory descriptors are -1 and the test's {@link VhostUserDevice.Mapper} hands out
 * memory of its own, kicks and calls come in the "no descriptor" form.
 */
public final class VhostUserFuzzing {
    /** The front-end's memory file, as the test mapper hands it out: 256 KiB. */
    private static final long BACKING = 256 * 1024;
    /** The guest memory of {@link #ring}: 64 KiB at guest physical {@link #RING_GUEST_PHYSICAL}. */
    private static final long RING_MEMORY = 64 * 1024;
    private static final long RING_GUEST_PHYSICAL = 0x10000;
    private static final int REPLY = 64;
    private static final int MAX_FDS = 8;
    private static final int MAX_OPS = 64;

    private static final Arena ARENA = Arena.ofShared();
    private static final MemorySegment BACKING_MEMORY = ARENA.allocate(BACKING, 4096);
    private static final MemorySegment RING_SEGMENT = ARENA.allocate(RING_MEMORY, 4096);
    private static final GuestMemory RING_GUEST = new GuestMemory(new GuestMemory.Region[] {
        new GuestMemory.Region(RING_GUEST_PHYSICAL, RING_MEMORY, 0x7f00_0000_0000L, RING_SEGMENT)}, null);
    /** What frames for the guest are cut from: 64 KiB of a pattern, and a few bytes more for the offset. */
    private static final MemorySegment RECEIVED = MemorySegment.ofArray(pattern(65536 + 8));
    /** A virtio-net header with every field set, num_buffers too (which the ring replaces). */
    private static final MemorySegment NET_HEADER = MemorySegment.ofArray(
            new byte[] {1, 4, 54, 0, (byte) 0xA8, 5, 34, 0, 16, 0, (byte) 0xAA, (byte) 0xBB});

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private VhostUserFuzzing() {}

    /**
     * A vhost-user conversation from {@code input[from..]}: records of either a message (request {@code b & 0x1f},
     * then a byte whose low 4 bits mod 9 give the descriptor count, a u16 little-endian payload length, the payload)
     * or, with bit 7 of the first byte set, a write of the front-end to its memory file (a u16 offset in 4-byte
     * units, a length byte, the bytes), so that the rings the device makes can carry frames. After each message,
     * every ring the device runs is used once: a frame taken from the transmit queue, one given to the receive
     * queue. Only {@link ProtocolException} may leave {@link VhostUserDevice#handle} (it ends the conversation, as
     * it ends the connection); a reply fits the netdev's 64 bytes; a frame taken fits its buffer.
     */
    public static void messages(byte[] input, int from) {
        BACKING_MEMORY.fill((byte) 0);
        VhostUserDevice.Mapper mapper = (fd, bytes, arena) -> {
            if (fd != -1) {
                throw new AssertionError("the mapper was given descriptor " + fd);
            }
            if (bytes <= 0 || bytes > BACKING) {
                throw new IOException("a mapping of " + bytes + " bytes");
            }
            // our memory, but tied to the device's arena: a ring left on memory the device let go fails to read it
            return BACKING_MEMORY.asSlice(0, bytes).reinterpret(arena, null);
        };
        ByteBuffer reply = ByteBuffer.allocate(REPLY).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer sent = ByteBuffer.allocate(2048);
        MemorySegment sentMemory = MemorySegment.ofBuffer(sent);
        int[] fds = new int[MAX_FDS];
        try (VhostUserDevice device = new VhostUserDevice(mapper)) {
            int at = from;
            while (input.length - at >= 4) {
                int first = input[at] & 0xFF;
                if ((first & 0x80) != 0) {
                    long offset = 4L * u16(input, at + 1);
                    int length = Math.min(input[at + 3] & 0xFF, input.length - at - 4);
                    length = (int) Math.min(length, BACKING - offset);
                    MemorySegment.copy(input, at + 4, BACKING_MEMORY, ValueLayout.JAVA_BYTE, offset, length);
                    at += 4 + length;
                    continue;
                }
                int request = first & 0x1F;
                int fdCount = (input[at + 1] & 0x0F) % (MAX_FDS + 1);
                if (request == VhostUserProtocol.SET_VRING_KICK || request == VhostUserProtocol.SET_VRING_CALL
                        || request == VhostUserProtocol.SET_VRING_ERR) {
                    fdCount = 0; // an eventfd would be a real one (PeerEventFd); -1 would still be written to and closed
                }
                int length = Math.min(Math.min(u16(input, at + 2), VhostUserProtocol.MAX_PAYLOAD), input.length - at - 4);
                ByteBuffer payload = ByteBuffer.wrap(Arrays.copyOfRange(input, at + 4, at + 4 + length))
                        .order(ByteOrder.LITTLE_ENDIAN);
                at += 4 + length;
                Arrays.fill(fds, -1);
                int replyLength;
                try {
                    replyLength = device.handle(request, payload, fds, fdCount, reply.clear());
                } catch (ProtocolException e) {
                    if (e.getMessage() == null || e.getMessage().isEmpty()) {
                        throw new AssertionError("a ProtocolException without a message", e);
                    }
                    return;
                }
                if (replyLength < -1 || replyLength > REPLY) {
                    throw new AssertionError(VhostUserProtocol.name(request) + " replied " + replyLength + " bytes");
                }
                for (int q = 0; q < VhostUserProtocol.QUEUES; q++) {
                    SplitRing ring = device.queue(q).ring;
                    if (ring == null) {
                        continue;
                    }
                    if (q == VhostUserProtocol.TX) {
                        int n = ring.takeSent(sent, sentMemory);
                        if (n < -1 || n > sentMemory.byteSize()) {
                            throw new AssertionError("takeSent gave " + n);
                        }
                    } else {
                        ring.giveReceived(NET_HEADER, RECEIVED, 3, 60 + (at & 0x3FF), device.mergeable());
                    }
                    ring.publish();
                    ring.wantsInterrupt();
                }
            }
        }
    }

    /**
     * One ring over 64 KiB of guest memory whose bytes come from {@code input}: a config byte (bits 0-2: the ring
     * of 1 to 128 entries; bit 3: the legacy 10-byte header; bit 4: mergeable receive buffers; bit 5: a 64-byte
     * frame buffer for transmit instead of 2048; bit 6: the event index), a u16 base, an operation count (low 6 bits) and that many 4-byte
     * operations (kind, u16 argument, a byte), then the memory's first bytes: the descriptor table at 0, the
     * available ring after it, the used ring after that (4-byte aligned), and whatever the descriptors point at.
     * Operations: take a sent frame; give a frame of (argument) bytes for the guest; publish; the driver sets the
     * available index; the driver writes a byte of its memory; pending (with the argument's bit 0 set, kicks
     * armed first, with bit 1 suppressed first). Nothing throws; every call ends; takeSent
     * gives -1, 0 or from header + 14 bytes up to its buffer; a given frame takes 1 to size used elements (1
     * without mergeable buffers) and as many available entries, a refused one takes none. A descriptor may point
     * into the rings themselves: the device's own writes then change the available ring under it, as a guest's
     * other CPU could (so the entries pending before a call do not bound what it may take; the ring's size does).
     */
    public static void ring(byte[] input, int from) {
        if (input.length - from < 4) {
            return;
        }
        int config = input[from] & 0xFF;
        int size = 1 << (config & 7);
        int header = (config & 8) != 0 ? SplitRing.LEGACY_HEADER : SplitRing.HEADER;
        boolean mergeable = (config & 16) != 0;
        int base = u16(input, from + 1);
        int ops = Math.min(input[from + 3] & 0x3F, (input.length - from - 4) / 4);
        int image = from + 4 + 4 * ops;
        RING_SEGMENT.fill((byte) 0);
        MemorySegment.copy(input, image, RING_SEGMENT, ValueLayout.JAVA_BYTE, 0,
                (int) Math.min(input.length - image, RING_MEMORY));
        long availableAt = SplitRing.descriptorBytes(size);
        long usedAt = (availableAt + SplitRing.availableBytes(size) + 3) & ~3L;
        SplitRing ring = new SplitRing(RING_GUEST, header, size, RING_SEGMENT.asSlice(0, SplitRing.descriptorBytes(size)),
                RING_SEGMENT.asSlice(availableAt, SplitRing.availableBytes(size)),
                RING_SEGMENT.asSlice(usedAt, SplitRing.usedBytes(size)), base, (config & 64) != 0);
        ByteBuffer sent = ByteBuffer.allocate((config & 32) != 0 ? 64 : 2048);
        MemorySegment sentMemory = MemorySegment.ofBuffer(sent);

        for (int i = 0; i < ops; i++) {
            int op = from + 4 + 4 * i;
            int kind = (input[op] & 0xFF) % 6;
            int argument = u16(input, op + 1);
            int value = input[op + 3];
            switch (kind) {
                case 0 -> {
                    int usedBefore = published(ring, usedAt);
                    int availableBefore = ring.lastAvailable();
                    String faultBefore = ring.fault();
                    int n = ring.takeSent(sent, sentMemory);
                    int taken = (published(ring, usedAt) - usedBefore) & 0xFFFF;
                    if (n < -1 || n > sentMemory.byteSize() || n > 0 && n < header + 14) {
                        throw new AssertionError("takeSent gave " + n + " with a buffer of " + sentMemory.byteSize());
                    }
                    if (n > 0 && (sent.position() != 0 || sent.limit() != n)) {
                        throw new AssertionError("takeSent gave " + n + " but left the buffer at " + sent);
                    }
                    if (taken != (n >= 0 ? 1 : 0)) {
                        throw new AssertionError("takeSent gave " + n + " and " + taken + " used elements");
                    }
                    if (n >= 0 && ring.lastAvailable() != ((availableBefore + 1) & 0xFFFF)) {
                        throw new AssertionError("takeSent took " + n + " bytes but not one available entry");
                    }
                    if (faultBefore != null && n != -1) {
                        throw new AssertionError("a stopped queue gave " + n);
                    }
                }
                case 1 -> {
                    int usedBefore = published(ring, usedAt);
                    int availableBefore = ring.lastAvailable();
                    String faultBefore = ring.fault();
                    int offset = value & 7;
                    boolean given = ring.giveReceived(NET_HEADER, RECEIVED, offset, argument, mergeable);
                    int taken = (published(ring, usedAt) - usedBefore) & 0xFFFF;
                    int consumed = (ring.lastAvailable() - availableBefore) & 0xFFFF;
                    if (given) {
                        if (taken < 1 || taken > size || !mergeable && taken != 1) {
                            throw new AssertionError("a frame of " + argument + " bytes took " + taken + " used elements of "
                                    + size + (mergeable ? "" : " without mergeable buffers"));
                        }
                        if (consumed != taken) {
                            throw new AssertionError(taken + " used elements for " + consumed + " available entries");
                        }
                        if (faultBefore != null || ring.fault() != null) {
                            throw new AssertionError("a stopped queue took a frame");
                        }
                    } else {
                        if (taken != 0) {
                            throw new AssertionError("a refused frame took " + taken + " used elements");
                        }
                        if (ring.fault() == null && consumed != 0) {
                            throw new AssertionError("a frame refused for " + ring.refusal() + " took " + consumed
                                    + " available entries");
                        }
                        if (ring.fault() == null && ring.refusal() == SplitRing.Refusal.NONE) {
                            throw new AssertionError("refused without a reason");
                        }
                    }
                }
                case 2 -> {
                    ring.publish();
                    ring.wantsInterrupt();
                }
                case 3 -> RING_SEGMENT.set(U16, availableAt + 2, (short) argument);
                case 4 -> RING_SEGMENT.set(ValueLayout.JAVA_BYTE, argument, (byte) value);
                default -> {
                    if ((argument & 2) != 0) {
                        ring.suppressKicks();
                    }
                    if ((argument & 1) != 0) {
                        ring.armKicks();
                    }
                    int pending = ring.pending();
                    if (pending < 0 || pending > size || ring.fault() != null && pending != 0) {
                        throw new AssertionError(pending + " pending in a ring of " + size + ", fault " + ring.fault());
                    }
                }
            }
        }
    }

    /** Publishes and reads the used index back, as the guest sees it. */
    private static int published(SplitRing ring, long usedAt) {
        ring.publish();
        return RING_SEGMENT.get(U16, usedAt + 2) & 0xFFFF;
    }

    private static int u16(byte[] input, int at) {
        return input[at] & 0xFF | (input[at + 1] & 0xFF) << 8;
    }

    private static byte[] pattern(int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 7 + 1);
        }
        return bytes;
    }
}
