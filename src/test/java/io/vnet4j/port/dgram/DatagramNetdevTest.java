package io.vnet4j.port.dgram;

import static io.vnet4j.port.Wire.await;
import static io.vnet4j.port.Wire.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.fabric.Hub;
import io.vnet4j.os.DatagramEndpoint;
import io.vnet4j.port.nic.VirtualNic;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datagram netdevs over unix sockets and UDP on 127.0.0.1. Multicast is not tested here: the host's
 * loopback has no multicast; the real-peer suite covers it.
 */
@Timeout(60)
class DatagramNetdevTest {
    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private <T extends AutoCloseable> T keep(T c) {
        toClose.add(c);
        return c;
    }

    private VirtualNic nic(String id, Hub hub) {
        VirtualNic n = keep(new VirtualNic(id, hub));
        n.start();
        return n;
    }

    private DatagramNetdev dgram(String id, DatagramEndpoint local, DatagramEndpoint remote, Hub hub) throws IOException {
        DatagramNetdev d = keep(new DatagramNetdev(id, "dgram", "test", new DatagramNetdev.Spec(local, remote, null), hub));
        d.start();
        return d;
    }

    /** Two hubs joined by a pair of datagram netdevs, a NIC on each. */
    private record Link(VirtualNic left, VirtualNic right, DatagramNetdev a, DatagramNetdev b) {}

    private Link link(DatagramEndpoint aAddress, DatagramEndpoint bAddress) throws IOException {
        Hub h1 = new Hub(1);
        Hub h2 = new Hub(2);
        VirtualNic left = nic("left", h1);
        VirtualNic right = nic("right", h2);
        DatagramNetdev a = dgram("a", aAddress, bAddress, h1);
        DatagramNetdev b = dgram("b", bAddress, aAddress, h2);
        return new Link(left, right, a, b);
    }

    private Link unixLink() throws IOException {
        return link(new DatagramEndpoint.Unix(dir.resolve("a").toString()), new DatagramEndpoint.Unix(dir.resolve("b").toString()));
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramChannel ch = DatagramChannel.open()) {
            ch.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return ((InetSocketAddress) ch.getLocalAddress()).getPort();
        }
    }

    private Link udpLink() throws IOException {
        Inet4Address lo = (Inet4Address) InetAddress.getByName("127.0.0.1");
        return link(new DatagramEndpoint.Inet(lo, freeUdpPort()), new DatagramEndpoint.Inet(lo, freeUdpPort()));
    }

    private static void exchange(Link link) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            link.left().send(frame(i, 60 + i * 29));
            assertThat(link.right().receive(5, TimeUnit.SECONDS)).as("frame %d left to right", i).isEqualTo(frame(i, 60 + i * 29));
            link.right().send(frame(1000 + i, 1514));
            assertThat(link.left().receive(5, TimeUnit.SECONDS)).as("frame %d right to left", i).isEqualTo(frame(1000 + i, 1514));
        }
        assertThat(link.a().counters().snapshot().rxFrames()).isEqualTo(50);
        assertThat(link.a().counters().snapshot().txFrames()).isEqualTo(50);
        assertThat(link.b().counters().snapshot().rxFrames()).isEqualTo(50);
        assertThat(link.b().counters().snapshot().txFrames()).isEqualTo(50);
    }

    /**
     * A local port 0 ({@code local.port=0}, {@code localaddr=127.0.0.1:0}) is told as the kernel picked it, for
     * the peer to send to; the start line and info network said {@code local=127.0.0.1:0} and no more (the
     * new-user trial, fifty-second pass). A port given is not repeated.
     */
    @Test
    void aLocalPortZeroIsToldAsTheKernelPickedIt() throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        DatagramNetdev picked = dgram("p", new DatagramEndpoint.Inet(lo, 0), new DatagramEndpoint.Inet(lo, 9), new Hub(1));
        DatagramChannel probe = keep(DatagramChannel.open());
        probe.bind(new InetSocketAddress(lo, 0));
        int free = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        probe.close();
        DatagramNetdev given = dgram("g", new DatagramEndpoint.Inet(lo, free), new DatagramEndpoint.Inet(lo, 9), new Hub(2));
        assertThat(picked.describe()).matches("test \\(port [1-9][0-9]*, picked by the kernel\\)");
        assertThat(given.describe()).isEqualTo("test");
    }

    @Test
    void unixDatagramNetdevsExchangeFramesBothWays() throws Exception {
        exchange(unixLink());
    }

    @Test
    void udpNetdevsOnLoopbackExchangeFramesBothWays() throws Exception {
        exchange(udpLink());
    }

    @Test
    void aUnixDatagramNetdevRemovesItsSocketFileOnClose() throws Exception {
        Link link = unixLink();
        assertThat(dir.resolve("a")).exists();
        link.a().close();
        assertThat(dir.resolve("a")).doesNotExist();
    }

    @Test
    void aUnixDatagramNetdevRefusesALocalPathThatALiveSocketHolds() throws Exception {
        Link link = unixLink();
        Path taken = dir.resolve("a");
        DatagramNetdev second = keep(new DatagramNetdev("c", "dgram", "test", new DatagramNetdev.Spec(
                new DatagramEndpoint.Unix(taken.toString()), new DatagramEndpoint.Unix(dir.resolve("c").toString()), null),
                new Hub(3)));
        assertThatThrownBy(second::start).isInstanceOf(IOException.class).hasMessageContaining(taken + " is in use by this vnet4j itself (pid");
        second.close();
        assertThat(taken).as("the first netdev's socket").exists();
        exchange(link);
    }

    @Test
    void aMulticastNetdevWhoseInterfaceAddressNoInterfaceHoldsIsRefusedNamingTheOption() throws Exception {
        Inet4Address nowhere = (Inet4Address) InetAddress.getByName("198.51.100.99"); // documentation only (RFC 5737)
        for (String type : List.of("socket", "dgram")) {
            DatagramNetdev m = keep(new DatagramNetdev("m", type, "test", new DatagramNetdev.Spec(DatagramEndpoint.any(5409),
                    new DatagramEndpoint.Inet(InetAddress.getByName("230.0.0.9"), 5409), nowhere), new Hub(4)));
            assertThatThrownBy(m::start).isInstanceOf(IOException.class).hasMessage("m: "
                    + (type.equals("socket") ? "localaddr" : "local.host") + "=198.51.100.99: no interface of this host "
                    + "(network namespace) has that address");
        }
    }

    @Test
    void framesToAnAbsentUnixPeerAreDroppedAndCounted() throws Exception {
        Hub hub = new Hub(1);
        VirtualNic nic = nic("nic", hub);
        DatagramNetdev a = dgram("a", new DatagramEndpoint.Unix(dir.resolve("a").toString()),
                new DatagramEndpoint.Unix(dir.resolve("nobody").toString()), hub);
        nic.send(frame(1, 60));
        await("the drop to be counted", () -> a.counters().snapshot().txDropped() == 1);
    }

    @Test
    void anOversizedFrameIsDroppedAndDoesNotStallTheFramesBehindIt() throws Exception {
        // a stream port may carry up to 69632 bytes; a datagram port cannot send more than 65536
        Link link = unixLink();
        link.left().send(frame(1, 65536 + 4096));
        link.left().send(frame(2, 100));
        assertThat(link.right().receive(5, TimeUnit.SECONDS)).isEqualTo(frame(2, 100));
        await("the oversized frame counted as dropped", () -> link.a().counters().snapshot().txDropped() == 1);
    }
}
