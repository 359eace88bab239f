package io.vnet4j.wire;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Base of the reusable flyweight views: a big-endian buffer plus an absolute offset and length,
 * read and written with absolute accessors only, so position and limit are never used or changed.
 * Protocol views outside this package (DHCP, DNS) extend it too.
 */
public abstract class WireView {
    protected ByteBuffer buf;
    protected int off;
    protected int len;

    /** Points the view at {@code length} bytes from absolute {@code offset}; the buffer must be big-endian. */
    protected final void bind(ByteBuffer buffer, int offset, int length) {
        if (buffer.order() != ByteOrder.BIG_ENDIAN) {
            throw new IllegalArgumentException("views need a big-endian buffer");
        }
        Objects.checkFromIndexSize(offset, length, buffer.limit());
        buf = buffer;
        off = offset;
        len = length;
    }

    /** The buffer this view was last wrapped around. */
    public final ByteBuffer buffer() {
        return buf;
    }

    /** Absolute offset of the first byte of the view. */
    public final int offset() {
        return off;
    }

    /** Number of bytes the view covers. */
    public final int length() {
        return len;
    }

    protected final int u8(int at) {
        return buf.get(off + at) & 0xFF;
    }

    protected final int u16(int at) {
        return buf.getShort(off + at) & 0xFFFF;
    }

    protected final int i32(int at) {
        return buf.getInt(off + at);
    }

    protected final long mac(int at) {
        return MacAddress.read(buf, off + at);
    }

    protected final void put8(int at, int value) {
        buf.put(off + at, (byte) value);
    }

    protected final void put16(int at, int value) {
        buf.putShort(off + at, (short) value);
    }

    protected final void put32(int at, int value) {
        buf.putInt(off + at, value);
    }

    protected final void putMac(int at, long mac) {
        MacAddress.write(buf, off + at, mac);
    }
}
