package io.vnet4j;

/**
 * One-line messages for the operator on standard error, each prefixed with {@code vnet4j: }. Control
 * characters in a message (a newline in an option value, say) are written as escapes, so one message
 * stays one line and nothing the user typed can move the terminal's cursor.
 */
public final class Log {
    private static volatile boolean quiet;
    /** Bound while code runs whose informational lines would only confuse (the warm-up's private network). */
    private static final ScopedValue<Boolean> HUSHED = ScopedValue.newInstance();

    private Log() {}

    public static void quiet(boolean q) {
        quiet = q;
    }

    /** Runs {@code task} with the informational lines this thread would print left out (warnings stay). */
    public static void hushed(Runnable task) {
        ScopedValue.where(HUSHED, true).run(task);
    }

    /**
     * {@code task}, run hushed if the caller is hushed now: for a thread the caller starts, which a scoped
     * value does not reach (the warm-up's private user network logs from its own loop thread).
     */
    public static Runnable hushedIfNow(Runnable task) {
        return HUSHED.orElse(false) ? () -> hushed(task) : task;
    }

    public static void info(String message) {
        if (!quiet && !HUSHED.orElse(false)) {
            System.err.println("vnet4j: " + printable(message));
        }
    }

    public static void warn(String message) {
        System.err.println("vnet4j: warning: " + printable(message));
    }

    /** A message that ends the command (a bad option, a refusal), printed even when quiet. */
    public static void error(String message) {
        System.err.println("vnet4j: " + printable(message));
    }

    /** What went wrong, in one line: the exception's message, or its kind when it has none. */
    public static String describe(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * {@code text} with control characters escaped: {@code \n}, {@code \t}, {@code \r}, others {@code \xNN};
     * "(no message)" for null.
     */
    public static String printable(String text) {
        if (text == null) {
            return "(no message)";
        }
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 0x20 && c != 0x7F) {
                if (sb != null) {
                    sb.append(c);
                }
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(text.length() + 8).append(text, 0, i);
            }
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> sb.append(String.format("\\x%02x", (int) c));
            }
        }
        return sb == null ? text : sb.toString();
    }
}
