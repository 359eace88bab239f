package io.vnet4j.control;

import io.vnet4j.fabric.Netdev;
import io.vnet4j.usernet.UsernetNetdev;
import java.util.List;
import java.util.Map;

/**
 * HMP {@code info usernet} in QEMU's layout (net/slirp.c hmp_info_usernet with libslirp's
 * slirp_connection_info): per user network a {@code Hub N (ID):} line, then one row per host forward
 * ({@code TCP[HOST_FORWARD]}: host address and port to guest address and port), TCP connection (its state;
 * guest to the remote as the guest sees it, or, for one a host client opened through a forward, the
 * forward's host address and port to the guest) and UDP flow ({@code UDP[N sec]}: seconds until it ends unless
 * the guest sends again; one host socket serves every destination, so, as libslirp's {@code so_faddr}, the
 * destination is that of the guest's last datagram). The FD column, a libslirp socket
 * number, reads {@code -}. RecvQ and SendQ are libslirp's {@code so_rcv} and {@code so_snd}: the guest's
 * bytes waiting for the host socket, and the host's bytes waiting to go to the guest.
 */
final class UsernetTable {
    private UsernetTable() {}

    static String text(List<Netdev> netdevs) {
        StringBuilder sb = new StringBuilder();
        for (Netdev n : netdevs) {
            if (!(n instanceof UsernetNetdev user)) {
                continue;
            }
            Map<String, Object> state = user.state();
            sb.append("Hub ").append(n.hub().id()).append(" (").append(n.id()).append("):\n");
            sb.append("  Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ\n");
            for (Map<?, ?> f : maps(state.get("forwards"))) {
                row(sb, f.get("protocol").toString().toUpperCase() + "[HOST_FORWARD]", f.get("host-address"),
                        f.get("host-port"), f.get("guest-address") == null ? "*" : f.get("guest-address"), f.get("guest-port"), 0, 0);
            }
            for (Map<?, ?> c : maps(state.get("tcp"))) {
                tcpRow(sb, c);
            }
            for (Map<?, ?> u : maps(state.get("udp"))) {
                udpRow(sb, u);
            }
        }
        return sb.isEmpty() ? "user mode network stack not in use\n" : sb.toString();
    }

    /**
     * One connection of {@code query-network}'s {@code tcp} list as a row: from the guest to the remote, or,
     * for a host client's through a forward, from where it connected to the guest (libslirp's SS_INCOMING).
     */
    static void tcpRow(StringBuilder sb, Map<?, ?> c) {
        boolean incoming = c.containsKey("host-address");
        row(sb, "TCP[" + c.get("state") + "]", c.get(incoming ? "host-address" : "guest-address"),
                c.get(incoming ? "host-port" : "guest-port"), c.get(incoming ? "guest-address" : "remote-address"),
                c.get(incoming ? "guest-port" : "remote-port"), c.get("queued-to-host-bytes"), c.get("queued-to-guest-bytes"));
    }

    /** One flow of {@code query-network}'s {@code udp} list as a row. */
    static void udpRow(StringBuilder sb, Map<?, ?> u) {
        row(sb, "UDP[" + u.get("expires-in-seconds") + " sec]", u.get("guest-address"), u.get("guest-port"),
                u.get("remote-address"), u.get("remote-port"), 0, 0);
    }

    private static void row(StringBuilder sb, String protocol, Object source, Object sourcePort, Object destination,
                            Object destinationPort, Object recvQ, Object sendQ) {
        sb.append(String.format("  %-17s %3s %15s %5s %15s %5s %5s %5s%n", protocol, "-", source, sourcePort, destination,
                destinationPort, recvQ, sendQ));
    }

    private static List<Map<?, ?>> maps(Object list) {
        return list instanceof List<?> l ? l.stream().filter(Map.class::isInstance).<Map<?, ?>>map(Map.class::cast).toList()
                : List.of();
    }
}
