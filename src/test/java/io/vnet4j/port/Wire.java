package io.vnet4j.port;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Test helpers for the stream framing over raw channels, with bounded waits. */
public final class Wire {
    public static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(5);

    private Wire() {}

    /** Waits up to 5 s for {@code condition}. */
    public static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    public static byte[] frame(int seq, int length) {
        byte[] f = new byte[length];
        for (int i = 0; i < length; i++) {
            f[i] = (byte) (seq * 7 + i);
        }
        if (length >= 4) {
            ByteBuffer.wrap(f).putInt(0, seq);
        }
        return f;
    }

    /** Writes one record: a 4-byte big-endian length and the frame. */
    public static void writeRecord(SocketChannel ch, byte[] frame) throws IOException {
        writeRaw(ch, ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).flip());
    }

    public static void writeRaw(SocketChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Reads one record within 5 s. */
    public static byte[] readRecord(SocketChannel ch) throws IOException {
        ByteBuffer len = readFully(ch, 4);
        assertThat(len).as("a record header").isNotNull();
        ByteBuffer body = readFully(ch, len.getInt(0));
        assertThat(body).as("a record body").isNotNull();
        return body.array();
    }

    /**
     * Reads exactly n bytes within 5 s (a blocking channel is switched to non-blocking); null at end of
     * stream. Fails on a time-out.
     */
    public static ByteBuffer readFully(SocketChannel ch, int n) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(n);
        ch.configureBlocking(false);
        try (Selector selector = Selector.open()) {
            ch.register(selector, SelectionKey.OP_READ);
            long deadline = System.nanoTime() + TIMEOUT_NANOS;
            while (buf.hasRemaining()) {
                int r = ch.read(buf);
                if (r < 0) {
                    return null;
                }
                if (r == 0) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        throw new AssertionError("timed out reading " + n + " bytes, got " + buf.position());
                    }
                    selector.select(left);
                    selector.selectedKeys().clear();
                }
            }
        }
        ch.configureBlocking(true);
        return buf.flip();
    }

    /** Expects the peer to close the connection within 5 s (end of stream or a reset). */
    public static void expectClosed(SocketChannel ch) throws IOException {
        ByteBuffer got;
        try {
            got = readFully(ch, 1);
        } catch (IOException e) {
            return; // connection reset: closed too
        }
        if (got != null) {
            throw new AssertionError("expected the connection to close, got a byte " + got.get(0));
        }
    }
}
