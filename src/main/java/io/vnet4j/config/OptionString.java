package io.vnet4j.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * One QEMU option argument such as {@code socket,id=a,listen=:8010}: comma-separated {@code key=value}
 * pairs (a doubled comma is a literal comma; one comma after the last pair ends the list, as QEMU's QemuOpts
 * and keyval parsers take it), the first of which may be a bare value for the implied key (the netdev type).
 * Keys are taken out one by one; {@link #finish} then complains about any left over.
 */
public final class OptionString {
    private final String option;
    private final String text;
    private final String implied;
    private final Map<String, List<String>> values;

    private OptionString(String option, String text, String implied, Map<String, List<String>> values) {
        this.option = option;
        this.text = text;
        this.implied = implied;
        this.values = values;
    }

    /**
     * Splits {@code text}, given to {@code option} (e.g. "-netdev"), into its parts. A NUL character is
     * refused here, once for every value that becomes a path, a socket address or a host name.
     *
     * @param option the option it was given to, for messages
     * @param text the option's argument
     * @return its parts, none taken yet
     * @throws ConfigException when a part is not {@code key=value} (but the first), a key is empty or the
     *     text holds a NUL
     */
    public static OptionString parse(String option, String text) throws ConfigException {
        if (text.indexOf('\0') >= 0) {
            throw new ConfigException(option + " " + text.replace("\0", "\\0") + ": a NUL character is not allowed");
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        String implied = null;
        int i = 0;
        boolean first = true;
        while (i <= text.length()) {
            if (i == text.length() && !first) {
                break; // the text ended with a comma after a pair: QEMU takes it (util/qemu-option.c, keyval.c)
            }
            StringBuilder part = new StringBuilder();
            while (i < text.length()) {
                char c = text.charAt(i);
                if (c == ',') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == ',') {
                        part.append(',');
                        i += 2;
                        continue;
                    }
                    break;
                }
                part.append(c);
                i++;
            }
            i++;
            String p = part.toString();
            int eq = p.indexOf('=');
            if (eq < 0) {
                if (!first || p.isEmpty()) {
                    throw new ConfigException(option + " " + text + ": expected key=value, got '" + p + "'" + hint(p));
                }
                implied = p;
            } else {
                String key = p.substring(0, eq);
                if (key.isEmpty()) {
                    throw new ConfigException(option + " " + text + ": empty option name in '" + p + "'");
                }
                values.computeIfAbsent(key, k -> new ArrayList<>()).add(p.substring(eq + 1));
            }
            first = false;
        }
        return new OptionString(option, text, implied, values);
    }

    /**
     * What a bare part after the first may have meant: a list (a number), or QEMU's short-form boolean, which
     * QEMU 7.2 still takes with a deprecation warning ({@code restrict} for {@code restrict=on}, {@code norestrict}
     * for {@code restrict=off}; util/qemu-option.c).
     */
    private static String hint(String part) {
        if (part.matches("[0-9][0-9-]*")) {
            return " (a list is the key repeated: trunk=10,trunk=20)";
        }
        if (part.matches("[a-z][a-z0-9.-]*")) {
            String meant = part.startsWith("no") && part.length() > 2 ? part.substring(2) + "=off" : part + "=on";
            return " (QEMU reads it as " + meant + ", a short form it deprecated: write " + meant + ")";
        }
        return "";
    }

    /**
     * The bare first value: the type.
     *
     * @return the value, or null when the first part is a {@code key=value} too
     */
    public String implied() {
        return implied;
    }

    /**
     * The option this argument was given to.
     *
     * @return e.g. {@code -netdev}
     */
    public String option() {
        return option;
    }

    /**
     * Whether a key is there and not taken yet.
     *
     * @param key the key
     * @return true when it is
     */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /**
     * The keys not taken yet, in the order first given.
     *
     * @return a copy of them
     */
    public List<String> keys() {
        return List.copyOf(values.keySet());
    }

    /**
     * Takes the value of a key; a key given twice is an error.
     *
     * @param key the key
     * @return its value, or null when absent
     * @throws ConfigException when the key is given twice
     */
    public String take(String key) throws ConfigException {
        List<String> v = values.remove(key);
        if (v == null) {
            return null;
        }
        if (v.size() > 1) {
            throw error(key + " is given twice");
        }
        return v.getFirst();
    }

    /**
     * Takes every value of a repeatable key such as {@code hostfwd}.
     *
     * @param key the key
     * @return its values in order, empty when absent
     */
    public List<String> takeAll(String key) {
        List<String> v = values.remove(key);
        return v == null ? List.of() : v;
    }

    /**
     * Takes the value of a key that must be there.
     *
     * @param key the key
     * @param what what the value is, for the message
     * @return its value, not empty
     * @throws ConfigException when the key is absent, empty or given twice
     */
    public String require(String key, String what) throws ConfigException {
        String v = take(key);
        if (v == null) {
            throw error(key + "= is required (" + what + ")");
        }
        if (v.isEmpty()) {
            throw error(key + ": expected " + what + ", got an empty value");
        }
        return v;
    }

    /**
     * Takes an on/off value ({@code on}, {@code yes}, {@code true}, {@code y}; {@code off}, {@code no},
     * {@code false}, {@code n}: the words of QEMU's qapi_bool_parse, in their case).
     *
     * @param key the key
     * @param absent the value when the key is absent
     * @return the value
     * @throws ConfigException when the value is none of those, or the key is given twice
     */
    public boolean takeBoolean(String key, boolean absent) throws ConfigException {
        String v = take(key);
        if (v == null) {
            return absent;
        }
        return switch (v) {
            case "on", "yes", "true", "y" -> true;
            case "off", "no", "false", "n" -> false;
            default -> throw error(key + ": expected on or off, got '" + v + "'");
        };
    }

    /**
     * A whole number as QEMU reads its options' numbers (C's {@code strtol} with base 0, in QemuOpts, QAPI's input
     * visitors and {@code host:port}): an optional sign, then {@code 0x} and hex digits, {@code 0} and octal digits,
     * or decimal digits; nothing after them. So {@code 010} is 8 and {@code 0x10} 16, as in QEMU; {@code 08} is no
     * number (where strtol would read the 0 alone).
     *
     * @param text the number as written
     * @return its value
     * @throws NumberFormatException when it is not such a number, or beyond a long
     */
    public static long cInteger(String text) {
        int i = text.startsWith("+") || text.startsWith("-") ? 1 : 0;
        String digits = text.substring(i);
        int radix = 10;
        if (digits.length() > 2 && (digits.startsWith("0x") || digits.startsWith("0X"))) {
            radix = 16;
            digits = digits.substring(2);
        } else if (digits.length() > 1 && digits.startsWith("0")) {
            radix = 8;
            digits = digits.substring(1);
        }
        if (digits.isEmpty() || digits.charAt(0) == '+' || digits.charAt(0) == '-') {
            throw new NumberFormatException("not a number: " + text);
        }
        long n = Long.parseLong(digits, radix);
        return text.startsWith("-") ? -n : n;
    }

    /**
     * A whole number from {@code min} to {@code max} as C's {@code strtoul}/{@code strtol} with base 0 reads it
     * ({@link #cInteger}: {@code 010} is 8, {@code 0x16} 22), or -1 when it is not one or out of that range; so
     * {@code min} is 0 or more.
     *
     * @param text the number as written
     * @param min the smallest value accepted, 0 or more
     * @param max the largest value accepted
     * @return its value, or -1
     */
    static int cNumber(String text, int min, int max) {
        try {
            long n = cInteger(text);
            return n >= min && n <= max ? (int) n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * What a number refused for its leading 0 is told: QEMU reads it as octal ({@link #cInteger}); empty for others.
     *
     * @param text the number as written
     * @return the hint, with its leading space, or ""
     */
    public static String octalHint(String text) {
        return text.matches("[+-]?0[0-9]+") ? " (a leading 0 makes it octal, as in QEMU: 010 is 8)" : "";
    }

    /**
     * Takes a whole number within bounds, read as QEMU reads one ({@link #cInteger}: {@code 010} is 8).
     *
     * @param key the key
     * @param absent the value when the key is absent
     * @param min the smallest value accepted
     * @param max the largest value accepted
     * @return the value
     * @throws ConfigException when the value is not a whole number from {@code min} to {@code max}, or the key is
     *     given twice
     */
    public long takeLong(String key, long absent, long min, long max) throws ConfigException {
        return takeLong(key, absent, min, max, n -> "");
    }

    /**
     * {@link #takeLong(String, long, long, long)}, with {@code outOfBounds}' words after the refusal of a whole number
     * outside the bounds: what a peer means by that value, and the way to it here (a Linux bridge's ageing time of 0,
     * say). The words start with a space, or are empty.
     */
    public long takeLong(String key, long absent, long min, long max, LongFunction<String> outOfBounds)
            throws ConfigException {
        String v = take(key);
        if (v == null) {
            return absent;
        }
        String why;
        try {
            long n = cInteger(v);
            if (n >= min && n <= max) {
                return n;
            }
            why = outOfBounds.apply(n);
        } catch (NumberFormatException e) {
            why = "";
        }
        throw error(key + ": expected a whole number from " + min + " to " + max + ", got '" + v + "'"
                + (why.isEmpty() ? octalHint(v) : why));
    }

    /**
     * Fails when keys are left that no one took.
     *
     * @param known the keys accepted, for the message
     * @throws ConfigException naming the first key left
     */
    public void finish(Set<String> known) throws ConfigException {
        if (!values.isEmpty()) {
            String key = values.keySet().iterator().next();
            if (known.contains(key)) { // a key of this type that the others rule out, e.g. addr.port= with addr.type=unix
                throw error("'" + key + "' does not apply with the other options given");
            }
            throw unknown(key, known);
        }
    }

    /**
     * Refuses a key that is neither in {@code known} nor in {@code explained} (keys the type's own checks refuse
     * with a reason of their own) before those checks run, so that a misspelt key is named rather than
     * reported as the required one it was meant to be.
     */
    public void rejectUnknown(Set<String> known, Set<String> explained) throws ConfigException {
        for (String key : values.keySet()) {
            if (!known.contains(key) && !explained.contains(key)) {
                throw unknown(key, known);
            }
        }
    }

    private ConfigException unknown(String key, Set<String> known) {
        return error("unknown option '" + key + "'" + (known.isEmpty() ? "" : " (expected one of: "
                + String.join(", ", known.stream().sorted().toList()) + ")"));
    }

    /**
     * An error about this argument.
     *
     * @param message what is wrong
     * @return the exception, its message the option, its argument and {@code message} on one line
     */
    public ConfigException error(String message) {
        return new ConfigException(option + " " + text, message);
    }
}
