package io.vnet4j.config;

import java.util.Collection;

/**
 * A listener's ports are named after it, {@code ID.N} (a stream server's connections, a VDE switch's plugs), and
 * {@code set_link} and {@code info network} reach a port by that name, a netdev id first (a capture takes a
 * netdev's id only: every port of it). So a netdev id of that form would hide a port, and a later port of that
 * name would be unreachable: such pairs of ids are refused (helper-113 met {@code netdev_add socket,id=vms.3}
 * beside stream server {@code vms}).
 */
public final class PortIds {
    private PortIds() {}

    /**
     * The id among {@code ids} that {@code id} clashes with: one whose ports {@code id} names, or one that names a
     * port of a netdev of id {@code id}; null when none does.
     */
    public static String clash(String id, Collection<String> ids) {
        for (String other : ids) {
            if (namesPortOf(id, other) || namesPortOf(other, id)) {
                return other;
            }
        }
        return null;
    }

    /** The refusal's words, after the option: {@code ID 'vms.3' is how netdev 'vms' names its ports (ID.N)}. */
    public static String refusal(String id, String other) {
        return namesPortOf(id, other)
                ? "ID '" + id + "' is how netdev '" + other + "' names its ports (ID.N): pick another"
                : "ID '" + id + "' would name its ports as netdev '" + other + "' is named (ID.N): pick another";
    }

    /** Whether {@code name} is {@code netdevId} followed by a dot and one or more ASCII digits. */
    static boolean namesPortOf(String name, String netdevId) {
        int dot = netdevId.length();
        if (name.length() <= dot + 1 || !name.startsWith(netdevId) || name.charAt(dot) != '.') {
            return false;
        }
        for (int i = dot + 1; i < name.length(); i++) {
            if (name.charAt(i) < '0' || name.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
