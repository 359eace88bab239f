package io.vnet4j.usernet.dns;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
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
        if (message.length > MAX_MESSAGE) {
            throw new IllegalArgumentException("a DNS message over TCP is at most " + MAX_MESSAGE + " bytes, not "
                    + message.length);
        }
        ByteBuffer framed = ByteBuffer.allocate(2 + message.length);
        framed.putShort((short) message.length).put(message).flip();
        while (framed.hasRemaining()) {
            channel.write(framed);
        }
    }
}
