package io.vnet4j.port.vhostuser;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One split virtqueue (VIRTIO 1.2, section 2.7) as the device side sees it, in guest memory shared with us:
 * the descriptor table (16 bytes each: addr u64, len u32, flags u16, next u16), the driver's available ring
 * (flags u16, idx u16, ring[size] u16, used_event u16) and the device's used ring (flags u16, idx u16,
 * ring[size] of {id u32, len u32}, avail_event u16), all little-endian. Carries virtio-net frames: each buffer starts with the {@link #HEADER}-byte
 * {@code struct virtio_net_hdr_mrg_rxbuf} (VIRTIO_F_VERSION_1; {@link #LEGACY_HEADER} bytes for a legacy
 * driver without mergeable buffers), which describes partial checksums and TSO frames (the caller reads and
 * writes it; {@link io.vnet4j.wire.offload.VirtioNetFrame}).
 *
 * <p>Theory of operation. The guest owns the available ring and the descriptors, and may change them at any
 * moment: every index read from them is checked against the ring's size, every address and length against the
 * guest's memory ({@link GuestMemory}), and a chain may not be longer than the ring. A guest that breaks a
 * rule gets its queue stopped ({@link #fault()}), as Linux's vhost does ({@code vq_err}); no exception leaves.
 * The available index is read with acquire semantics and the used index written with release, so the guest
 * sees a used element only once it is whole; before deciding whether to signal the guest, a full fence orders
 * that store before the read of the guest's flags (the "notification suppression" race of section 2.7.7).</p>
 *
 * <p>Notifications each way cost a guest most (under TCG an interrupt is QEMU's main loop and the guest's
 * handler, a kick an exit of the vCPU), so both are asked for only when needed, as Linux's vhost does. The
 * guest's kicks: while the caller takes entries it has {@link #suppressKicks}; before it waits it
 * {@link #armKicks} and looks once more. Interrupts: with the event index (VIRTIO_RING_F_EVENT_IDX), one
 * only when the used index passes the guest's used_event since the last decision ({@code vring_need_event},
 * section 2.7.7.2: the guest's transmit completions ask for one after three quarters of their buffers),
 * otherwise unless the guest set VRING_AVAIL_F_NO_INTERRUPT. Without the event index the guest's kicks are
 * held back by VRING_USED_F_NO_NOTIFY, with it by an avail_event left behind while busy.
 * Not thread-safe: one thread at a time, under the port's lock for this queue.</p>
 */
final class SplitRing {
    /** The virtio-net header's size with VIRTIO_F_VERSION_1 or VIRTIO_NET_F_MRG_RXBUF: 12 bytes; 10 without. */
    static final int HEADER = 12;
    static final int LEGACY_HEADER = 10;
    /** The offset of num_buffers in a 12-byte header. */
    private static final int NUM_BUFFERS = 10;
    static final int DESC_F_NEXT = 1;
    static final int DESC_F_WRITE = 2;
    static final int DESC_F_INDIRECT = 4;
    static final int AVAIL_F_NO_INTERRUPT = 1;
    static final int USED_F_NO_NOTIFY = 1;
    /** The largest ring a split virtqueue may have (section 2.7: Queue Size up to 32768). */
    static final int MAX_SIZE = 32768;

    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The two indexes, read and written with ordering (aligned: the rings are 2-byte aligned by the spec). */
    private static final VarHandle INDEX = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private final GuestMemory memory;
    private final int header;
    private final int size;
    private final MemorySegment descriptors;
    private final MemorySegment available;
    private final MemorySegment used;
    /** VIRTIO_RING_F_EVENT_IDX agreed: the used_event and avail_event fields are used instead of the flags. */
    private final boolean eventIndex;
    /** The used index at the last decision about an interrupt ({@code signalled_used} in Linux's vhost), once one was made. */
    private int signalledUsed;
    private boolean signalledValid;
    /** The next available ring entry to take, mod 2^16. */
    private int lastAvailable;
    /** The available index as last read ({@link #pending}): {@link #armKicks} asks for a kick beyond it. */
    private int availableSeen;
    /** The used ring's index as written (and the next element's slot), mod 2^16. */
    private int usedIndex;
    private String fault;

    /**
     * A ring of {@code size} entries with virtio-net headers of {@code header} bytes, over segments already translated (whole: {@link #bytes} each), starting
     * at available entry {@code base} (VHOST_USER_SET_VRING_BASE), with the event index if {@code eventIndex};
     * the used index is read from the guest's ring.
     */
    SplitRing(GuestMemory memory, int header, int size, MemorySegment descriptors, MemorySegment available,
              MemorySegment used, int base, boolean eventIndex) {
        this.memory = memory;
        this.header = header;
        this.size = size;
        this.descriptors = descriptors;
        this.available = available;
        this.used = used;
        this.eventIndex = eventIndex;
        this.lastAvailable = base & 0xFFFF;
        this.availableSeen = lastAvailable;
        this.usedIndex = (short) INDEX.getAcquire(used, 2L) & 0xFFFF;
    }

    /** The bytes of the descriptor table, available ring and used ring of a ring of {@code size} entries. */
    static long descriptorBytes(int size) {
        return 16L * size;
    }

    static long availableBytes(int size) {
        return 6L + 2L * size;
    }

    static long usedBytes(int size) {
        return 6L + 8L * size;
    }

    /** Whether {@code size} is a ring size VHOST_USER_SET_VRING_NUM may give: a power of 2 up to {@link #MAX_SIZE}. */
    static boolean validSize(int size) {
        return size > 0 && size <= MAX_SIZE && Integer.bitCount(size) == 1;
    }

    /** The next available entry to take (VHOST_USER_GET_VRING_BASE's answer). */
    int lastAvailable() {
        return lastAvailable;
    }

    /** Why the queue stopped, or null while it works. */
    String fault() {
        return fault;
    }

    private boolean stop(String why) {
        if (fault == null) {
            fault = why;
        }
        return false;
    }

    /** The entries the guest made available that were not taken yet; 0 once the queue stopped. */
    int pending() {
        if (fault != null) {
            return 0;
        }
        availableSeen = (short) INDEX.getAcquire(available, 2L) & 0xFFFF;
        int n = (availableSeen - lastAvailable) & 0xFFFF;
        if (n > size) {
            stop("the available index ran " + n + " entries ahead of a ring of " + size);
            return 0;
        }
        return n;
    }

    /** Takes the next available entry's head descriptor index; -1 (and the queue stopped) when out of range. */
    private int takeHead() {
        int head = available.get(U16, 4L + 2L * (lastAvailable & (size - 1))) & 0xFFFF;
        lastAvailable = (lastAvailable + 1) & 0xFFFF;
        if (head >= size) {
            stop("descriptor index " + head + " in a ring of " + size);
            return -1;
        }
        return head;
    }

    /**
     * Takes the next frame the guest sent (a chain of device-readable descriptors: the virtio-net header, then
     * the frame), copies header and frame into {@code frame} at 0 and returns its used element to the guest
     * (unpublished: see {@link #publish}).
     *
     * @return the bytes copied (header and frame); 0 for a chain too short to hold a header and an Ethernet
     *     header, or longer than {@code frame} (dropped); -1 when nothing is pending or the queue stopped
     */
    int takeSent(ByteBuffer frame, MemorySegment frameMemory) {
        if (pending() == 0) {
            return -1;
        }
        int head = takeHead();
        if (head < 0) {
            return -1;
        }
        long copied = 0;
        boolean tooLong = false;
        int index = head;
        for (int n = 0; ; n++) {
            if (n == size) {
                stop("a descriptor chain longer than the ring of " + size);
                return -1;
            }
            long d = 16L * index;
            long address = descriptors.get(U64, d);
            long len = descriptors.get(U32, d + 8) & 0xFFFF_FFFFL;
            int flags = descriptors.get(U16, d + 12) & 0xFFFF;
            if ((flags & (DESC_F_WRITE | DESC_F_INDIRECT)) != 0) {
                stop("a transmit descriptor with flags " + flags);
                return -1;
            }
            int region = memory.region(address, len);
            if (region == GuestMemory.NONE) {
                stop(String.format("a descriptor at 0x%x of %d bytes outside the guest's memory", address, len));
                return -1;
            }
            if (!tooLong && len > 0) {
                if (copied + len > frameMemory.byteSize()) {
                    tooLong = true;
                } else {
                    MemorySegment.copy(memory.segment(region), memory.offset(region, address), frameMemory, copied, len);
                    copied += len;
                }
            }
            if ((flags & DESC_F_NEXT) == 0) {
                break;
            }
            index = descriptors.get(U16, d + 14) & 0xFFFF;
            if (index >= size) {
                stop("descriptor index " + index + " in a ring of " + size);
                return -1;
            }
        }
        addUsed(0, head, 0);
        usedIndex = (usedIndex + 1) & 0xFFFF;
        frame.clear().limit((int) copied);
        return tooLong || copied < header + 14 ? 0 : (int) copied;
    }

    /** Puts used element {@code slot} (0 for the next) to {@code head}, {@code length} bytes written. */
    private void addUsed(int slot, int head, int length) {
        long e = 4L + 8L * ((usedIndex + slot) & (size - 1));
        used.set(U32, e, head);
        used.set(U32, e + 4, length);
    }

    /** {@link #giveReceived}'s answers besides true. */
    enum Refusal { NONE, NO_BUFFERS, TOO_LONG }

    private Refusal refusal = Refusal.NONE;

    /** Why the last {@link #giveReceived} returned false. */
    Refusal refusal() {
        return refusal;
    }

    /**
     * Writes a frame for the guest into the buffers it made available: the header ({@code headerBytes}, its
     * num_buffers set here), then the frame; with
     * {@code mergeable} (VIRTIO_NET_F_MRG_RXBUF) across as many buffers as it takes, their number in the first
     * header's num_buffers, else into one. The used elements are added, unpublished ({@link #publish}).
     *
     * @return true when written; false when there are not enough buffers (nothing taken, {@link #refusal()}
     *     NO_BUFFERS), the frame does not fit one buffer without {@code mergeable} or as many buffers as the ring
     *     has (TOO_LONG, nothing taken), or the queue stopped
     */
    boolean giveReceived(MemorySegment headerBytes, MemorySegment frame, long offset, int length, boolean mergeable) {
        refusal = Refusal.NO_BUFFERS;
        int savedAvailable = lastAvailable;
        long total = header + (long) length;
        long streamed = 0;
        int buffers = 0;
        MemorySegment countAt = null; // where num_buffers' two bytes went (a header may be split across descriptors)
        long countOffset = 0;
        MemorySegment countHighAt = null;
        long countHighOffset = 0;
        while (streamed < total) {
            if (buffers == size) { // a guest that keeps making buffers available as they fill, or empty ones
                refusal = Refusal.TOO_LONG;
                lastAvailable = savedAvailable;
                return false;
            }
            if (pending() == 0 || (buffers > 0 && !mergeable)) {
                if (fault == null && buffers > 0 && !mergeable) {
                    refusal = Refusal.TOO_LONG;
                }
                lastAvailable = savedAvailable;
                return false;
            }
            int head = takeHead();
            if (head < 0) {
                return false;
            }
            long written = 0;
            int index = head;
            for (int n = 0; streamed < total; n++) {
                if (n == size) {
                    return stop("a descriptor chain longer than the ring of " + size);
                }
                long d = 16L * index;
                long address = descriptors.get(U64, d);
                long len = descriptors.get(U32, d + 8) & 0xFFFF_FFFFL;
                int flags = descriptors.get(U16, d + 12) & 0xFFFF;
                if ((flags & DESC_F_WRITE) == 0 || (flags & DESC_F_INDIRECT) != 0) {
                    return stop("a receive descriptor with flags " + flags);
                }
                int region = memory.region(address, len);
                if (region == GuestMemory.NONE) {
                    return stop(String.format("a descriptor at 0x%x of %d bytes outside the guest's memory", address, len));
                }
                MemorySegment guest = memory.segment(region);
                long at = memory.offset(region, address);
                long room = Math.min(len, total - streamed);
                long headerPart = Math.max(0, Math.min(room, header - streamed));
                if (headerPart > 0) { // header bytes; num_buffers, wherever its two bytes land, patched below
                    MemorySegment.copy(headerBytes, streamed, guest, at, headerPart);
                    if (header == HEADER && streamed <= NUM_BUFFERS && NUM_BUFFERS < streamed + headerPart) {
                        countAt = guest;
                        countOffset = at + NUM_BUFFERS - streamed;
                    }
                    if (header == HEADER && streamed <= NUM_BUFFERS + 1 && NUM_BUFFERS + 1 < streamed + headerPart) {
                        countHighAt = guest;
                        countHighOffset = at + NUM_BUFFERS + 1 - streamed;
                    }
                }
                long framePart = room - headerPart;
                if (framePart > 0) {
                    MemorySegment.copy(frame, offset + (streamed + headerPart - header), guest, at + headerPart, framePart);
                }
                streamed += room;
                written += room;
                if (streamed == total || (flags & DESC_F_NEXT) == 0) {
                    break;
                }
                index = descriptors.get(U16, d + 14) & 0xFFFF;
                if (index >= size) {
                    return stop("descriptor index " + index + " in a ring of " + size);
                }
            }
            addUsed(buffers, head, (int) written);
            buffers++;
        }
        if (countAt != null && countHighAt != null) {
            countAt.set(ValueLayout.JAVA_BYTE, countOffset, (byte) buffers);
            countHighAt.set(ValueLayout.JAVA_BYTE, countHighOffset, (byte) (buffers >>> 8));
        }
        usedIndex = (usedIndex + buffers) & 0xFFFF;
        refusal = Refusal.NONE;
        return true;
    }

    /** Makes the used elements added so far visible to the guest (a release store of the used index). */
    void publish() {
        INDEX.setRelease(used, 2L, (short) usedIndex);
    }

    /**
     * Whether the guest wants an interrupt for what was published since the last call: with the event index when
     * the used index passed its used_event (Linux's {@code vhost_notify}), else unless it set
     * VRING_AVAIL_F_NO_INTERRUPT; after {@link #publish}, with the fence the notification race needs. Call it at
     * every publication that may end a batch (with the event index it keeps the last decision's index).
     */
    boolean wantsInterrupt() {
        VarHandle.fullFence();
        if (!eventIndex) {
            return (available.get(U16, 0L) & AVAIL_F_NO_INTERRUPT) == 0;
        }
        int old = signalledUsed;
        boolean valid = signalledValid;
        signalledUsed = usedIndex;
        signalledValid = true;
        int event = available.get(U16, 4L + 2L * size) & 0xFFFF;
        // no branch on valid, which is false only at a ring's first decision (C2 compiled the warm-up's ring without
        // that case and threw the code away at a guest's first frames)
        return !valid | needEvent(event, usedIndex, old);
    }

    /**
     * VIRTIO 1.2 2.7.7.2's {@code vring_need_event}: whether moving an index from {@code old} to {@code now}
     * (mod 2^16) passed {@code event}, the index the other side asked to be notified at.
     */
    static boolean needEvent(int event, int now, int old) {
        return ((now - event - 1) & 0xFFFF) < ((now - old) & 0xFFFF);
    }

    /** While entries are taken: the guest need not kick for the ones it adds (see the class comment). */
    void suppressKicks() {
        if (!eventIndex) {
            used.set(U16, 0L, (short) USED_F_NO_NOTIFY);
        }
    }

    /**
     * Before waiting for a kick: asks the guest to kick for the next entry it adds beyond those the last look
     * saw ({@link #pending}; Linux's {@code vhost_enable_notify} arms at the index it last read), then (after a
     * full fence, the other half of the race) looks again. After a drain that saw everything taken, that is
     * the next entry; after a frame that found too few buffers, the next buffer the guest adds.
     *
     * @return true when the guest added entries since the last look: look at them rather than wait
     */
    boolean armKicks() {
        int seen = availableSeen;
        if (eventIndex) {
            used.set(U16, 4L + 8L * size, (short) seen);
        } else {
            used.set(U16, 0L, (short) 0);
        }
        VarHandle.fullFence();
        return fault == null && ((short) INDEX.getAcquire(available, 2L) & 0xFFFF) != seen;
    }
}
