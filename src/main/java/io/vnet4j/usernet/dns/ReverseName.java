package io.vnet4j.usernet.dns;

import io.vnet4j.wire.IpAddress;

/**
 * The address a reverse-lookup name stands for: {@code d.c.b.a.in-addr.arpa} (RFC 1035 section 3.5) or
 * the 32 nibbles of {@code ...ip6.arpa} (RFC 3596 section 2.5), case-insensitive; null for anything else
 * (a partial name, a label that is not a plain number or hex digit, leading zeros).
 */
final class ReverseName {
    private static final String IPV4 = ".in-addr.arpa";
    private static final String IPV6 = ".ip6.arpa";

    private ReverseName() {}

    static IpAddress parse(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith(".")) {
            lower = lower.substring(0, lower.length() - 1);
        }
        if (lower.endsWith(IPV4)) {
            return ipv4(lower.substring(0, lower.length() - IPV4.length()));
        }
        if (lower.endsWith(IPV6)) {
            return ipv6(lower.substring(0, lower.length() - IPV6.length()));
        }
        return null;
    }

    private static IpAddress ipv4(String labels) {
        String[] octets = labels.split("\\.", -1);
        if (octets.length != 4) {
            return null;
        }
        int address = 0;
        for (int i = 3; i >= 0; i--) {
            String o = octets[i];
            if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(c -> c >= '0' && c <= '9')
                    || o.length() > 1 && o.charAt(0) == '0' || Integer.parseInt(o) > 255) {
                return null;
            }
            address = address << 8 | Integer.parseInt(o);
        }
        return IpAddress.ofIpv4(address);
    }

    private static IpAddress ipv6(String labels) {
        if (labels.length() != 63) { // 32 nibbles and 31 dots
            return null;
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 32; i++) {
            int at = (31 - i) * 2; // the first nibble of the address is the last label
            int digit = Character.digit(labels.charAt(at), 16);
            if (digit < 0 || labels.charAt(at) > 'f' || at + 1 < labels.length() && labels.charAt(at + 1) != '.') {
                return null;
            }
            if (i < 16) {
                high = high << 4 | digit;
            } else {
                low = low << 4 | digit;
            }
        }
        return IpAddress.ofIpv6(high, low);
    }
}
