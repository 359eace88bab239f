package io.vnet4j.port.vhostuser;

import static io.vnet4j.port.vhostuser.VhostUserProtocol.RX;
import static io.vnet4j.port.vhostuser.VhostUserProtocol.TX;

import io.vnet4j.base.InternalErrors;
import io.vnet4j.base.Log;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.FrameQueue;
import io.vnet4j.fabric.QueuedPort;
import io.vnet4j.os.Epoll;
import io.vnet4j.os.PeerEventFd;
import io.vnet4j.wire.WireError;
import io.vnet4j.wire.offload.GsoHeaderWriter;
import io.vnet4j.wire.offload.VirtioNetFrame;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The data plane of one vhost-user connection: a QEMU guest's virtio-net queues, read and written in the
 * guest's memory with no copy through QEMU.
 *
 * <p>Theory of operation. The guest's frames: QEMU's vCPU thread (or KVM) writes the transmit queue's kick
 * eventfd when the guest adds buffers; the port's kick thread waits on it (epoll), takes every pending chain
 * ({@link SplitRing#takeSent}) and hands each frame to the hub on that thread (a TSO frame or a partial
 * checksum as a large segment, as a TAP with offloads does; the user network answers a ping there, so its
 * reply comes straight back), then returns the used elements and signals the call eventfd (the guest's
 * kicks held back meanwhile, interrupts only as the guest asks: {@link SplitRing}'s notifications). Frames
 * for the guest: a hub thread writes one straight into the receive queue's buffers when nothing is queued
 * before it ({@link #writeThrough}); otherwise, and when the guest has no free buffer, frames wait in the
 * port's {@link FrameQueue} for its writer thread, which waits on the receive queue's kick (the guest adds
 * buffers and kicks) while the guest is full. Each queue's lock ({@link VhostUserDevice.Queue#lock}) is held
 * while its ring is used, so the control connection's changes never meet a ring in use.</p>
 *
 * <p>The user network's loop could watch the kick instead, as it reads a TAP's and a stream VM's descriptors
 * ({@code ReadingLoop}): tried, and not kept. {@code bench/usernet-vs-qemu.sh 32 3}, one run each, uploaded
 * 32 MB in 0.72 s with 12.0 ms of the daemon's CPU per MB against 0.53 s and 9.6 ms with the kick thread, and
 * round trips were the same. The likely cause, not measured: a guest kicks about once per frame, so the loop
 * took the upload a frame per pass, each with its flush of ACKs, where the kick thread hands bulk to the
 * loop's queue and the loop takes it in batches.</p>
 */
final class VhostUserPort extends QueuedPort {
    /** The largest frame taken from the guest: 64 KiB of IP and its Ethernet header (more is dropped). */
    static final int MAX_FRAME = 65536 + 14;
    /** A frame and the virtio-net header before it. */
    private static final int MAX_CHAIN = SplitRing.HEADER + MAX_FRAME;
    /** Used elements returned per publication while a burst is taken, so the guest can reuse buffers early. */
    private static final int PUBLISH_EVERY = 64;
    /** The writer's wait for free receive buffers, before it looks again (the kick normally ends it sooner). */
    private static final int BUFFER_WAIT_MILLIS = 100;
    /** The pause before the transmit queue is looked at again after a bug's exception left entries in it. */
    private static final int RETRY_AFTER_BUG_MILLIS = 100;

    private final VhostUserDevice device;
    private final String settings;
    private final ByteBuffer sent = ByteBuffer.allocateDirect(MAX_CHAIN);
    private final MemorySegment sentMemory = MemorySegment.ofBuffer(sent);
    private final VirtioNetFrame sentView = new VirtioNetFrame();
    /** The virtio-net header of the frame being written for the guest (under the receive queue's lock). */
    private final MemorySegment receivedHeader = MemorySegment.ofBuffer(ByteBuffer.allocateDirect(SplitRing.HEADER));
    /** A frame the writer took from the queue that found no free buffer: it goes first once there is one. */
    private final ByteBuffer held = ByteBuffer.allocateDirect(MAX_FRAME);
    private final MemorySegment heldMemory = MemorySegment.ofBuffer(held);
    private boolean holding;
    private int heldSegmentSize;
    /** {@link #takesLargeSegments} as the hub was last told. */
    private boolean largeSegments;
    private final FrameQueue.FrameHandler toGuest = this::writeQueued;
    private final Epoll kicks;
    /** The transmit kick descriptor the epoll watches, or -1; under {@link #kicks}. */
    private int watched = -1;
    private final Thread kickThread;
    /** Set by {@link #takeSentSurviving} when a bug's exception left the guest's entries untaken. */
    private volatile boolean retryAfterBug;
    private final Thread writer;
    private volatile boolean closed;
    private final String[] faultsSaid = new String[2];
    /** Whether an entry of the guest's transmit queue was ever taken on this connection; and said that none shows. */
    private boolean anySent;
    private boolean unsharedSaid;
    private final InternalErrors internalErrors;

    VhostUserPort(String id, String settings, VhostUserDevice device, InternalErrors internalErrors) throws IOException {
        super(id, "vhost-user", DEFAULT_QUEUE_BYTES);
        this.device = device;
        this.internalErrors = internalErrors;
        this.settings = settings;
        setCarrier(false); // until the guest's driver starts the receive queue
        this.kicks = Epoll.open();
        this.kickThread = Thread.ofPlatform().daemon().name("vnet4j-" + id + "-tx").unstarted(Log.hushedIfNow(this::kickLoop));
        this.writer = Thread.ofPlatform().daemon().name("vnet4j-" + id + "-rx").unstarted(Log.hushedIfNow(this::writeLoop));
    }

    void start() {
        kickThread.start();
        writer.start();
    }

    @Override
    public String describe() {
        VhostUserDevice.Queue rx = device.queue(RX);
        VhostUserDevice.Queue tx = device.queue(TX);
        int regions = device.regions();
        // rx and tx are the guest's queues, as virtio names them: rx carries frames to the guest (the port's tx)
        return settings + ",peer=vhost-user front-end (rx to the guest " + state(rx) + ", tx from the guest " + state(tx)
                + ", " + regions
                + (regions == 1 ? " memory region" : " memory regions") + (device.eventIndex() ? ", event index)" : ")");
    }

    private static String state(VhostUserDevice.Queue q) {
        SplitRing ring = q.ring; // read without the lock: for display
        if (ring != null) {
            return ring.fault() == null ? "running, " + q.size + " entries, " + q.kicks + (q.kicks == 1 ? " kick, " : " kicks, ")
                    + q.interrupts + (q.interrupts == 1 ? " interrupt" : " interrupts") : "stopped: the guest broke the ring";
        }
        if (!q.started) {
            return "not started";
        }
        String why = q.unusable;
        return !q.enabled ? "disabled" : why == null ? "not usable" : "not usable: " + why;
    }

    // ---- the guest's frames ----

    /** Stops watching the transmit kick, before the control connection replaces or closes it. */
    void unwatchKick() {
        synchronized (kicks) {
            if (watched >= 0) {
                try {
                    kicks.delete(watched);
                } catch (IOException e) {
                    // closed already: the epoll forgot it
                }
                watched = -1;
            }
        }
    }

    /** Watches the transmit queue's kick, if it has one, after a change of the control connection. */
    void watchKick() {
        VhostUserDevice.Queue q = device.queue(TX);
        int fd;
        q.lock.lock();
        try {
            fd = q.kick == null ? -1 : q.kick.descriptor();
        } finally {
            q.lock.unlock();
        }
        synchronized (kicks) {
            if (fd == watched || closed) {
                return;
            }
            unwatchKick();
            if (fd >= 0) {
                try {
                    kicks.add(fd, Epoll.EPOLLIN, 0);
                    watched = fd;
                } catch (IOException e) {
                    Log.warn(id() + ": cannot watch the transmit queue's kick: " + e.getMessage());
                }
            }
        }
    }

    /**
     * After any control message: the link is up while the receive queue runs, a queue that just started may
     * hold frames already, the writer may now go on, and the driver may have agreed to take large segments.
     */
    void queuesChanged() {
        setCarrier(device.queue(RX).ring != null); // up while the guest's driver takes frames
        suppressReceiveKicks();
        boolean large = takesLargeSegments();
        Hub hub = attachedHub();
        if (large != largeSegments && hub != null) {
            largeSegments = large;
            hub.offloadsChanged();
        }
        takeSent();
        queue.wakeConsumer();
    }

    /** The writer asks for the receive queue's kicks only while it waits for buffers ({@link #awaitBuffers}). */
    private void suppressReceiveKicks() {
        VhostUserDevice.Queue q = device.queue(RX);
        q.lock.lock();
        try {
            if (q.ring != null && !holding) {
                q.ring.suppressKicks();
            }
        } finally {
            q.lock.unlock();
        }
    }

    /** While the guest's driver agreed to GUEST_CSUM, GUEST_TSO4 and GUEST_TSO6: up to 64 KiB per frame. */
    @Override
    public boolean takesLargeSegments() {
        return device.guestTakesLargeSegments();
    }

    private void kickLoop() {
        try {
            while (!closed) {
                // after a bug's exception the guest's entries may wait untaken, with no kick to come for them
                boolean retry = retryAfterBug;
                if ((kicks.await(retry ? RETRY_AFTER_BUG_MILLIS : -1) > 0 || retry) && !closed) {
                    retryAfterBug = false;
                    takeSentSurviving();
                }
            }
        } catch (IOException e) {
            if (!closed) {
                Log.warn(id() + ": waiting for the guest's kicks failed: " + e.getMessage());
            }
        }
    }

    /** What the transmit queue's kick does, called by a driver in this process ({@link LocalFrontEnd}). */
    void transmitQueueKicked() {
        takeSentSurviving();
    }

    /**
     * {@link #takeSent}, going on after a bug's exception (said and counted; a frame's own is caught in
     * {@link #deliverSent}): what was taken is returned and the kicks asked for again, so the guest's next kick
     * is served.
     */
    private void takeSentSurviving() {
        try {
            takeSent();
        } catch (RuntimeException e) {
            internalErrors.record("the guest's frames were dropped", e);
            VhostUserDevice.Queue q = device.queue(TX);
            q.lock.lock();
            try {
                if (q.ring != null) {
                    returnToGuest(q, q.ring);
                    q.ring.armKicks();
                    retryAfterBug = q.ring.pending() > 0; // taken again after a pause: a bug that repeats does not spin
                }
            } finally {
                q.lock.unlock();
            }
            if (retryAfterBug && Thread.currentThread() != kickThread) {
                kicks.wake(); // the kick thread's wait takes up the pause
            }
        }
    }

    /** Takes every frame the guest has sent and hands it to the hub; on the kick thread (or the control thread). */
    private void takeSent() {
        VhostUserDevice.Queue q = device.queue(TX);
        q.lock.lock();
        try {
            q.takeKicks();
            SplitRing ring = q.ring;
            if (ring == null) {
                return;
            }
            int header = device.headerBytes();
            do {
                ring.suppressKicks();
                int frames = 0;
                for (int n; (n = ring.takeSent(sent, sentMemory)) >= 0; ) {
                    anySent = true;
                    deliverSent(n, header);
                    if (++frames % PUBLISH_EVERY == 0) {
                        returnToGuest(q, ring); // the guest reuses its buffers early; a decision at least every 64 frames
                    }
                }
                if (frames % PUBLISH_EVERY != 0) {
                    returnToGuest(q, ring);
                }
            } while (ring.armKicks()); // entries added while the kicks were held back
            sayFault(TX, ring);
            sayIfUnshared(q, ring);
        } finally {
            q.lock.unlock();
        }
    }

    /**
     * Hands one frame the guest sent ({@code n} bytes with its header, 0 for one dropped by the ring) to the hub;
     * a bug's exception is said and counted here, so that the drain goes on and the kicks are asked for again.
     */
    private void deliverSent(int n, int header) {
        try {
            if (n == 0 || deliverOffloaded(sentView.wrap(sent, 0, n, header, ByteOrder.LITTLE_ENDIAN)) != WireError.NONE) {
                counters().countRxError(); // shorter than an Ethernet header, longer than MAX_FRAME, or a bad header
            }
        } catch (RuntimeException e) {
            counters().countRxError();
            internalErrors.record("a frame from the guest was dropped", e);
        }
    }

    /**
     * Makes the used buffers visible to the guest and signals its call eventfd unless it asked for no
     * interrupt; under the queue's lock.
     */
    private static void returnToGuest(VhostUserDevice.Queue q, SplitRing ring) {
        ring.publish();
        if (ring.wantsInterrupt() && q.call != null) {
            q.call.signal();
            q.interrupts++;
        }
    }

    // ---- frames for the guest ----

    /** Writes one frame into the guest's buffers with its virtio-net header; under the receive queue's lock. */
    private boolean give(SplitRing ring, MemorySegment frame, long offset, int length, int segmentSize) {
        GsoHeaderWriter.describe(receivedHeader, 0, frame, offset, length, segmentSize);
        return ring.giveReceived(receivedHeader, frame, offset, length, device.mergeable());
    }

    @Override
    protected int writeThrough(ByteBuffer frame, int offset, int length, int segmentSize) {
        VhostUserDevice.Queue q = device.queue(RX);
        if (!q.lock.tryLock()) {
            return NOT_WRITTEN;
        }
        try {
            SplitRing ring = q.ring;
            if (ring == null) {
                return WRITE_FAILED; // no guest driver yet (or stopped): as a NIC whose link is down
            }
            if (holding || !queue.isEmpty()) {
                return NOT_WRITTEN;
            }
            if (give(ring, MemorySegment.ofBuffer(frame), offset, length, segmentSize)) {
                returnToGuest(q, ring);
                return WRITTEN;
            }
            sayFault(RX, ring);
            return ring.refusal() == SplitRing.Refusal.NO_BUFFERS ? NOT_WRITTEN : WRITE_FAILED;
        } finally {
            q.lock.unlock();
        }
    }

    private void writeLoop() {
        try {
            while (!closed) {
                if (holding && !giveHeld()) {
                    awaitBuffers();
                    continue;
                }
                if (queue.awaitFrames(FrameQueue.FOREVER) < 0) {
                    return;
                }
                try {
                    writeQueuedFrames();
                } catch (RuntimeException e) {
                    internalErrors.record("frames for the guest were dropped", e);
                }
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    /** Writes queued frames into the guest's buffers until the queue is empty or the guest has none free. */
    private void writeQueuedFrames() throws InterruptedException {
        VhostUserDevice.Queue q = device.queue(RX);
        q.lock.lock();
        try {
            SplitRing ring = q.ring;
            int frames = 0;
            while (!holding && frames < PUBLISH_EVERY && queue.drain(toGuest, Integer.MAX_VALUE, 1, 0) > 0) {
                frames++;
            }
            if (ring != null && frames > 0) {
                returnToGuest(q, ring);
            }
        } finally {
            q.lock.unlock();
        }
    }

    /** The writer's {@link FrameQueue.FrameHandler}: one queued frame into the guest's buffers, or held. */
    private void writeQueued(ByteBuffer ring, int offset, int length, int segmentSize) {
        SplitRing r = device.queue(RX).ring;
        if (r != null && give(r, MemorySegment.ofBuffer(ring), offset, length, segmentSize)) {
            return;
        }
        if (r != null && r.refusal() == SplitRing.Refusal.NO_BUFFERS && length <= MAX_FRAME) {
            held.clear().put(0, ring, offset, length).limit(length);
            heldSegmentSize = segmentSize;
            holding = true;
            return;
        }
        if (r != null) {
            sayFault(RX, r);
        }
        counters().countTxDrop();
    }

    /** Writes the held frame if the guest has buffers now; true when it is no longer held. */
    private boolean giveHeld() {
        VhostUserDevice.Queue q = device.queue(RX);
        q.lock.lock();
        try {
            SplitRing ring = q.ring;
            if (ring == null) {
                holding = false; // the queue stopped: the frame is lost, as on a link that went down
                counters().countTxDrop();
                return true;
            }
            if (give(ring, heldMemory, 0, held.limit(), heldSegmentSize)) {
                holding = false;
                ring.suppressKicks(); // armed while the writer waited
                returnToGuest(q, ring);
                return true;
            }
            if (ring.refusal() != SplitRing.Refusal.NO_BUFFERS) {
                holding = false;
                counters().countTxDrop();
                sayFault(RX, ring);
                return true;
            }
            return false;
        } finally {
            q.lock.unlock();
        }
    }

    /**
     * Waits until the guest kicks its receive queue (it added buffers), at most {@value #BUFFER_WAIT_MILLIS} ms.
     * The kick is reset first, under the lock, and the ring looked at again, so a kick that came after the
     * last look is not lost.
     */
    private void awaitBuffers() {
        VhostUserDevice.Queue q = device.queue(RX);
        int fd;
        q.lock.lock();
        try {
            q.takeKicks();
            if (q.ring == null || q.ring.armKicks()) {
                return;
            }
            fd = q.kick == null ? -1 : q.kick.descriptor();
        } finally {
            q.lock.unlock();
        }
        PeerEventFd.awaitSet(fd, fd < 0 ? 5 : BUFFER_WAIT_MILLIS);
    }

    /**
     * Says once when the guest's driver kicked its transmit queue but nothing it sent ever showed in the ring: a
     * driver kicks only after making entries available, so the memory mapped here is not the memory the guest
     * writes. QEMU 7.2 sends the descriptor of a memory backend with share=off too (memory-backend-memfd's
     * default is share=on, -file's and -ram's off) and says nothing; the guest then has no network. Under the
     * transmit queue's lock.
     */
    private void sayIfUnshared(VhostUserDevice.Queue q, SplitRing ring) {
        if (!anySent && !unsharedSaid && q.kicksOfThisDescriptor >= 2 && ring.fault() == null) {
            unsharedSaid = true;
            Log.warn(id() + ": the guest's driver kicked its transmit queue but nothing it sent shows in the memory QEMU"
                    + " shared: the guest's memory is not shared with vnet4j (a memory backend with share=off), and the"
                    + " guest has no network; start QEMU with -object memory-backend-memfd,id=mem,size=SIZE,share=on"
                    + " -machine memory-backend=mem (SIZE as -m)");
        }
    }

    private void sayFault(int queueIndex, SplitRing ring) {
        String fault = ring.fault();
        if (fault != null && !fault.equals(faultsSaid[queueIndex])) {
            faultsSaid[queueIndex] = fault;
            counters().countRxError();
            Log.warn(id() + ": the guest broke its " + (queueIndex == RX ? "receive" : "transmit")
                    + " queue (" + fault + "); the queue stays stopped until the guest's driver resets the device");
        }
    }

    /** Stops both threads; the device is closed after this by the netdev. */
    @Override
    public void close() {
        closed = true;
        super.close(); // detaches, and closes the queue: the writer ends
        kicks.wake();
        join(kickThread);
        writer.interrupt();
        join(writer);
        synchronized (kicks) {
            kicks.close();
        }
    }

    private static void join(Thread t) {
        if (t.getState() == Thread.State.NEW) {
            return;
        }
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
