package io.vnet4j.port.vhostuser;

import static io.vnet4j.port.vhostuser.VhostUserProtocol.*;

import io.vnet4j.os.DescriptorStream;
import io.vnet4j.os.PeerEventFd;
import io.vnet4j.os.SharedMapping;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The back-end's side of one vhost-user connection's control plane (QEMU's docs/interop/vhost-user.rst): the
 * features agreed, the guest's memory, and for each of the two virtqueues its size, addresses, base,
 * eventfds and state. {@link #handle} applies one message and writes its reply.
 *
 * <p>A virtqueue carries frames while it is started (a VHOST_USER_SET_VRING_KICK came, and no GET_VRING_BASE
 * since) and enabled (VHOST_USER_SET_VRING_ENABLE, or at once when PROTOCOL_FEATURES was not agreed); its
 * {@link SplitRing} is then {@link Queue#ring}, else null. Each queue has a lock: the data plane holds it
 * while it uses the ring, the call eventfd or the kick, and {@link #handle} holds both while it changes
 * anything, so the rings, mappings and eventfds a message replaces are never in use when they go.</p>
 */
final class VhostUserDevice implements AutoCloseable {
    /** Maps a region of guest memory from its descriptor (closing the descriptor); tests give memory of their own. */
    interface Mapper {
        MemorySegment map(int fd, long bytes, Arena arena) throws IOException;
    }

    /** The real mapping, mmap(2) of the front-end's file. */
    static final Mapper SHARED = SharedMapping::map;

    /** A protocol error after which the connection cannot go on. */
    static class ProtocolException extends Exception {
        ProtocolException(String message) {
            super(message);
        }
    }

    /** One virtqueue's settings and state; its fields change only with both queues' locks held. */
    static final class Queue {
        final ReentrantLock lock = new ReentrantLock();
        int size;
        int base;
        long descriptors;
        long available;
        long used;
        boolean addressed;
        boolean started;
        boolean enabled;
        PeerEventFd kick;
        PeerEventFd call;
        /** The ring while the queue carries frames, else null. */
        SplitRing ring;
        /** Why the ring could not be made from the queue's settings (shown by {@code info network}); null otherwise. */
        String unusable;
        /** The front-end's kicks taken from {@link #kick} and the interrupts sent on {@link #call}, for display. */
        long kicks;
        long interrupts;
        /**
         * The kicks taken from the present {@link #kick} descriptor: QEMU makes each set once (its
         * virtio_bus_set_host_notifier starts the eventfd at 1, for kicks it may have missed), so a second means
         * the guest's driver kicked.
         */
        long kicksOfThisDescriptor;

        /** Resets the kick eventfd, if any, counting the kicks it held; under {@link #lock}. */
        void takeKicks() {
            if (kick != null) {
                long n = kick.consume();
                kicks += n;
                kicksOfThisDescriptor += n;
            }
        }
    }

    private final Mapper mapper;
    private final Queue[] queues = {new Queue(), new Queue()};
    /** Written by the control thread, read by the data plane's threads (a frame's header, large segments). */
    private volatile long features;
    /** Whether the front-end got as far as VHOST_USER_SET_FEATURES (QEMU always does, unless it gives up first). */
    private volatile boolean featuresSet;
    private long protocolFeatures;
    private GuestMemory memory = GuestMemory.EMPTY;

    VhostUserDevice(Mapper mapper) {
        this.mapper = mapper;
    }

    Queue queue(int index) {
        return queues[index];
    }

    /** Whether the front-end set the features it agreed to: a front-end that leaves before it gave up during its handshake. */
    boolean featuresSet() {
        return featuresSet;
    }

    /** Whether the driver agreed to mergeable receive buffers (VIRTIO_NET_F_MRG_RXBUF). */
    boolean mergeable() {
        return (features & 1L << F_MRG_RXBUF) != 0;
    }

    /** Whether the driver agreed to the event index (VIRTIO_RING_F_EVENT_IDX: {@link SplitRing}'s notifications). */
    boolean eventIndex() {
        return (features & 1L << F_RING_EVENT_IDX) != 0;
    }

    /** Whether the driver agreed to take large TCP segments with partial checksums (GUEST_CSUM, GUEST_TSO4 and 6). */
    boolean guestTakesLargeSegments() {
        return (features & GUEST_LARGE_SEGMENTS) == GUEST_LARGE_SEGMENTS;
    }

    /** The virtio-net header's size the agreed features give. */
    int headerBytes() {
        return (features & (1L << F_VERSION_1 | 1L << F_MRG_RXBUF)) != 0 ? SplitRing.HEADER : SplitRing.LEGACY_HEADER;
    }

    /** The memory regions mapped now. */
    int regions() {
        return memory.regionCount();
    }

    /**
     * Applies message {@code request} ({@code payload}: its bytes from 0 to the limit, little-endian) with the
     * descriptors that came with it, which are the device's from here on (kept, or closed); writes the reply's
     * payload into {@code reply} from 0.
     *
     * @return the reply's payload length, or -1 for no reply (the caller adds the REPLY_ACK answer when asked)
     * @throws ProtocolException when the message is malformed in a way the connection cannot survive
     */
    int handle(int request, ByteBuffer payload, int[] fds, int fdCount, ByteBuffer reply) throws ProtocolException {
        int used = 0;
        try {
            switch (request) {
                case GET_FEATURES -> {
                    reply.putLong(0, FEATURES);
                    return 8;
                }
                case SET_FEATURES -> {
                    long wanted = u64(payload, request);
                    lockBoth();
                    try {
                        featuresSet = true;
                        features = wanted & FEATURES;
                        boolean enableAll = (features & 1L << F_PROTOCOL_FEATURES) == 0;
                        for (Queue q : queues) {
                            q.enabled |= enableAll; // without PROTOCOL_FEATURES a started ring is enabled
                            rebuild(q); // and the header's size may have changed
                        }
                    } finally {
                        unlockBoth();
                    }
                    return -1;
                }
                case GET_PROTOCOL_FEATURES -> {
                    reply.putLong(0, PROTOCOL_FEATURES);
                    return 8;
                }
                case SET_PROTOCOL_FEATURES -> {
                    protocolFeatures = u64(payload, request) & PROTOCOL_FEATURES;
                    return -1;
                }
                case GET_QUEUE_NUM -> {
                    reply.putLong(0, 1); // one queue pair
                    return 8;
                }
                case SET_OWNER, RESET_OWNER, SEND_RARP, NET_SET_MTU -> {
                    return -1; // nothing to do: one owner; RARP and MTU were not offered
                }
                case SET_MEM_TABLE -> {
                    used = fdCount;
                    setMemTable(payload, fds, fdCount);
                    return -1;
                }
                case SET_VRING_NUM -> {
                    Queue q = queue(payload, request);
                    int size = payload.getInt(4);
                    if (!SplitRing.validSize(size)) {
                        throw new ProtocolException("SET_VRING_NUM: " + Integer.toUnsignedString(size)
                                + " is not a ring size (a power of 2 up to " + SplitRing.MAX_SIZE + ")");
                    }
                    change(q, () -> q.size = size);
                    return -1;
                }
                case SET_VRING_ADDR -> {
                    if (payload.limit() < 40) {
                        throw new ProtocolException("SET_VRING_ADDR: a payload of " + payload.limit() + " bytes, expected 40");
                    }
                    Queue q = queue(payload, request);
                    change(q, () -> {
                        q.descriptors = payload.getLong(8);
                        q.used = payload.getLong(16);
                        q.available = payload.getLong(24);
                        q.addressed = true;
                    });
                    return -1;
                }
                case SET_VRING_BASE -> {
                    Queue q = queue(payload, request);
                    int base = payload.getInt(4) & 0xFFFF;
                    change(q, () -> q.base = base);
                    return -1;
                }
                case GET_VRING_BASE -> {
                    Queue q = queue(payload, request);
                    int index = payload.getInt(0);
                    lockBoth();
                    try {
                        if (q.ring != null) {
                            q.base = q.ring.lastAvailable();
                        }
                        q.started = false;
                        closeQuietly(q.kick);
                        closeQuietly(q.call);
                        q.kick = null;
                        q.call = null;
                        rebuild(q);
                    } finally {
                        unlockBoth();
                    }
                    reply.putInt(0, index);
                    reply.putInt(4, q.base);
                    return 8;
                }
                case SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR -> {
                    long v = u64(payload, request);
                    int index = (int) (v & VRING_INDEX_MASK);
                    boolean noFd = (v & VRING_NO_FD) != 0;
                    if (index >= QUEUES) {
                        throw new ProtocolException(name(request) + ": queue " + index + " (this device has 2)");
                    }
                    if (noFd != (fdCount == 0) || fdCount > 1) {
                        throw new ProtocolException(name(request) + ": " + fdCount + " descriptors with the flag "
                                + (noFd ? "that says none" : "that says one"));
                    }
                    used = fdCount;
                    Queue q = queues[index];
                    PeerEventFd fd = noFd ? null : new PeerEventFd(fds[0]);
                    if (request == SET_VRING_ERR) {
                        closeQuietly(fd); // nothing is reported on it
                        return -1;
                    }
                    lockBoth();
                    try {
                        if (request == SET_VRING_KICK) {
                            closeQuietly(q.kick);
                            q.kick = fd;
                            q.kicksOfThisDescriptor = 0;
                            q.started = true; // a ring without a kick descriptor is polled (by the writer's waits)
                        } else {
                            closeQuietly(q.call);
                            q.call = fd;
                            if (fd != null) {
                                fd.signal(); // as passt and libvhost-user: a guest that waited across a reconnection goes on
                            }
                        }
                        rebuild(q);
                    } finally {
                        unlockBoth();
                    }
                    return -1;
                }
                case SET_VRING_ENABLE -> {
                    Queue q = queue(payload, request);
                    boolean enable = payload.getInt(4) != 0;
                    change(q, () -> q.enabled = enable);
                    return -1;
                }
                case SET_LOG_BASE, SET_LOG_FD -> {
                    used = fdCount;
                    closeAll(fds, fdCount);
                    throw new ProtocolException(name(request) + ": dirty-page logging (migration) was not offered");
                }
                default -> {
                    return -1;
                }
            }
        } finally {
            for (int i = used; i < fdCount; i++) {
                DescriptorStream.closeDescriptor(fds[i]); // descriptors a message had no use for
            }
        }
    }

    /** Whether {@link #handle} knows {@code request}; others are answered as failed when a reply is asked. */
    static boolean known(int request) {
        return request >= GET_FEATURES && request <= NET_SET_MTU;
    }

    private void setMemTable(ByteBuffer payload, int[] fds, int fdCount) throws ProtocolException {
        if (payload.limit() < 8) {
            closeAll(fds, fdCount);
            throw new ProtocolException("SET_MEM_TABLE: a payload of " + payload.limit() + " bytes");
        }
        int count = payload.getInt(0);
        if (count < 0 || count > MAX_REGIONS || payload.limit() < 8 + REGION_BYTES * count || fdCount != count) {
            closeAll(fds, fdCount);
            throw new ProtocolException("SET_MEM_TABLE: " + Integer.toUnsignedString(count) + " regions in " + payload.limit()
                    + " bytes with " + fdCount + " descriptors (at most " + MAX_REGIONS + ", one descriptor each)");
        }
        Arena arena = Arena.ofShared();
        GuestMemory.Region[] regions = new GuestMemory.Region[count];
        int mapped = 0;
        try {
            for (int i = 0; i < count; i++) {
                int at = 8 + REGION_BYTES * i;
                long guestPhysical = payload.getLong(at);
                long size = payload.getLong(at + 8);
                long frontEnd = payload.getLong(at + 16);
                long mmapOffset = payload.getLong(at + 24);
                if (size <= 0 || mmapOffset < 0 || size > Long.MAX_VALUE - mmapOffset
                        || !fitsAddressSpace(guestPhysical, size) || !fitsAddressSpace(frontEnd, size)) {
                    closeAll(fds, fdCount, mapped);
                    throw new ProtocolException(String.format(
                            "SET_MEM_TABLE: region %d at 0x%x of 0x%x bytes, file offset 0x%x, does not fit the address space",
                            i, guestPhysical, size, mmapOffset));
                }
                MemorySegment whole;
                try {
                    whole = mapper.map(fds[i], mmapOffset + size, arena);
                } catch (IOException e) {
                    mapped = i + 1;
                    closeAll(fds, fdCount, mapped);
                    throw new ProtocolException("SET_MEM_TABLE: region " + i + ": " + e.getMessage());
                }
                mapped = i + 1;
                regions[i] = new GuestMemory.Region(guestPhysical, size, frontEnd, whole.asSlice(mmapOffset, size));
            }
        } catch (ProtocolException e) {
            arena.close();
            throw e;
        }
        GuestMemory fresh = new GuestMemory(regions, arena);
        GuestMemory old;
        lockBoth();
        try {
            old = memory;
            memory = fresh;
            for (Queue q : queues) {
                rebuild(q);
            }
        } finally {
            unlockBoth();
        }
        old.close();
    }

    /** Whether {@code [start, start + size)} lies below 2^64, the addresses taken as unsigned. */
    static boolean fitsAddressSpace(long start, long size) {
        return start == 0 || Long.compareUnsigned(size, -start) <= 0;
    }

    /** Makes queue {@code q}'s ring from its settings, or none (keeping the ring's place in {@code base}); under both locks. */
    private void rebuild(Queue q) {
        if (q.ring != null) {
            q.base = q.ring.lastAvailable();
            q.ring = null;
        }
        if (!q.started || !q.enabled || !q.addressed || q.size == 0) {
            return;
        }
        MemorySegment d = memory.frontEnd(q.descriptors, SplitRing.descriptorBytes(q.size));
        MemorySegment a = memory.frontEnd(q.available, SplitRing.availableBytes(q.size));
        MemorySegment u = memory.frontEnd(q.used, SplitRing.usedBytes(q.size));
        // the alignments VIRTIO 1.2 2.7 gives, of the memory as mapped here (a region's file offset may shift it)
        if (d == null || a == null || u == null || (d.address() & 15) != 0 || (a.address() & 1) != 0
                || (u.address() & 3) != 0) {
            q.unusable = String.format("the ring's addresses (descriptors 0x%x, available 0x%x, used 0x%x) are outside the "
                    + "guest's memory or misaligned", q.descriptors, q.available, q.used);
            return;
        }
        q.unusable = null;
        q.ring = new SplitRing(memory, headerBytes(), q.size, d, a, u, q.base, eventIndex());
    }

    private void change(Queue q, Runnable change) {
        lockBoth();
        try {
            change.run();
            rebuild(q);
        } finally {
            unlockBoth();
        }
    }

    private Queue queue(ByteBuffer payload, int request) throws ProtocolException {
        if (payload.limit() < 8) {
            throw new ProtocolException(name(request) + ": a payload of " + payload.limit() + " bytes, expected 8");
        }
        int index = payload.getInt(0);
        if (index < 0 || index >= QUEUES) {
            throw new ProtocolException(name(request) + ": queue " + Integer.toUnsignedString(index) + " (this device has 2)");
        }
        return queues[index];
    }

    private static long u64(ByteBuffer payload, int request) throws ProtocolException {
        if (payload.limit() < 8) {
            throw new ProtocolException(name(request) + ": a payload of " + payload.limit() + " bytes, expected 8");
        }
        return payload.getLong(0);
    }

    private void lockBoth() {
        queues[TX].lock.lock();
        queues[RX].lock.lock();
    }

    private void unlockBoth() {
        queues[RX].lock.unlock();
        queues[TX].lock.unlock();
    }

    private static void closeAll(int[] fds, int count) {
        closeAll(fds, count, 0);
    }

    /** Closes descriptors {@code from} to {@code count} (those before were closed by their mapping). */
    private static void closeAll(int[] fds, int count, int from) {
        for (int i = from; i < count; i++) {
            DescriptorStream.closeDescriptor(fds[i]);
            fds[i] = -1;
        }
    }

    private static void closeQuietly(PeerEventFd fd) {
        if (fd != null) {
            fd.close();
        }
    }

    /** Stops both queues and releases the eventfds and the guest's memory; the data plane must have stopped. */
    @Override
    public void close() {
        lockBoth();
        try {
            for (Queue q : queues) {
                q.ring = null;
                q.started = false;
                closeQuietly(q.kick);
                closeQuietly(q.call);
                q.kick = null;
                q.call = null;
            }
            memory.close();
            memory = GuestMemory.EMPTY;
        } finally {
            unlockBoth();
        }
    }
}
