package io.vnet4j.usernet.dhcpv6;

import io.vnet4j.wire.OptionCursor;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;

/**
 * Allocation-free iterator over DHCPv6 options (RFC 8415 section 21.1): each a 16-bit option-code, a 16-bit
 * option-len and option-len bytes of data. An option whose length runs past the area, or 1 to 3 bytes left
 * over at its end, is malformed: {@link #next()} stops and {@link #error()} says {@link WireError#BAD_OPTION}.
 * Each option takes at least 4 bytes, so a walk takes at most length / 4 steps.
 */
public final class Dhcpv6Options extends OptionCursor {
    /** Option-code and option-len. */
    public static final int HEADER_LENGTH = 4;

    /** Points the iterator at the options in {@code length} bytes from absolute {@code offset}; returns {@code this}. */
    public Dhcpv6Options reset(ByteBuffer buffer, int offset, int length) {
        start(buffer, offset, length);
        return this;
    }

    /** A header that does not fit, or data running past the end, is malformed. */
    @Override
    protected int optionLength(ByteBuffer buffer, int at, int end) {
        if (at + HEADER_LENGTH > end) {
            return -1;
        }
        int length = HEADER_LENGTH + (buffer.getShort(at + 2) & 0xFFFF);
        return at + length > end ? -1 : length;
    }

    /** The current option-code ({@link Dhcpv6Option}). */
    public int code() {
        return buf.getShort(requireCurrent()) & 0xFFFF;
    }

    /** The current option-len: bytes of data. */
    public int dataLength() {
        return buf.getShort(requireCurrent() + 2) & 0xFFFF;
    }

    /** Absolute offset of the current option's data. */
    public int dataOffset() {
        return requireCurrent() + HEADER_LENGTH;
    }
}
