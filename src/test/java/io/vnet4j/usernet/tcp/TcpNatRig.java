package io.vnet4j.usernet.tcp;

import io.vnet4j.usernet.flow.LoopSelector;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The fixture of the connection table's tests: a {@link TcpNat} (MTU 1500, 1 MiB buffers, seeded), a listener on
 * 127.0.0.1 for the guest's connections to reach, the segments the table sent the guest, the host sockets a test
 * holds open, and a clock the test moves by hand.
 */
abstract class TcpNatRig {
    static final IpAddress GUEST = IpAddress.ofIpv4(Ipv4Address.parse("10.0.2.15"));
    static final IpAddress GATEWAY = IpAddress.ofIpv4(Ipv4Address.parse("10.0.2.2"));
    /** The guest's initial sequence number. */
    static final int GISN = 1000;

    /** A segment the table sent the guest: to its port, with these flags, sequence and acknowledgment numbers. */
    record Seg(int guestPort, int flags, int seq, int ack) {
        boolean has(int f) {
            return (flags & f) == f;
        }
    }

    final List<Seg> sent = new ArrayList<>();
    final List<SocketChannel> held = new ArrayList<>();
    LoopSelector selector;
    ServerSocketChannel listener;
    InetSocketAddress target;
    TcpNat tcp;
    long now = 1_000_000_000L;

    @BeforeEach
    void openRig() throws IOException {
        selector = LoopSelector.open();
        listener = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        target = (InetSocketAddress) listener.getLocalAddress();
        tcp = new TcpNat("u", selector, segment -> sent.add(new Seg(segment.destinationPort(), segment.flags(),
                segment.sequence(), segment.acknowledgment())), 1500, 1 << 20, new Random(0));
    }

    @AfterEach
    void closeRig() throws IOException {
        for (SocketChannel c : held) {
            c.close();
        }
        tcp.closeAll();
        selector.close();
        listener.close();
    }
}
