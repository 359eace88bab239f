package io.vnet4j.config;

import io.vnet4j.base.Log;
import java.io.IOException;
import java.nio.file.FileSystems;

/**
 * {@code group=G} and {@code mode=M}: who may use a socket vnet4j makes, with QEMU's {@code -netdev vde} names
 * (net/vde.c; vde_switch's {@code --group} and {@code --mode}). {@code mode} is read as C's strtoul with base 0
 * reads it, as QEMU does: {@code 0660} is octal, {@code 432} decimal.
 */
final class SocketAccessOptions {
    private SocketAccessOptions() {}

    /** {@code group=}: a group of this host, or null when absent. */
    static String group(OptionString o) throws ConfigException {
        String group = o.take("group");
        if (group == null) {
            return null;
        }
        if (group.isEmpty()) {
            throw o.error("group: expected a group name or number, got ''");
        }
        try {
            FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
        } catch (IOException e) { // UserPrincipalNotFoundException, without a message of its own
            throw o.error("group: no group named '" + Log.printable(group) + "' on this host");
        }
        return group;
    }

    /** {@code mode=}: permission bits from 0 to 0777, or {@code absent}. */
    static int mode(OptionString o, int absent) throws ConfigException {
        String text = o.take("mode");
        if (text == null) {
            return absent;
        }
        int mode = OptionString.cNumber(text, 0, 0777); // as strtoul(s, NULL, 0) reads it
        if (mode < 0) {
            throw o.error("mode: expected permission bits from 0 to 0777 (octal with a leading 0, as in QEMU), got '"
                    + text + "'");
        }
        return mode;
    }
}
