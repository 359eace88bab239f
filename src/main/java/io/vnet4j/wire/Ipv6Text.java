package io.vnet4j.wire;

/**
 * IPv6 address text: strict parsing of RFC 4291 section 2.2 notation and RFC 5952 canonical output.
 * Used by {@link IpAddress}.
 */
final class Ipv6Text {
    private Ipv6Text() {}

    /**
     * Eight groups of one to four hex digits separated by colons, at most one {@code ::} standing for one
     * or more zero groups, and optionally a dotted-quad IPv4 address as the last 32 bits.
     */
    static IpAddress parse(String text) {
        int[] groups = new int[8];
        int count = 0;
        int gap = -1; // index in groups where "::" stands
        int i = 0;
        int n = text.length();
        if (text.startsWith("::")) {
            gap = 0;
            i = 2;
        } else if (text.startsWith(":")) {
            throw invalid(text);
        }
        while (i < n) {
            if (count == 8) {
                throw invalid(text);
            }
            int end = i;
            while (end < n && text.charAt(end) != ':') {
                end++;
            }
            String group = text.substring(i, end);
            if (group.indexOf('.') >= 0) {
                if (end != n || count > 6) {
                    throw invalid(text);
                }
                int v4 = ipv4Tail(group, text);
                groups[count++] = v4 >>> 16;
                groups[count++] = v4 & 0xFFFF;
                i = end;
                break;
            }
            groups[count++] = hexGroup(group, text);
            if (end == n) {
                i = end;
                break;
            }
            // at a colon: "::" marks the gap, a single colon separates
            if (end + 1 < n && text.charAt(end + 1) == ':') {
                if (gap >= 0) {
                    throw invalid(text);
                }
                gap = count;
                i = end + 2;
            } else if (end + 1 == n) {
                throw invalid(text); // a trailing single colon
            } else {
                i = end + 1;
            }
        }
        if (gap < 0 ? count != 8 : count > 7) {
            throw invalid(text);
        }
        int[] full = new int[8];
        if (gap < 0) {
            full = groups;
        } else {
            int tail = count - gap;
            System.arraycopy(groups, 0, full, 0, gap);
            System.arraycopy(groups, gap, full, 8 - tail, tail);
        }
        long high = 0;
        long low = 0;
        for (int g = 0; g < 4; g++) {
            high = high << 16 | full[g];
            low = low << 16 | full[g + 4];
        }
        return IpAddress.ofIpv6(high, low);
    }

    private static int hexGroup(String group, String text) {
        if (group.isEmpty() || group.length() > 4) {
            throw invalid(text);
        }
        int value = 0;
        for (int k = 0; k < group.length(); k++) {
            int digit = Character.digit(group.charAt(k), 16);
            if (digit < 0 || group.charAt(k) > 'f') { // Character.digit also takes non-ASCII digits
                throw invalid(text);
            }
            value = value << 4 | digit;
        }
        return value;
    }

    private static int ipv4Tail(String group, String text) {
        try {
            return Ipv4Address.parse(group);
        } catch (IllegalArgumentException e) {
            throw invalid(text);
        }
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("not an IPv6 address: " + text);
    }

    /** RFC 5952 section 4: lower-case hex without leading zeros, the first longest run of two or more zero groups as "::". */
    static String format(long high, long low) {
        int[] groups = new int[8];
        for (int g = 0; g < 4; g++) {
            groups[g] = (int) (high >>> (48 - 16 * g)) & 0xFFFF;
            groups[g + 4] = (int) (low >>> (48 - 16 * g)) & 0xFFFF;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int g = 0; g < 8; ) {
            if (groups[g] != 0) {
                g++;
                continue;
            }
            int start = g;
            while (g < 8 && groups[g] == 0) {
                g++;
            }
            if (g - start > bestLength) {
                bestStart = start;
                bestLength = g - start;
            }
        }
        StringBuilder s = new StringBuilder(39);
        for (int g = 0; g < 8; g++) {
            if (g == bestStart) {
                s.append("::");
                g += bestLength - 1;
                continue;
            }
            if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
                s.append(':');
            }
            s.append(Integer.toHexString(groups[g]));
        }
        return s.toString();
    }
}
