package io.vnet4j.usernet;

import io.vnet4j.base.Log;
import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
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
 * A guest's UDP datagrams through the whole gateway, over IPv4 ({@code family=4}: to 10.0.2.2, the host's
 * 127.0.0.1) or IPv6 ({@code family=6}: to fec0::2, the host's ::1). {@code datagramThroughTheGateway}: a
 * 100-byte datagram in an Ethernet frame goes through {@link Gateway#frame} (Ethernet, IP and UDP checks, the
 * flow lookup, the host target) and out of the flow's host socket to a socket on loopback, which the
 * benchmark drains. {@code datagramToTheGuest}: that socket answers with 100 bytes, which the flow reads
 * ({@link UdpNat#readable}) and sends to the guest as a frame. Run with {@code -prof gc}: the allocation per
 * datagram should be 0.
 *
 * <p>With {@code VNET4J_BENCH_PEER=ADDRESS} (an IPv4 address of this machine that is not a loopback one, as
 * in a network namespace the caller made: {@code ip netns exec NS ...}), family 4 talks to that address
 * instead, so the answers come from a remote address as the guest sees them, not from the gateway's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class GatewayUdpBenchmark {
    private static final int GUEST_PORT = 40000;
    @Param({"4", "6"})
    public int family;

    private Selector selector;
    private DatagramChannel server;
    private UdpNat udp;
    private UdpNat.Flow flow;
    private SocketAddress flowAddress;
    private final ByteBuffer answer = ByteBuffer.allocateDirect(100);
    private Gateway gateway;
    private final ByteBuffer drain = ByteBuffer.allocateDirect(65536);
    private ByteBuffer frame;
    private long now;

    @Setup(Level.Trial)
    public void open() throws Exception {
        Log.quiet(true);
        UserConfig config = TestGateways.config("");
        selector = Selector.open();
        boolean v4 = family == 4;
        String peer = v4 ? System.getenv().getOrDefault("VNET4J_BENCH_PEER", "127.0.0.1") : "::1";
        server = DatagramChannel.open().bind(new InetSocketAddress(InetAddress.getByName(peer), 0));
        server.configureBlocking(false);
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        NeighborTable arp = new NeighborTable();
        arp.learn(IpAddress.ofIpv4(GuestFrames.GUEST), GuestFrames.GUEST_MAC);
        arp.learn(GuestFrames6.GUEST, GuestFrames6.GUEST_MAC);
        GuestOutput out = new GuestOutput("u", (b, offset, length, segmentSize) -> { }, arp, config.mtu(), () -> now);
        GatewayParts parts = TestGateways.build(config, out, arp, LoopSelector.of(selector));
        gateway = parts.gateway();
        udp = parts.udp();
        int destination = !v4 || peer.equals("127.0.0.1") ? GuestFrames.HOST : Ipv4Address.parse(peer);
        frame = ByteBuffer.wrap(v4
                ? GuestFrames.udp(GuestFrames.HOST_MAC, GuestFrames.GUEST, GUEST_PORT, destination, port, new byte[100])
                : GuestFrames6.udp(GuestFrames6.HOST_MAC, GuestFrames6.GUEST, GUEST_PORT, GuestFrames6.HOST, port,
                new byte[100]));
        datagramThroughTheGateway(); // opens the flow, the selector's one key
        SelectionKey key = selector.keys().iterator().next();
        flow = (UdpNat.Flow) ((LoopSelector.Key) key.attachment()).attachment();
        int flowPort = ((InetSocketAddress) ((DatagramChannel) key.channel()).getLocalAddress()).getPort();
        flowAddress = new InetSocketAddress(InetAddress.getByName(peer), flowPort);
    }

    @Benchmark
    public int datagramThroughTheGateway() throws Exception {
        gateway.frame(frame, 0, frame.limit(), false, ++now);
        drain.clear();
        server.receive(drain);
        return drain.position();
    }

    @Benchmark
    public int datagramToTheGuest() throws Exception {
        answer.clear();
        server.send(answer, flowAddress);
        udp.readable(flow, ++now);
        return answer.position();
    }

    @TearDown(Level.Trial)
    public void close() throws Exception {
        server.close();
        selector.close();
    }
}
