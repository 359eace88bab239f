package io.vnet4j.config;

import io.vnet4j.os.FileAccess;
import io.vnet4j.os.SocketFiles;
import java.nio.file.Path;
import java.util.Set;

/**
 * QEMU's {@code -netdev vhost-user} seen from the back-end's side (net/vhost-user.c; qapi/net.json's
 * NetdevVhostUserOptions): vnet4j serves the unix socket {@code path=}, which QEMU's {@code chardev=} names. QEMU's
 * {@code vhostforce=} and {@code queues=} are {@link QemuOnlyKeys}'.
 *
 * <p>Which side listens is said as QEMU's {@code -chardev socket} says it: {@code server=on} (the default) binds
 * {@code path=} and QEMU connects; {@code server=off} connects to the socket QEMU listens on
 * ({@code -chardev socket,...,server=on,wait=off}), as OVS-DPDK's {@code dpdkvhostuserclient} port does, and
 * {@code reconnect=SECONDS} (1 to 3600, default 1) or QEMU 9.2's {@code reconnect-ms=MS} (1 to 3600000) is the
 * pace of its tries while nothing listens there. The default is DPDK's: its vhost-user client (which OVS's port
 * uses) tries every second, for ever, so a QEMU that starts or restarts finds its back-end within a second. 0, which
 * is QEMU's chardev's "never", is refused: a back-end that gave up would leave the VM without a network after QEMU's
 * first restart.</p>
 */
final class VhostUserOptionParser {
    static final Set<String> KEYS = Set.of("id", "hubid", "vlan", "trunk", "path", "server", "reconnect",
            "reconnect-ms", "group", "mode");
    /** A client's pace when {@code reconnect=} is not given, in seconds: DPDK's vhost-user client's. */
    static final long DEFAULT_RECONNECT_SECONDS = 1;
    /** The slowest pace {@code reconnect=} takes, in seconds (as {@code stream}'s reconnect=). */
    static final long MAX_RECONNECT_SECONDS = 3600;

    private VhostUserOptionParser() {}

    /**
     * {@code vhost-user,path=PATH[,server=on|off][,reconnect=SECONDS|,reconnect-ms=MS]}: the back-end's unix socket,
     * which QEMU's {@code -chardev socket,path=PATH} connects to (QEMU's own {@code -netdev vhost-user} names that
     * chardev with {@code chardev=}); with {@code server=off}, the socket QEMU listens on, which vnet4j connects to.
     */
    static NetdevConfig parse(OptionString o, String id, int hub) throws ConfigException {
        if (o.has("chardev")) {
            throw o.error("chardev: vnet4j is the vhost-user back-end, so it takes the socket's path=PATH; "
                    + "chardev= belongs on QEMU's side (-chardev socket,id=C,path=PATH -netdev vhost-user,chardev=C)");
        }
        String path = o.require("path", "the unix socket QEMU's vhost-user chardev connects to (with server=off: listens on)");
        if (path.isEmpty() || !SocketFiles.fits(path)) {
            throw o.error("path: expected a unix socket path of 1 to " + SocketFiles.PATH_MAX_BYTES + " bytes, got '" + path + "'");
        }
        boolean server = o.takeBoolean("server", true);
        if (server) {
            for (String key : new String[] {ReconnectOptions.SECONDS, ReconnectOptions.MILLIS}) {
                if (o.has(key)) {
                    throw o.error(key + ": only with server=off, where vnet4j connects to QEMU's socket; with server=on"
                            + " (the default) QEMU connects, and its own -chardev socket,...," + key
                            + (key.equals(ReconnectOptions.SECONDS) ? "=SECONDS" : "=MS") + " paces that");
                }
            }
            String group = SocketAccessOptions.group(o);
            int mode = SocketAccessOptions.mode(o, FileAccess.AS_MADE);
            o.finish(KEYS);
            String settings = "path=" + path + (group == null ? "" : ",group=" + group)
                    + (mode == FileAccess.AS_MADE ? "" : ",mode=0" + Integer.toOctalString(mode));
            return new NetdevConfig.VhostUser(id, "vhost-user", hub, settings, Path.of(path), true, 0, group, mode);
        }
        for (String key : new String[] {"group", "mode"}) {
            if (o.has(key)) {
                throw o.error(key + ": only with server=on, where vnet4j makes the socket; with server=off it is QEMU's,"
                        + " made by its -chardev socket,...,server=on");
            }
        }
        long reconnectMs = reconnectMillis(o);
        o.finish(KEYS);
        String pace = reconnectMs % 1000 == 0 ? ",reconnect=" + reconnectMs / 1000 : ",reconnect-ms=" + reconnectMs;
        return new NetdevConfig.VhostUser(id, "vhost-user", hub, "path=" + path + ",server=off" + pace,
                Path.of(path), false, reconnectMs, null, FileAccess.AS_MADE);
    }

    /**
     * A client's pace in ms: {@code reconnect=} in seconds or {@code reconnect-ms=}, read as QEMU reads numbers
     * ({@link OptionString#cInteger}: 010 is 8), or the default.
     */
    private static long reconnectMillis(OptionString o) throws ConfigException {
        return ReconnectOptions.millis(o, DEFAULT_RECONNECT_SECONDS * 1000, 1, MAX_RECONNECT_SECONDS, (key, n) -> n != 0 ? ""
                : " (QEMU's chardev takes 0 for never; a server=off back-end always connects again, so that the VM has a"
                + " network after QEMU restarts)");
    }
}
