package io.vnet4j.config;

import io.vnet4j.base.TcpKeepAlive;
import io.vnet4j.os.SocketFiles;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.Set;

/**
 * QEMU's {@code -netdev stream,server=on|off,addr.type=inet,addr.host=HOST,addr.port=PORT} or
 * {@code ...,addr.type=unix,addr.path=PATH}, with a client's {@code reconnect-ms=} or {@code reconnect=} (net/stream.c;
 * qapi/net.json's NetdevStreamOptions, its address qapi/sockets.json's SocketAddress): QEMU's own wire, each frame
 * after its 4-byte length. The SocketAddress keys vnet4j does not take are {@link QemuOnlyKeys}'.
 *
 * <p>An inet address takes TCP keep-alive, {@code addr.keep-alive=on} with QEMU 8.1's {@code addr.keep-alive-idle=},
 * {@code -interval=} (seconds) and {@code -count=} ({@link TcpKeepAlive}), on a client's connection and on each one a
 * server accepts, as later QEMU applies it to accepted sockets (7.2 refused it on a listening one): a VM whose host
 * vanished without a word otherwise holds its port for good.</p>
 */
final class StreamOptionParser {
    private static final String KEEP_ALIVE = "addr.keep-alive";
    private static final String KEEP_ALIVE_IDLE = "addr.keep-alive-idle";
    private static final String KEEP_ALIVE_INTERVAL = "addr.keep-alive-interval";
    private static final String KEEP_ALIVE_COUNT = "addr.keep-alive-count";
    static final Set<String> KEYS = Set.of("id", "hubid", "vlan", "trunk", "server", "addr.type", "addr.host",
            "addr.port", "addr.path", "reconnect-ms", "reconnect", KEEP_ALIVE, KEEP_ALIVE_IDLE, KEEP_ALIVE_INTERVAL,
            KEEP_ALIVE_COUNT);

    private StreamOptionParser() {}

    static NetdevConfig parse(OptionString o, String id, int hub) throws ConfigException {
        boolean server = o.takeBoolean("server", false);
        String addrType = o.require("addr.type", "inet or unix");
        SocketAddress address;
        String settings;
        TcpKeepAlive keepAlive = null;
        switch (addrType) {
            case "inet" -> {
                // a server's empty addr.host is every interface, as QEMU 7.2 binds it (getaddrinfo's passive 0.0.0.0)
                String host = server ? Addresses.optionalHost(o, "addr.host", "the host name or address")
                        : o.require("addr.host", "the host name or address");
                String port = o.require("addr.port", "the TCP port");
                InetSocketAddress inet = new InetSocketAddress(host.isEmpty() ? Addresses.address(o, "addr.host", "0.0.0.0")
                        : Addresses.address(o, "addr.host", host),
                        Addresses.port(o, "addr.port", port, server ? 0 : 1));
                address = server ? inet : Addresses.streamPeer(o, "addr.host", inet);
                keepAlive = keepAlive(o);
                settings = "server=" + (server ? "on" : "off") + ",addr.type=inet,addr.host=" + host + ",addr.port=" + port
                        + (keepAlive == null ? "" : keepAlive.settings());
            }
            case "unix" -> {
                String path = o.require("addr.path", "the unix socket path");
                for (String key : new String[] {KEEP_ALIVE, KEEP_ALIVE_IDLE, KEEP_ALIVE_INTERVAL, KEEP_ALIVE_COUNT}) {
                    if (o.has(key)) {
                        throw o.error(key + ": TCP's keep-alive, for addr.type=inet; a unix socket's peer that goes is"
                                + " told by its kernel");
                    }
                }
                if (!SocketFiles.fits(path)) {
                    throw o.error("addr.path: unix socket path longer than " + SocketFiles.PATH_MAX_BYTES + " bytes: " + path);
                }
                address = UnixDomainSocketAddress.of(path);
                settings = "server=" + (server ? "on" : "off") + ",addr.type=unix,addr.path=" + path;
            }
            default -> throw o.error("addr.type: expected inet or unix, got '" + addrType + "'");
        }
        long reconnectMs = ReconnectOptions.millis(o, 0, 0, 3600, (key, n) -> "");
        o.finish(KEYS);
        if (server) {
            if (reconnectMs > 0) {
                throw o.error("reconnect-ms and reconnect are for clients (server=off)");
            }
            return new NetdevConfig.StreamServer(id, "stream", hub, settings, address, keepAlive);
        }
        return new NetdevConfig.StreamClient(id, "stream", hub,
                settings + (reconnectMs > 0 ? ",reconnect-ms=" + reconnectMs : ""), address, reconnectMs, keepAlive);
    }

    /** {@code addr.keep-alive=on} and its times and count, each 0 when not given; null when off. */
    private static TcpKeepAlive keepAlive(OptionString o) throws ConfigException {
        boolean on = o.takeBoolean(KEEP_ALIVE, false);
        if (!on) {
            for (String key : new String[] {KEEP_ALIVE_IDLE, KEEP_ALIVE_INTERVAL, KEEP_ALIVE_COUNT}) {
                if (o.has(key)) {
                    throw o.error(key + ": only with addr.keep-alive=on (QEMU ignores it without)");
                }
            }
            return null;
        }
        return new TcpKeepAlive((int) o.takeLong(KEEP_ALIVE_IDLE, 0, 1, TcpKeepAlive.MAX_SECONDS),
                (int) o.takeLong(KEEP_ALIVE_INTERVAL, 0, 1, TcpKeepAlive.MAX_SECONDS),
                (int) o.takeLong(KEEP_ALIVE_COUNT, 0, 1, TcpKeepAlive.MAX_COUNT));
    }
}
