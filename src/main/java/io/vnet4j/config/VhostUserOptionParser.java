package io.vnet4j.config;

import io.vnet4j.os.SocketFiles;
import java.nio.file.Path;
import java.util.Set;

/**
 * QEMU's {@code -netdev vhost-user} seen from the back-end's side (net/vhost-user.c; qapi/net.json's
 * NetdevVhostUserOptions): vnet4j serves the unix socket {@code path=}, which QEMU's {@code chardev=} names. QEMU's
 * {@code vhostforce=} and {@code queues=} are {@link QemuOnlyKeys}'.
 */
final class VhostUserOptionParser {
    static final Set<String> KEYS = Set.of("id", "hubid", "vlan", "trunk", "path");

    private VhostUserOptionParser() {}

    /**
     * {@code vhost-user,path=PATH}: the back-end's unix socket, which QEMU's {@code -chardev socket,path=PATH}
     * connects to (QEMU's own {@code -netdev vhost-user} names that chardev with {@code chardev=}).
     */
    static NetdevConfig parse(OptionString o, String id, int hub) throws ConfigException {
        if (o.has("chardev")) {
            throw o.error("chardev: vnet4j is the vhost-user back-end, so it takes the socket's path=PATH; "
                    + "chardev= belongs on QEMU's side (-chardev socket,id=C,path=PATH -netdev vhost-user,chardev=C)");
        }
        String path = o.require("path", "the unix socket QEMU's vhost-user chardev connects to");
        if (path.isEmpty() || !SocketFiles.fits(path)) {
            throw o.error("path: expected a unix socket path of 1 to " + SocketFiles.PATH_MAX_BYTES + " bytes, got '" + path + "'");
        }
        o.finish(KEYS);
        return new NetdevConfig.VhostUser(id, "vhost-user", hub, "path=" + path, Path.of(path));
    }
}
