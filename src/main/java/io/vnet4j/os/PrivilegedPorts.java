package io.vnet4j.os;

import java.io.IOException;

/**
 * Ports below {@code net.ipv4.ip_unprivileged_port_start} (1024 by default, per network namespace) need root or
 * CAP_NET_BIND_SERVICE to bind (ip(7)); a user who met that hears how through.
 */
public final class PrivilegedPorts {
    private PrivilegedPorts() {}

    /**
     * What to add to a refused bind's message ({@code reason}, the kernel's words) when {@code port} is below the
     * namespace's first unprivileged port and the kernel said "Permission denied": {@code " (ports below 1024 need root
     * or CAP_NET_BIND_SERVICE; net.ipv4.ip_unprivileged_port_start is 1024)"}; else "".
     *
     * @param port the port asked for, 0 to 65535
     */
    public static String hint(String reason, int port) {
        if (reason == null || !reason.contains("Permission denied") || port <= 0) {
            return "";
        }
        int start = firstUnprivileged();
        return port >= start ? "" : " (ports below " + start + " need root or CAP_NET_BIND_SERVICE;"
                + " net.ipv4.ip_unprivileged_port_start is " + start + ")";
    }

    /** This namespace's {@code net.ipv4.ip_unprivileged_port_start}; 1024, the kernel's default, when unreadable. */
    static int firstUnprivileged() {
        try {
            return Integer.parseInt(Sysctl.words("net/ipv4/ip_unprivileged_port_start")[0]);
        } catch (IOException | NumberFormatException e) {
            return 1024;
        }
    }
}
