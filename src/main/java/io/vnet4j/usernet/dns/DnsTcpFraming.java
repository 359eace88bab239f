package io.vnet4j.usernet.dns;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * DNS messages over TCP: each preceded by its length, two bytes in network byte order (RFC 1035 section
 * 4.2.2, RFC 7766 section 8), so a message is at most {@value #MAX_MESSAGE} bytes.
 */
public final class DnsTcpFraming {
    /** The longest message the two bytes of length can say, in bytes. */
    public static final int MAX_MESSAGE = 0xffff;

    private DnsTcpFraming() {
    }

    /**
     * The next message of {@code in} (blocking): its length, then that many bytes, without the length.
     *
     * @return null when the stream ends between messages
     * @throws EOFException when it ends inside one (its length or its bytes)
     */
    public static byte[] read(InputStream in) throws IOException {
        int high = in.read();
        if (high < 0) {
            return null;
        }
        int low = in.read();
        if (low < 0) {
            throw new EOFException("the stream ended inside a DNS message's length");
        }
        int length = high << 8 | low;
        byte[] message = in.readNBytes(length);
        if (message.length < length) {
            throw new EOFException("the stream ended " + message.length + " bytes into a DNS message of " + length);
        }
        return message;
    }

    /**
     * Writes {@code message} with its length before it, in one write where the channel takes it (a blocking
     * channel: a message and its length in one segment, RFC 7766 section 8).
     *
     * @throws IllegalArgumentException when it is longer than {@value #MAX_MESSAGE} bytes
     */
    public static void write(WritableByteChannel channel, byte[] message) throws IOException {
        ByteBuffer framed = framed(message);
        while (framed.hasRemaining()) {
            channel.write(framed);
        }
    }

    /**
     * {@code message} with its length before it, ready to write.
     *
     * @throws IllegalArgumentException when it is longer than {@value #MAX_MESSAGE} bytes
     */
    public static ByteBuffer framed(byte[] message) {
        if (message.length > MAX_MESSAGE) {
            throw new IllegalArgumentException("a DNS message over TCP is at most " + MAX_MESSAGE + " bytes, not "
                    + message.length);
        }
        return ByteBuffer.allocate(2 + message.length).putShort((short) message.length).put(message).flip();
    }

    /**
     * Reads messages from a non-blocking channel as their bytes come, one at a time: it reads no byte beyond the
     * message it is reading, so a peer that sends faster than its answers are taken is held back by TCP itself.
     * Holds at most one message (at most {@value #MAX_MESSAGE} bytes, allocated when its length has come).
     */
    public static final class Reader {
        private final ByteBuffer length = ByteBuffer.allocate(2);
        /** The message being read; null while its length is. */
        private ByteBuffer message;
        private boolean ended;

        /**
         * The next whole message (without its length) when its last byte has come; null when more must come first,
         * or when the stream ended between messages ({@link #ended}).
         *
         * @throws EOFException when the stream ended inside a message (its length or its bytes)
         */
        public byte[] next(ReadableByteChannel channel) throws IOException {
            if (message == null) {
                if (channel.read(length) < 0) {
                    if (length.position() == 0) {
                        ended = true;
                        return null;
                    }
                    throw new EOFException("the stream ended inside a DNS message's length");
                }
                if (length.hasRemaining()) {
                    return null;
                }
                message = ByteBuffer.allocate((length.get(0) & 0xff) << 8 | length.get(1) & 0xff);
                length.clear();
            }
            if (message.hasRemaining() && channel.read(message) < 0) {
                throw new EOFException("the stream ended " + message.position() + " bytes into a DNS message of "
                        + message.capacity());
            }
            if (message.hasRemaining()) {
                return null;
            }
            byte[] whole = message.array();
            message = null;
            return whole;
        }

        /** Whether the stream ended between two messages. */
        public boolean ended() {
            return ended;
        }
    }
}
