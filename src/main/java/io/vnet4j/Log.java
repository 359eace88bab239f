package io.vnet4j;

/** One-line messages for the operator on standard error, each prefixed with {@code vnet4j: }. */
public final class Log {
    private static volatile boolean quiet;

    private Log() {}

    public static void quiet(boolean q) {
        quiet = q;
    }

    public static void info(String message) {
        if (!quiet) {
            System.err.println("vnet4j: " + message);
        }
    }

    public static void warn(String message) {
        System.err.println("vnet4j: warning: " + message);
    }
}
