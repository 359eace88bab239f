package io.vnet4j.base;

import io.vnet4j.wire.IpAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;

/**
 * A host as a user writes it in an option ({@code connect=HOST:PORT}, {@code addr.host=}, {@code remote=},
 * {@code --http}): an address literal, parsed here and never given to a resolver, or a host name, which the
 * system's resolver looks up.
 *
 * <p>Which of the two a text is follows the WHATWG URL standard's host parser ("ends in a number", section
 * 3.5): a text with a colon is IPv6, a text whose last label is a number (decimal, or hex after {@code 0x})
 * is IPv4. So {@code 300.1.1.1}, {@code 10.0.2} or {@code 010.0.0.1} is a bad address, refused here with
 * the form expected, and not a name sent to the host's DNS (the JDK's {@code InetAddress.getByName} looks
 * up any text it cannot read as an address). Literals are strict: a dotted quad of decimal octets without
 * leading zeros ({@link io.vnet4j.wire.Ipv4Address#parse}; glibc's {@code inet_aton} forms such as
 * {@code 127.1} or octal are refused, not guessed), or RFC 4291 section 2.2 text with an optional
 * {@code %zone} (RFC 4007 section 11: an interface name or index). Brackets around an IPv6 literal are
 * allowed. Names follow RFC 1123 section 2.1 (RFC 952's syntax with a leading digit allowed): labels of letters,
 * digits and hyphens, neither first nor last a hyphen, 1 to 63 bytes each, at most 253 in all, an optional
 * final dot. Anything else ({@code a_b}, {@code x-}) is refused here, not sent to the resolver.
 */
public final class HostText {
    private static final String NAME_LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    private static final int NAME_MAX = 253;

    private HostText() {}

    /**
     * True when {@code host} is meant as an address literal: IPv6 for a colon or bracket, IPv4 when it ends in a
     * number (before any {@code %zone}).
     */
    public static boolean isLiteral(String host) {
        if (host.indexOf(':') >= 0 || host.startsWith("[")) {
            return true;
        }
        int percent = host.indexOf('%');
        String text = percent >= 0 ? host.substring(0, percent) : host;
        text = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        String last = text.substring(text.lastIndexOf('.') + 1);
        if (last.startsWith("0x") || last.startsWith("0X")) {
            return last.substring(2).chars().allMatch(c -> Character.digit(c, 16) >= 0);
        }
        return !last.isEmpty() && last.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /**
     * The address a literal names; never looks anything up.
     *
     * @throws IllegalArgumentException naming the text and the form expected, for a name or a bad literal
     */
    public static InetAddress literal(String host) {
        String text = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        int percent = text.indexOf('%');
        String bare = percent < 0 ? text : text.substring(0, percent);
        IpAddress address;
        try {
            address = IpAddress.parse(bare);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(bare.indexOf(':') >= 0
                    ? quoted(host) + " is not an IPv6 address (RFC 4291 text such as fd00::1)"
                    : quoted(host) + " is not an IPv4 address (four decimal numbers 0-255 without leading zeros, such as 192.0.2.1)");
        }
        if (percent < 0) {
            return address.toInetAddress();
        }
        if (address.isIpv4()) {
            throw new IllegalArgumentException(quoted(host) + ": only an IPv6 address takes a %zone");
        }
        return scoped(host, address, text.substring(percent + 1));
    }

    /**
     * Checks that {@code host} is a well-formed literal or host name, without looking it up.
     *
     * @throws IllegalArgumentException naming the text and what was expected
     */
    public static void check(String host) {
        if (isLiteral(host)) {
            literal(host);
        } else {
            requireName(host);
        }
    }

    /**
     * The address of a literal, or of a name as the system's resolver answers (its first address).
     *
     * @throws IllegalArgumentException for a bad literal or a text that is no host name (nothing looked up)
     * @throws UnknownHostException when the resolver does not know the name
     */
    public static InetAddress resolve(String host) throws UnknownHostException {
        if (isLiteral(host)) {
            return literal(host);
        }
        requireName(host);
        return InetAddress.getByName(host);
    }

    private static void requireName(String host) {
        if (!isName(host)) {
            throw new IllegalArgumentException(quoted(host) + " is neither an IP address nor a host name"
                    + " (labels of letters, digits and inner '-', joined by '.')");
        }
    }

    /**
     * True for an RFC 1123 host or domain name (labels of letters, digits and inner hyphens, 1 to 63 bytes,
     * at most 253 in all, an optional final dot); a dotted-quad address passes this rule too.
     */
    public static boolean isName(String host) {
        String text = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        return !text.isEmpty() && text.length() <= NAME_MAX && text.matches(NAME_LABEL + "(\\." + NAME_LABEL + ")*");
    }

    /** The user's text in quotes, control characters escaped, so a message stays one line. */
    private static String quoted(String host) {
        return "'" + Log.printable(host) + "'";
    }

    private static InetAddress scoped(String host, IpAddress address, String zone) {
        try {
            if (zone.matches("\\d{1,9}")) {
                return Inet6Address.getByAddress(null, address.toInetAddress().getAddress(), Integer.parseInt(zone));
            }
            NetworkInterface nic = zone.isEmpty() ? null : NetworkInterface.getByName(zone);
            if (nic == null) {
                throw new IllegalArgumentException(quoted(host) + ": no network interface '" + Log.printable(zone) + "' for the zone");
            }
            return Inet6Address.getByAddress(null, address.toInetAddress().getAddress(), nic.getIndex());
        } catch (UnknownHostException | SocketException e) {
            throw new IllegalArgumentException(quoted(host) + ": " + e.getMessage());
        }
    }
}
