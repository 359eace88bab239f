package io.vnet4j.port.dump;

import io.vnet4j.base.Log;
import io.vnet4j.fabric.FrameTap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes frames to a classic pcap file (version 2.4, microsecond time stamps, linktype Ethernet),
 * readable by tshark and Wireshark. Frames longer than the snap length are cut to it, their original
 * length kept in the record, as QEMU's dump does. Safe to call from several threads.
 *
 * <p>Theory of operation. The frame path only copies: {@link #frame} appends a record to the filling buffer
 * under this writer's lock, or, when the buffer has no room for it, drops the frame and counts it
 * ({@link #dropped}). A thread of the capture's own swaps the buffers when the filling one is half full or
 * a second has passed, and writes the full one to the file outside the lock, so a slow disk or a FIFO whose
 * reader stopped reading holds up that thread alone, never a port. (Before, the port's own thread wrote: a
 * stalled FIFO reader stopped the user network's loop, and the daemon's stop with it.) {@link #close} lets the
 * thread write what is buffered for up to {@value #CLOSE_WAIT_MILLIS} ms, then interrupts it, which closes the
 * file under a write that waits (a {@link FileChannel} is interruptible). A failed write (a full disk, a FIFO's
 * reader gone) stops the capture: said once, the file closed, {@link #failed} true.
 */
public final class PcapWriter implements FrameTap, AutoCloseable {
    static final int MAGIC = 0xa1b2c3d4;
    /** stat(2)'s file type bits and a FIFO's. */
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;
    static final int LINKTYPE_ETHERNET = 1;
    static final int GLOBAL_HEADER = 24;
    static final int RECORD_HEADER = 16;
    /** Each of the two buffers holds at least this many bytes, and two records of the snap length. */
    static final int BUFFER_BYTES = 1 << 20;
    /** The longest a buffered record waits for the file (a reader of a growing file sees it by then). */
    static final long WRITE_EVERY_MILLIS = 1000;
    /** How long {@link #close} waits for the rest to be written before it gives up on the file. */
    static final long CLOSE_WAIT_MILLIS = 2000;

    private final Path path;
    private final int snapLength;
    private final FileChannel file;
    private final long startMicros = System.currentTimeMillis() * 1000;
    private final long startNanos = System.nanoTime();
    private final Thread writer;
    /** Where {@link #frame} appends (little-endian records); swapped with {@code writing} by the writer. Guarded by this. */
    private ByteBuffer filling;
    private ByteBuffer writing;
    /** Guarded by this. */
    private boolean closed;
    private boolean writeAsked;
    /** Swaps done by the writer, for {@link #flush} to wait on one. Guarded by this. */
    private long swaps;
    private long dropped;
    /** Set when a write failed and the capture stopped on its own (not by {@link #close}). */
    private volatile boolean failed;

    /**
     * Opens (creates or truncates) {@code path} and starts the capture's thread; opening a FIFO waits for its
     * reader, as QEMU's does.
     *
     * @param snapLength the most bytes of a frame kept (1 to 1 MiB)
     * @throws IOException when the file cannot be opened
     */
    public PcapWriter(Path path, int snapLength) throws IOException {
        this(path, snapLength, 0);
    }

    /**
     * As {@link #PcapWriter(Path, int)}, but a FIFO that no process opens for reading within {@code
     * readerWaitMillis} (more than 0) is refused: a capture started at run time, whose command must answer.
     *
     * @throws IOException also for such a FIFO ("a FIFO that no process reads")
     */
    public PcapWriter(Path path, int snapLength, long readerWaitMillis) throws IOException {
        this.path = path;
        this.snapLength = snapLength;
        int size = Math.max(BUFFER_BYTES, 2 * (RECORD_HEADER + snapLength));
        this.filling = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        this.writing = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        this.file = readerWaitMillis > 0 && isFifo(path) ? openFifo(path, readerWaitMillis) : openFile(path);
        // the global header at once (a new file, or a FIFO with a reader and an empty pipe, takes 24 bytes
        // without waiting): a capture killed before its first write is a valid, empty pcap
        ByteBuffer header = ByteBuffer.allocate(GLOBAL_HEADER).order(ByteOrder.LITTLE_ENDIAN).putInt(MAGIC)
                .putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(snapLength)
                .putInt(LINKTYPE_ETHERNET).flip();
        try {
            while (header.hasRemaining()) {
                file.write(header);
            }
        } catch (IOException e) {
            file.close();
            throw new IOException(path + ": cannot write the pcap header: " + e.getMessage(), e);
        }
        this.writer = Thread.ofPlatform().daemon().name("vnet4j-capture-" + path.getFileName()).start(this::writeLoop);
    }

    private static FileChannel openFile(Path path) throws IOException {
        if (fileType(path) == S_IFSOCK) { // the kernel says only ENXIO, "No such device or address"
            throw new IOException(path + ": a unix socket, not a file or FIFO a capture can write");
        }
        return FileChannel.open(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    /**
     * Whether {@code path} is a FIFO, whose opening for writing waits for a reader.
     *
     * @param path the capture's file
     * @return true for a FIFO, false for anything else or nothing there
     */
    public static boolean isFifo(Path path) {
        return fileType(path) == S_IFIFO;
    }

    /** The {@code S_IFMT} bits of the path's mode; 0 when it is not there (created as a file) or has no mode. */
    private static int fileType(Path path) {
        try {
            return (int) Files.getAttribute(path, "unix:mode") & S_IFMT;
        } catch (IOException | UnsupportedOperationException e) {
            return 0;
        }
    }

    /**
     * Opens a FIFO for writing, which waits for a reader, on a thread of its own for at most {@code waitMillis};
     * past that, opens it for reading here, which lets the pending open complete, closes both and refuses.
     */
    private static FileChannel openFifo(Path path, long waitMillis) throws IOException {
        CompletableFuture<FileChannel> opened = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("vnet4j-capture-open").start(() -> {
            try {
                opened.complete(openFile(path));
            } catch (IOException | RuntimeException e) {
                opened.completeExceptionally(e);
            }
        });
        try {
            return opened.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            try (FileChannel unblock = FileChannel.open(path, StandardOpenOption.READ)) {
                opened.join().close();
            } catch (RuntimeException | IOException ignored) {
                // the pending open failed meanwhile: refused either way
            }
            throw new IOException(path + ": a FIFO that no process reads: start its reader first (tshark -i " + path
                    + ", wireshark -k -i " + path + ")");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(path + ": interrupted while waiting for the FIFO's reader", e);
        }
    }

    public Path path() {
        return path;
    }

    /** Copies one frame's record into the buffer; never waits for the file. */
    @Override
    public synchronized void frame(ByteBuffer frame, int offset, int length) {
        if (closed) {
            return;
        }
        int captured = Math.min(length, snapLength);
        if (filling.remaining() < RECORD_HEADER + captured) {
            dropped++; // the file takes records more slowly than they come
            return;
        }
        long micros = startMicros + (System.nanoTime() - startNanos) / 1000;
        int at = filling.position();
        if (at == 0) {
            notifyAll(); // the writer waits for a first record before it counts its second
        }
        filling.putInt(at, (int) (micros / 1_000_000)).putInt(at + 4, (int) (micros % 1_000_000))
                .putInt(at + 8, captured).putInt(at + 12, length)
                .put(at + RECORD_HEADER, frame, offset, captured)
                .position(at + RECORD_HEADER + captured);
        if (!writeAsked && filling.position() >= filling.capacity() / 2) {
            writeAsked = true;
            notifyAll();
        }
    }

    /**
     * The capture's thread: writes the filled buffer when asked, or a second after its first record, and the rest
     * at close; while no frame comes it sleeps without a time-out (an idle capture wakes nothing).
     */
    private void writeLoop() {
        try {
            boolean last = false;
            while (!last) {
                ByteBuffer full;
                synchronized (this) {
                    while (!closed && !writeAsked && filling.position() == 0) {
                        wait();
                    }
                    long deadline = System.nanoTime() + WRITE_EVERY_MILLIS * 1_000_000;
                    for (long left; !closed && !writeAsked && (left = deadline - System.nanoTime()) > 0; ) {
                        wait(Math.max(1, left / 1_000_000));
                    }
                    last = closed;
                    full = filling;
                    filling = writing.clear();
                    writing = full;
                    writeAsked = false;
                    swaps++;
                    notifyAll(); // a flush waiting for this swap
                }
                full.flip();
                while (full.hasRemaining()) {
                    file.write(full);
                }
            }
        } catch (InterruptedException | ClosedChannelException e) {
            // close gave up waiting: the file is closed under the write
        } catch (IOException e) {
            closeFile(); // before it says it stopped: a flush that sees the stop may count on the file being let go
            long lost;
            synchronized (this) {
                closed = true;
                failed = true;
                lost = dropped;
                notifyAll(); // a flush waiting for a swap that will not come
            }
            // the one line of its end: close() says nothing more of a failed capture
            Log.warn("capture to " + path + " stopped: " + e.getMessage() + (lost > 0 ? "; " + lost
                    + " frames dropped before, the file taking the records before them too slowly" : ""));
        } finally {
            closeFile();
        }
    }

    /**
     * Whether the capture stopped on its own, a write having failed (a full disk, a FIFO's reader gone): it
     * writes nothing more, so whoever lists captures should no longer count it as running.
     *
     * @return true after such a failure
     */
    public boolean failed() {
        return failed;
    }

    /** Frames not captured because the file took the records before them too slowly. */
    public synchronized long dropped() {
        return dropped;
    }

    /**
     * Has what is buffered now written (its writing begun) and waits for that, at most {@value #CLOSE_WAIT_MILLIS}
     * ms; the capture's thread does so each second anyway.
     */
    public synchronized void flush() {
        long target = swaps + 2; // the swap under way may have missed the latest records
        long deadline = System.nanoTime() + CLOSE_WAIT_MILLIS * 1_000_000;
        writeAsked = true;
        notifyAll();
        try {
            for (long left; !closed && swaps < target && (left = deadline - System.nanoTime()) > 0; ) {
                wait(Math.max(1, left / 1_000_000));
                writeAsked = true;
                notifyAll();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the capture: what is buffered is written, unless the file takes nothing for {@value #CLOSE_WAIT_MILLIS}
     * ms (a FIFO whose reader stopped reading), when it is closed with the rest unwritten (said).
     */
    @Override
    public void close() {
        long lost;
        synchronized (this) {
            if (closed && !writer.isAlive()) {
                return;
            }
            closed = true;
            notifyAll();
            lost = dropped;
        }
        try {
            writer.join(CLOSE_WAIT_MILLIS);
            if (writer.isAlive()) {
                writer.interrupt();
                writer.join(CLOSE_WAIT_MILLIS);
                Log.warn("capture to " + path + ": the file took nothing for " + CLOSE_WAIT_MILLIS + " ms; closed with "
                        + "its last records unwritten");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (lost > 0) {
            Log.warn("capture to " + path + ": " + lost + " frames dropped, the file taking the records before them too slowly");
        }
    }

    private void closeFile() {
        try {
            file.close();
        } catch (IOException e) {
            Log.warn("capture to " + path + ": " + e.getMessage());
        }
    }
}
