package io.vnet4j.port.stream;

/**
 * QEMU's stream framing (netdev socket listen/connect and netdev stream): each frame is a 4-byte
 * big-endian length followed by the frame, no handshake. A length of 0 or above {@link #MAX_FRAME}
 * (QEMU's NET_BUFSIZE) is a broken stream: the connection is closed.
 */
public final class StreamFraming {
    public static final int LENGTH_FIELD = 4;
    public static final int MAX_FRAME = 4096 + 65536;

    private StreamFraming() {}

    public static boolean validLength(int length) {
        return length > 0 && length <= MAX_FRAME;
    }
}
