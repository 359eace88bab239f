package io.vnet4j.port.stream;

import io.vnet4j.base.LineBudget;
import io.vnet4j.base.Log;
import io.vnet4j.base.Shutdown;
import io.vnet4j.fabric.FrameQueue;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.QueuedPort;
import io.vnet4j.fabric.ReadingLoop;
import io.vnet4j.os.DontWaitSocket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A port over one stream connection (TCP or unix) in QEMU's framing. {@link #serve} carries frames until the
 * connection ends: queued frames leave from a writer thread, batching as many frames as fit into one write;
 * a client port serves one connection after another.
 *
 * <p>Theory of operation, reading. When the hub has a loop that reads descriptors (a user network, see
 * {@link ReadingLoop}), the port lends it its reads: the loop's epoll watches the connection beside its host
 * sockets, and on its thread the port receives without waiting ({@link DontWaitSocket#receive}) and hands the
 * frames to the hub, so a VM's request is handled where it was read, and the host's answer and the frame back
 * run on that one thread too, as with passt's or QEMU's own loop. {@link #serve}'s thread then only waits
 * for the end: the loop reading the end of the stream or a bad length, the netdev hanging up
 * ({@link #hangUp}), or the loop stopping, which hands the reads back. Otherwise that thread reads: a
 * platform thread blocking in the socket's read (a virtual thread parks on the JDK's poller instead, and each
 * frame then crossed two more threads (the poller's, then a carrier of the scheduler) — with that and every
 * reply handed to the writer, a QEMU guest's ping to the user network's gateway took 2.1 ms at 100/s against
 * 1.2 ms through QEMU's own {@code -netdev user}, bench/qemu-latency.sh). Each pass of the loops is a method
 * of its own, which the JIT compiles as any other (a loop entered once is compiled only by on-stack
 * replacement, see TapNetdev).</p>
 *
 * <p>A frame of up to {@value #WRITE_THROUGH_MAX} bytes that finds the queue empty and the writer idle is
 * sent at once on the hub's thread ({@link #writeThrough}): a ping's reply or an ACK then crosses no thread.
 * That send never blocks ({@link DontWaitSocket}, MSG_DONTWAIT on a duplicate of the socket's descriptor): a
 * full socket leaves the frame to the queue, a part sent leaves the rest ({@code carry}) to the writer,
 * which sends it before anything queued after it. The write lock keeps the two from interleaving. Without
 * the descriptor (the JDK's sun.nio.ch not exported to us) every frame goes through the writer, and the
 * port reads by itself. The writer, left with bulk and backlog, stays a virtual thread: a platform one, and
 * buffers for whole 64 KiB frames, took an idle VM port from about 540 to 900-1,250 KiB of resident set
 * (bench/startup-footprint.py).</p>
 */
public final class StreamPort extends QueuedPort {
    private static final int IO_BUFFER = 256 * 1024;
    /** The largest frame written through on a hub's thread: any Ethernet frame up to a 9 KB jumbo frame's. */
    static final int WRITE_THROUGH_MAX = 16 * 1024;

    /** The most reads a loop that reads for this port makes per call (up to 1 MiB), before its other sockets. */
    private static final int LENT_READS = 4;

    private final Hub hub;
    /**
     * What the connection's frames are read into: the {@link DontWaitSocket}'s receive buffer while there is
     * one, else a buffer of the port's own (made when first needed). Used by one thread at a time: the
     * loop's while the reads are lent, {@link #serve}'s thread otherwise.
     */
    private ByteBuffer in;
    private ByteBuffer ownIn;
    /** The loop that reads for this port while a connection is served, or null. */
    private volatile ReadingLoop borrower;
    private final ReadingLoop.Reader lentReads = new LentReads();
    /** Guards {@link #lent} and {@link #hungUp}: {@link #serve}'s thread waits on it while the reads are lent. */
    private final Object lending = new Object();
    /** The reads are with the loop; set false when the loop saw the end or handed them back. */
    private boolean lent;
    /** The connection ended while the loop read it (the end of the stream, an error, a bad length). */
    private boolean endedWhileLent;
    /** The netdev closes this port for good ({@link #hangUp}). */
    private boolean hungUp;
    /** The channel {@link #serve} carries, for {@link #hangUp}; under {@link #lending}. */
    private SocketChannel serving;
    /** The writer's batch; made when the writer first has frames (an idle port's frames all go through). */
    private ByteBuffer out;
    private final FrameQueue.FrameHandler framer = (ring, offset, length, segmentSize) -> {
        out.putInt(length);
        out.put(out.position(), ring, offset, length).position(out.position() + length);
    };
    /** Held while a frame is written, by the writer or by a hub thread writing through. */
    private final ReentrantLock writeLock = new ReentrantLock();
    /**
     * The rest of a frame sent in part on a hub's thread, for the writer to send first; made at the first such
     * send (a socket full to the brim), empty most of the time.
     */
    private ByteBuffer carry = ByteBuffer.allocate(0);
    /** Sends without blocking while a connection is served; null when none is, or without the descriptor. */
    private volatile DontWaitSocket direct;
    private volatile String peer;
    private final String settings;
    /** The budget of the lines its peers cause (a connection's end, a bad length), shared with its netdev's. */
    private final LineBudget peerLines;

    /** A port for {@code hub}: its frames go there (the netdev attaches it), and a loop on it may read for it. */
    public StreamPort(String id, String type, String settings, Hub hub) {
        this(id, type, settings, hub, new LineBudget(10, Duration.ofSeconds(1)));
    }

    /** The same, its peers' lines counted against {@code peerLines}: a listener's, whose peers come and go at will. */
    public StreamPort(String id, String type, String settings, Hub hub, LineBudget peerLines) {
        super(id, type, DEFAULT_QUEUE_BYTES);
        this.settings = settings;
        this.hub = hub;
        this.peerLines = peerLines;
        setCarrier(false);
    }

    @Override
    public String describe() {
        String p = peer;
        return settings + (p == null ? " (not connected)" : ",peer=" + p);
    }

    /**
     * Carries frames over {@code channel} until it ends or {@link #hangUp}; then closes it and takes the link
     * down. {@code whenUp} runs once the link is up, so a port that becomes visible then can carry frames at
     * once (the server attaches its port to the hub there; a client's is attached already).
     */
    public void serve(SocketChannel channel, String peerName, Runnable whenUp) {
        synchronized (lending) {
            if (hungUp) {
                closeQuietly(channel);
                return;
            }
            serving = channel;
        }
        peer = peerName;
        carry.clear().limit(0);
        Thread writer = null;
        try {
            direct = DontWaitSocket.of(channel, StreamFraming.LENGTH_FIELD + WRITE_THROUGH_MAX, IO_BUFFER);
            in = direct != null ? direct.receiveBuffer() : ownIn();
            in.clear();
            writer = Thread.ofVirtual().name("vnet4j-" + id() + "-tx").start(() -> writeLoop(channel));
            setCarrier(true);
            whenUp.run();
            if (!readByALoop()) {
                readLoop(channel);
            }
        } catch (ClosedChannelException e) {
            // closed on purpose: shutdown, or the writer saw the peer go
        } catch (IOException e) {
            peerLines.info(id() + ": connection with " + peerName + " ended: " + e.getMessage());
        } catch (InterruptedException e) {
            // the netdev is closing (a client's worker is interrupted)
        } finally {
            setCarrier(false);
            peer = null;
            synchronized (lending) {
                serving = null;
            }
            takeReadsBack();
            if (writer != null) {
                writer.interrupt();
            }
            closeQuietly(channel);
            if (writer != null) {
                try {
                    writer.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            closeDirect();
            // what the ended connection's peer was to get does not go to the next connection's (a client's)
            counters().countTxDrops(dropQueued());
        }
    }

    private ByteBuffer ownIn() {
        if (ownIn == null) {
            ownIn = ByteBuffer.allocateDirect(IO_BUFFER);
        }
        return ownIn;
    }

    /**
     * Lends the reads to a loop on the hub, if one takes them, and waits while it reads.
     *
     * @return true when the connection ended meanwhile (or the port hung up); false when this thread must read
     *     (no loop took the reads, or the loop stopped and handed them back)
     */
    private boolean readByALoop() throws InterruptedException {
        DontWaitSocket d = direct;
        if (d == null) {
            return false;
        }
        synchronized (lending) {
            if (hungUp) {
                return true;
            }
            lent = true;
            endedWhileLent = false;
        }
        borrower = ReadingLoop.lend(hub, d.descriptor(), lentReads);
        synchronized (lending) {
            if (borrower == null) {
                lent = false;
                return false;
            }
            while (lent && !hungUp) {
                lending.wait();
            }
            return endedWhileLent || hungUp;
        }
    }

    /** The loop, if one reads for this port, stops before the duplicate descriptor it watches closes. */
    private void takeReadsBack() {
        ReadingLoop b = borrower;
        if (b != null) {
            b.release(lentReads);
            borrower = null;
        }
    }

    /**
     * Ends the connection being served, and any to come: its channel closes and {@link #serve} returns (at
     * once, for a later one). For the netdev's close: a thread waiting while a loop reads for the port would
     * not notice its channel closing.
     */
    public void hangUp() {
        SocketChannel c;
        synchronized (lending) {
            hungUp = true;
            c = serving;
            lending.notifyAll();
        }
        closeQuietly(c);
    }

    /** What a loop that reads this port's connection calls, on its thread. */
    private final class LentReads implements ReadingLoop.Reader {
        @Override
        public boolean readWaiting() {
            try {
                for (int i = 0; i < LENT_READS; i++) {
                    int n = direct.receive();
                    if (n == 0) {
                        return true;
                    }
                    if (n < 0 || !deliverRead()) {
                        return ended(null);
                    }
                }
                return true;
            } catch (IOException e) {
                return ended(e.getMessage());
            }
        }

        /** The connection ended: {@link #serve}'s thread finishes; false, for the loop to stop reading it. */
        private boolean ended(String why) {
            if (why != null) {
                peerLines.info(id() + ": connection with " + peer + " ended: " + why);
            }
            synchronized (lending) {
                endedWhileLent = true;
                lent = false;
                lending.notifyAll();
            }
            return false;
        }

        @Override
        public void readsReturned() {
            borrower = null;
            synchronized (lending) {
                lent = false;
                lending.notifyAll();
            }
        }
    }

    /** True while a loop reads the connection for this port; for tests. */
    boolean readsLent() {
        return borrower != null;
    }

    /** True while frames can be sent on the hub's thread (the connection's descriptor was had); for tests. */
    boolean sendsThrough() {
        return direct != null;
    }

    /** Ends sending through: no hub thread sends once this returns, so the duplicate can close. */
    private void closeDirect() {
        DontWaitSocket d;
        writeLock.lock();
        try {
            d = direct;
            direct = null;
        } finally {
            writeLock.unlock();
        }
        if (d != null) {
            d.close();
        }
    }

    @Override
    protected int writeThrough(ByteBuffer frame, int offset, int length, int segmentSize) {
        DontWaitSocket d = direct;
        if (d == null || !writeLock.tryLock()) {
            return NOT_WRITTEN;
        }
        try {
            if (d != direct || carry.hasRemaining() || length > WRITE_THROUGH_MAX || !queue.isEmpty()) {
                return NOT_WRITTEN;
            }
            ByteBuffer b = d.buffer();
            b.putInt(0, length);
            b.put(StreamFraming.LENGTH_FIELD, frame, offset, length);
            int total = StreamFraming.LENGTH_FIELD + length;
            int sent = d.send(total);
            if (sent <= 0) {
                return NOT_WRITTEN; // the socket is full, or the peer went: the writer takes it, or finds out
            }
            if (sent < total) {
                if (carry.capacity() == 0) {
                    carry = ByteBuffer.allocateDirect(StreamFraming.LENGTH_FIELD + WRITE_THROUGH_MAX);
                }
                carry.clear();
                carry.put(0, b, sent, total - sent).limit(total - sent);
                queue.wakeConsumer();
            }
            return WRITTEN;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Reads until the end of the stream. The test for it is here, in a loop entered once (interpreted), not in
     * the compiled {@link #deliverRead}: C2 compiles a branch never taken as a trap, so the first VM to leave
     * would throw away the reader's compiled code that every other VM on the daemon runs ({@code unstable_if},
     * as {@code bench/warmup-traps.sh} shows for the user network's loop), and they would read in the
     * interpreter and C1's code until it is compiled again.
     */
    private void readLoop(SocketChannel channel) throws IOException {
        while (channel.read(in) >= 0 && deliverRead()) {
            // each pass is deliverRead's
        }
    }

    /**
     * The whole frames the last read completed, to the hub; false on a length outside
     * 1..{@value StreamFraming#MAX_FRAME} (counted, said, and the connection closed).
     */
    private boolean deliverRead() {
        int end = in.position();
        int pos = 0;
        while (end - pos >= StreamFraming.LENGTH_FIELD) {
            int length = in.getInt(pos);
            if (!StreamFraming.validLength(length)) {
                counters().countRxError();
                peerLines.warn(id() + ": frame length " + Integer.toUnsignedString(length)
                        + " from " + peer + " is outside 1.." + StreamFraming.MAX_FRAME + "; connection closed");
                return false;
            }
            if (end - pos - StreamFraming.LENGTH_FIELD < length) {
                break;
            }
            deliver(in, pos + StreamFraming.LENGTH_FIELD, length);
            pos += StreamFraming.LENGTH_FIELD + length;
        }
        in.limit(end).position(pos);
        in.compact();
        return true;
    }

    private void writeLoop(SocketChannel channel) {
        try {
            while (writeOnce(channel)) {
                // each pass is writeOnce's
            }
        } catch (InterruptedException | ClosedByInterruptException e) {
            // the connection is ending
        } catch (IOException e) {
            closeQuietly(channel);
        }
    }

    /**
     * Waits for queued frames (or a carried remainder), then writes the remainder and as many frames as fit
     * into one buffer; false once the port closed.
     */
    private boolean writeOnce(SocketChannel channel) throws IOException, InterruptedException {
        if (queue.awaitFrames(FrameQueue.FOREVER) < 0) {
            return false;
        }
        writeLock.lock();
        try {
            while (carry.hasRemaining()) {
                channel.write(carry);
            }
            if (out == null) {
                out = ByteBuffer.allocateDirect(IO_BUFFER);
            }
            out.clear();
            int frames = queue.drain(framer, out.capacity(), Integer.MAX_VALUE, 0);
            out.flip();
            while (out.hasRemaining()) {
                channel.write(out);
            }
            return frames >= 0;
        } finally {
            writeLock.unlock();
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        Shutdown.closeQuietly(channel);
    }
}
