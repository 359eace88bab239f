package io.vnet4j.usernet.dns;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A non-blocking channel over a byte stream, for the readers' tests and harnesses: each read gives at most
 * {@code chunk} bytes, and with {@code dry} every other read gives nothing (0), as a socket with nothing more yet
 * does; -1 after the last byte.
 */
public final class ChunkedChannel implements ReadableByteChannel {
    private final ByteBuffer bytes;
    private final int chunk;
    private final boolean dry;
    private boolean dryNow;

    public ChunkedChannel(byte[] bytes, int chunk, boolean dry) {
        this.bytes = ByteBuffer.wrap(bytes);
        this.chunk = chunk;
        this.dry = dry;
    }

    /** The bytes not read yet. */
    public int remaining() {
        return bytes.remaining();
    }

    @Override
    public int read(ByteBuffer dst) {
        if (!bytes.hasRemaining()) {
            return -1;
        }
        if (dry && (dryNow = !dryNow)) {
            return 0;
        }
        int n = Math.min(Math.min(chunk, dst.remaining()), bytes.remaining());
        dst.put(bytes.array(), bytes.position(), n);
        bytes.position(bytes.position() + n);
        return n;
    }

    @Override
    public boolean isOpen() {
        return true;
    }

    @Override
    public void close() {
    }
}
