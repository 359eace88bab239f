package io.vnet4j.port.dump;

import io.vnet4j.fabric.FrameTap;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes frames to a classic pcap file (version 2.4, microsecond time stamps, linktype Ethernet),
 * readable by tshark and Wireshark. Frames longer than the snap length are cut to it, their original
 * length kept in the record, as QEMU's dump does. Safe to call from several threads.
 */
public final class PcapWriter implements FrameTap, AutoCloseable {
    static final int MAGIC = 0xa1b2c3d4;
    static final int LINKTYPE_ETHERNET = 1;
    static final int GLOBAL_HEADER = 24;
    static final int RECORD_HEADER = 16;

    private final Path path;
    private final int snapLength;
    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER).order(ByteOrder.LITTLE_ENDIAN);
    private final byte[] copy;
    private final long startMicros = System.currentTimeMillis() * 1000;
    private final long startNanos = System.nanoTime();
    private boolean closed;
    /** Set when a write or flush failed and the capture stopped on its own (not by {@link #close}). */
    private volatile boolean failed;

    public PcapWriter(Path path, int snapLength) throws IOException {
        this.path = path;
        this.snapLength = snapLength;
        this.copy = new byte[snapLength];
        this.out = new BufferedOutputStream(Files.newOutputStream(path), 1 << 16);
        ByteBuffer global = ByteBuffer.allocate(GLOBAL_HEADER).order(ByteOrder.LITTLE_ENDIAN);
        global.putInt(MAGIC).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0)
                .putInt(snapLength).putInt(LINKTYPE_ETHERNET);
        out.write(global.array()); // into the buffer: the file is first written at a flush
    }

    public Path path() {
        return path;
    }

    @Override
    public synchronized void frame(ByteBuffer frame, int offset, int length) {
        if (closed) {
            return;
        }
        long micros = startMicros + (System.nanoTime() - startNanos) / 1000;
        int captured = Math.min(length, snapLength);
        header.putInt(0, (int) (micros / 1_000_000)).putInt(4, (int) (micros % 1_000_000))
                .putInt(8, captured).putInt(12, length);
        frame.get(offset, copy, 0, captured);
        try {
            out.write(header.array());
            out.write(copy, 0, captured);
        } catch (IOException e) {
            stop(e);
        }
    }

    /**
     * After a failed write or flush (a full disk): the capture stops, said once, and the file is closed, its
     * buffered rest lost as it cannot be written either.
     */
    private void stop(IOException failure) {
        closed = true;
        failed = true;
        try {
            out.close();
        } catch (IOException e) {
            // the failure says why; the descriptor is closed all the same
        }
        io.vnet4j.base.Log.warn("capture to " + path + " stopped: " + failure.getMessage());
    }

    /**
     * Whether the capture stopped on its own, a write or flush having failed (a full disk, a FIFO's reader gone):
     * it writes nothing more, so whoever lists captures should no longer count it as running.
     *
     * @return true after such a failure
     */
    public boolean failed() {
        return failed;
    }

    /** Pushes buffered records to the file, so a reader sees them while capture goes on. */
    public synchronized void flush() {
        if (!closed) {
            try {
                out.flush();
            } catch (IOException e) {
                stop(e);
            }
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            io.vnet4j.base.Log.warn("capture to " + path + ": " + e.getMessage());
        }
    }
}
