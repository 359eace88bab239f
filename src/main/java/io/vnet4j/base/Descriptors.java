package io.vnet4j.base;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's file descriptors: RLIMIT_NOFILE's soft limit (which the JVM raises to the hard limit at its
 * start) and how many are open.
 */
public final class Descriptors {
    private Descriptors() {
    }

    /**
     * The most the process may have open, from /proc/self/limits ("Max open files", the soft limit);
     * {@link Long#MAX_VALUE} when it cannot be read or is "unlimited". Not the JDK's OperatingSystemMXBean: every
     * user network reads this as it starts, and the management API's first use took 40-50 ms in a JVM without
     * bin/vnet4j's AOT cache (a program that embeds the library); with the cache the start's spread hides it.
     */
    public static long limit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown: many
        }
        return Long.MAX_VALUE;
    }

    /** How many more the process may open, as the JDK's UnixOperatingSystemMXBean counts; unknown: {@link Long#MAX_VALUE}. */
    public static long free() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            return os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount();
        }
        return Long.MAX_VALUE;
    }
}
