package io.vnet4j.wire;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The walk that allocation-free option iterators share when their options tile an area one after the
 * other, each with its length in a header (NDP's type-length-value in 8-octet units, DHCPv6's 16-bit
 * code and length): {@link #next()} steps from option to option and stops at the end of the area or at
 * the first option the subclass's {@link #optionLength} calls malformed, after which {@link #error()} is
 * {@link WireError#BAD_OPTION}. Every option takes at least one byte, so a walk always ends.
 */
public abstract class OptionCursor {
    protected ByteBuffer buf;
    private int next;
    private int end;
    private int current = -1;
    private int currentLength;
    private WireError error = WireError.NONE;

    /** Points the cursor at the options in {@code length} bytes from absolute {@code offset}. */
    protected final void start(ByteBuffer buffer, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buffer.limit());
        buf = buffer;
        next = offset;
        end = offset + length;
        current = -1;
        currentLength = 0;
        error = WireError.NONE;
    }

    /**
     * Bytes of the option at absolute {@code at}, its header included (at least 1), or -1 when it is
     * malformed or does not end by {@code end}.
     */
    protected abstract int optionLength(ByteBuffer buffer, int at, int end);

    /**
     * Steps to the next option: true when there is one, false at the end of the area or at a malformed
     * option ({@link #error()} tells which).
     */
    public final boolean next() {
        current = -1;
        if (error != WireError.NONE || next >= end) {
            return false;
        }
        int length = optionLength(buf, next, end);
        if (length <= 0) {
            error = WireError.BAD_OPTION;
            return false;
        }
        current = next;
        currentLength = length;
        next += length;
        return true;
    }

    /** {@link WireError#NONE}, or {@link WireError#BAD_OPTION} once {@link #next()} met a malformed option. */
    public final WireError error() {
        return error;
    }

    /** Walks to the end: {@link WireError#NONE} when the options from here on tile the area exactly. */
    public final WireError walkAll() {
        while (next()) {
            // only the end, or the first malformed option, matters
        }
        return error;
    }

    /** Absolute offset of the current option's first byte. */
    public final int offset() {
        return requireCurrent();
    }

    /** Bytes of the current option, header included. */
    protected final int currentLength() {
        requireCurrent();
        return currentLength;
    }

    /** The current option's offset; {@link IllegalStateException} before the first or after the last. */
    protected final int requireCurrent() {
        if (current < 0) {
            throw new IllegalStateException("no current option");
        }
        return current;
    }
}
