package io.vnet4j;

import io.vnet4j.base.Descriptors;
import io.vnet4j.base.Log;
import io.vnet4j.config.ConfigException;
import io.vnet4j.config.NetdevConfig;
import io.vnet4j.config.SwitchConfig;
import io.vnet4j.fabric.Hub;
import io.vnet4j.os.TapDevice;
import io.vnet4j.os.ThreadNiceness;
import io.vnet4j.port.stream.StreamClientNetdev;
import io.vnet4j.port.stream.StreamServerNetdev;
import io.vnet4j.port.tap.TapNetdev;
import io.vnet4j.port.vhostuser.LocalFrontEnd;
import io.vnet4j.port.vhostuser.VhostUserNetdev;
import io.vnet4j.usernet.UsernetNetdev;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Runs the gateway's common frame paths on a private network, so the JIT has compiled them before a guest's
 * first frames arrive.
 *
 * <p>Theory of operation: HotSpot compiles a method fully (C2) only after thousands of calls, and until then
 * runs it in the interpreter or in C1's profiling code, several times slower. A quiet network, one ping a
 * second, would stay on that slow code for hours: its round trips were 5 to 8 times slirp4netns's
 * (docs/benchmarks.md). So right after start a background thread plays a guest on a network of its own: a
 * TAP port whose "device" is one end of a unix datagram socket pair ({@link TapDevice#pair}; the guest
 * writes and reads virtio-net framed frames at the other end, through the same native read, write and
 * poll calls), and a user network, on a hub nobody else is on, its DNS upstream and TCP peer servers of
 * this class on 127.0.0.1, so nothing leaves the machine and no user's network sees a frame. When the
 * daemon's network has stream ports (the default network's VMs), a second guest plays first, a VM on a
 * stream port of the private network, before the TAP joins its hub ({@link #asAVm}); with vhost-user netdevs, a
 * VM on a vhost-user port before that, its driver in this process ({@link #asAVhostUserVm}). Each guest is a
 * {@link WarmupGuest}. The rounds send first an ARP request and {@value WarmupGuest#PINGS_PER_ROUND} pings to the
 * gateway each, then {@value WarmupGuest#DNS_QUERIES_PER_ROUND} DNS queries through the NAT and
 * {@value WarmupGuest#REQUESTS_PER_ROUND} request/response transactions on a TCP connection through the NAT each (a
 * new connection every {@value WarmupGuest#REQUESTS_PER_CONNECTION} requests, so the handshake and close paths count
 * too), and once in {@value WarmupGuest#BULK_EVERY} rounds a bulk exchange of large segments both ways. The
 * frames are shaped as a Linux guest's on an offloading TAP: TCP and UDP with a
 * partial checksum (NEEDS_CSUM) mostly, SYN options, requests of 1 byte and of 1 KiB, delayed ACKs. A path
 * the warm-up never took is compiled without it, and the first real frame that takes it throws the
 * compiled code away (HotSpot's "uncommon trap") and waits for a new compile. Compiled code belongs to the
 * classes, not to the objects, so the
 * daemon's own gateway runs the compiled code from then on. Any frame that does not come back in time ends
 * the warm-up early: it only ever makes things faster. So do the guests' own frames: once the network it
 * warms up for has carried {@value #YIELD_FRAMES} frames, its guests are busy enough to compile their
 * paths themselves, and the warm-up's core and compiles would only slow them (an upload 1 s after start ran
 * at 4.2-5.8 Gbit/s beside the warm-up, 6.3-7.6 without it). The daemon runs it after "ready" unless
 * {@code --no-warm-up}; the slirp4netns drop-in after writing to its ready descriptor; a program that embeds
 * {@link Network} may call {@link #inBackground(Network)} itself.
 *
 * <p>The same rounds are the training run of the JDK's AOT cache (JEP 483/515), which the build records
 * with {@code vnet4j aot-training} (see pom.xml): the classes they load are then loaded and linked at start.
 */
public final class Warmup {
    /**
     * The rounds of each kind: the TAP reader's per-frame methods pass the 5,000 invocations after which
     * HotSpot compiles at tier 4 (Tier4InvocationThreshold) well within them.
     */
    static final int ROUNDS = 2000;
    /** The rounds played as a VM on a stream port are the TAP's rounds divided by this. */
    static final int VM_SHARE = 2;
    /**
     * The descriptors the warm-up holds at most besides the daemon's own: its sockets, its private network's
     * TAP pair, epoll and eventfd, and the host sockets of its NAT'd connections (22 measured, 2026-12-04).
     */
    static final long DESCRIPTORS_TAKEN = 32;
    /**
     * The free descriptors under which it does not run: under a low {@code ulimit -n} its connections took
     * the last ones from the guests it warms up for, and their failures were logged after "ready".
     */
    static final long FREE_DESCRIPTORS_NEEDED = 2 * DESCRIPTORS_TAKEN;
    /** The guests' frames after which the warm-up stops (see the class comment). */
    static final long YIELD_FRAMES = 2000;
    private static final long GUEST_MAC = 0x0200_0000_0001L;
    private static final int GUEST = Ipv4Address.parse("10.0.2.15"); // guests the rounds add: .16 to .215
    /** The TAP's guest adds up to this many new guests (see {@link WarmupGuest#rounds}); the VM fewer, above them. */
    private static final int NEW_GUESTS = 200;
    private static final long VM_MAC = 0x0200_0000_1001L;
    private static final int VM = Ipv4Address.parse("10.0.2.220"); // and .221 to .250
    private static final int VM_NEW_GUESTS = 30;
    /**
     * Of the connections the guest closes first, the peer closes every this many gracefully and resets the
     * others (SO_LINGER 0 once the guest's FIN reached it): each graceful one left the gateway's socket
     * in TIME-WAIT on the host's loopback, 8,659 of them for 60 s after every start ({@code ss}, 2026-12-04):
     * a third of the ephemeral ports, and on a host of little memory more than its TIME-WAIT table holds
     * ({@code tcp_max_tw_buckets} scales with memory). The graceful ones keep the gateway's FIN path after a
     * guest's FIN compiled; the resets train the host-reset path, which a real host takes too.
     */
    private static final int GRACEFUL_CLOSE_EVERY = 16;

    /**
     * Starts the warm-up on a background thread and returns at once; it logs one line when done. It stops
     * early once {@code guests} has carried {@value #YIELD_FRAMES} frames.
     */
    public static void inBackground(Network guests) {
        long free = Descriptors.free();
        if (free < FREE_DESCRIPTORS_NEEDED) {
            Log.info("warm-up: skipped: " + free + " file descriptors are free (ulimit -n), and it takes up to "
                    + DESCRIPTORS_TAKEN + " for a few seconds; the guests' first frames compile their paths");
            return;
        }
        Thread.ofPlatform().daemon().name("vnet4j-warm-up").start(() -> {
            // the warm-up and the private network's threads, which inherit it, take only a core nobody wants:
            // guests that arrive meanwhile go first (the JIT's compiler threads keep their priority)
            ThreadNiceness.set(ThreadNiceness.LOWEST);
            long start = System.nanoTime();
            long before = guests.framesIn();
            BooleanSupplier busy = () -> guests.framesIn() - before >= YIELD_FRAMES;
            int[] rounds = new int[1];
            guests.netdevs().forEach(n -> { // before the rounds: a guest's first flow may come during them
                if (n instanceof UsernetNetdev u) {
                    u.prepareForGuests();
                }
            });
            Log.hushed(() -> rounds[0] = run(ROUNDS, Shape.of(guests), true, busy));
            UsernetNetdev.loopCompiled();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            Log.info(busy.getAsBoolean()
                    ? "warm-up: stopped after " + rounds[0] + " rounds in " + millis + " ms: the guests' own frames "
                            + "compile their paths"
                    : "warm-up: the frame paths ran " + rounds[0] + " times in " + millis + " ms, compiled ahead of "
                            + "the guests");
        });
    }

    /**
     * Plays up to {@code rounds / VM_SHARE} rounds of each kind as a VM on a stream port ({@link #asAVm}), then
     * up to {@code rounds} of each on the TAP; returns how many completed in all ({@code 2 * (rounds / VM_SHARE)
     * + 2 * rounds}, fewer when a reply did not come).
     */
    public static int run(int rounds) {
        return run(rounds, Shape.EVERY_PATH, false, () -> false);
    }

    /**
     * What the guests' network has that the warm-up plays: VMs on stream ports, hubs, learning switches. Its
     * hub forwards as theirs do: a hub made a learning switch midway springs a trap in the compiled
     * {@code Hub.forward} (its test of the MAC table, never true before; {@code -Xlog:deoptimization}), whose
     * code then came back at C1's tier 2 or 3 in half the starts and stayed there, thousands of frames short of
     * C2, with a TAP's ping path through it (docs/benchmarks.md, tenth pass).
     *
     * <p>And whether a user network has IPv6 (the default): a guest's first IPv6 frames after a warm-up
     * without them (its router and neighbour solicitations as its link comes up, a ping) sprang traps in
     * compiled code every IPv4 ping runs too ({@code Gateway.isGatewayMac}, {@code IpAddress.isIpv6},
     * {@code GatewayAddresses.isHost}, {@code GuestOutput.macOf}; {@code -Xlog:deoptimization}, 2026-12-01).
     *
     * @param vms       the network has stream ports (QEMU guests): a VM plays first
     * @param hubs      it has a hub that is not a learning switch (or no port on any hub)
     * @param switches  it has a learning switch ({@code -object switch}; the default network's)
     * @param ipv6      one of its user networks has IPv6 on
     * @param vhostUser it has vhost-user ports: a VM plays on one first of all, its driver in this process
     */
    record Shape(boolean vms, boolean hubs, boolean switches, boolean ipv6, boolean vhostUser) {
        /** Every path: the AOT cache's training run, which must load the classes of every kind of network. */
        static final Shape EVERY_PATH = new Shape(true, true, true, true, true);

        /** A network without vhost-user ports. */
        Shape(boolean vms, boolean hubs, boolean switches, boolean ipv6) {
            this(vms, hubs, switches, ipv6, false);
        }

        static Shape of(Network guests) {
            boolean vhostUser = guests.netdevs().stream().anyMatch(n -> n instanceof VhostUserNetdev);
            boolean vms = guests.netdevs().stream()
                    .anyMatch(n -> n instanceof StreamServerNetdev || n instanceof StreamClientNetdev);
            List<Hub> used = guests.hubs().all().stream().filter(h -> !h.ports().isEmpty()).toList();
            boolean switches = used.stream().anyMatch(h -> h.switchId() != null);
            boolean ipv6 = guests.netdevs().stream()
                    .anyMatch(n -> n instanceof UsernetNetdev u && u.config().ipv6().isPresent());
            return new Shape(vms, !switches || used.stream().anyMatch(h -> h.switchId() == null), switches, ipv6,
                    vhostUser);
        }
    }

    /**
     * As {@link #run(int)}, for a network of that {@code shape} (a VM's rounds only with VMs; on a hub, a
     * switch, or a hub for the pings and a switch for the traffic); with {@code untilCompiled}, rounds of the
     * second kind go on in batches of {@value WarmupGuest#BATCH} until one passes during which the JIT's compiler
     * threads worked less than {@value WarmupGuest#QUIET_COMPILE_MILLIS} ms ({@link CompilerThreads}: its queue is
     * empty, the paths are compiled), or for at most {@link WarmupGuest#MAX_NANOS}. A fixed count is not enough:
     * while the compiler's queue is long, HotSpot raises the call counts at which it compiles (Tier4LoadFeedback), so
     * on two cores the paths were still interpreted or in C1's code when a fixed warm-up ended, and compiled only
     * under the first guest's traffic.
     */
    static int run(int rounds, Shape shape, boolean untilCompiled, BooleanSupplier busy) {
        TapDevice[] pair;
        try {
            pair = TapDevice.pair("warm-up");
        } catch (IOException e) {
            return 0;
        }
        // a directory for the VM's stream socket, only when a VM plays: a daemon killed outright (rootlesskit
        // ends its slirp4netns with SIGKILL) leaves whatever it made, and the drop-in has no VMs
        Path dir = null;
        Path vmSocket = null;
        if (shape.vms()) {
            try {
                dir = Files.createTempDirectory("vnet4j-warm-up");
            } catch (IOException e) {
                pair[1].release();
                return 0;
            }
            vmSocket = dir.resolve("vm.sock");
            // the daemon may be stopped while its warm-up runs (on a daemon thread, whose finally then never
            // runs): both go at the JVM's exit, the socket first (deleteOnExit deletes in reverse order)
            dir.toFile().deleteOnExit();
            vmSocket.toFile().deleteOnExit();
        }
        try (Network network = new Network();
             ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket vmPeer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             ServerSocket bulkPeer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket peer6 = shape.ipv6() ? ipv6LoopbackPeer() : null;
             ServerSocket vhostPeer = shape.vhostUser() ? new ServerSocket(0, 50, InetAddress.getLoopbackAddress()) : null;
             ServerSocket vhostBulkPeer = shape.vhostUser() ? new ServerSocket(0, 1, InetAddress.getLoopbackAddress()) : null;
             DatagramSocket upstream = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread echo = Thread.ofPlatform().daemon().name("vnet4j-warm-up-peer").start(() -> serveTcp(peer, true));
            Thread bulkEcho = Thread.ofPlatform().daemon().name("vnet4j-warm-up-bulk").start(() -> serveTcp(bulkPeer, false));
            Thread vmEcho = Thread.ofPlatform().daemon().name("vnet4j-warm-up-vm-peer").start(() -> serveTcp(vmPeer, true));
            Thread dns = Thread.ofPlatform().daemon().name("vnet4j-warm-up-dns").start(() -> serveDns(upstream));
            Thread vhostEcho = vhostPeer == null ? null
                    : Thread.ofPlatform().daemon().name("vnet4j-warm-up-vhost-peer").start(() -> serveTcp(vhostPeer, true));
            Thread vhostBulkEcho = vhostBulkPeer == null ? null
                    : Thread.ofPlatform().daemon().name("vnet4j-warm-up-vhost-bulk").start(() -> serveTcp(vhostBulkPeer, false));
            Thread echo6 = peer6 == null ? null
                    : Thread.ofPlatform().daemon().name("vnet4j-warm-up-peer6").start(() -> serveTcp(peer6, true));
            network.addNetdev("user,id=warm-up" + (shape.ipv6() ? "" : ",ipv6=off") + ",dns-upstream=127.0.0.1:"
                    + upstream.getLocalPort());
            UsernetNetdev user = (UsernetNetdev) network.netdev("warm-up");
            if (!shape.hubs()) {
                learn(network); // only switches: every round on a switch
            }
            int perVm = rounds / VM_SHARE;
            int vmRounds = (shape.vms() ? perVm : 0) + (shape.vhostUser() ? perVm : 0);
            // the VMs play before the TAP joins, on a hub as the default network's (a user network, stream
            // ports): each pass of the loop asks whether another port takes large segments, and with a TAP
            // there the VMs' answer (none) was a branch never taken, a trap at a VM's first frames; the
            // vhost-user VM (whose port takes them) first, so that the stream VM's rounds end on that answer
            int done = shape.vhostUser() ? asAVhostUserVm(network, user, vhostPeer.getLocalPort(), vhostBulkPeer.getLocalPort(),
                    perVm, shape, busy) : 0;
            if (shape.vms() && (!shape.vhostUser() || done == 2 * perVm)) {
                done += asAVm(network, user, vmSocket, vmPeer.getLocalPort(), perVm, shape, busy);
            }
            network.add(new TapNetdev(new NetdevConfig.Tap("warm-up-tap", "tap", 0, "", "warm-up", null, null, null, null,
                    null, 0, true), network.hubs().hub(0), pair[0]));
            WarmupGuest w = new WarmupGuest(new WarmupLink.Tap(pair[1]), GUEST_MAC, GUEST, NEW_GUESTS);
            w.setUp(network, user, peer.getLocalPort(), bulkPeer.getLocalPort(), shape.ipv6(), busy);
            w.tcpPort6 = peer6 == null ? 0 : peer6.getLocalPort();
            w.discardWaiting();
            if (done == 2 * vmRounds) {
                done += w.rounds(rounds, shape);
            }
            if (untilCompiled && done == 2 * vmRounds + 2 * rounds && !busy.getAsBoolean()) {
                done += w.untilCompiled(rounds);
            }
            // the user network's loop first, while its hub still has every port: closed after its TAP (the
            // network closes in reverse order), its last passes met a hub without a port that takes large
            // segments, a branch the compiled UsernetNetdev.pass had never taken, and the trap threw that code
            // away for every user network (Hub.anotherPortTakesLargeSegments, unstable_if, at the warm-up's
            // end): the daemon's loop then ran in C1's code
            network.removeNetdev("warm-up");
            peer.close();
            vmPeer.close();
            bulkPeer.close();
            upstream.close();
            if (peer6 != null) {
                peer6.close();
                echo6.join(1000);
            }
            if (vhostPeer != null) {
                vhostPeer.close();
                vhostBulkPeer.close();
                vhostEcho.join(1000);
                vhostBulkEcho.join(1000);
            }
            echo.join(1000);
            bulkEcho.join(1000);
            vmEcho.join(1000);
            dns.join(1000);
            return done;
        } catch (IOException | ConfigException | InterruptedException e) {
            return 0;
        } finally {
            pair[1].close();
            pair[1].release();
            try {
                if (dir != null) {
                    Files.deleteIfExists(vmSocket);
                    Files.deleteIfExists(dir);
                }
            } catch (IOException e) {
                // a temporary directory left behind
            }
        }
    }

    /**
     * Plays {@code count} rounds of each kind as a QEMU VM on a stream server of the network ({@code -netdev
     * stream}, the default network's VMs), before the TAP's rounds: a VM's frames come in on the stream
     * port's own thread and go through the hub to the user network's {@code writeThrough} (or its queue and a
     * wake-up of its loop), the answers back through the stream port's {@code writeThrough}, paths the TAP's
     * rounds never take (the TAP's reads are the loop's own). Without them, 5 s after a default start those
     * methods were in C1's code or interpreted ({@code jcmd Compiler.codelist}). First, so that the TAP's
     * rounds, many more, recompile the loop the VM's rounds changed. Its own MAC, address and TCP peer; no
     * bulk exchanges (a stream port takes no large segments). How many rounds completed.
     */
    private static int asAVm(Network network, UsernetNetdev user, Path socket, int tcpPort, int count, Shape shape,
            BooleanSupplier busy) throws IOException, ConfigException {
        network.addNetdev("stream,id=warm-up-vm,server=on,addr.type=unix,addr.path=" + socket);
        try (WarmupLink.Stream link = new WarmupLink.Stream(UnixDomainSocketAddress.of(socket))) {
            WarmupGuest vm = new WarmupGuest(link, VM_MAC, VM, VM_NEW_GUESTS);
            vm.setUp(network, user, tcpPort, tcpPort, shape.ipv6(), busy);
            return vm.rounds(count, shape);
        }
    }

    /**
     * Plays {@code count} rounds of each kind as a QEMU VM on a vhost-user port, its driver in this process
     * ({@link LocalFrontEnd}: the same rings in memory a guest shares, the kicks run on this thread), with the
     * stream VM's MAC and addresses (the two VMs play one after the other) but TCP peers of its own (each peer
     * serves one connection at a time), and bulk exchanges of large segments both ways (the port takes them once
     * the driver agreed to TSO). How many rounds completed.
     */
    private static int asAVhostUserVm(Network network, UsernetNetdev user, int tcpPort, int bulkPort, int count,
            Shape shape, BooleanSupplier busy) throws IOException {
        try (WarmupLink.VhostUser link = new WarmupLink.VhostUser(new LocalFrontEnd("warm-up-vhost", network.hubs().hub(0)))) {
            WarmupGuest vm = new WarmupGuest(link, VM_MAC, VM, VM_NEW_GUESTS);
            vm.setUp(network, user, tcpPort, bulkPort, shape.ipv6(), busy);
            return vm.rounds(count, shape);
        }
    }


    /** A server socket on the host's IPv6 loopback, or null where it has none (IPv6 off in its kernel). */
    private static ServerSocket ipv6LoopbackPeer() {
        try {
            return new ServerSocket(0, 50, InetAddress.getByName("::1")); // a literal: nothing is looked up
        } catch (IOException e) {
            return null;
        }
    }

    /** Makes the warm-up's hub a learning switch. */
    static void learn(Network network) {
        network.learn(SwitchConfig.withDefaults("warm-up", 0));
    }
    /**
     * The TCP peer: echoes every byte of each connection, one connection at a time, until it is closed, or
     * with {@code quits} until it has echoed a read of just {@link WarmupGuest#QUIT}, which it then closes.
     */
    private static void serveTcp(ServerSocket server, boolean quits) {
        byte[] buffer = new byte[WarmupGuest.BULK_BYTES];
        for (long accepted = 0; !server.isClosed(); accepted++) {
            try (Socket s = server.accept(); InputStream i = s.getInputStream(); OutputStream o = s.getOutputStream()) {
                s.setTcpNoDelay(true);
                int n;
                while ((n = i.read(buffer)) > 0) {
                    o.write(buffer, 0, n);
                    if (quits && n == 1 && buffer[0] == WarmupGuest.QUIT[0]) {
                        break;
                    }
                }
                if (n < 0 && accepted % GRACEFUL_CLOSE_EVERY != 0) {
                    s.setSoLinger(true, 0); // the guest closed first: reset, and nobody waits in TIME-WAIT
                }
            } catch (IOException e) {
                // the next connection, or the server closed
            }
        }
    }

    /** The DNS upstream: sends each query back as it came (the gateway forwards whatever answers). */
    private static void serveDns(DatagramSocket socket) {
        DatagramPacket packet = new DatagramPacket(new byte[512], 512);
        while (!socket.isClosed()) {
            try {
                packet.setLength(512);
                socket.receive(packet);
                socket.send(packet);
            } catch (IOException e) {
                // closed
            }
        }
    }
}
