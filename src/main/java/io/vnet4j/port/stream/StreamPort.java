package io.vnet4j.port.stream;

import io.vnet4j.Log;
import io.vnet4j.Shutdown;
import io.vnet4j.fabric.FrameQueue;
import io.vnet4j.fabric.QueuedPort;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;

/**
 * A port over one stream connection (TCP or unix) in QEMU's framing. {@link #serve} reads frames in the
 * calling thread and writes queued frames from a second virtual thread, batching as many frames as fit
 * into one write; it returns when the connection ends. A client port serves one connection after another.
 */
public final class StreamPort extends QueuedPort {
    private static final int IO_BUFFER = 256 * 1024;

    private final ByteBuffer in = ByteBuffer.allocateDirect(IO_BUFFER);
    private final ByteBuffer out = ByteBuffer.allocateDirect(IO_BUFFER);
    private final FrameQueue.FrameHandler framer = (ring, offset, length, segmentSize) -> {
        out.putInt(length);
        out.put(out.position(), ring, offset, length).position(out.position() + length);
    };
    private volatile String peer;
    private final String settings;

    public StreamPort(String id, String type, String settings) {
        super(id, type, DEFAULT_QUEUE_BYTES);
        this.settings = settings;
        setLinkUp(false);
    }

    @Override
    public String describe() {
        String p = peer;
        return settings + (p == null ? " (not connected)" : ",peer=" + p);
    }

    /**
     * Carries frames over {@code channel} until it ends; then closes it and takes the link down.
     * {@code whenUp} runs once the link is up, so a port that becomes visible then can carry frames at once.
     */
    public void serve(SocketChannel channel, String peerName, Runnable whenUp) {
        peer = peerName;
        in.clear();
        Thread writer = Thread.ofVirtual().name("vnet4j-" + id() + "-tx").start(() -> writeLoop(channel));
        setLinkUp(true);
        whenUp.run();
        try {
            readLoop(channel);
        } catch (ClosedChannelException e) {
            // closed on purpose: shutdown, or the writer saw the peer go
        } catch (IOException e) {
            Log.info(id() + ": connection with " + peerName + " ended: " + e.getMessage());
        } finally {
            setLinkUp(false);
            peer = null;
            writer.interrupt();
            closeQuietly(channel);
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void readLoop(SocketChannel channel) throws IOException {
        while (channel.read(in) >= 0) {
            int end = in.position();
            int pos = 0;
            while (end - pos >= StreamFraming.LENGTH_FIELD) {
                int length = in.getInt(pos);
                if (!StreamFraming.validLength(length)) {
                    counters().countRxError();
                    Log.warn(id() + ": frame length " + Integer.toUnsignedString(length)
                            + " from " + peer + " is outside 1.." + StreamFraming.MAX_FRAME + "; connection closed");
                    return;
                }
                if (end - pos - StreamFraming.LENGTH_FIELD < length) {
                    break;
                }
                deliver(in, pos + StreamFraming.LENGTH_FIELD, length);
                pos += StreamFraming.LENGTH_FIELD + length;
            }
            in.limit(end).position(pos);
            in.compact();
        }
    }

    private void writeLoop(SocketChannel channel) {
        try {
            while (true) {
                out.clear();
                if (queue.drain(framer, out.capacity()) < 0) {
                    return;
                }
                out.flip();
                while (out.hasRemaining()) {
                    channel.write(out);
                }
            }
        } catch (InterruptedException | ClosedByInterruptException e) {
            // the connection is ending
        } catch (IOException e) {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(SocketChannel channel) {
        Shutdown.closeQuietly(channel);
    }
}
