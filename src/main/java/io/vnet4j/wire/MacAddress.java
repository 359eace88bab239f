package io.vnet4j.wire;

import java.nio.ByteBuffer;

/** MAC addresses as the low 48 bits of a {@code long}: formatting, parsing and the group bits. */
public final class MacAddress {
    /** ff:ff:ff:ff:ff:ff. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    private static final long MASK = 0xFFFF_FFFF_FFFFL;
    private static final long GROUP_BIT = 0x0100_0000_0000L;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private MacAddress() {}

    /** Formats as six lower-case colon-separated octets, e.g. {@code 52:54:00:12:34:56}. */
    public static String format(long mac) {
        char[] out = new char[17];
        for (int i = 0; i < 6; i++) {
            int octet = (int) (mac >>> (40 - 8 * i)) & 0xFF;
            out[3 * i] = HEX[octet >>> 4];
            out[3 * i + 1] = HEX[octet & 0xF];
            if (i < 5) {
                out[3 * i + 2] = ':';
            }
        }
        return new String(out);
    }

    /**
     * Parses six colon-separated two-digit hex octets.
     *
     * @throws IllegalArgumentException if the text is not such an address
     */
    public static long parse(String text) {
        if (text.length() != 17) {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            int hi = Character.digit(text.charAt(3 * i), 16);
            int lo = Character.digit(text.charAt(3 * i + 1), 16);
            if (hi < 0 || lo < 0 || (i < 5 && text.charAt(3 * i + 2) != ':')) {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            mac = mac << 8 | hi << 4 | lo;
        }
        return mac;
    }

    /** True for ff:ff:ff:ff:ff:ff. */
    public static boolean isBroadcast(long mac) {
        return (mac & MASK) == BROADCAST;
    }

    /** True when the group (I/G) bit is set; broadcast is multicast too. */
    public static boolean isMulticast(long mac) {
        return (mac & GROUP_BIT) != 0;
    }

    /** Reads six bytes at an absolute index. */
    public static long read(ByteBuffer buf, int at) {
        return (buf.getShort(at) & 0xFFFFL) << 32 | buf.getInt(at + 2) & 0xFFFF_FFFFL;
    }

    /** Writes six bytes at an absolute index. */
    public static void write(ByteBuffer buf, int at, long mac) {
        buf.putShort(at, (short) (mac >>> 32));
        buf.putInt(at + 2, (int) mac);
    }
}
