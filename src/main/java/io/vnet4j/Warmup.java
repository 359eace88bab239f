package io.vnet4j;

import io.vnet4j.config.ConfigException;
import io.vnet4j.config.NetdevConfig;
import io.vnet4j.os.TapDevice;
import io.vnet4j.os.ThreadNiceness;
import io.vnet4j.port.tap.TapNetdev;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.Ipv4Frames;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSegment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

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
 * this class on 127.0.0.1, so nothing leaves the machine and no user's network sees a frame. The rounds
 * send first an ARP request and {@value #PINGS_PER_ROUND} pings to the gateway each, then a DNS query
 * through the NAT and a 1-byte request/response on a TCP connection through the NAT each (a new connection
 * every {@value #ROUNDS_PER_CONNECTION} rounds, so the handshake and close paths count too). Compiled code belongs to the classes, not to the objects, so the
 * daemon's own gateway runs the compiled code from then on. Any frame that does not come back in time ends
 * the warm-up early: it only ever makes things faster. The daemon runs it after "ready" unless
 * {@code --no-warm-up}; the slirp4netns drop-in after writing to its ready descriptor; a program that embeds
 * {@link Network} may call {@link #inBackground()} itself.
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
    static final int ROUNDS_PER_CONNECTION = 2;
    static final int PINGS_PER_ROUND = 4;
    private static final long GUEST_MAC = 0x0200_0000_0001L;
    private static final long GATEWAY_MAC = 0x5255_0a00_0202L;
    private static final long DNS_MAC = 0x5255_0a00_0203L;
    private static final int GUEST = Ipv4Address.parse("10.0.2.15");
    private static final int GATEWAY = Ipv4Address.parse("10.0.2.2");
    private static final int DNS = Ipv4Address.parse("10.0.2.3");
    private static final long REPLY_TIMEOUT_MILLIS = 2000;
    /** A query for warmup.invalid. (RFC 2606), type A, class IN, recursion desired. */
    private static final byte[] DNS_QUERY = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
            6, 'w', 'a', 'r', 'm', 'u', 'p', 7, 'i', 'n', 'v', 'a', 'l', 'i', 'd', 0, 0, 1, 0, 1};
    private static final byte[] ONE_BYTE = {'x'};
    private static final byte[] NOTHING = {};

    /** The virtio-net header before each frame on the TAP (all zeros: no offload asked). */
    private static final int VNET = io.vnet4j.wire.offload.VirtioNetFrame.HEADER_LENGTH;

    private final ByteBuffer out = ByteBuffer.allocate(256);
    private final EthernetFrame eth = new EthernetFrame();
    private final Ipv4Packet ip = new Ipv4Packet();
    private final TcpSegment tcp = new TcpSegment();
    /** The guest's end of the TAP's socket pair, and what it read last (frames at {@link #VNET}). */
    private TapDevice link;
    private ByteBuffer in;
    private int tcpPort;
    private int guestPort = 40000;
    private int sequence;
    private int acknowledgment;

    private Warmup() {}

    /** Starts the warm-up on a background thread and returns at once; it logs one line when done. */
    public static void inBackground() {
        Thread.ofPlatform().daemon().name("vnet4j-warm-up").start(() -> {
            // the warm-up and the private network's threads, which inherit it, take only a core nobody wants:
            // guests that arrive meanwhile go first (the JIT's compiler threads keep their priority)
            ThreadNiceness.set(ThreadNiceness.LOWEST);
            long start = System.nanoTime();
            int[] rounds = new int[1];
            Log.hushed(() -> rounds[0] = run(ROUNDS));
            System.gc(); // once: what the private network left (its buffers, flows) goes now, and the heap shrinks
            Log.info("warm-up: the frame paths ran " + rounds[0] + " times in "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms, compiled ahead of the guests");
        });
    }

    /**
     * Plays up to {@code rounds} rounds of each kind; returns how many completed in all ({@code 2 * rounds},
     * fewer when a reply did not come).
     */
    public static int run(int rounds) {
        TapDevice[] pair;
        try {
            pair = TapDevice.pair("warm-up");
        } catch (IOException e) {
            return 0;
        }
        try (Network network = new Network();
             ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             DatagramSocket upstream = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread echo = Thread.ofPlatform().daemon().name("vnet4j-warm-up-peer").start(() -> serveTcp(peer));
            Thread dns = Thread.ofPlatform().daemon().name("vnet4j-warm-up-dns").start(() -> serveDns(upstream));
            network.addNetdev("user,id=warm-up,ipv6=off,dns-upstream=127.0.0.1:" + upstream.getLocalPort());
            network.add(new TapNetdev(new NetdevConfig.Tap("warm-up-tap", "tap", 0, "", "warm-up", null, null, null, null,
                    null, 0, true), network.hubs().hub(0), pair[0]));
            Warmup w = new Warmup();
            w.link = pair[1];
            w.in = pair[1].receivedBuffer();
            w.tcpPort = peer.getLocalPort();
            int done = w.rounds(rounds);
            peer.close();
            upstream.close();
            echo.join(1000);
            dns.join(1000);
            return done;
        } catch (IOException | ConfigException | InterruptedException e) {
            return 0;
        } finally {
            pair[1].close();
            pair[1].release();
        }
    }

    /**
     * First the frames the reader's thread answers by itself (ARP, pings to the gateway: a few microseconds
     * each once compiled), so that path is compiled within a fraction of a second; then the rounds that
     * cross threads and sockets (DNS through the NAT, TCP), a few hundred microseconds each.
     */
    private int rounds(int rounds) throws IOException {
        for (int i = 0; i < rounds; i++) {
            send(Ipv4Frames.arpRequest(out, GUEST_MAC, GUEST, GATEWAY));
            for (int p = 0; p < PINGS_PER_ROUND; p++) {
                send(Ipv4Frames.echoRequest(out, GUEST_MAC, GATEWAY_MAC, GUEST, GATEWAY, 7, i & 0xFFFF, ONE_BYTE));
            }
            if (!awaitFrames(1 + PINGS_PER_ROUND)) {
                return 0;
            }
        }
        for (int i = 0; i < rounds; i++) {
            send(Ipv4Frames.udp(out, GUEST_MAC, DNS_MAC, GUEST, 30000 + (i & 0x3FF), DNS, 53, DNS_QUERY));
            if (!awaitFrames(1)) {
                return rounds + i;
            }
            if (i % ROUNDS_PER_CONNECTION == 0 && (i > 0 && !close() || !connect()) || !requestResponse()) {
                return rounds + i;
            }
        }
        close();
        return 2 * rounds;
    }

    /** Writes the frame built in {@link #out} to the TAP, after a virtio-net header of zeros. */
    private void send(int length) {
        MemorySegment buffer = link.writeBuffer();
        buffer.asSlice(0, VNET).fill((byte) 0);
        MemorySegment.copy(MemorySegment.ofBuffer(out), 0, buffer, VNET, length);
        link.write(VNET + length);
    }

    /** Takes {@code count} frames other than TCP (the ARP reply, the echo reply, the DNS answer). */
    private boolean awaitFrames(int count) throws IOException {
        for (int i = 0; i < count; ) {
            int n = nextFrame();
            if (n < 0) {
                return false;
            }
            if (!isTcp(n)) {
                i++;
            }
        }
        return true;
    }

    /** Whether the frame of {@code n} bytes in {@code in} is IPv4 TCP; wraps {@link #ip} over it when IPv4. */
    private boolean isTcp(int n) {
        if (eth.wrap(in, VNET, n).etherType() != EtherType.IPV4) {
            return false;
        }
        ip.wrap(in, VNET + EthernetFrame.HEADER_LENGTH, n - EthernetFrame.HEADER_LENGTH);
        return ip.protocol() == IpProtocol.TCP;
    }

    /** Reads the next frame from the TAP into {@link #in} at {@link #VNET}; its length, or -1 after the timeout. */
    private int nextFrame() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REPLY_TIMEOUT_MILLIS);
        do {
            int n = link.read();
            if (n > VNET) {
                return n - VNET;
            }
        } while (System.nanoTime() - deadline < 0);
        return -1;
    }

    /**
     * The next TCP segment to the guest's current port with all of {@code flags}, or with data when
     * {@code flags} is 0; other frames are skipped.
     */
    private boolean awaitSegment(int flags) throws IOException {
        while (true) {
            int n = nextFrame();
            if (n < 0) {
                return false;
            }
            if (!isTcp(n)) {
                continue;
            }
            tcp.wrap(in, ip.payloadOffset(), ip.payloadLength());
            if (tcp.destinationPort() != guestPort || (tcp.flags() & TcpFlags.RST) != 0) {
                if (tcp.destinationPort() == guestPort) {
                    return false;
                }
                continue;
            }
            int length = tcp.payloadLength();
            if (flags == 0 ? length > 0 : (tcp.flags() & flags) == flags) {
                acknowledgment = tcp.sequenceNumber() + length + ((tcp.flags() & (TcpFlags.SYN | TcpFlags.FIN)) != 0 ? 1 : 0);
                return true;
            }
        }
    }

    private boolean connect() throws IOException {
        guestPort = guestPort == 60000 ? 40000 : guestPort + 1;
        sequence = guestPort * 7919;
        segment(TcpFlags.SYN, NOTHING);
        sequence++;
        if (!awaitSegment(TcpFlags.SYN | TcpFlags.ACK)) {
            return false;
        }
        segment(TcpFlags.ACK, NOTHING);
        return true;
    }

    private boolean requestResponse() throws IOException {
        segment(TcpFlags.PSH | TcpFlags.ACK, ONE_BYTE);
        sequence++;
        if (!awaitSegment(0)) {
            return false;
        }
        segment(TcpFlags.ACK, NOTHING);
        return true;
    }

    private boolean close() throws IOException {
        segment(TcpFlags.FIN | TcpFlags.ACK, NOTHING);
        sequence++;
        if (!awaitSegment(TcpFlags.FIN)) {
            return false;
        }
        segment(TcpFlags.ACK, NOTHING);
        return true;
    }

    private void segment(int flags, byte[] data) {
        send(Ipv4Frames.tcp(out, GUEST_MAC, GATEWAY_MAC, GUEST, guestPort, GATEWAY, tcpPort, flags, sequence,
                (flags & TcpFlags.ACK) != 0 ? acknowledgment : 0, 65535, data));
    }

    /** The TCP peer: echoes every byte of each connection, one connection at a time, until it is closed. */
    private static void serveTcp(ServerSocket server) {
        byte[] buffer = new byte[512];
        while (!server.isClosed()) {
            try (Socket s = server.accept(); InputStream i = s.getInputStream(); OutputStream o = s.getOutputStream()) {
                s.setTcpNoDelay(true);
                for (int n; (n = i.read(buffer)) > 0; ) {
                    o.write(buffer, 0, n);
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
