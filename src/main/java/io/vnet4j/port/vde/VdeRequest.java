package io.vnet4j.port.vde;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The request a VDE plug sends on a switch's control socket ({@code DIR/ctl}), version 3, and the switch's
 * reply. Checked against vde2's {@code vde_switch/datasock.c} and vdeplug4's {@code libvdeplug_vde.c}:
 *
 * <pre>
 * struct request_v3 {             // packed, host byte order
 *     uint32_t magic;             // 0xfeedface
 *     uint32_t version;           // 3
 *     enum request_type type;     // 4 bytes: low 8 bits REQ_NEW_CONTROL (0) or REQ_NEW_PORT0 (1),
 *                                 //          the rest the port asked for (0: any)
 *     struct sockaddr_un sock;    // 110 bytes: the plug's data socket (sa_family 1, NUL-terminated path)
 *     char description[];         // up to 128 bytes, not NUL-terminated: the plug sends 122 + strlen
 * };
 * </pre>
 *
 * The switch replies with a bare {@code struct sockaddr_un} (110 bytes) naming its data socket for the
 * plug, connects its data socket to the plug's and exchanges raw Ethernet frames, one per datagram; the
 * port lives as long as the control connection.
 *
 * @param type        REQ_NEW_CONTROL or REQ_NEW_PORT0
 * @param port        the switch port asked for, 0 for any
 * @param socketPath  the plug's data socket
 * @param description what the plug calls itself ({@code QEMU}, {@code vdeplug: user=root pid=1})
 */
public record VdeRequest(int type, int port, String socketPath, String description) {
    public static final int MAGIC = 0xfeedface;
    public static final int VERSION = 3;
    public static final int REQ_NEW_CONTROL = 0;
    public static final int REQ_NEW_PORT0 = 1;
    /** sizeof(struct sockaddr_un) on Linux: sa_family_t and 108 bytes of path. */
    public static final int SOCKADDR_UN_LENGTH = 110;
    static final int PATH_MAX = 108;
    static final short AF_UNIX = 1;
    /** magic, version, type and sock: the request without its description. */
    public static final int HEADER_LENGTH = 12 + SOCKADDR_UN_LENGTH;
    public static final int MAX_DESCRIPTION = 128;
    public static final int MAX_LENGTH = HEADER_LENGTH + MAX_DESCRIPTION;
    /** The largest port number the type field can carry after its 8 bits of request type. */
    public static final int MAX_PORT = (1 << 23) - 1;

    /** A request as parsed: either the request or why it was refused, never an exception. */
    public sealed interface Parsed {}

    public record Ok(VdeRequest request) implements Parsed {}

    public record Malformed(String reason) implements Parsed {}

    /** A REQ_NEW_CONTROL request for {@code port} (0: any), as libvdeplug builds it. */
    public static VdeRequest newControl(int port, String socketPath, String description) {
        return new VdeRequest(REQ_NEW_CONTROL, port, socketPath, description);
    }

    /**
     * Writes the request at {@code dst}'s position in host byte order, as libvdeplug sends it: the
     * description's bytes (at most 128) without a NUL. Advances {@code dst}'s position and returns the
     * length written.
     */
    public int emit(ByteBuffer dst) {
        ByteBuffer b = dst.duplicate().order(ByteOrder.nativeOrder());
        int start = b.position();
        b.putInt(MAGIC).putInt(VERSION).putInt(type | (port << 8));
        emitAddress(socketPath, b);
        byte[] text = description.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, MAX_DESCRIPTION);
        b.put(text, 0, n);
        dst.position(b.position());
        return b.position() - start;
    }

    /** Writes a {@code struct sockaddr_un} for {@code path} (110 bytes, zero-padded) at {@code dst}'s position. */
    public static void emitAddress(String path, ByteBuffer dst) {
        ByteBuffer b = dst.order() == ByteOrder.nativeOrder() ? dst : dst.duplicate().order(ByteOrder.nativeOrder());
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length >= PATH_MAX) {
            throw new IllegalArgumentException("unix socket path longer than " + (PATH_MAX - 1) + " bytes: " + path);
        }
        int start = b.position();
        b.putShort(AF_UNIX).put(bytes);
        for (int i = 2 + bytes.length; i < SOCKADDR_UN_LENGTH; i++) {
            b.put((byte) 0);
        }
        if (b != dst) {
            dst.position(start + SOCKADDR_UN_LENGTH);
        }
    }

    /**
     * Reads a {@code struct sockaddr_un} at {@code offset} of {@code src} (absolute); null when it is not
     * an AF_UNIX address with a non-empty, NUL-terminated path.
     */
    public static String parseAddress(ByteBuffer src, int offset, int length) {
        if (length < SOCKADDR_UN_LENGTH || offset < 0 || offset > src.limit() - SOCKADDR_UN_LENGTH) {
            return null;
        }
        ByteBuffer b = src.duplicate().order(ByteOrder.nativeOrder());
        if (b.getShort(offset) != AF_UNIX) {
            return null;
        }
        int end = -1;
        for (int i = 0; i < PATH_MAX; i++) {
            if (b.get(offset + 2 + i) == 0) {
                end = i;
                break;
            }
        }
        if (end <= 0) {
            return null;
        }
        byte[] path = new byte[end];
        b.get(offset + 2, path);
        return new String(path, StandardCharsets.UTF_8);
    }

    /** Parses the {@code length} bytes at {@code offset} of {@code src} (absolute, any byte order). */
    public static Parsed parse(ByteBuffer src, int offset, int length) {
        if (offset < 0 || length < 0 || offset > src.limit() - length) {
            return new Malformed("bad bounds");
        }
        ByteBuffer b = src.duplicate().order(ByteOrder.nativeOrder());
        if (length < 8) {
            return new Malformed("short request (" + length + " bytes, expected at least " + HEADER_LENGTH + ")");
        }
        int magic = b.getInt(offset);
        if (magic != MAGIC) {
            return new Malformed(String.format("bad magic 0x%08x (expected 0x%08x)", magic, MAGIC));
        }
        int version = b.getInt(offset + 4);
        if (version != VERSION) {
            return new Malformed("request version " + Integer.toUnsignedString(version) + " (only version 3 is supported)");
        }
        if (length < HEADER_LENGTH) {
            return new Malformed("short request (" + length + " bytes, expected at least " + HEADER_LENGTH + ")");
        }
        int typeAndPort = b.getInt(offset + 8);
        int type = typeAndPort & 0xff;
        if (type != REQ_NEW_CONTROL && type != REQ_NEW_PORT0) {
            return new Malformed("bad request type " + type);
        }
        int port = typeAndPort >>> 8;
        if (port > MAX_PORT) {
            return new Malformed("bad port " + port);
        }
        String path = parseAddress(b, offset + 12, SOCKADDR_UN_LENGTH);
        if (path == null) {
            return new Malformed("the data socket is not a named AF_UNIX address");
        }
        int textLength = Math.min(length - HEADER_LENGTH, MAX_DESCRIPTION);
        int end = 0;
        while (end < textLength && b.get(offset + HEADER_LENGTH + end) != 0) {
            end++;
        }
        byte[] text = new byte[end];
        b.get(offset + HEADER_LENGTH, text);
        return new Ok(new VdeRequest(type, port, path, new String(text, StandardCharsets.UTF_8)));
    }
}
