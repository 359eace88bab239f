package io.vnet4j.slirp4netns;

import io.vnet4j.base.Log;

/**
 * The drop-in's own lines for the operator, on standard error, each prefixed with the program name (the
 * engine's lines keep their {@code vnet4j: } prefix). Control characters are escaped as {@link Log} does.
 */
final class Messages {
    /** The program name in messages and in the help's usage line. */
    static final String NAME = "vnet4j-slirp4netns";

    private Messages() {}

    static void info(String message) {
        System.err.println(NAME + ": " + Log.printable(message));
    }

    /** Something not done as asked. */
    static void warn(String message) {
        System.err.println(NAME + ": warning: " + Log.printable(message));
    }

    /** Why the command stops. */
    static void error(String message) {
        System.err.println(NAME + ": " + Log.printable(message));
    }
}
