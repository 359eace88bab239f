package io.vnet4j.usernet.tftp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes the packets a server sends at absolute offsets of a buffer, each returning the bytes written;
 * the buffer's position, limit and byte order are not used. The caller provides the room.
 */
public final class TftpWriter {
    /** Bytes before the data of a DATA packet: opcode and block number. */
    public static final int DATA_HEADER_LENGTH = 4;
    private static final byte NUL = 0;

    private TftpWriter() {}

    /** Writes the header of a DATA packet whose data the caller places after it; {@code block} is cut to 16 bits. */
    public static int dataHeader(ByteBuffer buf, int offset, int block) {
        put16(buf, offset, TftpOpcode.DATA);
        put16(buf, offset + 2, block);
        return DATA_HEADER_LENGTH;
    }

    /** Writes an ERROR with a NUL-terminated ASCII message. */
    public static int error(ByteBuffer buf, int offset, int code, String message) {
        put16(buf, offset, TftpOpcode.ERROR);
        put16(buf, offset + 2, code);
        return 4 + putString(buf, offset + 4, message);
    }

    /** Writes an OACK listing the present options in the order blksize, tsize, timeout. */
    public static int oack(ByteBuffer buf, int offset, TftpOptions options) {
        put16(buf, offset, TftpOpcode.OACK);
        int at = offset + 2;
        at += putOption(buf, at, TftpOptions.BLKSIZE, options.blockSize());
        at += putOption(buf, at, TftpOptions.TSIZE, options.transferSize());
        at += putOption(buf, at, TftpOptions.TIMEOUT, options.timeout());
        return at - offset;
    }

    private static int putOption(ByteBuffer buf, int offset, String name, long value) {
        if (value == TftpOptions.ABSENT) {
            return 0;
        }
        int length = putString(buf, offset, name);
        return length + putString(buf, offset + length, Long.toString(value));
    }

    /** Writes the string's ASCII bytes and a NUL; returns the bytes written. */
    private static int putString(ByteBuffer buf, int offset, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.US_ASCII);
        buf.put(offset, bytes);
        buf.put(offset + bytes.length, NUL);
        return bytes.length + 1;
    }

    private static void put16(ByteBuffer buf, int offset, int value) {
        buf.put(offset, (byte) (value >>> 8));
        buf.put(offset + 1, (byte) value);
    }
}
