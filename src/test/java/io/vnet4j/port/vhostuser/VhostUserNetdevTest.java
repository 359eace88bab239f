package io.vnet4j.port.vhostuser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.base.LogCapture;
import io.vnet4j.fabric.Hub;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One front-end at a time on a vhost-user socket: which connection is served and which refused; and the client
 * ({@code server=off}) that connects to QEMU's socket, waits for it, and connects again.
 */
@Timeout(30)
class VhostUserNetdevTest {
    /** VHOST_USER_GET_FEATURES (request 1, flags: version 1), no payload: the back-end answers with 8 bytes. */
    private static boolean served(SocketChannel c) {
        try {
            c.write(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(1).putInt(0).flip());
            ByteBuffer reply = ByteBuffer.allocate(20);
            while (reply.hasRemaining()) {
                if (c.read(reply) < 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false; // closed on it: refused
        }
    }

    private static SocketChannel connect(Path path) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(path));
        return c;
    }

    /**
     * group= and mode= give the socket to a QEMU running as another user (libvirt's libvirt-qemu), as a VDE switch's
     * are: before, the socket kept what the umask gave it (srwxr-xr-x for root), and such a QEMU's connect got
     * "Permission denied" while vnet4j said nothing. A group that cannot be given fails the start, and the socket goes.
     */
    @Test
    void theSocketTakesItsGroupAndMode(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("vu.sock");
        String group = Files.readAttributes(dir, PosixFileAttributes.class).group().getName(); // one this process may give
        try (VhostUserNetdev netdev = new VhostUserNetdev("vu", "path=" + path, path, group, 0660, new Hub(0))) {
            netdev.start();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(path))).isEqualTo("rw-rw----");
            assertThat(Files.readAttributes(path, PosixFileAttributes.class).group().getName()).isEqualTo(group);
            try (SocketChannel c = connect(path)) {
                assertThat(served(c)).isTrue();
            }
        }
        try (VhostUserNetdev netdev = new VhostUserNetdev("vu", "path=" + path, path, "no-such-group-here", 0660, new Hub(0))) {
            assertThatThrownBy(netdev::start).hasMessage("vu: cannot listen on path=" + path
                    + ": group=no-such-group-here: no such group");
            assertThat(Files.exists(path, LinkOption.NOFOLLOW_LINKS)).as("the socket removed").isFalse();
        }
    }

    /**
     * A helper's replay: a front-end that closes and connects again at once (QEMU does when it gives up on a
     * connection) found its old connection still being taken down and was refused as a second front-end,
     * each time with the warning said once per connection.
     */
    @Test
    void aFrontEndReconnectingAtOnceIsServedAndOnlyASecondOneIsRefused(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("vu.sock");
        try (VhostUserNetdev netdev = new VhostUserNetdev("vu", "path=" + path, path, new Hub(0))) {
            netdev.start();
            for (int i = 0; i < 5; i++) {
                try (SocketChannel first = connect(path)) {
                    assertThat(served(first)).isTrue();
                }
                try (SocketChannel again = connect(path)) {
                    assertThat(served(again)).as("reconnection %d", i).isTrue();
                }
            }
            try (SocketChannel first = connect(path); SocketChannel second = connect(path)) {
                assertThat(served(first)).isTrue();
                assertThat(served(second)).as("a second front-end while the first is served").isFalse();
            }
        }
    }

    /** VHOST_USER_SET_OWNER (request 3), no payload and no reply. */
    private static void setOwner(SocketChannel c) throws IOException {
        c.write(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(3).putInt(1).putInt(0).flip());
    }


    /** The warnings said while {@code task} runs (the library's System.Logger, as without the command line). */
    private static List<String> warnings(LogCapture.Task task) throws Exception {
        return LogCapture.during(java.util.logging.Level.WARNING, task);
    }

    /**
     * A helper's trial: QEMU 7.2 under TCG with a vhost-user NIC that has MSI-X crashes when the guest's driver
     * starts it (seconds after connecting, before SET_FEATURES), and the warning told the user to give queues=1,
     * which they had: the advice on queues is for a front-end that gives up at once, and this one names vectors=0.
     */
    @Test
    void aFrontEndGoneLaterBeforeSetFeaturesIsNotToldAboutQueues(@TempDir Path dir) throws Exception {
        // 1.2 s: the guest booting until its driver starts the NIC
        assertThat(warningsOfAFrontEndThatLeavesAfter(dir.resolve("vu.sock"), 1200)).singleElement().asString()
                .contains("vectors=0").doesNotContain("queues=1");
    }

    /**
     * A front-end that gives up at once, after SET_OWNER (QEMU 7.2 with queues=2: the first pair's handshake,
     * then its own refusal of the second, some 30 ms after connecting), is told about queues=1.
     */
    @Test
    void aFrontEndGoneAtOnceIsToldAboutQueues(@TempDir Path dir) throws Exception {
        assertThat(warningsOfAFrontEndThatLeavesAfter(dir.resolve("vu.sock"), 0)).singleElement().asString()
                .contains("queues=1");
    }

    /**
     * The warnings said when a front-end connects, sends SET_OWNER and leaves {@code millis} ms later without setting
     * features; a second front-end is then served (the first one's end was seen).
     */
    private List<String> warningsOfAFrontEndThatLeavesAfter(Path path, long millis) throws Exception {
        return warnings(() -> {
            try (VhostUserNetdev netdev = new VhostUserNetdev("vu", "path=" + path, path, new Hub(0))) {
                netdev.start();
                try (SocketChannel c = connect(path)) {
                    assertThat(served(c)).isTrue();
                    setOwner(c);
                    assertThat(served(c)).isTrue();
                    Thread.sleep(millis);
                }
                try (SocketChannel c = connect(path)) {
                    assertThat(served(c)).isTrue();
                }
            }
        });
    }

    // ---- server=off: vnet4j connects to the socket QEMU listens on ----

    /** What the library says at INFO or above while {@code task} runs. */
    private static List<String> lines(LogCapture.Task task) throws Exception {
        return LogCapture.during(java.util.logging.Level.INFO, task);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    /** QEMU's side: a listening unix socket (QEMU's -chardev socket,server=on,wait=off). */
    private static ServerSocketChannel listen(Path path, int backlog) throws IOException {
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        s.bind(UnixDomainSocketAddress.of(path), backlog);
        return s;
    }

    private static long count(List<String> lines, String part) {
        return lines.stream().filter(l -> l.contains(part)).count();
    }

    /** True when the other end closed: the end of the stream, or a reset (it closed with the greeting's rest unread). */
    private static boolean closedByPeer(SocketChannel c) {
        try {
            return c.read(ByteBuffer.allocate(64)) < 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** QEMU's monitor's greeting (QMP), the first bytes a wrong path= shows. */
    private static final byte[] QMP_GREETING = "{\"QMP\": {\"version\": {}}}\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    /**
     * A client given the path of a socket that is not a vhost-user chardev (QEMU's monitor, here) said three lines a
     * try, every second: "front-end connected", the header's numbers ("request 1297162875 with flags 0x203a2250 ..."),
     * "disconnected". It now says once what the socket is not, with its first bytes and the way to the right one, while
     * its tries find the same; a QEMU that then speaks vhost-user there is said to be connected.
     */
    @Test
    void aClientAtASocketThatDoesNotSpeakVhostUserSaysSoOnceWithTheWayToTheRightOne(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("monitor.sock");
        List<String> said = lines(() -> {
            try (ServerSocketChannel monitor = listen(path, 4);
                    VhostUserNetdev netdev = VhostUserNetdev.client("vu", "path=" + path + ",server=off", path, 50, new Hub(0))) {
                netdev.start();
                for (int i = 0; i < 3; i++) {
                    try (SocketChannel c = monitor.accept()) {
                        c.write(ByteBuffer.wrap(QMP_GREETING));
                        assertThat(closedByPeer(c)).as("closed by the client").isTrue();
                    }
                }
                try (SocketChannel c = monitor.accept()) {
                    assertThat(served(c)).isTrue();
                }
            }
        });
        assertThat(count(said, "vu: the socket at " + path + " does not speak vhost-user (its first bytes: \"{\"QMP\": {\"ve\");"
                + " give path= the socket of QEMU's -chardev socket,...,server=on that its -netdev vhost-user,chardev= names"
                + " (said once while the tries every 50 ms find the same); connection closed")).as(said.toString()).isEqualTo(1);
        assertThat(count(said, "request")).as(said.toString()).isZero();
        assertThat(count(said, "front-end connected")).as("only the QEMU that spoke: " + said).isEqualTo(1);
    }

    /** A server says a peer that greets with something else than vhost-user, and how QEMU connects. */
    @Test
    void aPeerThatDoesNotSpeakVhostUserIsSaidWithHowQemuConnects(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("vu.sock");
        List<String> said = lines(() -> {
            try (VhostUserNetdev netdev = new VhostUserNetdev("vu", "path=" + path, path, new Hub(0))) {
                netdev.start();
                try (SocketChannel c = connect(path)) {
                    c.write(ByteBuffer.wrap(QMP_GREETING));
                    assertThat(closedByPeer(c)).isTrue();
                }
            }
        });
        assertThat(said).anyMatch(l -> l.equals("vu: a peer that does not speak vhost-user connected (its first bytes:"
                + " \"{\"QMP\": {\"ve\"); QEMU connects here with -chardev socket,id=C,path=" + path
                + " and -netdev vhost-user,chardev=C; connection closed"));
    }

    /**
     * A server said any peer as "vhost-user front-end connected" and then "disconnected", the lines of a VM, around
     * the warning that it did not speak vhost-user; one that hung up without a word also drew the warning that QEMU
     * left its handshake, with the advice queues=1. A connection is now said once its peer speaks vhost-user (as a
     * client's already was), and one that ended before any message is said as such.
     */
    @Test
    void aServerSaysAConnectionOnlyOnceItsPeerSpeaksVhostUser(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("vu.sock");
        List<String> said = lines(() -> {
            try (VhostUserNetdev netdev = new VhostUserNetdev("vu", "path=" + path, path, new Hub(0))) {
                netdev.start();
                connect(path).close();
                try (SocketChannel c = connect(path)) {
                    c.write(ByteBuffer.wrap(QMP_GREETING));
                    assertThat(closedByPeer(c)).isTrue();
                }
            }
        });
        assertThat(count(said, "vu: a peer connected and hung up before saying anything (QEMU's -netdev vhost-user speaks"
                + " first)")).as(said.toString()).isEqualTo(1);
        assertThat(count(said, "does not speak vhost-user")).as(said.toString()).isEqualTo(1);
        assertThat(count(said, "front-end")).as("no front-end spoke: " + said).isZero();
        assertThat(count(said, "queues=1")).as(said.toString()).isZero();
    }

    /** A client whose socket ends each connection before a word said the handshake QEMU left, queues=1, once. */
    @Test
    void aClientAtASocketThatHangsUpAtOnceSaysSoOnce(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("other.sock");
        List<String> said = lines(() -> {
            try (ServerSocketChannel other = listen(path, 4);
                    VhostUserNetdev netdev = VhostUserNetdev.client("vu", "path=" + path + ",server=off", path, 50, new Hub(0))) {
                netdev.start();
                for (int i = 0; i < 3; i++) {
                    other.accept().close();
                }
                try (SocketChannel c = other.accept()) {
                    assertThat(served(c)).isTrue();
                }
            }
        });
        assertThat(count(said, "vu: the connection to " + path + " ended before anything was said on it (QEMU's vhost-user"
                + " chardev speaks first: a QEMU that quit, or the socket of something else; said once while the tries"
                + " every 50 ms meet the same)")).as(said.toString()).isEqualTo(1);
        assertThat(count(said, "queues=1")).as(said.toString()).isZero();
        assertThat(count(said, "front-end connected")).as("only the QEMU that spoke: " + said).isEqualTo(1);
    }

    /** A pace that is no whole number of seconds was said rounded to a tenth ("trying every 1.1 s" for 1050 ms). */
    @Test
    void aClientsPaceIsSaidAsGiven(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("qemu.sock");
        List<String> said = lines(() -> {
            try (VhostUserNetdev netdev = VhostUserNetdev.client("vu", "path=" + path + ",server=off", path, 1050, new Hub(0))) {
                netdev.start();
                await("the wait said", () -> netdev.describe().contains("waiting for QEMU"));
            }
        });
        assertThat(said).contains("vu: waiting for QEMU to listen at " + path + " (nothing there yet); trying every 1050 ms");
    }

    /**
     * A client started before QEMU waits for its socket, saying so once however many tries it takes, and without
     * making the path; it is served once QEMU listens, connects again when QEMU's end goes (a QEMU restarting:
     * its chardev listens for the next back-end) and again when a new QEMU comes after the old one's socket
     * went stale; the path is never removed.
     */
    @Test
    void aClientWaitsForQemuSaysSoOnceIsServedAndConnectsAgainAfterEachEnd(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("qemu.sock");
        String settings = "path=" + path + ",server=off,reconnect=1";
        List<String> said = lines(() -> {
            try (VhostUserNetdev netdev = VhostUserNetdev.client("vu", settings, path, 50, new Hub(0))) {
                netdev.start();
                await("waiting", () -> netdev.describe().contains("waiting"));
                Thread.sleep(300); // some six tries
                assertThat(netdev.describe()).isEqualTo(settings + " (waiting for QEMU to listen there: nothing there yet)");
                assertThat(netdev.ports()).isEmpty();
                assertThat(Files.exists(path)).as("the path is QEMU's: never bound by a client").isFalse();
                try (ServerSocketChannel qemu = listen(path, 1)) {
                    try (SocketChannel c = qemu.accept()) {
                        assertThat(served(c)).isTrue();
                        assertThat(netdev.describe()).startsWith(settings + ",peer=vhost-user front-end (");
                        assertThat(netdev.ports()).hasSize(1);
                    } // QEMU's end goes; its chardev listens again
                    try (SocketChannel c = qemu.accept()) {
                        assertThat(served(c)).as("connected again").isTrue();
                    }
                } // QEMU quit, its socket left behind: stale
                await("waiting again", () -> netdev.describe().contains("waiting"));
                assertThat(netdev.describe()).endsWith("(waiting for QEMU to listen there: a socket nothing listens on)");
                Files.delete(path); // a new QEMU makes its socket anew
                try (ServerSocketChannel qemu = listen(path, 1); SocketChannel c = qemu.accept()) {
                    assertThat(served(c)).as("served by a new QEMU").isTrue();
                    netdev.close(); // while served: the connection ends, the file stays
                    assertThat(c.read(ByteBuffer.allocate(1))).isEqualTo(-1);
                }
                Files.writeString(dir.resolve("marker"), "");
            }
        });
        assertThat(count(said, "vu: waiting for QEMU to listen at " + path + " (nothing there yet); trying every 50 ms"))
                .as(said.toString()).isEqualTo(1);
        assertThat(count(said, "vu: waiting for QEMU to listen at " + path + " (a socket nothing listens on)"))
                .as(said.toString()).isEqualTo(1);
        assertThat(count(said, "waiting for QEMU")).as(said.toString()).isEqualTo(2);
        assertThat(said).anyMatch(l -> l.matches("vu: vhost-user front-end connected to hub 0 \\(connected to QEMU's socket "
                + java.util.regex.Pattern.quote(path.toString()) + " after waiting [0-9.]+ m?s for it\\)"));
        assertThat(said).contains("vu: vhost-user front-end connected to hub 0 (connected to QEMU's socket " + path + ")");
        assertThat(count(said, "vhost-user front-end connected to hub 0")).as(said.toString()).isEqualTo(3);
        assertThat(Files.exists(path)).as("QEMU's socket file left in place").isTrue();
    }

    /** The client's thread, when it runs. */
    private static boolean connectorRuns() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("vnet4j-vu-connect") && t.isAlive());
    }

    /** Close stops a client's retrying at once: while it waits out an hour's pace, and while its connect blocks. */
    @Test
    void closeStopsAClientsRetryingAtOnce(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("qemu.sock");
        VhostUserNetdev waiting = VhostUserNetdev.client("vu", "path=" + path, path, 3_600_000, new Hub(0));
        waiting.start();
        await("waiting", () -> waiting.describe().contains("waiting"));
        long start = System.nanoTime();
        waiting.close();
        assertThat((System.nanoTime() - start) / 1_000_000).as("ms to close while waiting").isLessThan(1000);
        assertThat(connectorRuns()).isFalse();

        // QEMU's listen queue full (it serves another back-end, say): the client's connect blocks in the kernel
        try (ServerSocketChannel qemu = listen(path, 1)) {
            List<SocketChannel> queued = new ArrayList<>();
            try {
                while (true) {
                    SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
                    c.configureBlocking(false);
                    queued.add(c);
                    c.connect(UnixDomainSocketAddress.of(path)); // EAGAIN once the queue is full
                }
            } catch (IOException full) {
                // the queue is full
            }
            VhostUserNetdev blocked = VhostUserNetdev.client("vu", "path=" + path, path, 50, new Hub(0));
            blocked.start();
            Thread.sleep(200);
            assertThat(blocked.describe()).contains("(connecting to QEMU)");
            start = System.nanoTime();
            blocked.close();
            assertThat((System.nanoTime() - start) / 1_000_000).as("ms to close while connecting").isLessThan(1000);
            assertThat(connectorRuns()).isFalse();
            for (SocketChannel c : queued) {
                c.close();
            }
        }
    }

    /**
     * A client whose peer at the path ends each connection at once (a socket of something else than a vhost-user
     * chardev: QEMU's monitor, another daemon's, vnet4j's own control socket) connects at the pace of
     * {@code reconnect=}, not again at once: a helper's trial, {@code netdev_add vhost-user,...,server=off} on the
     * daemon's control socket, connected some 1,500 times a second with half a core busy.
     */
    @Test
    void aClientWhosePeerEndsEachConnectionAtOnceTriesAtItsPace(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("monitor.sock");
        try (ServerSocketChannel other = listen(path, 16)) {
            int[] accepted = new int[1];
            Thread closer = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (true) {
                        SocketChannel c = other.accept();
                        synchronized (accepted) {
                            accepted[0]++;
                        }
                        c.write(ByteBuffer.wrap("{\"QMP\": {\"version\": {}}}\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                        c.close();
                    }
                } catch (IOException e) {
                    // closed: the test is over
                }
            });
            try (VhostUserNetdev netdev = VhostUserNetdev.client("vu", "path=" + path, path, 200, new Hub(0))) {
                netdev.start();
                Thread.sleep(1000);
            }
            other.close();
            closer.join(1000);
            synchronized (accepted) {
                assertThat(accepted[0]).as("connections in 1 s at a 200 ms pace").isBetween(1, 7);
            }
        }
    }

    /**
     * A user who gave QEMU's chardev server=on (as for OVS-DPDK's dpdkvhostuserclient) and left vnet4j's default
     * server=on was told that the path "is in use by pid N (qemu-system-x86)", not that server=off connects to it.
     */
    @Test
    void aServerWhosePathQemuListensOnNamesServerOff(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("vm.sock");
        try (ServerSocketChannel qemu = listen(path, 1);
             VhostUserNetdev netdev = new VhostUserNetdev("vu", "path=" + path, path, new Hub(0))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(netdev::start)
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("vu: cannot listen on path=" + path + ": " + path + " is in use by ")
                    .hasMessageEndingWith("; if QEMU listens there (-chardev socket,...,server=on), give this netdev"
                            + " server=off to connect to it");
        }
    }

    /**
     * QEMU's chardev serves one back-end at a time: a second client's connect (another vnet4j given the same path)
     * succeeds in the kernel and waits in QEMU's listen queue. Such a client said "vhost-user front-end connected to
     * hub 0" and showed a peer in info network while QEMU had not accepted it. Now it says that it waits in the queue,
     * and that it is connected once QEMU speaks (the one served gone).
     */
    @Test
    void aClientInQemusListenQueueSaysSoAndIsConnectedOnceQemuSpeaks(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("qemu.sock");
        List<String> said = lines(() -> {
            try (ServerSocketChannel qemu = listen(path, 4);
                 VhostUserNetdev netdev = VhostUserNetdev.client("vu", "path=" + path, path, 50, new Hub(0))) {
                netdev.start();
                await("connected, not accepted, said (QUEUED_SAID_MILLIS: 2 s)", () -> netdev.describe().contains("nothing said"));
                assertThat(netdev.describe()).isEqualTo("path=" + path + " (connected, and nothing said yet: QEMU serves"
                        + " another back-end, or the socket is not QEMU's)");
                assertThat(netdev.ports()).isEmpty();
                try (SocketChannel c = qemu.accept()) {
                    assertThat(served(c)).isTrue();
                    assertThat(netdev.ports()).hasSize(1);
                }
            }
        });
        assertThat(said).as(said.toString()).containsSubsequence(
                "vu: connected to QEMU's socket " + path + ", where nothing has spoken in 2 s: QEMU serves one back-end"
                        + " at a time (another vnet4j on this path?), and this one is served when that one goes; or the"
                        + " socket is not QEMU's (a back-end's own socket waits, as this one does, for a front-end to"
                        + " speak first)",
                "vu: vhost-user front-end connected to hub 0 (connected to QEMU's socket " + path + ")");
    }

    /**
     * A client given another back-end's socket (a vnet4j server=on, which waits for a front-end to speak, as the
     * client does): both stay silent, and the client said "QEMU serves one back-end at a time" alone (helper-152).
     * Its line and its settings now name this case too.
     */
    @Test
    void aClientAtAnotherBackEndsSilentSocketSaysItMayNotBeQemus(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("backend.sock");
        List<String> said = lines(() -> {
            try (VhostUserNetdev backEnd = new VhostUserNetdev("be", "path=" + path, path, new Hub(1));
                 VhostUserNetdev netdev = VhostUserNetdev.client("vu", "path=" + path, path, 50, new Hub(0))) {
                backEnd.start();
                netdev.start();
                await("the silence said (QUEUED_SAID_MILLIS: 2 s)", () -> netdev.describe().endsWith("or the socket is not QEMU's)"));
                assertThat(netdev.ports()).isEmpty();
            }
        });
        assertThat(said).as(said.toString()).anyMatch(l -> l.startsWith("vu: connected to QEMU's socket " + path)
                && l.endsWith("or the socket is not QEMU's (a back-end's own socket waits, as this one does, for a"
                        + " front-end to speak first)"));
    }

    /** A client is made only with a pace. */
    @Test
    void aClientNeedsAPace(@TempDir Path dir) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VhostUserNetdev.client("vu", "", dir, 0, new Hub(0)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
