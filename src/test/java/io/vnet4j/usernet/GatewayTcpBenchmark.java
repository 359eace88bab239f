package io.vnet4j.usernet;

import io.vnet4j.base.Log;
import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.usernet.tcp.TcpNat;
import io.vnet4j.wire.EthernetFrame;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.Ipv6Packet;
import io.vnet4j.wire.TcpFlags;
import io.vnet4j.wire.TcpSegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A guest's established TCP connection through the whole gateway, over IPv4 ({@code family=4}: to
 * 10.0.2.2, the host's 127.0.0.1) or IPv6 ({@code family=6}: to fec0::2, the host's ::1): an in-order
 * 1440-byte segment in an Ethernet frame goes through {@link Gateway#frame} (Ethernet, IP and TCP checks,
 * the flow lookup, the receive path) to a host socket on loopback, which the benchmark drains. Run with
 * {@code -prof gc}: the allocation per frame is the figure the address type must not raise.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class GatewayTcpBenchmark {
    private static final int MSS = 1440;
    @Param({"4", "6"})
    public int family;
    private static final int GUEST_PORT = 40000;

    private Selector selector;
    private ServerSocketChannel server;
    private SocketChannel accepted;
    private Gateway gateway;
    private TcpNat tcp;
    private final ByteBuffer drain = ByteBuffer.allocateDirect(1 << 20);
    private ByteBuffer frame;
    private final TcpSegment segment = new TcpSegment();
    private int guestSequence = 1000;
    private int gatewaySequence;
    private int ipHeader;
    private IpAddress source;
    private IpAddress destination;
    private long now;

    @Setup(Level.Trial)
    public void connect() throws Exception {
        Log.quiet(true);
        UserConfig config = TestGateways.config("");
        selector = Selector.open();
        boolean v4 = family == 4;
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getByName(v4 ? "127.0.0.1" : "::1"), 0));
        int port = server.socket().getLocalPort();
        NeighborTable arp = new NeighborTable();
        arp.learn(IpAddress.ofIpv4(GuestFrames.GUEST), GuestFrames.GUEST_MAC);
        arp.learn(GuestFrames6.GUEST, GuestFrames6.GUEST_MAC);
        GuestOutput out = new GuestOutput("u", this::fromGateway, arp, config.mtu(), () -> now);
        GatewayParts parts = TestGateways.build(config, out, arp, LoopSelector.of(selector));
        gateway = parts.gateway();
        tcp = parts.tcp();

        send(v4 ? GuestFrames.tcp(GuestFrames.HOST_MAC, GuestFrames.GUEST, GUEST_PORT, GuestFrames.HOST, port,
                TcpFlags.SYN, guestSequence, 0, 65535, new byte[0])
                : GuestFrames6.tcp(GuestFrames6.HOST_MAC, GuestFrames6.GUEST, GUEST_PORT, GuestFrames6.HOST, port,
                TcpFlags.SYN, guestSequence, 0, 65535, new byte[0]));
        accepted = server.accept();
        accepted.configureBlocking(false);
        while (gatewaySequence == 0) {
            selector.select(100);
            for (SelectionKey k : selector.selectedKeys()) {
                tcp.ready((TcpNat.Flow) k.attachment(), now);
            }
            selector.selectedKeys().clear();
        }
        guestSequence++;
        frame = ByteBuffer.wrap(v4 ? GuestFrames.tcp(GuestFrames.HOST_MAC, GuestFrames.GUEST, GUEST_PORT, GuestFrames.HOST,
                port, TcpFlags.ACK | TcpFlags.PSH, guestSequence, gatewaySequence + 1, 65535, new byte[MSS])
                : GuestFrames6.tcp(GuestFrames6.HOST_MAC, GuestFrames6.GUEST, GUEST_PORT, GuestFrames6.HOST, port,
                TcpFlags.ACK | TcpFlags.PSH, guestSequence, gatewaySequence + 1, 65535, new byte[MSS]));
        ipHeader = v4 ? Ipv4Packet.MIN_HEADER_LENGTH : Ipv6Packet.HEADER_LENGTH;
        source = v4 ? IpAddress.ofIpv4(GuestFrames.GUEST) : GuestFrames6.GUEST;
        destination = v4 ? IpAddress.ofIpv4(GuestFrames.HOST) : GuestFrames6.HOST;
        segment.wrap(frame, EthernetFrame.HEADER_LENGTH + ipHeader, TcpSegment.MIN_HEADER_LENGTH + MSS);
    }

    /** Frames the gateway sends: the SYN-ACK gives its initial sequence number, the rest are ACKs. */
    private void fromGateway(ByteBuffer b, int offset, int length, int segmentSize) {
        if (gatewaySequence == 0) {
            int ip = family == 4 ? Ipv4Packet.MIN_HEADER_LENGTH : Ipv6Packet.HEADER_LENGTH;
            gatewaySequence = b.getInt(offset + EthernetFrame.HEADER_LENGTH + ip + 4);
        }
    }

    private void send(byte[] bytes) {
        gateway.frame(ByteBuffer.wrap(bytes), 0, bytes.length, false, now);
        tcp.flushAcks();
    }

    @Benchmark
    public int segmentThroughTheGateway() throws Exception {
        segment.setSequenceNumber(guestSequence);
        segment.fillChecksum(source, destination);
        gateway.frame(frame, 0, frame.limit(), false, ++now);
        tcp.flushAcks();
        guestSequence += MSS;
        drain.clear();
        return accepted.read(drain);
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        tcp.closeAll();
        accepted.close();
        server.close();
        selector.close();
    }
}
