package io.vnet4j.config;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * QEMU 7.2's keys of each netdev type (qapi/net.json's Netdev*Options, qapi/sockets.json's SocketAddress) that
 * vnet4j does not take: one of them is refused as QEMU's, not as an unknown key (a typo), and says what the type
 * takes.
 */
final class QemuOnlyKeys {
    private static final Map<String, Set<String>> BY_TYPE = Map.of(
            "tap", Set.of("fd", "fds", "br", "helper", "sndbuf", "vhost", "vhostfd", "vhostfds", "vhostforce", "queues", "poll-us"),
            "stream", without(addressKeys("addr"), "addr.keep-alive"), // TCP keep-alive is taken (StreamOptionParser)
            "dgram", union(addressKeys("local"), addressKeys("remote")),
            "vhost-user", Set.of("vhostforce", "queues"));

    /** What the keys that hand QEMU an open descriptor are told besides. */
    private static final Set<String> DESCRIPTOR_KEYS = Set.of("fd", "fds", "vhostfd", "vhostfds", "addr.str", "local.str", "remote.str");

    private QemuOnlyKeys() {}

    /** The keys of QEMU's SocketAddress under {@code prefix} that vnet4j does not take (inet's, unix's, vsock's, fd's). */
    private static Set<String> addressKeys(String prefix) {
        Set<String> keys = new HashSet<>();
        for (String k : List.of("numeric", "to", "ipv4", "ipv6", "keep-alive", "mptcp", "abstract", "tight", "cid", "str")) {
            keys.add(prefix + "." + k);
        }
        return Set.copyOf(keys);
    }

    private static Set<String> without(Set<String> keys, String key) {
        Set<String> left = new HashSet<>(keys);
        left.remove(key);
        return Set.copyOf(left);
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    /** Refuses a key QEMU 7.2's {@code type} has and vnet4j's not, naming what it takes ({@code known}). */
    static void reject(OptionString o, String type, Set<String> known) throws ConfigException {
        Set<String> qemuOnly = BY_TYPE.getOrDefault(type, Set.of());
        for (String key : o.keys()) {
            if (qemuOnly.contains(key)) {
                throw o.error("'" + key + "' is QEMU's option, which vnet4j's " + type + " netdev does not take"
                        + (DESCRIPTOR_KEYS.contains(key) ? ": vnet4j opens its own sockets and devices" : "")
                        + " (it takes: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }
}
