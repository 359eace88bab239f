package io.vnet4j.config;

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

    /** The netdev's options ({@code group=} and {@code mode=}: {@link SocketAccessOptions}). */
    static NetdevConfig parse(OptionString o, String id, int hub) throws ConfigException {
        boolean server = o.takeBoolean("server", false);
        String sock = o.require("sock", "the VDE switch's directory, the one holding its ctl socket");
        if (!SocketFiles.fits(sock + "/ctl")) {
            throw o.error("sock: the directory's name is too long for its sockets (at most "
                    + (SocketFiles.PATH_MAX_BYTES - "/ctl".length()) + " bytes): " + sock);
        }
        int port = (int) o.takeLong("port", 0, 0, 65535);
        String group = SocketAccessOptions.group(o);
        int mode = SocketAccessOptions.mode(o, server ? 0600 : 0700);
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
