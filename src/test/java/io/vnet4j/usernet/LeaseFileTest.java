package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vnet4j.Network;
import io.vnet4j.base.LogCapture;
import io.vnet4j.http.HttpConsole;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.usernet.dhcp.DhcpMessageType;
import io.vnet4j.usernet.dhcp.DhcpServer;
import io.vnet4j.usernet.dhcp.DhcpSettings;
import io.vnet4j.usernet.dhcp.Lease;
import io.vnet4j.wire.Ipv4Address;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code leasefile=}: the DHCP bindings outlive a restart of vnet4j. Without it a guest that kept its lease lost its
 * name in DNS until its next renewal (up to 12 h), and its address was reserved for it only by the ARP check.
 */
@Timeout(30)
class LeaseFileTest {
    private static final long NEW_MAC = 0x5254_00AA_BBCCL;
    private static final long DNS_MAC = 0x5255_0a00_0203L;

    @TempDir
    Path directory;

    @Test
    void aLeaseAndItsNameOutliveARestart() throws Exception {
        Path file = directory.resolve("leases");
        String options = "user,id=u,leasefile=" + file;
        try (Network first = new Network()) {
            VirtualNic wire = first.attachNic("guests", 0);
            first.addNetdev(options);
            wire.send(GuestFrames.dhcpRequestNamed(GuestFrames.GUEST_MAC, 15, "alpha"));
            assertThat(GuestFrames.awaitDhcpReply(wire, new ArrayList<>()).messageType()).isEqualTo(DhcpMessageType.ACK);
        }
        assertThat(Files.readString(file)).matches("[0-9]+ 52:54:00:12:34:56 10\\.0\\.2\\.15 alpha \\*\n");

        try (Network second = new Network()) {
            VirtualNic wire = second.attachNic("guests", 0);
            List<String> said = LogCapture.during(Level.INFO, () -> second.addNetdev(options));
            assertThat(said).anySatisfy(line -> assertThat(line)
                    .contains("leasefile " + file + ": 1 binding kept from the last run (1 running)"));
            // another guest asks for the silent guest's name
            wire.send(GuestFrames.udp(DNS_MAC, Ipv4Address.parse("10.0.2.20"), 40000, GuestFrames.DNS, 53,
                    dnsQuery("alpha")));
            ByteBuffer answer = GuestFrames.await(wire, f -> {
                var ip = GuestFrames.ipv4(f);
                return ip != null && ip.protocol() == 17 && f.getShort(GuestFrames.ETH + ip.headerLength()) == 53;
            }, "DNS answer");
            int dns = GuestFrames.ETH + GuestFrames.IP + 8;
            assertThat(answer.getShort(dns + 6)).as("ANCOUNT").isEqualTo((short) 1);
            assertThat(answer.getInt(answer.limit() - 4)).as("the A record").isEqualTo(GuestFrames.GUEST);
            // and a new client is not offered its address, which is not even checked
            List<String> skipped = new ArrayList<>();
            GuestFrames.broadcastDhcp(wire, GuestFrames.dhcp(DhcpMessageType.DISCOVER, NEW_MAC, 0, 0));
            assertThat(Ipv4Address.format(GuestFrames.awaitDhcpReply(wire, skipped).yiaddr())).isEqualTo("10.0.2.16");
            assertThat(skipped).containsExactly("arp request for 10.0.2.16");
            assertThat(second.netdev("u").details().toString()).contains("leasefile " + file + ": written 1 times, failed 0");
        }
        assertThat(Files.readString(file)).contains(" 52:54:00:12:34:56 10.0.2.15 alpha *\n")
                .contains(" 52:54:00:aa:bb:cc 10.0.2.16 * *\n");
    }

    @Test
    void linesThatAreNoBindingAreSaidAndLeftOutAndTheRestIsTaken() throws Exception {
        Path file = directory.resolve("leases");
        long expiry = System.currentTimeMillis() / 1000 + 3600;
        Files.writeString(file, "garbage\n" + expiry + " 52:54:00:12:34:56 10.0.2.15 alpha *\n"
                + expiry + " 52:54:00:12:34:57 192.0.2.1 outside *\n" + expiry + " 52:54:00:12:34:58 10.0.2.15 twice *\n",
                StandardCharsets.US_ASCII);
        try (Network network = new Network()) {
            List<String> said = LogCapture.during(Level.INFO, () -> network.addNetdev("user,id=u,leasefile=" + file));
            assertThat(said).anySatisfy(line -> assertThat(line).contains("leasefile " + file
                    + ": 1 line is no binding and left out, the first at line 1: expected EXPIRY MAC ADDRESS HOSTNAME"
                    + " CLIENT-ID between single spaces, got 1 fields"));
            assertThat(said).anySatisfy(line -> assertThat(line).contains(
                    ": 1 binding kept from the last run (1 running), 2 left out (outside the pool, reserved, another"
                    + " MAC's static lease, twice, or past 4096 leases)"));
            assertThat(network.netdev("u").details().toString()).contains("10.0.2.15").contains("alpha");
        }
    }

    @Test
    void aWriteThatFailsIsSaidCountedAndTriedAgain() throws Exception {
        Path gone = directory.resolve("gone");
        Files.createDirectory(gone);
        LeaseFile file = new LeaseFile("u", gone.resolve("leases"));
        DhcpServer dhcp = dhcpServer();
        file.open(dhcp, System.currentTimeMillis());
        Files.delete(gone.resolve("leases.lock"));
        Files.delete(gone);
        dhcp.restore(List.of(new Lease(GuestFrames.GUEST_MAC, GuestFrames.GUEST, null, Long.MAX_VALUE)), 0);
        List<String> said = LogCapture.during(Level.WARNING, () -> file.saveIfChanged(dhcp, 0));
        assertThat(said).singleElement().asString().startsWith("u: cannot write leasefile " + gone.resolve("leases"))
                .contains(": no such file or directory;") // not the bare path of the temporary file
                .endsWith("the write is tried again at the next DHCP message, at most once a second");
        assertThat(file.writeFailures()).isEqualTo(1);
        Files.createDirectory(gone);
        file.saveIfChanged(dhcp, LeaseFile.MIN_INTERVAL_NANOS);
        assertThat(file.writes()).isEqualTo(1);
        assertThat(Files.readString(gone.resolve("leases"))).isEqualTo("0 52:54:00:12:34:56 10.0.2.15 * *\n");
        try (var left = Files.list(gone)) {
            assertThat(left).as("no temporary file left").hasSize(1);
        }
        file.close(dhcp);
    }

    /**
     * Each write rewrites the whole file, and each lease changes a binding: a guest's flood of REQUESTs from made-up
     * MACs rewrote a /16 pool's 3 MB for each, on the loop, and half a guest's pings to the gateway were lost, the rest
     * answered after 4.5 s on average (replayed: 1,000 REQUESTs in 3 s into a TAP; with this, none lost, 7.5 ms).
     * Changes within a second of a write are written together a second after it.
     */
    @Test
    void changesWithinASecondOfAWriteAreWrittenTogetherASecondAfterIt() throws Exception {
        LeaseFile file = new LeaseFile("u", directory.resolve("leases"));
        DhcpServer dhcp = dhcpServer();
        file.open(dhcp, System.currentTimeMillis());
        long second = LeaseFile.MIN_INTERVAL_NANOS;
        dhcp.restore(List.of(new Lease(GuestFrames.GUEST_MAC, GuestFrames.GUEST, null, Long.MAX_VALUE)), 0);
        file.saveIfChanged(dhcp, 5 * second);
        assertThat(file.writes()).isEqualTo(1);
        assertThat(file.poll(dhcp, 5 * second)).as("nothing held back").isEqualTo(Long.MAX_VALUE);
        for (int i = 1; i <= 10; i++) {
            dhcp.restore(List.of(new Lease(NEW_MAC + i, GuestFrames.GUEST + i, null, Long.MAX_VALUE)), 0);
            file.saveIfChanged(dhcp, 5 * second + i);
        }
        assertThat(file.writes()).isEqualTo(1);
        assertThat(file.deferred()).as("one held-back write, for the gateway's poll to know").isEqualTo(1);
        assertThat(file.poll(dhcp, 5 * second + second / 2)).isEqualTo(second / 2);
        assertThat(file.poll(dhcp, 6 * second)).isEqualTo(Long.MAX_VALUE);
        assertThat(file.writes()).isEqualTo(2);
        assertThat(Files.readAllLines(directory.resolve("leases"))).hasSize(11);

        dhcp.restore(List.of(new Lease(NEW_MAC + 11, GuestFrames.GUEST + 11, null, Long.MAX_VALUE)), 0);
        file.saveIfChanged(dhcp, 6 * second + 1);
        file.close(dhcp); // the network stops: what is held back is written
        assertThat(file.writes()).isEqualTo(3);
        assertThat(Files.readAllLines(directory.resolve("leases"))).hasSize(12);
    }

    /** Through the user network: twenty leases in a burst, a write or two, and the last written as the network stops. */
    @Test
    void aBurstOfLeasesIsWrittenInAWriteOrTwoAndWhollyAtTheStop() throws Exception {
        Path file = directory.resolve("leases");
        try (Network network = new Network()) {
            VirtualNic wire = network.attachNic("guests", 0);
            network.addNetdev("user,id=u,leasefile=" + file);
            for (int i = 0; i < 20; i++) {
                wire.send(GuestFrames.dhcpRequestNamed(NEW_MAC + i, 20 + i, "g" + i));
                assertThat(GuestFrames.awaitDhcpReply(wire, new ArrayList<>()).messageType()).isEqualTo(DhcpMessageType.ACK);
            }
            assertThat(network.netdev("u").details().toString()).containsPattern("leasefile [^\\n]*: written [1-3] times");
            long deadline = System.nanoTime() + 5_000_000_000L; // the held-back write, by the loop's poll a second on
            while (Files.readAllLines(file).size() < 20 && System.nanoTime() - deadline < 0) {
                Thread.sleep(20);
            }
            assertThat(Files.readAllLines(file)).as("written while the network runs").hasSize(20);
            wire.send(GuestFrames.dhcpRequestNamed(NEW_MAC + 20, 40, "g20"));
            assertThat(GuestFrames.awaitDhcpReply(wire, new ArrayList<>()).messageType()).isEqualTo(DhcpMessageType.ACK);
        }
        assertThat(Files.readAllLines(file)).as("the last, held back, written at the stop").hasSize(21);
    }

    /**
     * The lease file's writes are counted in the metrics, made and failed, so that an operator sees a file that can no
     * longer be written (a full disk) without reading the log; a network without one has no such series.
     */
    @Test
    void theWritesAreCountedInTheMetrics() throws Exception {
        Path file = directory.resolve("leases");
        try (Network network = new Network()) {
            network.addNetdev("user,id=plain,hubid=1");
            VirtualNic wire = network.attachNic("guests", 0);
            network.addNetdev("user,id=u,leasefile=" + file);
            HttpConsole console = HttpConsole.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    network::netdevs, "test");
            try {
                wire.send(GuestFrames.dhcpRequestNamed(NEW_MAC, 20, "g"));
                assertThat(GuestFrames.awaitDhcpReply(wire, new ArrayList<>()).messageType()).isEqualTo(DhcpMessageType.ACK);
                HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + console.address().getPort() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(metrics.body())
                        .contains("vnet4j_usernet_leasefile_writes_total{hub=\"0\",netdev=\"u\",outcome=\"written\"} 1.0")
                        .contains("vnet4j_usernet_leasefile_writes_total{hub=\"0\",netdev=\"u\",outcome=\"failed\"} 0.0")
                        .doesNotContain("vnet4j_usernet_leasefile_writes_total{hub=\"1\"");
            } finally {
                console.close();
            }
        }
    }

    /**
     * A rewrite keeps what the user set: the file's permissions (the temporary file's 0600 replaced a 0644 file's,
     * unlike dnsmasq, which writes its file in place), a new file readable by all as dnsmasq's, and a symbolic link
     * (the rename replaced the link with a file).
     */
    @Test
    void aRewriteKeepsTheFilesPermissionsAndASymbolicLink() throws Exception {
        Path kept = directory.resolve("kept");
        Files.writeString(kept, "");
        Files.setPosixFilePermissions(kept, PosixFilePermissions.fromString("rw-r-----"));
        Path link = directory.resolve("link");
        Files.createSymbolicLink(link, kept.getFileName());
        Path fresh = directory.resolve("fresh");
        for (Path path : List.of(link, fresh)) {
            LeaseFile file = new LeaseFile("u", path);
            DhcpServer dhcp = dhcpServer();
            file.open(dhcp, System.currentTimeMillis());
            dhcp.restore(List.of(new Lease(GuestFrames.GUEST_MAC, GuestFrames.GUEST, null, Long.MAX_VALUE)), 0);
            file.saveIfChanged(dhcp, 0);
            assertThat(file.writes()).isEqualTo(1);
            file.close(dhcp);
        }
        assertThat(Files.isSymbolicLink(link)).as("the link is still one").isTrue();
        assertThat(Files.readString(kept)).isEqualTo("0 52:54:00:12:34:56 10.0.2.15 * *\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kept))).isEqualTo("rw-r-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh))).isEqualTo("rw-r--r--");
    }

    /**
     * Root's rewrite of a file another user owns keeps it theirs, as dnsmasq's writes in place do: the rename gave the
     * file to root, and its user could no longer write it. Needs root, as giving a file away does.
     */
    @Test
    void aRewriteByRootKeepsTheFilesOwnerAndGroup() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root, to give a file away");
        Path path = directory.resolve("theirs");
        Files.writeString(path, "");
        var users = path.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(path, users.lookupPrincipalByName("nobody"));
        Files.getFileAttributeView(path, PosixFileAttributeView.class)
                .setGroup(users.lookupPrincipalByGroupName("nogroup"));
        LeaseFile file = new LeaseFile("u", path);
        DhcpServer dhcp = dhcpServer();
        file.open(dhcp, System.currentTimeMillis());
        dhcp.restore(List.of(new Lease(GuestFrames.GUEST_MAC, GuestFrames.GUEST, null, Long.MAX_VALUE)), 0);
        file.saveIfChanged(dhcp, 0);
        file.close(dhcp);
        assertThat(file.writes()).isEqualTo(1);
        assertThat(Files.getOwner(path).getName()).isEqualTo("nobody");
        assertThat(Files.readAttributes(path, PosixFileAttributes.class).group().getName())
                .isEqualTo("nogroup");
    }

    /**
     * Two user networks given one file each rewrote it with their own bindings alone, and after a restart the other's
     * guests had lost their names; nothing said why. Two in one process are refused at parse (config.Claims); a network
     * started while another holds the file is refused, naming the holder, and may start once the holder stopped
     * (netdev_del, then netdev_add).
     */
    @Test
    void aFileHeldByAnotherNetworkIsRefusedUntilItStops() throws Exception {
        Path path = directory.resolve("leases");
        try (Network network = new Network()) {
            network.addNetdev("user,id=u,leasefile=" + path);
            assertThat(Files.readString(directory.resolve("leases.lock"))).isEqualTo(ProcessHandle.current().pid() + "\n");
            LeaseFile second = new LeaseFile("v", path);
            assertThatThrownBy(() -> second.open(dhcpServer(), System.currentTimeMillis()))
                    .isInstanceOf(IOException.class)
                    .hasMessage("leasefile " + path + ": another user network of this process keeps its DHCP leases in "
                            + "this file (it holds the lock on " + path + ".lock); give each network a file of its own");
            assertThat(network.removeNetdev("u")).isTrue();
            second.open(dhcpServer(), System.currentTimeMillis());
            second.close(dhcpServer());
            network.addNetdev("user,id=u,leasefile=" + path);
        }
    }

    /**
     * A network given another's lock file as its lease file ({@code leasefile=PATH.lock} beside {@code leasefile=PATH})
     * was let in: the locks are on different files. Its first write of leases renamed a new file over the lock file,
     * which ended the lock (a second vnet4j on PATH was then let in), and its stop wrote the leases there; started the
     * other way round, the lock taken truncated the other's leases to a pid. Both orders are refused now, as the
     * kernel tells a held lock file (F_OFD_GETLK) from a lease file.
     */
    @Test
    void anotherNetworksLockFileIsNoLeaseFileNorALeaseFileALockFile() throws Exception {
        Path path = directory.resolve("leases");
        try (Network network = new Network()) {
            network.addNetdev("user,id=u,leasefile=" + path);
            LeaseFile second = new LeaseFile("v", directory.resolve("leases.lock"));
            assertThatThrownBy(() -> second.open(dhcpServer(), System.currentTimeMillis()))
                    .isInstanceOf(IOException.class)
                    .hasMessage("leasefile " + path + ".lock: another user network of this process holds this file as the"
                            + " lock of its leasefile " + path + "; give each network a file of its own");
            assertThat(Files.exists(directory.resolve("leases.lock.lock"))).as("no lock file of its own made").isFalse();
        }
        Path other = directory.resolve("other");
        try (Network network = new Network()) {
            Files.writeString(directory.resolve("other.lock"), "");
            network.addNetdev("user,id=u,leasefile=" + other + ".lock");
            String leases = Files.readString(directory.resolve("other.lock"));
            LeaseFile second = new LeaseFile("v", other);
            assertThatThrownBy(() -> second.open(dhcpServer(), System.currentTimeMillis()))
                    .isInstanceOf(IOException.class)
                    .hasMessage("leasefile " + other + ": another user network of this process keeps its DHCP leases in "
                            + other + ".lock, this file's lock file; give each network a file of its own");
            assertThat(Files.readString(directory.resolve("other.lock"))).as("u's leases, untouched").isEqualTo(leases);
        }
    }

    /**
     * Whether another process may take the fcntl(2) lock on {@code lockFile} now: a child JVM tries
     * ({@link java.nio.channels.FileChannel#tryLock}, F_SETLK, as a second vnet4j does).
     */
    private boolean anotherProcessMayLock(Path lockFile) throws Exception {
        Path probe = directory.resolve("Probe.java");
        Files.writeString(probe, """
                import java.nio.channels.FileChannel;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;
                class Probe {
                    public static void main(String[] a) throws Exception {
                        try (FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.WRITE)) {
                            System.exit(c.tryLock() != null ? 0 : 3);
                        }
                    }
                }
                """);
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder(java, probe.toString(), lockFile.toString()).inheritIO().start();
        int code = child.waitFor();
        assertThat(code).as("the probe's exit (0: locked, 3: held elsewhere)").isIn(0, 3);
        return code == 0;
    }

    /**
     * The refused second network of one process let the first's lock go: POSIX ends every fcntl lock a process holds
     * on a file when any descriptor of it closes, and the refusal closed the one it had opened to try. A second
     * vnet4j was then let in while the first ran (its leases rewritten by both again).
     */
    @Test
    void aRefusedSecondNetworkOfTheProcessLeavesTheFirstsLockHeld() throws Exception {
        Path path = directory.resolve("leases");
        try (Network network = new Network()) {
            network.addNetdev("user,id=u,leasefile=" + path);
            assertThat(anotherProcessMayLock(directory.resolve("leases.lock"))).as("held by u").isFalse();
            LeaseFile second = new LeaseFile("v", path);
            assertThatThrownBy(() -> second.open(dhcpServer(), System.currentTimeMillis()))
                    .hasMessageContaining("another user network of this process");
            assertThat(anotherProcessMayLock(directory.resolve("leases.lock"))).as("still held by u").isFalse();
        }
        assertThat(anotherProcessMayLock(directory.resolve("leases.lock"))).as("let go at the stop").isTrue();
    }

    /**
     * The lock was this process's (F_SETLK), so anything else of the process that opened and closed the lock file let it
     * go (POSIX ends every fcntl lock a process holds on a file at any close of it): here a read of it, as a network
     * given {@code leasefile=PATH.lock} does. It is now the lock's own descriptor's (F_OFD_SETLK), and stays.
     */
    @Test
    void anotherDescriptorOfTheLockFileClosedInThisProcessLeavesTheLockHeld() throws Exception {
        Path path = directory.resolve("leases");
        try (Network network = new Network()) {
            network.addNetdev("user,id=u,leasefile=" + path);
            assertThat(Files.readString(directory.resolve("leases.lock"))).isEqualTo(ProcessHandle.current().pid() + "\n");
            assertThat(anotherProcessMayLock(directory.resolve("leases.lock"))).as("still held by u").isFalse();
        }
    }

    /**
     * A symbolic link to a file not made yet (the README: the file need not exist, a link stays one) made the start fail
     * with the link's path alone ("u: /tmp/x/link"): the lock file's place was found by resolving the link, which
     * needs its target to exist; the writes then failed too. Now the link's target is written, and locked beside it.
     */
    @Test
    void aLinkToAFileNotMadeYetIsLockedBesideItsTargetAndWrittenThrough() throws Exception {
        Path target = directory.resolve("real");
        Path link = Files.createSymbolicLink(directory.resolve("link"), Path.of("real"));
        LeaseFile file = new LeaseFile("u", link);
        DhcpServer dhcp = dhcpServer();
        file.open(dhcp, System.currentTimeMillis());
        assertThat(Files.exists(directory.resolve("real.lock"))).isTrue();
        dhcp.restore(List.of(new Lease(GuestFrames.GUEST_MAC, GuestFrames.GUEST, null, Long.MAX_VALUE)), 0);
        file.saveIfChanged(dhcp, 0);
        file.close(dhcp);
        assertThat(file.writes()).isEqualTo(1);
        assertThat(Files.isSymbolicLink(link)).as("the link is still one").isTrue();
        assertThat(Files.readString(target)).isEqualTo("0 52:54:00:12:34:56 10.0.2.15 * *\n");
    }

    /**
     * A lock file that cannot be opened (a directory there, or root's file when a user's vnet4j starts) failed the start
     * with its path alone ("u: /tmp/x/leases.lock"); now in words naming the lease file, the lock file and the reason.
     */
    @Test
    void aLockFileThatCannotBeOpenedIsSaidInWords() throws Exception {
        Path path = directory.resolve("leases");
        Files.createDirectory(directory.resolve("leases.lock"));
        LeaseFile file = new LeaseFile("u", path);
        assertThatThrownBy(() -> file.open(dhcpServer(), System.currentTimeMillis()))
                .isInstanceOf(IOException.class)
                .hasMessage("leasefile " + path + ": cannot open its lock file " + path + ".lock: Is a directory");
    }

    /**
     * Root's vnet4j on a user's lease file made the lock file root's (rw-r--r--), and the user's own vnet4j could no
     * longer open it: refused at every start. The lock file is given the lease file's owner and group (its directory's
     * while the file is not made yet), as the lease file's rewrite keeps them. Needs root, as giving a file away does.
     */
    @Test
    void rootsLockFileIsTheLeaseFilesOwners() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root, to give a file away");
        var users = directory.getFileSystem().getUserPrincipalLookupService();
        for (String name : List.of("theirs", "not-made-yet")) {
            Path dir = Files.createDirectory(directory.resolve(name + ".d"));
            Path path = dir.resolve(name);
            Files.setOwner(dir, users.lookupPrincipalByName("nobody"));
            Files.getFileAttributeView(dir, PosixFileAttributeView.class).setGroup(users.lookupPrincipalByGroupName("nogroup"));
            if (name.equals("theirs")) {
                Files.writeString(path, "");
                Files.setOwner(path, users.lookupPrincipalByName("nobody"));
                Files.getFileAttributeView(path, PosixFileAttributeView.class).setGroup(users.lookupPrincipalByGroupName("nogroup"));
            }
            LeaseFile file = new LeaseFile("u", path);
            DhcpServer dhcp = dhcpServer();
            file.open(dhcp, System.currentTimeMillis());
            file.close(dhcp);
            PosixFileAttributes lock = Files.readAttributes(dir.resolve(name + ".lock"), PosixFileAttributes.class);
            assertThat(lock.owner().getName()).as(name).isEqualTo("nobody");
            assertThat(lock.group().getName()).as(name).isEqualTo("nogroup");
        }
    }

    private static DhcpServer dhcpServer() {
        return new DhcpServer(new DhcpSettings(Ipv4Address.parse("10.0.2.0"), 24,
                Ipv4Address.parse("10.0.2.2"), Ipv4Address.parse("10.0.2.3"), Ipv4Address.parse("10.0.2.15"),
                DhcpSettings.QEMU_LEASE_SECONDS, null, List.of(), null, null, null, 0, Map.of(), Set.of()));
    }

    /** A standard query (RD) for {@code name}, type A, class IN. */
    private static byte[] dnsQuery(String name) {
        ByteBuffer q = ByteBuffer.allocate(12 + name.length() + 2 + 4);
        q.putShort((short) 0x1234).putShort((short) 0x0100).putShort((short) 1).putShort((short) 0).putInt(0);
        q.put((byte) name.length()).put(name.getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
        q.putShort((short) 1).putShort((short) 1);
        return q.array();
    }
}
