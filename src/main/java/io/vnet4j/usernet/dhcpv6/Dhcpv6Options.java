package io.vnet4j.usernet.dhcpv6;

import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Allocation-free iterator over DHCPv6 options (RFC 8415 section 21.1): each a 16-bit option-code, a 16-bit
 * option-len and option-len bytes of data. An option whose length runs past the area, or 1 to 3 bytes left
 * over at its end, is malformed: {@link #next()} stops and {@link #error()} says {@link WireError#BAD_OPTION}.
 * Each option takes at least 4 bytes, so a walk takes at most length / 4 steps.
 */
public final class Dhcpv6Options {
    /** Option-code and option-len. */
    public static final int HEADER_LENGTH = 4;
    private ByteBuffer buf;
    private int next;
    private int end;
    private int current = -1;
    private WireError error = WireError.NONE;

    /** Points the iterator at the options in {@code length} bytes from absolute {@code offset}; returns {@code this}. */
    public Dhcpv6Options reset(ByteBuffer buffer, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buffer.limit());
        buf = buffer;
        next = offset;
        end = offset + length;
        current = -1;
        error = WireError.NONE;
        return this;
    }

    /** Steps to the next option: true when there is one, false at the end or at a malformed option. */
    public boolean next() {
        current = -1;
        if (error != WireError.NONE || next >= end) {
            return false;
        }
        int length = optionLength(buf, next, end);
        if (length < 0) {
            error = WireError.BAD_OPTION;
            return false;
        }
        current = next;
        next += length;
        return true;
    }

    /** {@link WireError#NONE}, or {@link WireError#BAD_OPTION} once {@link #next()} met a malformed option. */
    public WireError error() {
        return error;
    }

    /** Checks the options in {@code length} bytes from absolute {@code offset} tile the area exactly. */
    public static WireError check(ByteBuffer buffer, int offset, int length) {
        int end = offset + length;
        for (int at = offset; at < end; ) {
            int optionLength = optionLength(buffer, at, end);
            if (optionLength < 0) {
                return WireError.BAD_OPTION;
            }
            at += optionLength;
        }
        return WireError.NONE;
    }

    /** Bytes of the option at {@code at}, header included, or -1 when it does not fit before {@code end}. */
    private static int optionLength(ByteBuffer buffer, int at, int end) {
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

    /** Absolute offset of the current option's code. */
    public int offset() {
        return requireCurrent();
    }

    private int requireCurrent() {
        if (current < 0) {
            throw new IllegalStateException("no current option");
        }
        return current;
    }
}
