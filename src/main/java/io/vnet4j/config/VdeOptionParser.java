package io.vnet4j.config;

import io.vnet4j.base.Log;
import io.vnet4j.os.SocketFiles;
import java.nio.file.Path;
import java.util.Set;

/**
 * QEMU's {@code -netdev vde,sock=DIR[,port=N][,group=G][,mode=M]} (net/vde.c; qapi/net.json's NetdevVdeOptions): a
 * plug into the VDE switch whose control socket is DIR/ctl; and vnet4j's {@code server=on}, a VDE switch of its own at
 * DIR.
 */
final class VdeOptionParser {
    static final Set<String> KEYS = Set.of("id", "hubid", "vlan", "trunk", "sock", "port", "group", "mode", "server");

    private VdeOptionParser() {}

    /**
     * The netdev's options. {@code mode} is read as C's strtoul with base 0 does, as QEMU reads it: {@code 0700} is
     * octal, {@code 448} decimal.
     */
    static NetdevConfig parse(OptionString o, String id, int hub) throws ConfigException {
        boolean server = o.takeBoolean("server", false);
        String sock = o.require("sock", "the VDE switch's directory, the one holding its ctl socket");
        if (!SocketFiles.fits(sock + "/ctl")) {
            throw o.error("sock: the directory's name is too long for its sockets (at most "
                    + (SocketFiles.PATH_MAX_BYTES - "/ctl".length()) + " bytes): " + sock);
        }
        int port = (int) o.takeLong("port", 0, 0, 65535);
        String group = o.take("group");
        if (group != null && group.isEmpty()) {
            throw o.error("group: expected a group name or number, got ''");
        }
        if (group != null) {
            try {
                java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByGroupName(group);
            } catch (java.io.IOException e) { // UserPrincipalNotFoundException, without a message of its own
                throw o.error("group: no group named '" + Log.printable(group) + "' on this host");
            }
        }
        String modeText = o.take("mode");
        int mode = server ? 0600 : 0700;
        if (modeText != null) {
            mode = OptionString.cNumber(modeText, 0, 0777); // as strtoul(s, NULL, 0) reads it
            if (mode < 0) {
                throw o.error("mode: expected permission bits from 0 to 0777 (octal with a leading 0, as in QEMU), got '"
                        + modeText + "'");
            }
        }
        o.finish(KEYS);
        if (server && port != 0) {
            throw o.error("port is for plugs that join a switch, not for server=on (each plug gets its own port)");
        }
        StringBuilder settings = new StringBuilder("sock=").append(sock);
        if (server) {
            settings.append(",server=on");
        }
        if (port != 0) {
            settings.append(",port=").append(port);
        }
        return new NetdevConfig.Vde(id, "vde", hub, settings.toString(), Path.of(sock), server, port, group, mode);
    }
}
