package io.vnet4j.slirp4netns;

import java.util.regex.Pattern;

/**
 * A whole number as main.c reads one with {@code strtol(s, &end, 10)} and then requires {@code *end == '\0'}:
 * optional leading white space, an optional sign, decimal digits and nothing after them.
 */
final class StrictDecimal {
    private static final Pattern FORM = Pattern.compile("[ \\t\\n\\x0B\\f\\r]*[+-]?[0-9]+");

    private StrictDecimal() {}

    /** The value, or null when the text is not such a number or does not fit a {@code long} (strtol's ERANGE). */
    static Long parse(String text) {
        if (!FORM.matcher(text).matches()) {
            return null;
        }
        String digits = text.strip();
        try {
            return Long.parseLong(digits.startsWith("+") ? digits.substring(1) : digits);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
