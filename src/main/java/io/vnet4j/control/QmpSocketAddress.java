package io.vnet4j.control;

import io.vnet4j.base.SocketAddresses;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A socket address as QMP writes one (QAPI's SocketAddress, qapi/sockets.json; built as QEMU's
 * util/qemu-sockets.c socket_sockaddr_to_address does): {@code {"type": "inet", "host": "127.0.0.1",
 * "port": "47666", "ipv4": true}} (the host numeric, the port a string, {@code "ipv6": true} for an IPv6 one), or
 * {@code {"type": "unix", "path": "/run/vm.sock"}}.
 */
final class QmpSocketAddress {
    private QmpSocketAddress() {}

    /** {@code address} as a JSON-ready map; IllegalArgumentException for a kind QMP has no shape for here. */
    static Map<String, Object> of(SocketAddress address) {
        Map<String, Object> qmp = new LinkedHashMap<>();
        if (address instanceof InetSocketAddress inet) {
            qmp.put("type", "inet");
            qmp.put("host", SocketAddresses.numericHost(inet));
            qmp.put("port", Integer.toString(inet.getPort()));
            if (inet.getAddress() != null) { // always, for a connection's address
                qmp.put(inet.getAddress() instanceof Inet4Address ? "ipv4" : "ipv6", true);
            }
        } else if (address instanceof UnixDomainSocketAddress unix) {
            qmp.put("type", "unix");
            qmp.put("path", unix.getPath().toString());
        } else {
            throw new IllegalArgumentException("no QMP SocketAddress for " + address);
        }
        return qmp;
    }
}
