package io.vnet4j.port.vhostuser;

import static io.vnet4j.port.vhostuser.VhostUserProtocol.*;

import io.vnet4j.base.InternalErrors;
import io.vnet4j.fabric.Hub;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A vhost-user front-end and virtio-net driver in this process, over memory of its own: the warm-up's VM on a
 * vhost-user port (io.vnet4j.Warmup), so that the port's frame paths ({@link SplitRing}, {@link VhostUserPort})
 * are compiled before a real guest's first frames. It agrees to what QEMU and a Linux guest agree to (every
 * feature offered), gives the device its memory through {@link VhostUserDevice#handle} as QEMU's messages would,
 * with no eventfds (the "no descriptor" form: the port's kick thread then has nothing to wait on, and
 * {@link #send} runs the port's transmit path itself, as a kick would). Not a general driver: one frame is
 * sent at a time, and received frames are read by polling the used ring (the event index's used_event is
 * written as Linux's driver writes it, so the device's decisions about interrupts are played). Not thread-safe:
 * the warm-up's thread.
 */
public final class LocalFrontEnd implements AutoCloseable {
    private static final int SIZE = 256;
    private static final int BUFFER = 2048;
    private static final int QUEUE_BYTES = 12288; // descriptors 4096 at 0, available ring 518 at 4096, used ring 2054 at 6144
    private static final int TX_AREA = SplitRing.HEADER + VhostUserPort.MAX_FRAME;
    private static final long GUEST_PHYSICAL = 0x10_0000L;
    private static final long FRONT_END = 0x7f00_0000_0000L;
    private static final int RX_BUFFERS = 2 * QUEUE_BYTES;
    private static final int TX_BUFFER = RX_BUFFERS + SIZE * BUFFER;
    private static final long MEMORY = TX_BUFFER + TX_AREA;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INDEX = ValueLayout.JAVA_SHORT.withOrder(ByteOrder.LITTLE_ENDIAN).varHandle();

    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory = arena.allocate(MEMORY, 4096);
    private final VhostUserDevice device;
    private final VhostUserPort port;
    private int txAvailable;
    private int rxAvailable;
    private int rxUsedSeen;

    /**
     * A driver whose port {@code id} joins {@code hub}, its rings started as QEMU starts them.
     *
     * @throws IOException when the port's epoll cannot be made
     */
    public LocalFrontEnd(String id, Hub hub) throws IOException {
        device = new VhostUserDevice((fd, bytes, a) -> memory);
        try {
            start();
        } catch (VhostUserDevice.ProtocolException e) {
            throw new IllegalStateException("the warm-up's own vhost-user messages: " + e.getMessage(), e);
        }
        for (int i = 0; i < SIZE; i++) {
            giveReceiveBuffer(i);
        }
        port = new VhostUserPort(id, "warm-up", device, new InternalErrors(id));
        hub.attach(port);
        port.start();
        port.queuesChanged();
    }

    private void start() throws VhostUserDevice.ProtocolException {
        ByteBuffer reply = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        message(SET_FEATURES, reply, FEATURES);
        ByteBuffer table = payload(8 + REGION_BYTES);
        table.putInt(0, 1).putLong(8, GUEST_PHYSICAL).putLong(16, MEMORY).putLong(24, FRONT_END).putLong(32, 0);
        device.handle(SET_MEM_TABLE, table, new int[] {-1}, 1, reply);
        for (int q = 0; q < QUEUES; q++) {
            long base = (long) q * QUEUE_BYTES;
            device.handle(SET_VRING_NUM, payload(8).putInt(0, q).putInt(4, SIZE), new int[0], 0, reply);
            device.handle(SET_VRING_BASE, payload(8).putInt(0, q).putInt(4, 0), new int[0], 0, reply);
            device.handle(SET_VRING_ADDR, payload(40).putInt(0, q).putLong(8, FRONT_END + base)
                    .putLong(16, FRONT_END + base + 6144).putLong(24, FRONT_END + base + 4096), new int[0], 0, reply);
            device.handle(SET_VRING_KICK, payload(8).putLong(0, q | VRING_NO_FD), new int[0], 0, reply);
            device.handle(SET_VRING_ENABLE, payload(8).putInt(0, q).putInt(4, 1), new int[0], 0, reply);
        }
    }

    private void message(int request, ByteBuffer reply, long value) throws VhostUserDevice.ProtocolException {
        device.handle(request, payload(8).putLong(0, value), new int[0], 0, reply);
    }

    private static ByteBuffer payload(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Queue {@code q}'s descriptor table, available ring and used ring, as laid out here. */
    private MemorySegment descriptors(int q) {
        return memory.asSlice((long) q * QUEUE_BYTES, 16L * SIZE);
    }

    private MemorySegment available(int q) {
        return memory.asSlice((long) q * QUEUE_BYTES + 4096, SplitRing.availableBytes(SIZE));
    }

    private MemorySegment used(int q) {
        return memory.asSlice((long) q * QUEUE_BYTES + 6144, SplitRing.usedBytes(SIZE));
    }

    /** Makes receive buffer {@code i} (descriptor {@code i} of the receive queue) available to the device. */
    private void giveReceiveBuffer(int i) {
        MemorySegment d = descriptors(RX);
        d.set(U64, 16L * i, GUEST_PHYSICAL + RX_BUFFERS + (long) i * BUFFER);
        d.set(U32, 16L * i + 8, BUFFER);
        d.set(U16, 16L * i + 12, (short) SplitRing.DESC_F_WRITE);
        MemorySegment a = available(RX);
        a.set(U16, 4L + 2L * (rxAvailable & (SIZE - 1)), (short) i);
        rxAvailable = (rxAvailable + 1) & 0xFFFF;
        INDEX.setRelease(a, 2L, (short) rxAvailable);
    }

    /**
     * Sends {@code frame[0, length)} after the 10-byte virtio-net header {@code header} (null: zeros), as a Linux
     * guest's driver does, and runs the port's transmit path on this thread, as the kick would on the port's.
     */
    public void send(ByteBuffer frame, int length, byte[] header) {
        MemorySegment tx = memory.asSlice(TX_BUFFER, TX_AREA);
        tx.asSlice(0, SplitRing.HEADER).fill((byte) 0);
        if (header != null) {
            MemorySegment.copy(MemorySegment.ofArray(header), 0, tx, 0, Math.min(header.length, 10));
        }
        MemorySegment.copy(MemorySegment.ofBuffer(frame), 0, tx, SplitRing.HEADER, length);
        int slot = txAvailable & (SIZE - 1);
        MemorySegment d = descriptors(TX);
        d.set(U64, 16L * slot, GUEST_PHYSICAL + TX_BUFFER);
        d.set(U32, 16L * slot + 8, SplitRing.HEADER + length);
        d.set(U16, 16L * slot + 12, (short) 0);
        MemorySegment a = available(TX);
        a.set(U16, 4L + 2L * slot, (short) slot);
        if ((txAvailable & 1) == 0) { // an interrupt for every other frame: both of the device's answers are played
            a.set(U16, 4L + 2L * SIZE, (short) txAvailable); // used_event, as Linux's enable_cb_delayed with one outstanding
        }
        txAvailable = (txAvailable + 1) & 0xFFFF;
        INDEX.setRelease(a, 2L, (short) txAvailable);
        port.transmitQueueKicked();
    }

    /**
     * Waits up to {@code millis} ms for the next frame the device wrote into the receive buffers and copies it
     * into {@code in} at {@code at} (the buffers it took go back to the device).
     *
     * @return its length (without the virtio-net header), or -1 after the time-out
     */
    public int receive(ByteBuffer in, int at, int millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        MemorySegment u = used(RX);
        while (((short) INDEX.getAcquire(u, 2L) & 0xFFFF) == rxUsedSeen) {
            if (System.nanoTime() - deadline >= 0) {
                return -1;
            }
            LockSupport.parkNanos(20_000);
        }
        int first = u.get(U32, 4L + 8L * (rxUsedSeen & (SIZE - 1)));
        long firstAt = RX_BUFFERS + (long) first * BUFFER;
        int buffers = Math.max(1, memory.get(U16, firstAt + 10) & 0xFFFF);
        int length = 0;
        for (int b = 0; b < buffers; b++) {
            long e = 4L + 8L * (rxUsedSeen & (SIZE - 1));
            int id = u.get(U32, e);
            int written = u.get(U32, e + 4);
            int skip = b == 0 ? SplitRing.HEADER : 0;
            int take = Math.max(0, Math.min(written - skip, in.capacity() - at - length));
            MemorySegment.copy(memory, RX_BUFFERS + (long) id * BUFFER + skip, MemorySegment.ofBuffer(in), at + length, take);
            length += take;
            rxUsedSeen = (rxUsedSeen + 1) & 0xFFFF;
            giveReceiveBuffer(id);
        }
        available(RX).set(U16, 4L + 2L * SIZE, (short) rxUsedSeen); // used_event: as NAPI's enable_cb_prepare when done
        return length;
    }

    /** Takes the port off its hub and frees the memory. */
    @Override
    public void close() {
        port.close();
        device.close();
        arena.close();
    }
}
