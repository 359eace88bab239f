package io.vnet4j.os;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A kernel setting of this network namespace, read from /proc/sys (sysctl(8)'s names with '/' for '.'). */
public final class Sysctl {
    private Sysctl() {}

    /**
     * The words of {@code /proc/sys/NAME}, e.g. {@code net/ipv4/ip_local_port_range} gives
     * {@code ["32768", "60999"]}.
     *
     * @throws IOException when the file cannot be read, or is empty
     */
    public static String[] words(String name) throws IOException {
        // readAllLines, not readString: these proc files answer a sized read with their first byte only
        var lines = Files.readAllLines(Path.of("/proc/sys", name));
        if (lines.isEmpty()) {
            throw new IOException("/proc/sys/" + name + " is empty");
        }
        return lines.getFirst().trim().split("\\s+");
    }
}
