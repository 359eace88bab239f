package io.vnet4j.wire;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists of domain names in uncompressed DNS wire format (RFC 1035 section 3.1: each label as a length byte
 * and its bytes, a name ended by the zero-length root label), one name after another, as the IPv6
 * protocols carry search lists: the NDP DNSSL option (RFC 8106 section 5.2, then zero padding) and the
 * DHCPv6 Domain Search List (RFC 3646 section 4, RFC 8415 section 10: never compressed).
 */
public final class DomainNames {
    /** The longest label in bytes (RFC 1035 section 2.3.4). */
    public static final int MAX_LABEL = 63;
    /** The longest name in wire format, length bytes and root label included (RFC 1035 section 2.3.4). */
    public static final int MAX_NAME = 255;

    private DomainNames() {}

    /**
     * The names in wire format, one after another. A name is dot-separated labels of printable ASCII
     * other than the dot; one trailing dot is ignored.
     *
     * @throws IllegalArgumentException naming the name when it is empty, has an empty label or one over
     *                                  63 bytes, a byte outside printable ASCII, or is over 255 bytes encoded
     */
    public static byte[] encode(List<String> names) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String name : names) {
            String trimmed = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
            if (trimmed.isEmpty()) {
                throw new IllegalArgumentException("empty domain name: '" + name + "'");
            }
            int start = out.size();
            for (String label : trimmed.split("\\.", -1)) {
                if (label.isEmpty() || label.length() > MAX_LABEL) {
                    throw new IllegalArgumentException("domain name with a label of " + label.length()
                            + " characters (1-63 allowed): " + name);
                }
                out.write(label.length());
                for (int i = 0; i < label.length(); i++) {
                    char c = label.charAt(i);
                    if (c <= ' ' || c > '~') {
                        throw new IllegalArgumentException("domain name with a character outside printable ASCII: "
                                + name);
                    }
                    out.write(c);
                }
            }
            out.write(0);
            if (out.size() - start > MAX_NAME) {
                throw new IllegalArgumentException("domain name over 255 bytes encoded: " + name);
            }
        }
        return out.toByteArray();
    }

    /**
     * Reads the names in {@code length} bytes from absolute {@code offset}, as dot-separated text without
     * a trailing dot: exactly what {@link #encode} takes and writes back the same. With {@code padded}, a zero
     * byte where a name would start begins the padding, and every byte after it must be zero. Returns null
     * when the bytes are not such a list: a label length over 63 (compression pointers included), a label or
     * name past the end, a name over 255 bytes, an empty name where no padding is allowed, non-zero padding,
     * or a label byte the text could not hold faithfully (a dot, or outside printable ASCII; RFC 1035 allows
     * any byte, search domains are host names).
     */
    public static List<String> decode(ByteBuffer buf, int offset, int length, boolean padded) {
        List<String> names = new ArrayList<>();
        StringBuilder name = new StringBuilder();
        int end = offset + length;
        int at = offset;
        while (at < end) {
            if (buf.get(at) == 0) {
                if (!padded) {
                    return null;
                }
                for (; at < end; at++) {
                    if (buf.get(at) != 0) {
                        return null;
                    }
                }
                break;
            }
            name.setLength(0);
            int start = at;
            while (true) {
                if (at >= end) {
                    return null;
                }
                int label = buf.get(at) & 0xFF;
                int nameLength = at + 1 + label - start + (label == 0 ? 0 : 1); // at least the root label to come
                if (label > MAX_LABEL || at + 1 + label > end || nameLength > MAX_NAME) {
                    return null;
                }
                if (label == 0) {
                    at++;
                    break;
                }
                if (!name.isEmpty()) {
                    name.append('.');
                }
                for (int i = 1; i <= label; i++) {
                    char c = (char) (buf.get(at + i) & 0xFF);
                    if (c <= ' ' || c > '~' || c == '.') {
                        return null;
                    }
                    name.append(c);
                }
                at += 1 + label;
            }
            names.add(name.toString());
        }
        return names;
    }
}
