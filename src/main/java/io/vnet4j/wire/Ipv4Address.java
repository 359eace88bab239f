package io.vnet4j.wire;

/** IPv4 addresses as an {@code int} in network order (first octet in the high byte). */
public final class Ipv4Address {
    private Ipv4Address() {}

    /** Formats in dotted-quad notation, e.g. {@code 10.0.2.15}. */
    public static String format(int address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xFF) + "." + (address >>> 8 & 0xFF) + "." + (address & 0xFF);
    }

    /**
     * Parses strict dotted-quad notation: four decimal octets 0-255, no leading zeros.
     *
     * @throws IllegalArgumentException if the text is not such an address
     */
    public static int parse(String text) {
        int address = 0;
        int octets = 0;
        int i = 0;
        while (octets < 4) {
            int start = i;
            int value = 0;
            while (i < text.length() && i - start < 3 && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
                value = value * 10 + text.charAt(i) - '0';
                i++;
            }
            int digits = i - start;
            if (digits == 0 || value > 255 || (digits > 1 && text.charAt(start) == '0')) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            address = address << 8 | value;
            octets++;
            if (octets < 4) {
                if (i >= text.length() || text.charAt(i) != '.') {
                    throw new IllegalArgumentException("not an IPv4 address: " + text);
                }
                i++;
            }
        }
        if (i != text.length()) {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        return address;
    }

    /**
     * True when {@code address} is the network's own address or its broadcast address ({@code network | ~mask}),
     * which no host of the network {@code network}/{@code mask} has (RFC 919, RFC 922).
     */
    public static boolean isNetworkOrBroadcast(int address, int network, int mask) {
        return address == network || address == (network | ~mask);
    }

    /** The four octets, first octet first (as {@code InetAddress.getByAddress} takes them). */
    public static byte[] toBytes(int address) {
        return new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
    }

    /** The address of four octets, first octet first. */
    public static int fromBytes(byte[] octets) {
        return (octets[0] & 0xFF) << 24 | (octets[1] & 0xFF) << 16 | (octets[2] & 0xFF) << 8 | (octets[3] & 0xFF);
    }
}
