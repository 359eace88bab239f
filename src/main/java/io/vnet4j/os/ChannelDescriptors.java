package io.vnet4j.os;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.SelectableChannel;

/**
 * The file descriptor under a JDK socket channel, for the socket options the JDK has no name for (such as
 * {@link SocketErrorQueue#enable IP_RECVERR}). The JDK keeps it behind {@code sun.nio.ch.SelChImpl.getFDVal()},
 * in a package it exports only when asked: {@code --add-exports java.base/sun.nio.ch=ALL-UNNAMED} on the
 * command line, or the {@code Add-Exports} line of the jar's manifest, which {@code bin/vnet4j} and
 * {@code java -jar} honour. Without it {@link #available()} is false and callers go without.
 */
public final class ChannelDescriptors {
    private static final MethodHandle FD_VAL = find();

    private ChannelDescriptors() {}

    private static MethodHandle find() {
        try {
            Class<?> selChImpl = Class.forName("sun.nio.ch.SelChImpl");
            return MethodHandles.lookup().findVirtual(selChImpl, "getFDVal", MethodType.methodType(int.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // not exported to us (or another JDK's insides)
        }
    }

    /** True when descriptors can be had: the JDK exports {@code sun.nio.ch} to this code. */
    public static boolean available() {
        return FD_VAL != null;
    }

    /** What to do when they cannot, for a log line. */
    public static String howToEnable() {
        return "add --add-exports java.base/sun.nio.ch=ALL-UNNAMED to the java command line (bin/vnet4j and the jar's manifest do)";
    }

    /** The descriptor of an open JDK channel, or -1 when it cannot be had. */
    public static int of(SelectableChannel channel) {
        if (FD_VAL == null) {
            return -1;
        }
        try {
            return (int) FD_VAL.invoke(channel);
        } catch (Throwable t) {
            return -1; // a channel not of the JDK's own kinds
        }
    }
}
