package io.vnet4j.port.stream;

import static io.vnet4j.port.Wire.await;
import static io.vnet4j.port.Wire.expectClosed;
import static io.vnet4j.port.Wire.frame;
import static io.vnet4j.port.Wire.readRecord;
import static io.vnet4j.port.Wire.writeRaw;
import static io.vnet4j.port.Wire.writeRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.base.TcpKeepAlive;
import io.vnet4j.fabric.Hub;
import io.vnet4j.fabric.NetdevEvents;
import io.vnet4j.fabric.Port;
import io.vnet4j.port.nic.VirtualNic;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class StreamNetdevTest {
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

    private StreamServerNetdev server(String kind, Hub hub) throws IOException {
        SocketAddress address = kind.equals("unix") ? UnixDomainSocketAddress.of(dir.resolve("s.sock"))
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        StreamServerNetdev s = keep(new StreamServerNetdev("s", "stream", "test", address, hub));
        s.start();
        return s;
    }

    private VirtualNic nic(String id, Hub hub) {
        VirtualNic n = keep(new VirtualNic(id, hub));
        n.start();
        return n;
    }

    /** Connects a raw client and returns it once its port on the server is up. */
    private record Client(SocketChannel channel, Port port) {}

    private Client connect(StreamServerNetdev server) throws Exception {
        int before = server.ports().size();
        SocketAddress address = server.boundAddress();
        SocketChannel ch = keep(address instanceof UnixDomainSocketAddress
                ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open());
        ch.connect(address);
        await("the connection's port", () -> server.ports().size() == before + 1
                && server.ports().getLast().linkUp());
        return new Client(ch, server.ports().getLast());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void aFrameFromOneClientReachesTheOther(String kind) throws Exception {
        Hub hub = new Hub(0);
        StreamServerNetdev server = server(kind, hub);
        Client a = connect(server);
        Client b = connect(server);
        assertThat(a.port().id()).isEqualTo("s.1");
        assertThat(b.port().id()).isEqualTo("s.2");
        writeRecord(a.channel(), frame(1, 60));
        assertThat(readRecord(b.channel())).isEqualTo(frame(1, 60));
        writeRecord(b.channel(), frame(2, 1514));
        writeRecord(b.channel(), frame(3, 1));
        assertThat(readRecord(a.channel())).isEqualTo(frame(2, 1514));
        assertThat(readRecord(a.channel())).isEqualTo(frame(3, 1));
        assertThat(a.port().counters().snapshot().rxFrames()).isEqualTo(1);
        // a frame written through is on the wire before its port counts it: the reader may be first
        await("a's two frames counted", () -> a.port().counters().snapshot().txFrames() >= 2);
        assertThat(a.port().counters().snapshot().txFrames()).isEqualTo(2);
        // a port 0 asked for is told as the kernel picked it, for peers to connect to (the new-user trial,
        // fifty-second pass: info network and the start line said listen=127.0.0.1:0 and no more)
        assertThat(server.describe()).isEqualTo(kind.equals("tcp")
                ? "test (port " + ((InetSocketAddress) server.boundAddress()).getPort() + ", picked by the kernel; 2 connections)"
                : "test (2 connections)");
    }

    /** QEMU's set_link on a listener: a connection made while it holds comes up down, and up with set_link on. */
    @Test
    void setLinkOffHoldsEveryConnectionDownTheLaterOnesToo() throws Exception {
        Hub hub = new Hub(0);
        VirtualNic nic = nic("nic", hub);
        StreamServerNetdev server = server("unix", hub);
        server.setLinkDown(true);
        SocketChannel ch = keep(SocketChannel.open(StandardProtocolFamily.UNIX));
        ch.connect(server.boundAddress());
        await("the connection's port", () -> server.ports().size() == 1);
        Port port = server.ports().getFirst();
        assertThat(port.linkDown()).isTrue();
        assertThat(port.linkUp()).isFalse();
        writeRecord(ch, frame(1, 60));
        assertThat(nic.receive(300, TimeUnit.MILLISECONDS)).as("the wire's frame discarded").isNull();
        nic.send(frame(2, 60));
        await("the hub's frame dropped", () -> port.counters().snapshot().txDropped() == 1);

        server.setLinkDown(false);
        assertThat(port.linkUp()).isTrue();
        writeRecord(ch, frame(3, 60));
        assertThat(nic.receive(5, TimeUnit.SECONDS)).isEqualTo(frame(3, 60));
        nic.send(frame(4, 60));
        assertThat(readRecord(ch)).as("frame 2 was dropped, not held").isEqualTo(frame(4, 60));
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void aFrameOfTheLargestLegalLengthPasses(String kind) throws Exception {
        Hub hub = new Hub(0);
        StreamServerNetdev server = server(kind, hub);
        VirtualNic nic = nic("nic", hub);
        Client a = connect(server);
        writeRecord(a.channel(), frame(9, StreamFraming.MAX_FRAME));
        assertThat(nic.receive(5, TimeUnit.SECONDS)).isEqualTo(frame(9, StreamFraming.MAX_FRAME));
        nic.send(frame(10, StreamFraming.MAX_FRAME));
        assertThat(readRecord(a.channel())).isEqualTo(frame(10, StreamFraming.MAX_FRAME));
    }

    /**
     * Frames sent while the peer does not read fill its socket: the first are written through on the hub's
     * thread, the rest queue behind them for the writer. All arrive whole and in order once the peer reads.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void framesSentWhileThePeerDoesNotReadArriveWholeAndInOrder(String kind) throws Exception {
        Hub hub = new Hub(0);
        StreamServerNetdev server = server(kind, hub);
        VirtualNic nic = nic("nic", hub);
        Client a = connect(server);
        assertThat(((StreamPort) a.port()).sendsThrough()).isTrue();
        int frames = 1200; // about 0.9 MB: past a socket buffer, within the port's queue (1 MiB)
        for (int i = 0; i < frames; i++) {
            nic.send(frame(i, 60 + i * 37 % 1455));
        }
        for (int i = 0; i < frames; i++) {
            assertThat(readRecord(a.channel())).as("frame %d", i).isEqualTo(frame(i, 60 + i * 37 % 1455));
        }
        assertThat(a.port().counters().snapshot().txDropped()).isZero();
    }

    /** A stream port over a unix socket whose send buffer (4 KiB asked, Linux doubles it) is smaller than a frame. */
    private record SmallBufferPort(StreamPort port, SocketChannel peer) {}

    private SmallBufferPort smallBufferPort(Hub hub) throws Exception {
        java.nio.channels.ServerSocketChannel listener = keep(java.nio.channels.ServerSocketChannel
                .open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(dir.resolve("p.sock"))));
        SocketChannel peer = keep(SocketChannel.open(listener.getLocalAddress()));
        SocketChannel served = keep(listener.accept());
        served.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 4096);
        StreamPort port = keep(new StreamPort("p", "stream", "test", hub));
        hub.attach(port);
        Thread.ofPlatform().daemon().start(() -> port.serve(served, "peer", () -> { }));
        await("the port's link", port::linkUp);
        assertThat(port.sendsThrough()).as("the socket's descriptor (the tests export sun.nio.ch)").isTrue();
        return new SmallBufferPort(port, peer);
    }

    /**
     * One frame larger than the socket's buffer, alone: a part leaves on the hub's thread (8,064 of 12,004
     * bytes, seen with a print when this was written), and the writer, woken for the rest alone, sends it.
     */
    @Test
    void aLoneFrameSentInPartIsFinishedByTheWriter() throws Exception {
        Hub hub = new Hub(0);
        VirtualNic nic = nic("nic", hub);
        SmallBufferPort p = smallBufferPort(hub);
        nic.send(frame(1, 12_000));
        assertThat(readRecord(p.peer())).isEqualTo(frame(1, 12_000));
        nic.send(frame(2, 60));
        assertThat(readRecord(p.peer())).isEqualTo(frame(2, 60));
        assertThat(p.port().counters().snapshot().txDropped()).isZero();
    }

    /**
     * The rest of a frame sent in part goes before the frames queued after it, while the peer reads slowly.
     * Without writeThrough's carry check a later frame can slip in between when the peer empties the socket
     * at the wrong moment: this caught that in one run of three when tried.
     */
    @Test
    void aFrameSentInPartIsFinishedBeforeTheFramesAfterIt() throws Exception {
        Hub hub = new Hub(0);
        VirtualNic nic = nic("nic", hub);
        SmallBufferPort p = smallBufferPort(hub);
        int frames = 20; // 237 KB: within the port's queue
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                for (int i = 0; i < frames; i++) {
                    Thread.sleep(i % 2); // slowly at times, so sends meet a full, a part-full and an empty socket
                    assertThat(readRecord(p.peer())).as("frame %d", i).isEqualTo(frame(i, 9_000 + i * 300));
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        for (int i = 0; i < frames; i++) {
            nic.send(frame(i, 9_000 + i * 300));
            if (i % 4 == 3) {
                Thread.sleep(2);
            }
        }
        reader.join(20_000);
        assertThat(failure.get()).isNull();
        assertThat(reader.isAlive()).isFalse();
        assertThat(p.port().counters().snapshot().txDropped()).isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, StreamFraming.MAX_FRAME + 1, -1})
    void aBadLengthClosesOnlyThatConnectionAndCountsAnRxError(int badLength) throws Exception {
        for (String kind : List.of("tcp", "unix")) {
            Hub hub = new Hub(0);
            StreamServerNetdev server = server(kind, hub);
            VirtualNic nic = nic("nic-" + kind, hub);
            Client bad = connect(server);
            Client good = connect(server);
            writeRaw(bad.channel(), ByteBuffer.allocate(8).putInt(badLength).putInt(0).flip());
            expectClosed(bad.channel());
            assertThat(bad.port().counters().snapshot().rxErrors()).as(kind).isEqualTo(1);
            assertThat(bad.port().counters().snapshot().rxFrames()).isZero();
            await("the bad connection's port to go", () -> server.ports().size() == 1);
            assertThat(hub.ports()).doesNotContain(bad.port());
            writeRecord(good.channel(), frame(1, 100));
            assertThat(nic.receive(5, TimeUnit.SECONDS)).as(kind).isEqualTo(frame(1, 100));
            nic.send(frame(2, 100));
            assertThat(readRecord(good.channel())).as(kind).isEqualTo(frame(2, 100));
            server.close();
            nic.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void aRecordWrittenOneByteAtATimeIsReassembled(String kind) throws Exception {
        Hub hub = new Hub(0);
        StreamServerNetdev server = server(kind, hub);
        VirtualNic nic = nic("nic", hub);
        Client a = connect(server);
        ByteBuffer records = ByteBuffer.allocate(2 * (4 + 300));
        records.putInt(300).put(frame(1, 300)).putInt(300).put(frame(2, 300)).flip();
        while (records.hasRemaining()) {
            writeRaw(a.channel(), ByteBuffer.wrap(new byte[] {records.get()}));
        }
        assertThat(nic.receive(5, TimeUnit.SECONDS)).isEqualTo(frame(1, 300));
        assertThat(nic.receive(5, TimeUnit.SECONDS)).isEqualTo(frame(2, 300));
        assertThat(a.port().counters().snapshot().rxErrors()).isZero();
    }

    @Test
    void aClosedClientConnectionLeavesTheHub() throws Exception {
        Hub hub = new Hub(0);
        StreamServerNetdev server = server("tcp", hub);
        Client a = connect(server);
        assertThat(hub.ports()).contains(a.port());
        a.channel().close();
        await("the port to leave the hub", () -> hub.ports().isEmpty() && server.ports().isEmpty());
        assertThat(a.port().linkUp()).isFalse();
    }

    /**
     * A unix client pointed at something that is not a socket says what is there, as ctl does: the kernel's
     * ECONNREFUSED read "Connection refused", as of a stopped server (the new-user trial, fifty-second pass).
     */
    @Test
    void aUnixClientAtAFileThatIsNotASocketSaysWhatIsThere() throws Exception {
        Path file = java.nio.file.Files.writeString(dir.resolve("notes.txt"), "x");
        StreamClientNetdev client = keep(new StreamClientNetdev("c", "stream", "test", UnixDomainSocketAddress.of(file),
                0, new Hub(0)));
        assertThatThrownBy(client::start).hasMessage("cannot connect to " + file + ": it is a regular file, not a socket");
        StreamClientNetdev atDir = keep(new StreamClientNetdev("d", "stream", "test", UnixDomainSocketAddress.of(dir),
                0, new Hub(1)));
        assertThatThrownBy(atDir::start).hasMessage("cannot connect to " + dir + ": it is a directory, not a socket");
    }

    /**
     * A reconnecting client whose server is not there yet says so once, with why and its pace, however many tries it
     * takes (helper-152: it said nothing while it waited, and its settings left its pace out).
     */
    @Test
    void aReconnectingClientSaysOnceWhyItCannotConnectYet() throws Exception {
        Path path = dir.resolve("later.sock");
        List<String> said = io.vnet4j.base.LogCapture.during(java.util.logging.Level.INFO, () -> {
            StreamClientNetdev client = keep(new StreamClientNetdev("c", "stream", "test", UnixDomainSocketAddress.of(path),
                    50, new Hub(0)));
            client.start();
            Thread.sleep(400); // some eight tries
            client.close();
        });
        assertThat(said.stream().filter(l -> l.startsWith("c: cannot connect to " + path + ": ")
                && l.endsWith("; trying every 50 ms"))).as(said.toString()).hasSize(1);
    }

    @Test
    void aUnixClientReconnectsAfterTheServerGoesAwayAndComesBack() throws Exception {
        Hub serverHub = new Hub(0);
        Hub clientHub = new Hub(1);
        Path path = dir.resolve("r.sock");
        VirtualNic serverNic = nic("server-nic", serverHub);
        VirtualNic clientNic = nic("client-nic", clientHub);
        StreamServerNetdev server = new StreamServerNetdev("s", "stream", "test", UnixDomainSocketAddress.of(path), serverHub);
        server.start();
        StreamClientNetdev client = keep(new StreamClientNetdev("c", "stream", "test", UnixDomainSocketAddress.of(path),
                100, clientHub));
        client.start();
        Port port = client.ports().getFirst();
        await("the client link up", port::linkUp);
        await("the server's connection up", () -> server.ports().size() == 1 && server.ports().getFirst().linkUp());
        clientNic.send(frame(1, 80));
        assertThat(serverNic.receive(5, TimeUnit.SECONDS)).isEqualTo(frame(1, 80));

        server.close();
        await("the client link down", () -> !port.linkUp());
        Thread.sleep(300); // several reconnect attempts while nothing listens
        assertThat(port.linkUp()).isFalse();
        assertThat(client.describe()).contains("not connected");
        clientNic.send(frame(2, 80)); // dropped: nobody to take it
        assertThat(port.counters().snapshot().txDropped()).isEqualTo(1);

        StreamServerNetdev again = keep(new StreamServerNetdev("s", "stream", "test", UnixDomainSocketAddress.of(path), serverHub));
        again.start();
        await("the client link up again", port::linkUp);
        await("the new server's connection up", () -> again.ports().size() == 1 && again.ports().getFirst().linkUp());
        clientNic.send(frame(3, 80));
        assertThat(serverNic.receive(5, TimeUnit.SECONDS)).isEqualTo(frame(3, 80));
        serverNic.send(frame(4, 80));
        assertThat(clientNic.receive(5, TimeUnit.SECONDS)).isEqualTo(frame(4, 80));
    }

    /**
     * Frames that waited in a client's queue for a peer that stopped reading and then went (a QEMU killed while
     * paused) are not sent to the next peer it connects to (the QEMU started again): they were the old guest's.
     * Before, the new connection began with up to a megabyte of them.
     */
    @Test
    void aReconnectedClientSendsTheNewPeerNothingThatWaitedForTheOldOne() throws Exception {
        Hub hub = new Hub(0);
        Path path = dir.resolve("q.sock");
        java.nio.channels.ServerSocketChannel listener = keep(
                java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX));
        listener.bind(UnixDomainSocketAddress.of(path));
        VirtualNic nic = nic("nic", hub);
        StreamClientNetdev client = keep(new StreamClientNetdev("c", "stream", "test", UnixDomainSocketAddress.of(path),
                50, hub));
        client.start();
        Port port = client.ports().getFirst();
        SocketChannel old = listener.accept();
        await("the client link up", port::linkUp);
        for (int i = 0; i < 1500; i++) { // more than the socket holds: the rest waits in the port's queue
            nic.send(frame(i, 1000));
        }
        await("frames waiting in the queue", () -> port.queuedBytes() > 0);
        old.close();
        SocketChannel again = keep(listener.accept());
        await("the client link up again", port::linkUp);
        nic.send(frame(9999, 100));
        byte[] first = readRecord(again);
        assertThat(first.length).as("the first frame's length on the new connection (not an old 1000-byte one)")
                .isEqualTo(100);
        assertThat(first).isEqualTo(frame(9999, 100));
        assertThat(port.counters().snapshot().txDropped()).isPositive();
    }

    @Test
    void aTcpClientReconnectsAfterThePeerClosesTheConnection() throws Exception {
        Hub hub = new Hub(0);
        VirtualNic nic = nic("nic", hub);
        java.nio.channels.ServerSocketChannel listener = keep(java.nio.channels.ServerSocketChannel.open());
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        StreamClientNetdev client = keep(new StreamClientNetdev("c", "socket", "connect=test", listener.getLocalAddress(),
                100, hub));
        client.start();
        Port port = client.ports().getFirst();
        SocketChannel first = keep(listener.accept());
        await("the link up", port::linkUp);
        nic.send(frame(1, 64));
        assertThat(readRecord(first)).isEqualTo(frame(1, 64));
        first.close();
        SocketChannel second = keep(listener.accept()); // blocks until the client comes back
        await("the link up again", port::linkUp);
        writeRecord(second, frame(2, 64));
        assertThat(nic.receive(5, TimeUnit.SECONDS)).isEqualTo(frame(2, 64));
        nic.send(frame(3, 64));
        assertThat(readRecord(second)).isEqualTo(frame(3, 64));
    }

    /**
     * A VM that quits takes its MAC with it, whichever side connected: the hub tells the user network, which
     * lets go of the VM's connections and lease (a connecting netdev's port stays, waiting for the next VM).
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aPeerThatGoesAwayTakesTheStationItSentFromWithIt(boolean vnetListens) throws Exception {
        Hub hub = new Hub(0);
        List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        hub.addDepartureListener((mac, port) -> told.add(io.vnet4j.wire.MacAddress.format(mac) + " from " + port.id()));
        VirtualNic nic = nic("nic", hub);
        SocketChannel vm;
        if (vnetListens) {
            vm = connect(server("tcp", hub)).channel();
        } else {
            java.nio.channels.ServerSocketChannel listener = keep(java.nio.channels.ServerSocketChannel.open());
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            keep(new StreamClientNetdev("c", "stream", "test", listener.getLocalAddress(), 100, hub)).start();
            vm = keep(listener.accept());
        }
        byte[] f = frame(1, 60);
        ByteBuffer.wrap(f).putShort(6, (short) 0x5254).putInt(8, 0x0012_3456); // from 52:54:00:12:34:56
        writeRecord(vm, f);
        assertThat(nic.receive(5, TimeUnit.SECONDS)).isEqualTo(f);
        vm.close();
        await("the VM's departure", () -> !told.isEmpty());
        assertThat(told).containsExactly("52:54:00:12:34:56 from " + (vnetListens ? "s.1" : "c"));
    }

    /** What a netdev told its {@link io.vnet4j.fabric.NetdevEvents}, a line each: {@code connected ID ADDRESS}, {@code disconnected ID}. */
    private static final class Told implements io.vnet4j.fabric.NetdevEvents {
        final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void streamConnected(String netdevId, SocketAddress address) {
            lines.add("connected " + netdevId + " " + io.vnet4j.base.SocketAddresses.format(address));
        }

        @Override
        public void streamDisconnected(String netdevId) {
            lines.add("disconnected " + netdevId);
        }
    }

    /**
     * As QEMU 7.2's net/stream.c: a listener names a TCP peer's address and, for unix, its own socket file; a peer's
     * going is told, the netdev's own close is not.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void aStreamListenerTellsEachConnectionsStartAndEndUnderItsOwnId(String kind) throws Exception {
        Told told = new Told();
        SocketAddress address = kind.equals("unix") ? UnixDomainSocketAddress.of(dir.resolve("e.sock"))
                : new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        StreamServerNetdev server = keep(new StreamServerNetdev("s0", "stream", "test", address, null, new Hub(0), told));
        server.start();
        Client first = connect(server);
        String named = kind.equals("unix") ? dir.resolve("e.sock").toString()
                : io.vnet4j.base.SocketAddresses.format(first.channel().getLocalAddress());
        await("the connection told", () -> told.lines.size() == 1);
        assertThat(told.lines).containsExactly("connected s0 " + named);
        first.channel().close();
        await("its end told", () -> told.lines.size() == 2);
        assertThat(told.lines.get(1)).isEqualTo("disconnected s0");
        connect(server);
        await("the second connection told", () -> told.lines.size() == 3);
        server.close();
        Thread.sleep(100);
        assertThat(told.lines).as("the netdev's own close is not a peer's going").hasSize(3);
    }

    /**
     * The timer of the TCP connection from {@code local}'s port to {@code remote}'s in /proc/net/tcp or tcp6 (its "tr"
     * field: 2 while a keep-alive timer runs on an idle connection, 0 with none; the kernel's get_tcp4_sock).
     */
    private static int timerOf(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        String want = String.format("%04X", local.getPort()) + " " + String.format("%04X", remote.getPort());
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) { // a dual-stack socket's is in tcp6
            for (String line : Files.readAllLines(Path.of(table))) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 5 && (f[1].substring(f[1].indexOf(':') + 1) + " " + f[2].substring(f[2].indexOf(':') + 1))
                        .equals(want)) {
                    return Integer.parseInt(f[5].substring(0, 2), 16);
                }
            }
        }
        throw new AssertionError("no connection " + want + " in /proc/net/tcp or tcp6");
    }

    /**
     * addr.keep-alive=on: the server's accepted connection and the client's connection run a keep-alive timer (the
     * half-open peer of a vanished host is then found); without it, no timer runs on an idle connection.
     */
    @Test
    void keepAliveRunsOnTheConnectionsAServerAcceptsAndAClientMakes() throws Exception {
        TcpKeepAlive keepAlive = new TcpKeepAlive(600, 10, 3);
        StreamServerNetdev server = keep(new StreamServerNetdev("k", "stream", "test",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), keepAlive, new Hub(0), NetdevEvents.NONE));
        server.start();
        Client accepted = connect(server);
        InetSocketAddress serverSide = (InetSocketAddress) server.boundAddress();
        InetSocketAddress clientSide = (InetSocketAddress) accepted.channel().getLocalAddress();
        assertThat(timerOf(serverSide, clientSide)).as("the accepted connection's").isEqualTo(2);
        assertThat(timerOf(clientSide, serverSide)).as("the raw client's own, without keep-alive").isZero();

        java.nio.channels.ServerSocketChannel listener = keep(java.nio.channels.ServerSocketChannel.open());
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        keep(new StreamClientNetdev("kc", "stream", "test", listener.getLocalAddress(), 0, keepAlive, new Hub(1),
                NetdevEvents.NONE)).start();
        SocketChannel peer = keep(listener.accept());
        InetSocketAddress netdevSide = (InetSocketAddress) peer.getRemoteAddress();
        InetSocketAddress listenerSide = (InetSocketAddress) peer.getLocalAddress();
        await("the client netdev's connection's keep-alive timer", () -> {
            try {
                return timerOf(netdevSide, listenerSide) == 2; // set once its connect returned, on its own thread
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertThat(timerOf(listenerSide, netdevSide)).as("the listener's side, without").isZero();
    }

    @Test
    void aStreamClientTellsEachConnectionToItsServerAndASocketNetdevTellsNothing() throws Exception {
        java.nio.channels.ServerSocketChannel listener = keep(java.nio.channels.ServerSocketChannel.open());
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Told told = new Told();
        Told toldOfSocket = new Told();
        keep(new StreamClientNetdev("c0", "stream", "test", listener.getLocalAddress(), 100, null, new Hub(0), told)).start();
        keep(new StreamClientNetdev("c1", "socket", "test", listener.getLocalAddress(), 100, null, new Hub(1), toldOfSocket)).start();
        String server = io.vnet4j.base.SocketAddresses.format(listener.getLocalAddress());
        SocketChannel a = keep(listener.accept());
        SocketChannel b = keep(listener.accept());
        await("the connection told", () -> !told.lines.isEmpty());
        assertThat(told.lines).containsExactly("connected c0 " + server);
        a.close();
        b.close();
        await("its end told, and the reconnection", () -> told.lines.size() == 3);
        assertThat(told.lines).containsExactly("connected c0 " + server, "disconnected c0", "connected c0 " + server);
        assertThat(toldOfSocket.lines).as("QEMU's socket netdev has no events").isEmpty();
    }

    @Test
    void aClientWithoutReconnectStaysDownAfterThePeerCloses() throws Exception {
        Hub hub = new Hub(0);
        java.nio.channels.ServerSocketChannel listener = keep(java.nio.channels.ServerSocketChannel.open());
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        StreamClientNetdev client = keep(new StreamClientNetdev("c", "socket", "connect=test", listener.getLocalAddress(),
                0, hub));
        client.start();
        Port port = client.ports().getFirst();
        SocketChannel first = listener.accept();
        await("the link up", port::linkUp);
        first.close();
        await("the link down", () -> !port.linkUp());
        listener.configureBlocking(false);
        Thread.sleep(200);
        assertThat(listener.accept()).as("no second connection").isNull();
    }

    @Test
    void aClientWithoutReconnectFailsToStartWhenNothingListensAndLeavesNothingOnTheHub() throws Exception {
        Hub hub = new Hub(0);
        StreamClientNetdev client = keep(new StreamClientNetdev("c", "stream", "test",
                UnixDomainSocketAddress.of(dir.resolve("nobody.sock")), 0, hub));
        assertThatThrownBy(client::start).isInstanceOf(IOException.class);
        assertThat(hub.ports()).as("ports left on the hub after a failed start").isEmpty();
    }

    @Test
    void aServerCannotListenTwiceOnOneTcpPort() throws Exception {
        Hub hub = new Hub(0);
        StreamServerNetdev first = server("tcp", hub);
        StreamServerNetdev second = keep(new StreamServerNetdev("t", "socket", "listen=x", first.boundAddress(), hub));
        assertThatThrownBy(second::start).isInstanceOf(IOException.class).hasMessageStartingWith("t: cannot listen on listen=x");
    }

    @Test
    void aUnixServerRefusesAPathThatALiveServerHoldsAndTheFirstKeepsItsSocket() throws Exception {
        Hub hub = new Hub(0);
        server("unix", hub);
        Path path = dir.resolve("s.sock");
        StreamServerNetdev second = keep(new StreamServerNetdev("t", "stream", "addr.path=x",
                UnixDomainSocketAddress.of(path), hub));
        assertThatThrownBy(second::start).isInstanceOf(IOException.class)
                .hasMessage("t: cannot listen on addr.path=x: " + path + " is in use by this vnet4j itself (pid "
                        + ProcessHandle.current().pid() + ")");
        second.close();
        try (SocketChannel peer = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            assertThat(peer.isConnected()).as("the first server still answers on its path").isTrue();
        }
    }

    @Test
    void aUnixServerRemovesOnCloseOnlyTheSocketItBound() throws Exception {
        Hub hub = new Hub(0);
        StreamServerNetdev first = server("unix", hub);
        Path path = dir.resolve("s.sock");
        java.nio.file.Files.delete(path); // someone else took the path over
        try (var other = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            other.bind(UnixDomainSocketAddress.of(path));
            first.close();
            assertThat(path).as("the other's socket").exists();
        }
    }
}
