package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A guest's IPv4 datagrams and pings keep their Don't Fragment bit through the gateway, as through a router
 * (RFC 791, RFC 1812 section 5.2.6), on a path whose link to the far host has an MTU of 1280
 * ({@link RoutedPath}): without DF, 1,428-byte packets arrive in fragments, the first one too, and the guest is
 * told nothing; with DF, the router's Fragmentation Needed (RFC 1191) reaches the guest with the MTU. Before,
 * the host's sockets sent every one with the kernel's default, DF until the path MTU was known: a guest's
 * first datagram or ping without DF was lost and answered with Fragmentation Needed (slirp4netns 1.2 loses
 * it too, and tells nothing). A datagram with DF over the MTU of the host's own link, as a container at MTU
 * 65520 sends them (Linux sets DF on whatever fits its path MTU), still arrives, in fragments. Replays the
 * reports of a path MTU error's MTU field (google/gvisor#12568) and of large datagrams from rootless
 * containers (rootless-containers/slirp4netns#306).
 */
@Timeout(120)
class UsernetPathMtuIT {
    /**
     * Sends {@code argv[2]} datagrams of {@code argv[3]} bytes to the far host's port 9000, DF as {@code argv[1]}
     * ({@code do}: IP_PMTUDISC_DO, else DONT), and prints each error its socket queues (IP_RECVERR).
     */
    private static final String SEND = """
            import socket, struct, sys, time
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.IPPROTO_IP, 10, 2 if sys.argv[1] == 'do' else 0)
            s.setsockopt(socket.IPPROTO_IP, 11, 1)
            for i in range(int(sys.argv[2])):
                try:
                    s.sendto(bytes(int(sys.argv[3])), ('%s', 9000))
                except OSError as e:
                    print('send', i, e.strerror)
                time.sleep(0.3)
                try:
                    m = s.recvmsg(1, 512, socket.MSG_ERRQUEUE | socket.MSG_DONTWAIT)
                    errno, origin, kind, code, pad, info, data = struct.unpack('IBBBBII', m[1][0][2][:16])
                    print('error', i, 'origin', origin, 'type', kind, 'code', code, 'mtu', info)
                except BlockingIOError:
                    pass
            """.formatted(RoutedPath.FAR4);
    /** Counts the bytes of the datagrams socket {@code s} receives until none came for 2 s, and prints it. */
    private static final String COUNT = """
            n = 0
            try:
                while True:
                    n += len(s.recv(65535))
            except socket.timeout:
                print('received', n)
            """;
    /** Counts the bytes of the datagrams that reach port 9000 ({@link #COUNT}). */
    private static final String RECEIVE = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', 9000)); s.settimeout(2)
            print('listening', flush=True)
            """ + COUNT;

    /** The guest's side of a host forward: waits on port 9001 for one datagram and answers it with three of 1,400 bytes without DF. */
    private static final String REPLY = """
            import socket, time
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('0.0.0.0', 9001))
            s.setsockopt(socket.IPPROTO_IP, 10, 0)
            print('listening', flush=True)
            data, client = s.recvfrom(100)
            for i in range(3):
                s.sendto(bytes(1400), client)
                time.sleep(0.3)
            """;
    /** A far client of the host forward: asks once, counts the bytes of the answers ({@link #COUNT}). */
    private static final String ASK = """
            import socket
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
            s.sendto(b'ask', ('198.51.100.1', 9001))
            """ + COUNT;

    private RoutedPath path;
    private final List<Process> receivers = new ArrayList<>();

    @BeforeEach
    void start() {
        PeerTools.require("ping", "iputils-ping");
        PeerTools.require("python3", "python3");
    }

    @AfterEach
    void stop() {
        receivers.forEach(Process::destroyForcibly);
        if (path != null) {
            path.close();
        }
    }

    @ParameterizedTest(name = "ping_group_range {0}")
    @ValueSource(strings = {"1 0", "0 2147483647"})
    void aPingWithoutDfCrossesALinkOfSmallerMtuInFragmentsAndOneWithDfIsToldTheMtu(String pingGroupRange) throws Exception {
        path = new RoutedPath("pm", 1280, pingGroupRange, "");
        assertThat(ping("dont")).as("without DF, the first one too").contains("3 received").doesNotContain("Frag needed");

        path.host.execOk("ip", "route", "flush", "cache"); // the path MTU the host learnt: not known again
        assertThat(ping("do")).as("with DF, the router's error passed on")
                .contains("From " + RoutedPath.ROUTER4 + " icmp_seq=1 Frag needed and DF set (mtu = 1280)");
        path.host.execOk("ip", "route", "flush", "cache");
        assertThat(ping("dont")).as("DF cleared again on the socket").contains("3 received").doesNotContain("Frag needed");
    }

    @Test
    void aDatagramWithoutDfCrossesALinkOfSmallerMtuInFragmentsAndOneWithDfIsToldTheMtu() throws Exception {
        path = new RoutedPath("pu", 1280, null, "");
        assertThat(send("dont", 3, 1400)).as("without DF: all three, the first one too")
                .contains("received 4200").doesNotContain("error");

        path.host.execOk("ip", "route", "flush", "cache");
        assertThat(send("do", 1, 1400)).as("with DF: the router's error, passed on")
                .contains("error 0 origin 2 type 3 code 4 mtu 1280").contains("received 0");
    }

    @Test
    void aDatagramWithDfOverTheHostsOwnLinkMtuArrivesInFragments() throws Exception {
        path = new RoutedPath("pj", 1500, null, ",mtu=65520"); // a rootless container's MTU
        assertThat(send("do", 3, 4000)).contains("received 12000").doesNotContain("error").doesNotContain("send");
    }

    /**
     * The same through a host forward: a guest's replies without DF to a far client of {@code hostfwd=udp:...} arrive,
     * the first one too. Before, the rule's socket sent them with the kernel's default DF, and the first was lost.
     */
    @Test
    void aForwardedClientGetsTheGuestsRepliesWithoutDfInFragmentsTheFirstOneToo() throws Exception {
        path = new RoutedPath("pf", 1280, null, ",hostfwd=udp:198.51.100.1:9001-10.0.2.100:9001");
        Process guest = new ProcessBuilder("ip", "netns", "exec", path.guest.name(), "python3", "-c", REPLY)
                .redirectErrorStream(true).start();
        receivers.add(guest);
        assertThat(guest.inputReader().readLine()).isEqualTo("listening");
        String client = PeerTools.exec(Duration.ofSeconds(20), List.of("ip", "netns", "exec", path.far.name(),
                "python3", "-c", ASK)).output();
        assertThat(client).as("three replies of 1,400 bytes without DF").contains("received 4200");
    }

    /** Three pings of 1,400 bytes to the far host, DF as {@code mode} says ({@code ping -M}); the output. */
    private String ping(String mode) {
        return PeerTools.exec(Duration.ofSeconds(20), List.of("ip", "netns", "exec", path.guest.name(),
                "ping", "-n", "-c", "3", "-i", "0.5", "-W", "2", "-M", mode, "-s", "1400", RoutedPath.FAR4)).output();
    }

    /** {@code count} datagrams of {@code size} bytes to the far host, DF as {@code mode} says; the sender's and receiver's output. */
    private String send(String mode, int count, int size) throws Exception {
        Process receiver = new ProcessBuilder("ip", "netns", "exec", path.far.name(), "python3", "-c", RECEIVE)
                .redirectErrorStream(true).start();
        receivers.add(receiver);
        var lines = receiver.inputReader();
        assertThat(lines.readLine()).isEqualTo("listening");
        String sent = PeerTools.exec(Duration.ofSeconds(20), List.of("ip", "netns", "exec", path.guest.name(),
                "python3", "-c", SEND, mode, String.valueOf(count), String.valueOf(size))).output();
        String received = lines.readLine();
        receiver.waitFor();
        return sent + received;
    }
}
