package io.vnet4j.base;

import java.lang.management.ManagementFactory;

/**
 * The process's file descriptors: RLIMIT_NOFILE's soft limit (which the JVM raises to the hard limit at its
 * start) and how many are open, as the JDK's UnixOperatingSystemMXBean reads them from the kernel.
 */
public final class Descriptors {
    private Descriptors() {
    }

    /** The most the process may have open; {@link Long#MAX_VALUE} when the JDK cannot tell. */
    public static long limit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            return os.getMaxFileDescriptorCount();
        }
        return Long.MAX_VALUE;
    }

    /** How many more the process may open; {@link Long#MAX_VALUE} when the JDK cannot tell. */
    public static long free() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            return os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount();
        }
        return Long.MAX_VALUE;
    }
}
