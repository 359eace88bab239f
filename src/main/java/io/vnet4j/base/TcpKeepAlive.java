package io.vnet4j.base;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import jdk.net.ExtendedSocketOptions;

/**
 * TCP keep-alive on a stream netdev's connections, as QEMU's InetSocketAddress says it (qapi/sockets.json:
 * {@code keep-alive}, QEMU 4.2; {@code keep-alive-idle}, {@code keep-alive-interval}, {@code keep-alive-count}, QEMU
 * 8.1, Linux): SO_KEEPALIVE (socket(7)), and tcp(7)'s TCP_KEEPIDLE (seconds of silence before the first probe),
 * TCP_KEEPINTVL (seconds between probes) and TCP_KEEPCNT (probes unanswered before the connection is dropped), each 0
 * for the system's (net.ipv4.tcp_keepalive_time 7200 s, tcp_keepalive_intvl 75 s, tcp_keepalive_probes 9). A peer
 * whose host vanished, which nothing else would ever tell, is then found, and its port let go.
 *
 * @param idleSeconds 1 to {@link #MAX_SECONDS}, or 0 for the system's
 * @param intervalSeconds 1 to {@link #MAX_SECONDS}, or 0 for the system's
 * @param count 1 to {@link #MAX_COUNT}, or 0 for the system's
 */
public record TcpKeepAlive(int idleSeconds, int intervalSeconds, int count) {
    /** Linux's most for TCP_KEEPIDLE and TCP_KEEPINTVL (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL). */
    public static final int MAX_SECONDS = 32767;
    /** Linux's most for TCP_KEEPCNT (MAX_TCP_KEEPCNT). */
    public static final int MAX_COUNT = 127;

    /** Turns keep-alive on for {@code channel}, a TCP connection, with the times and count that are not 0. */
    public void apply(SocketChannel channel) throws IOException {
        channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        if (idleSeconds > 0) {
            channel.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, idleSeconds);
        }
        if (intervalSeconds > 0) {
            channel.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, intervalSeconds);
        }
        if (count > 0) {
            channel.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, count);
        }
    }

    /** As QEMU's option says it: {@code ,addr.keep-alive=on} and each value given. */
    public String settings() {
        return ",addr.keep-alive=on" + (idleSeconds > 0 ? ",addr.keep-alive-idle=" + idleSeconds : "")
                + (intervalSeconds > 0 ? ",addr.keep-alive-interval=" + intervalSeconds : "")
                + (count > 0 ? ",addr.keep-alive-count=" + count : "");
    }
}
