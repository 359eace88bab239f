package io.vnet4j.usernet.dhcp;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Writes options after the magic cookie up to a limit, always leaving room for the end option; values
 * longer than 255 bytes are split over consecutive options of the same code (RFC 3396).
 */
final class OptionWriter {
    private ByteBuffer buf;
    private int at;
    private int limit;
    /** Bytes kept for options still to come ({@link #reserve}), which no other option may take. */
    private int reserved;
    private final boolean[] written = new boolean[DhcpOption.END + 1];

    /** Starts writing the options of a message at absolute offset 0 of the buffer, ending by {@code limit}. */
    void start(ByteBuffer buffer, int limit) {
        buf = buffer;
        this.limit = limit;
        at = DhcpMessage.OPTIONS;
        reserved = 0;
        Arrays.fill(written, false);
    }

    /** Keeps {@code bytes} (code, length and value) for an option written later, after {@link #release}. */
    void reserve(int bytes) {
        reserved += bytes;
    }

    /** Gives back what {@link #reserve} kept, just before the option it was kept for is written. */
    void release(int bytes) {
        reserved -= bytes;
    }

    /** True when an option of this code was written since {@link #start}. */
    boolean written(int code) {
        return written[code];
    }

    /** Writes an option, or nothing if it does not fit. */
    void put(int code, byte[] value) {
        int chunks = Math.max(1, (value.length + DhcpOption.MAX_VALUE_LENGTH - 1) / DhcpOption.MAX_VALUE_LENGTH);
        if (at + 2 * chunks + value.length >= limit - reserved) {
            return;
        }
        int from = 0;
        for (int i = 0; i < chunks; i++) {
            int size = Math.min(DhcpOption.MAX_VALUE_LENGTH, value.length - from);
            buf.put(at, (byte) code);
            buf.put(at + 1, (byte) size);
            buf.put(at + 2, value, from, size);
            at += 2 + size;
            from += size;
        }
        written[code] = true;
    }

    /** Writes a one-byte option. */
    void putByte(int code, int value) {
        put(code, new byte[] {(byte) value});
    }

    /** Writes a two-byte option. */
    void putShort(int code, int value) {
        put(code, new byte[] {(byte) (value >>> 8), (byte) value});
    }

    /** Writes a four-byte option. */
    void putInt(int code, int value) {
        put(code, new byte[] {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value});
    }

    /** Writes the end option, pads with zeros to {@code minLength} and returns the message length. */
    int finish(int minLength) {
        buf.put(at++, (byte) DhcpOption.END);
        while (at < minLength) {
            buf.put(at++, (byte) DhcpOption.PAD);
        }
        return at;
    }
}
