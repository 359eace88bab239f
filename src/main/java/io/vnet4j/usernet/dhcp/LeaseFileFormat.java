package io.vnet4j.usernet.dhcp;

import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.MacAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The text of a lease file ({@code leasefile=}): dnsmasq's format ({@code --dhcp-leasefile}, its lease.c), one
 * binding a line, five fields between single spaces:
 * <pre>
 *   EXPIRY MAC ADDRESS HOSTNAME CLIENT-ID
 *   1733650000 52:54:00:12:34:56 10.0.2.15 alpha *
 * </pre>
 * EXPIRY is when the binding lapses, in seconds since the epoch, 0 for one that never does (a BOOTP client's);
 * MAC is six hex octets between colons (an Ethernet client's {@code chaddr}); ADDRESS dotted IPv4; HOSTNAME the
 * name the client gave (DHCP option 12), {@code *} for none; CLIENT-ID is {@code *} here (the server keys bindings by
 * MAC) and ignored when read. dnsmasq's DHCPv6 lines ({@code duid ...}, IAIDs for MACs) are not bindings of this
 * server and are refused as any line that is not one.
 *
 * <p>A host name that cannot stand in one field as it is (a space, a control character, a {@code *} alone, or
 * beyond {@link #MAX_NAME} characters) is written as {@code *}: the binding keeps its address, not its name.
 */
public final class LeaseFileFormat {
    /** A host name's longest (DHCP option 12 holds 255 bytes). */
    public static final int MAX_NAME = 255;
    /** The longest line read: five fields at their longest. */
    static final int MAX_LINE = 11 + 1 + 17 + 1 + 15 + 1 + MAX_NAME + 1 + 255;
    private static final Pattern WRITABLE_NAME = Pattern.compile("(?!\\*$)[\\x21-\\x7e]{1,255}");
    /** At most 11 digits (the year 5138): in milliseconds it stays far within a long. */
    private static final Pattern EXPIRY = Pattern.compile("0|[1-9][0-9]{0,10}");
    private static final Pattern MAC = Pattern.compile("(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}");

    /**
     * What a lease file held.
     *
     * @param leases        the bindings of the lines read, in the file's order ({@link Lease#expiresAtMillis} in ms
     *                      since the epoch, {@link Long#MAX_VALUE} for 0)
     * @param refusedLines  lines that are no binding, blank lines aside
     * @param firstRefusal  the first of them, its number and why, for a log line; null when none was refused
     */
    public record Read(List<Lease> leases, int refusedLines, String firstRefusal) {
        public Read {
            leases = List.copyOf(leases);
        }
    }

    private LeaseFileFormat() {
    }

    /** Reads a lease file's text; never throws on what the text holds. */
    public static Read parse(String text) {
        List<Lease> leases = new ArrayList<>();
        int refused = 0;
        String first = null;
        int number = 0;
        for (String line : text.split("\n", -1)) {
            number++;
            if (line.isBlank()) {
                continue;
            }
            String why = why(line);
            if (why == null) {
                leases.add(lease(line.split(" ")));
            } else {
                refused++;
                if (first == null) {
                    first = "line " + number + ": " + why;
                }
            }
        }
        return new Read(leases, refused, first);
    }

    /** Why a line is no binding, or null when it is one. */
    private static String why(String line) {
        if (line.length() > MAX_LINE) {
            return "longer than " + MAX_LINE + " characters";
        }
        String[] f = line.split(" ", -1);
        if (f.length != 5) {
            return "expected EXPIRY MAC ADDRESS HOSTNAME CLIENT-ID between single spaces, got " + f.length + " fields";
        }
        if (!EXPIRY.matcher(f[0]).matches()) {
            return "expected the expiry in seconds since the epoch (0: never), got '" + shown(f[0]) + "'";
        }
        if (!MAC.matcher(f[1]).matches()) {
            return "expected a MAC as 52:54:00:12:34:56, got '" + shown(f[1]) + "'";
        }
        if (!dotted(f[2])) {
            return "expected an IPv4 address, got '" + shown(f[2]) + "'";
        }
        if (!f[3].equals("*") && !WRITABLE_NAME.matcher(f[3]).matches()) {
            return "expected a host name or *, got '" + shown(f[3]) + "'";
        }
        return f[4].isEmpty() ? "expected a client id or *, got nothing" : null;
    }

    private static Lease lease(String[] f) {
        long seconds = Long.parseLong(f[0]);
        return new Lease(MacAddress.parse(f[1]), Ipv4Address.parse(f[2]), f[3].equals("*") ? null : f[3],
                seconds == 0 ? Long.MAX_VALUE : seconds * 1000);
    }

    /** The file's text for these bindings: a line each, in their order. */
    public static String format(List<Lease> leases) {
        StringBuilder text = new StringBuilder(leases.size() * 48);
        for (Lease lease : leases) {
            long seconds = lease.infinite() ? 0 : Math.max(1, Math.floorDiv(lease.expiresAtMillis(), 1000));
            String name = lease.clientHostname();
            text.append(seconds).append(' ').append(MacAddress.format(lease.mac())).append(' ')
                    .append(Ipv4Address.format(lease.address())).append(' ')
                    .append(name != null && WRITABLE_NAME.matcher(name).matches() ? name : "*").append(" *\n");
        }
        return text.toString();
    }

    private static boolean dotted(String text) {
        try {
            Ipv4Address.parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A field for a log line, at most 40 characters (the caller makes it printable). */
    private static String shown(String field) {
        return field.length() > 40 ? field.substring(0, 40) + "..." : field;
    }
}
