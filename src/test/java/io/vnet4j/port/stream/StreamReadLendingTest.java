package io.vnet4j.port.stream;

import static io.vnet4j.port.Wire.await;
import static io.vnet4j.port.Wire.readFully;
import static io.vnet4j.port.Wire.readRecord;
import static io.vnet4j.port.Wire.writeRaw;
import static io.vnet4j.port.Wire.writeRecord;
import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.Ipv4Frames;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A VM's stream connection on a hub with a user network lends its reads to the network's loop, keeps
 * working when the network goes (its own thread reads again), and ends cleanly however it ends: the VM
 * hanging up, a bad length, the netdev removed while the loop reads. The test plays the VM with ARP requests
 * to the gateway in QEMU's stream framing.
 */
@Timeout(30)
class StreamReadLendingTest {
    private static final long VM_MAC = 0x5254_0012_3456L;
    private static final int VM = Ipv4Address.parse("10.0.2.15");
    private static final int GATEWAY = Ipv4Address.parse("10.0.2.2");

    @TempDir
    Path dir;
    private Network network;
    private StreamServerNetdev server;
    private final List<SocketChannel> vms = new ArrayList<>();

    @BeforeEach
    void start() {
        network = new Network();
    }

    @AfterEach
    void stop() throws Exception {
        network.close();
        for (SocketChannel vm : vms) {
            vm.close();
        }
    }

    private StreamServerNetdev listen() throws Exception {
        return (StreamServerNetdev) network.addNetdev("stream,id=s,server=on,addr.type=unix,addr.path="
                + dir.resolve("vm.sock"));
    }

    /** Connects a VM; returns its end once its port is up. */
    private SocketChannel connect(StreamServerNetdev server) throws Exception {
        int before = server.ports().size();
        SocketChannel vm = SocketChannel.open(StandardProtocolFamily.UNIX);
        vms.add(vm);
        vm.connect(UnixDomainSocketAddress.of(dir.resolve("vm.sock")));
        await("the VM's port", () -> server.ports().size() == before + 1 && server.ports().getLast().linkUp());
        return vm;
    }

    /** A user network and the stream server on its hub, and a VM connected whose reads the loop does. */
    private SocketChannel vmReadByTheLoop() throws Exception {
        network.addNetdev("user,id=u,ipv6=off");
        server = listen();
        return connectReadByTheLoop();
    }

    /** Connects a VM and waits until the loop reads for its port. */
    private SocketChannel connectReadByTheLoop() throws Exception {
        SocketChannel vm = connect(server);
        await("the loop reading for the port", () -> port(server).readsLent());
        return vm;
    }

    private static StreamPort port(StreamServerNetdev server) {
        return (StreamPort) server.ports().getLast();
    }

    /** An ARP request for the gateway, then its reply (the first frame back that is ARP). */
    private static boolean gatewayAnswers(SocketChannel vm) throws Exception {
        ByteBuffer frame = ByteBuffer.allocate(64);
        int length = Ipv4Frames.arpRequest(frame, VM_MAC, VM, GATEWAY);
        byte[] request = new byte[length];
        frame.get(0, request);
        writeRecord(vm, request);
        for (int i = 0; i < 10; i++) {
            byte[] back = readRecord(vm);
            if (back.length > 13 && ByteBuffer.wrap(back).getShort(12) == 0x0806) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theUserNetworksLoopReadsAVmThatConnects() throws Exception {
        SocketChannel vm = vmReadByTheLoop();
        assertThat(gatewayAnswers(vm)).isTrue();
        assertThat(gatewayAnswers(vm)).isTrue();
    }

    @Test
    void aVmThatHangsUpLeavesTheLoopReadingTheNext() throws Exception {
        SocketChannel first = vmReadByTheLoop();
        assertThat(gatewayAnswers(first)).isTrue();
        first.close();
        await("the first VM's port gone", () -> server.ports().isEmpty());
        SocketChannel second = connectReadByTheLoop();
        assertThat(gatewayAnswers(second)).isTrue();
    }

    @Test
    void theVmsOwnThreadReadsAgainWhenTheUserNetworkGoes() throws Exception {
        SocketChannel vm = vmReadByTheLoop();
        assertThat(network.removeNetdev("u")).isTrue();
        await("the reads handed back", () -> !port(server).readsLent());
        network.addNetdev("user,id=u2,ipv6=off"); // a network that comes later does not take the reads
        assertThat(gatewayAnswers(vm)).isTrue();
    }

    @Test
    void aBadLengthReadByTheLoopEndsTheConnection() throws Exception {
        SocketChannel vm = vmReadByTheLoop();
        StreamPort port = port(server);
        writeRaw(vm, ByteBuffer.allocate(4).putInt(0, 0));
        assertThat(readFully(vm, 1)).as("the end of the stream").isNull();
        await("the port gone", () -> server.ports().isEmpty());
        assertThat(port.counters().snapshot().rxErrors()).isEqualTo(1);
    }

    @Test
    void removingTheNetdevWhileTheLoopReadsEndsTheConnection() throws Exception {
        SocketChannel vm = vmReadByTheLoop();
        assertThat(network.removeNetdev("s")).isTrue();
        assertThat(readFully(vm, 1)).as("the end of the stream").isNull();
        await("the connection's thread ended", () -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("vnet4j-s-rx")));
    }

    @Test
    void aClientsConnectionIsReadByTheLoopAndEndsWhenTheNetdevGoes() throws Exception {
        network.addNetdev("user,id=u,ipv6=off");
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("qemu.sock"));
        try (java.nio.channels.ServerSocketChannel qemu = java.nio.channels.ServerSocketChannel
                .open(StandardProtocolFamily.UNIX).bind(address)) {
            StreamClientNetdev client = (StreamClientNetdev) network.addNetdev(
                    "stream,id=c,server=off,addr.type=unix,addr.path=" + address.getPath());
            SocketChannel vm = qemu.accept();
            vms.add(vm);
            StreamPort port = (StreamPort) client.ports().getFirst();
            await("the loop reading for the port", port::readsLent);
            assertThat(gatewayAnswers(vm)).isTrue();
            assertThat(network.removeNetdev("c")).isTrue();
            assertThat(readFully(vm, 1)).as("the end of the stream").isNull();
        }
    }
}
