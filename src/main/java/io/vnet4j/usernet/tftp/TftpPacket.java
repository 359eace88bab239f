package io.vnet4j.usernet.tftp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Reusable flyweight view of a TFTP packet (the UDP payload) read with absolute accessors, so the buffer's
 * position, limit and byte order are never used. {@link #check()} validates untrusted bytes without throwing;
 * the accessors of a kind of packet may be used once it reports {@link TftpFault#NONE}.
 */
public final class TftpPacket {
    /** Longest file name accepted, as in libslirp. */
    public static final int MAX_NAME_LENGTH = 512;
    /** Most options a request may carry; RFC 2347 sets no limit, the known ones are three. */
    public static final int MAX_OPTIONS = 16;
    /** Digits a numeric option value may have, so that it fits a long. */
    private static final int MAX_DIGITS = 18;
    private static final int OPCODE_LENGTH = 2;
    /** Opcode plus block number or error code. */
    private static final int FIXED_LENGTH = 4;
    private static final byte NUL = 0;

    private ByteBuffer buf;
    private int off;
    private int len;

    /** Points this view at {@code length} bytes from absolute {@code offset}; returns {@code this}. */
    public TftpPacket wrap(ByteBuffer buffer, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buffer.limit());
        buf = buffer;
        off = offset;
        len = length;
        return this;
    }

    /** Validates the packet's structure for its opcode: every string terminated, request names and options sane. */
    public TftpFault check() {
        if (len < OPCODE_LENGTH) {
            return TftpFault.TRUNCATED;
        }
        return switch (opcode()) {
            case TftpOpcode.RRQ, TftpOpcode.WRQ -> checkRequest();
            case TftpOpcode.DATA, TftpOpcode.ACK -> len < FIXED_LENGTH ? TftpFault.TRUNCATED : TftpFault.NONE;
            case TftpOpcode.ERROR -> len < FIXED_LENGTH ? TftpFault.TRUNCATED
                    : nul(off + FIXED_LENGTH) < 0 ? TftpFault.UNTERMINATED : TftpFault.NONE;
            default -> TftpFault.UNKNOWN_OPCODE;
        };
    }

    /** The opcode, or -1 when the packet is shorter than one. */
    public int opcode() {
        return len < OPCODE_LENGTH ? -1 : u16(off);
    }

    /** Block number of a DATA or ACK. */
    public int block() {
        return u16(off + OPCODE_LENGTH);
    }

    /** Error code of an ERROR. */
    public int errorCode() {
        return u16(off + OPCODE_LENGTH);
    }

    /** Message of an ERROR, decoded as UTF-8. */
    public String errorMessage() {
        int from = off + FIXED_LENGTH;
        return string(from, nul(from));
    }

    /** Value form of an RRQ or WRQ; unknown options are skipped, a repeated one counts last. */
    public ReadRequest request() {
        int nameEnd = nul(off + OPCODE_LENGTH);
        int modeEnd = nul(nameEnd + 1);
        long blockSize = TftpOptions.ABSENT;
        long transferSize = TftpOptions.ABSENT;
        long timeout = TftpOptions.ABSENT;
        for (int at = modeEnd + 1, end = off + len; at < end; ) {
            int keyEnd = nul(at);
            int valueEnd = nul(keyEnd + 1);
            long value = number(keyEnd + 1, valueEnd);
            if (is(at, keyEnd, TftpOptions.BLKSIZE)) {
                blockSize = value;
            } else if (is(at, keyEnd, TftpOptions.TSIZE)) {
                transferSize = value;
            } else if (is(at, keyEnd, TftpOptions.TIMEOUT)) {
                timeout = value;
            }
            at = valueEnd + 1;
        }
        return new ReadRequest(string(off + OPCODE_LENGTH, nameEnd), string(nameEnd + 1, modeEnd),
                new TftpOptions(blockSize, transferSize, timeout));
    }

    private TftpFault checkRequest() {
        int nameStart = off + OPCODE_LENGTH;
        int nameEnd = nul(nameStart);
        if (nameEnd < 0) {
            return TftpFault.UNTERMINATED;
        }
        if (nameEnd == nameStart) {
            return TftpFault.EMPTY_NAME;
        }
        if (nameEnd - nameStart > MAX_NAME_LENGTH) {
            return TftpFault.NAME_TOO_LONG;
        }
        int modeEnd = nul(nameEnd + 1);
        if (modeEnd < 0) {
            return TftpFault.UNTERMINATED;
        }
        int options = 0;
        for (int at = modeEnd + 1, end = off + len; at < end; ) {
            int keyEnd = nul(at);
            if (keyEnd < 0) {
                return TftpFault.UNTERMINATED;
            }
            if (keyEnd == at || keyEnd + 1 == end) {
                return TftpFault.BAD_OPTION;
            }
            int valueEnd = nul(keyEnd + 1);
            if (valueEnd < 0) {
                return TftpFault.UNTERMINATED;
            }
            if (++options > MAX_OPTIONS) {
                return TftpFault.TOO_MANY_OPTIONS;
            }
            if (known(at, keyEnd) && number(keyEnd + 1, valueEnd) < 0) {
                return TftpFault.BAD_OPTION;
            }
            at = valueEnd + 1;
        }
        return TftpFault.NONE;
    }

    /** Absolute index of the first NUL at or after {@code from} within the view, or -1. */
    private int nul(int from) {
        for (int i = from, end = off + len; i < end; i++) {
            if (buf.get(i) == NUL) {
                return i;
            }
        }
        return -1;
    }

    private boolean known(int from, int to) {
        return is(from, to, TftpOptions.BLKSIZE) || is(from, to, TftpOptions.TSIZE)
                || is(from, to, TftpOptions.TIMEOUT);
    }

    /** True when bytes [from, to) spell the lower-case ASCII {@code name} in any case. */
    private boolean is(int from, int to, String name) {
        if (to - from != name.length()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            int b = buf.get(from + i);
            if (b >= 'A' && b <= 'Z') {
                b += 'a' - 'A';
            }
            if (b != name.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The decimal number in bytes [from, to), or -1 when empty, not all digits, or longer than {@link #MAX_DIGITS}. */
    private long number(int from, int to) {
        if (to <= from || to - from > MAX_DIGITS) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int b = buf.get(i);
            if (b < '0' || b > '9') {
                return -1;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }

    private String string(int from, int to) {
        byte[] bytes = new byte[to - from];
        buf.get(from, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private int u16(int at) {
        return (buf.get(at) & 0xFF) << 8 | buf.get(at + 1) & 0xFF;
    }
}
