package io.vnet4j.usernet.dns;

import io.vnet4j.wire.WireError;

/**
 * Checked reader of one domain name in a DNS message (RFC 1035 §3.1, §4.1.4), compression pointers
 * followed. Offsets are relative to the start of the message, as pointers are. Untrusted names are
 * bounded: a pointer must land after the header and strictly before the run of labels that holds it
 * (so every jump goes backwards and no loop can form), at most {@link #MAX_POINTERS} are followed,
 * and the name is at most {@link #MAX_NAME_LENGTH} bytes. Reusable; not thread-safe.
 */
public final class DnsNameReader {
    /** Longest name in wire form, label length bytes and the final zero byte included. */
    public static final int MAX_NAME_LENGTH = 255;
    /** Most compression pointers followed in one name. */
    public static final int MAX_POINTERS = 16;
    private static final int KIND_MASK = 0xC0;
    private static final int KIND_LABEL = 0x00;
    private static final int KIND_POINTER = 0xC0;
    private static final int POINTER_MASK = 0x3FFF;

    private final StringBuilder text = new StringBuilder(MAX_NAME_LENGTH);
    private int end;

    /**
     * Reads the name at {@code at}. Returns {@link WireError#TRUNCATED} when a label or pointer runs
     * past the message, {@link WireError#BAD_LENGTH} for a name over 255 bytes or a pointer that does
     * not go backwards into the sections or exceeds the jump cap, {@link WireError#UNSUPPORTED} for
     * the reserved label kinds 01 and 10 (RFC 6891 §5), which include a length byte of 64 to 191.
     */
    public WireError read(DnsMessage message, int at) {
        text.setLength(0);
        end = -1;
        int pos = at;
        int runStart = at;
        int pointers = 0;
        int nameLength = 0;
        while (true) {
            if (pos >= message.length()) {
                return WireError.TRUNCATED;
            }
            int first = message.byteAt(pos);
            switch (first & KIND_MASK) {
                case KIND_POINTER -> {
                    if (pos + 1 >= message.length()) {
                        return WireError.TRUNCATED;
                    }
                    int target = message.wordAt(pos) & POINTER_MASK;
                    if (target < DnsMessage.HEADER_LENGTH || target >= runStart || ++pointers > MAX_POINTERS) {
                        return WireError.BAD_LENGTH;
                    }
                    if (end < 0) {
                        end = pos + 2;
                    }
                    pos = target;
                    runStart = target;
                }
                case KIND_LABEL -> {
                    nameLength += 1 + first;
                    if (nameLength > MAX_NAME_LENGTH) {
                        return WireError.BAD_LENGTH;
                    }
                    if (first == 0) {
                        if (end < 0) {
                            end = pos + 1;
                        }
                        if (text.isEmpty()) {
                            text.append('.');
                        }
                        return WireError.NONE;
                    }
                    if (pos + 1 + first > message.length()) {
                        return WireError.TRUNCATED;
                    }
                    appendLabel(message, pos + 1, first);
                    pos += 1 + first;
                }
                default -> {
                    return WireError.UNSUPPORTED;
                }
            }
        }
    }

    /**
     * The name last read, in presentation form without the final dot ("." for the root): letters,
     * digits, hyphen and underscore as they are, every other byte (a dot inside a label included) as
     * {@code \DDD}, its decimal value.
     */
    public String name() {
        return text.toString();
    }

    /** Offset just past the name where it was read: after its zero byte, or after its first pointer. */
    public int end() {
        return end;
    }

    private void appendLabel(DnsMessage message, int at, int length) {
        if (!text.isEmpty()) {
            text.append('.');
        }
        for (int i = 0; i < length; i++) {
            int b = message.byteAt(at + i);
            if (plain(b)) {
                text.append((char) b);
            } else {
                text.append('\\').append((char) ('0' + b / 100)).append((char) ('0' + b / 10 % 10))
                        .append((char) ('0' + b % 10));
            }
        }
    }

    private static boolean plain(int b) {
        return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '-' || b == '_';
    }
}
