package io.vnet4j.usernet;

import io.vnet4j.Network;
import io.vnet4j.port.nic.VirtualNic;
import io.vnet4j.wire.EtherType;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSegment;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Heap cost of many proxied TCP connections: an in-JVM guest opens N connections through the user network
 * to a host listener, sends 1 KiB on each and gets 1 KiB back, then leaves them idle; prints the heap in use
 * (after GC) before and after. Run: {@code bench/many-connections.sh [N]}.
 */
public final class ManyConnectionsBench {
    static final int GUEST = Ipv4Address.parse("10.0.2.15");
    static final int HOST = Ipv4Address.parse("10.0.2.2");
    static final long HOST_MAC = 0x5255_0a00_0202L;

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        try (Network network = new Network();
             ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), count);
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            VirtualNic guest = network.attachNic("guest", 0);
            network.addNetdev("user,id=u");
            List<SocketChannel> accepted = new ArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (accepted.size() < count) {
                        SocketChannel c = listener.accept();
                        c.write(ByteBuffer.allocate(1024));
                        accepted.add(c);
                    }
                } catch (Exception e) {
                    // closed at the end
                }
            });
            long idle = usedHeap();
            Map<Integer, Integer> serverSequence = new HashMap<>();
            for (int i = 0; i < count; i++) {
                guest.send(GuestFrames.tcp(HOST_MAC, GUEST, 20000 + i, HOST, port, TcpFlags.SYN, 1000, 0, 65535, new byte[0]));
                if (i % 100 == 99) {
                    collect(guest, serverSequence, 200);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (serverSequence.size() < count && System.nanoTime() < deadline) {
                collect(guest, serverSequence, 500);
            }
            for (var e : serverSequence.entrySet()) {
                guest.send(GuestFrames.tcp(HOST_MAC, GUEST, e.getKey(), HOST, port, TcpFlags.ACK | TcpFlags.PSH, 1001,
                        e.getValue() + 1, 65535, new byte[1024]));
            }
            acceptor.join(30_000);
            Thread.sleep(2000);
            while (guest.receive(100, TimeUnit.MILLISECONDS) != null) {
                // drain what the gateway sent back
            }
            long loaded = usedHeap();
            System.out.printf("%d connections established: %d; heap in use %.1f MB idle, %.1f MB with them (%.1f MB above idle, %.1f KB each)%n",
                    count, serverSequence.size(), idle / 1e6, loaded / 1e6, (loaded - idle) / 1e6,
                    (loaded - idle) / 1e3 / Math.max(1, serverSequence.size()));
            for (SocketChannel c : accepted) {
                c.close();
            }
        }
    }

    private static void collect(VirtualNic guest, Map<Integer, Integer> serverSequence, long millis) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            byte[] frame = guest.receive(50, TimeUnit.MILLISECONDS);
            if (frame == null) {
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(frame);
            if (new EthernetFrame().wrap(b, 0, frame.length).etherType() != EtherType.IPV4) {
                continue;
            }
            Ipv4Packet ip = new Ipv4Packet().wrap(b, 14, frame.length - 14);
            if (ip.protocol() != IpProtocol.TCP) {
                continue;
            }
            TcpSegment tcp = new TcpSegment().wrap(b, ip.payloadOffset(), ip.payloadLength());
            if ((tcp.flags() & (TcpFlags.SYN | TcpFlags.ACK)) == (TcpFlags.SYN | TcpFlags.ACK)) {
                serverSequence.put(tcp.destinationPort(), tcp.sequenceNumber());
            }
        }
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
