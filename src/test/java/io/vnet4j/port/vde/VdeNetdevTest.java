package io.vnet4j.port.vde;

import static io.vnet4j.port.Wire.await;
import static io.vnet4j.port.Wire.frame;
import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.fabric.Hub;
import io.vnet4j.port.nic.VirtualNic;
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

/** vnet4j's VDE plug on vnet4j's VDE switch, in one JVM: frames both ways, ports, refusals, clean-up. */
@Timeout(60)
class VdeNetdevTest {
    @TempDir
    Path tmp;

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

    private VdeSwitchNetdev vswitch(Path dir, Hub hub) throws Exception {
        VdeSwitchNetdev s = keep(new VdeSwitchNetdev("sw", "sock=" + dir + ",server=on", dir, null, 0600, hub));
        s.start();
        return s;
    }

    private VdePlugNetdev plug(String id, Path dir, int port, Hub hub) throws Exception {
        VdePlugNetdev p = keep(new VdePlugNetdev(id, "sock=" + dir, dir, port, null, 0700, hub));
        p.start();
        return p;
    }

    @Test
    void framesCrossBothWaysAndPlugsAreNamedByPort() throws Exception {
        Path dir = tmp.resolve("sw");
        Hub switchHub = new Hub(0);
        Hub a = new Hub(1);
        Hub b = new Hub(2);
        VdeSwitchNetdev sw = vswitch(dir, switchHub);
        VirtualNic onSwitch = nic("n0", switchHub);
        plug("pa", dir, 0, a);
        plug("pb", dir, 7, b);
        VirtualNic na = nic("na", a);
        VirtualNic nb = nic("nb", b);
        await("two plugs", () -> sw.ports().size() == 2);
        assertThat(sw.ports()).extracting(p -> p.id()).containsExactlyInAnyOrder("sw.1", "sw.7");
        assertThat(Files.exists(dir.resolve("001"))).isTrue();
        assertThat(Files.exists(dir.resolve("007"))).isTrue();

        byte[] f = frame(1, 60);
        na.send(f);
        assertThat(onSwitch.receive(5, TimeUnit.SECONDS)).isEqualTo(f);
        assertThat(nb.receive(5, TimeUnit.SECONDS)).isEqualTo(f);
        byte[] g = frame(2, 1514);
        onSwitch.send(g);
        assertThat(na.receive(5, TimeUnit.SECONDS)).isEqualTo(g);
        assertThat(nb.receive(5, TimeUnit.SECONDS)).isEqualTo(g);
        assertThat(sw.describe()).contains("(2 plugs)");
    }

    /**
     * A helper's replay of hostile peers: a plug's description with a quote and a comma forged fields in
     * {@code info network} ({@code peer="x",port=99,peer="...}), and C1 controls passed.
     */
    @Test
    void aPlugsDescriptionStaysInsideItsQuotesEscaped() throws Exception {
        Path dir = tmp.resolve("sw");
        VdeSwitchNetdev sw = vswitch(dir, new Hub(0));
        Path own = tmp.resolve("own.sock");
        io.vnet4j.os.NativeDatagramSocket data = io.vnet4j.os.NativeDatagramSocket.bound(
                new io.vnet4j.os.DatagramEndpoint.Unix(own.toString()), false);
        try (SocketChannel ctl = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ctl.connect(UnixDomainSocketAddress.of(dir.resolve("ctl")));
            ByteBuffer request = ByteBuffer.allocate(VdeRequest.MAX_LENGTH);
            VdeRequest.newControl(5, own.toString(), "x\",port=99,peer=\"\u009b2J").emit(request);
            ctl.write(request.flip());
            await("the plug", () -> sw.ports().size() == 1);
            String text = io.vnet4j.control.NetworkReport.text(io.vnet4j.control.NetworkReport.query(List.of(sw)));
            assertThat(text).contains(",port=5,peer=\"x',port=99,peer='\\x9b2J\",link=up");
        } finally {
            data.release();
        }
    }

    /**
     * A plug whose directory holds no switch says what it found: "No such file or directory" and "Connection
     * refused" named neither the ctl socket looked for nor what to run (the new-user trial, fifty-second pass).
     */
    @Test
    void aPlugWhereNoSwitchRunsSaysWhatItFound() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        Path file = Files.createDirectories(tmp.resolve("file"));
        Files.writeString(file.resolve("ctl"), "x");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                new VdePlugNetdev("p", "sock=" + empty, empty, 0, null, 0700, new Hub(1))::start).hasMessage(
                "p: cannot join the VDE switch at " + empty + ": no " + empty.resolve("ctl") + " (no switch runs there: "
                        + "vde_switch -s " + empty + ", or a netdev vde with server=on)");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                new VdePlugNetdev("q", "sock=" + file, file, 0, null, 0700, new Hub(2))::start).hasMessage(
                "q: cannot join the VDE switch at " + file + ": " + file.resolve("ctl") + " is a regular file, not a socket");
    }

    @Test
    void aTakenPortIsRefusedAndCounted() throws Exception {
        Path dir = tmp.resolve("sw");
        VdeSwitchNetdev sw = vswitch(dir, new Hub(0));
        plug("p1", dir, 3, new Hub(1));
        VdePlugNetdev second = new VdePlugNetdev("p2", "sock=" + dir, dir, 3, null, 0700, new Hub(2));
        org.assertj.core.api.Assertions.assertThatThrownBy(second::start).hasMessageContaining("p2: cannot join");
        assertThat(sw.refusedRequests()).isEqualTo(1);
        assertThat(sw.details()).containsExactly("refused requests: 1");
    }

    @Test
    void malformedRequestsAreRefusedAndNothingElseIsDisturbed() throws Exception {
        Path dir = tmp.resolve("sw");
        Hub switchHub = new Hub(0);
        Hub a = new Hub(1);
        VdeSwitchNetdev sw = vswitch(dir, switchHub);
        VirtualNic onSwitch = nic("n0", switchHub);
        plug("pa", dir, 0, a);
        VirtualNic na = nic("na", a);
        byte[][] bad = {
            {1, 2, 3},
            new byte[VdeRequest.HEADER_LENGTH], // zero magic
            badVersion(2),
            badVersion(4),
        };
        for (byte[] request : bad) {
            try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                c.connect(UnixDomainSocketAddress.of(dir.resolve("ctl")));
                c.write(ByteBuffer.wrap(request));
                c.shutdownOutput();
                assertThat(c.read(ByteBuffer.allocate(200))).isEqualTo(-1); // closed without a reply
            }
        }
        await("four refusals", () -> sw.refusedRequests() == 4);
        assertThat(sw.ports()).hasSize(1);
        byte[] f = frame(9, 100);
        na.send(f);
        assertThat(onSwitch.receive(5, TimeUnit.SECONDS)).isEqualTo(f);
    }

    private static byte[] badVersion(int version) {
        ByteBuffer b = ByteBuffer.allocate(VdeRequest.MAX_LENGTH);
        VdeRequest.newControl(0, "/nonexistent", "x").emit(b);
        b.order(java.nio.ByteOrder.nativeOrder()).putInt(4, version);
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    @Test
    void aPlugLeavingRemovesItsPortAndCloseRemovesTheDirectory() throws Exception {
        Path dir = tmp.resolve("sw");
        VdeSwitchNetdev sw = vswitch(dir, new Hub(0));
        VdePlugNetdev p = plug("pa", dir, 0, new Hub(1));
        await("one plug", () -> sw.ports().size() == 1);
        p.close();
        await("no plug", () -> sw.ports().isEmpty());
        await("its data socket removed", () -> !Files.exists(dir.resolve("001")));
        sw.close();
        assertThat(Files.exists(dir)).isFalse();
    }

    /**
     * helper-137: a switch that stopped (restarted: a new vde_switch knows nothing of the plug) left the plug's link
     * up in {@code info network}, frames sent into a dead socket.
     */
    @Test
    void aPlugWhoseSwitchStopsHasItsLinkDown() throws Exception {
        Path dir = tmp.resolve("sw");
        VdeSwitchNetdev sw = vswitch(dir, new Hub(0));
        VdePlugNetdev p = plug("pa", dir, 0, new Hub(1));
        await("one plug", () -> sw.ports().size() == 1);
        assertThat(p.ports().getFirst().linkUp()).isTrue();
        sw.close();
        await("the plug's link down", () -> !p.ports().getFirst().linkUp());
        assertThat(p.linkDown()).as("no set_link off").isFalse();
    }

    @Test
    void aDirectoryWithOtherFilesIsRefused() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("busy"));
        Files.writeString(dir.resolve("notes.txt"), "mine");
        VdeSwitchNetdev sw = keep(new VdeSwitchNetdev("sw", "x", dir, null, 0600, new Hub(0)));
        org.assertj.core.api.Assertions.assertThatThrownBy(sw::start).hasMessageContaining("notes.txt");
        assertThat(Files.exists(dir.resolve("notes.txt"))).isTrue();
    }

    @Test
    void aLiveSwitchIsNotTakenOver() throws Exception {
        Path dir = tmp.resolve("sw");
        vswitch(dir, new Hub(0));
        VdeSwitchNetdev second = keep(new VdeSwitchNetdev("sw2", "x", dir, null, 0600, new Hub(1)));
        org.assertj.core.api.Assertions.assertThatThrownBy(second::start).hasMessageContaining("already running");
    }

    @Test
    void aSwitchInADirectoryItDidNotCreateLeavesTheDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("given"));
        VdeSwitchNetdev sw = vswitch(dir, new Hub(0));
        sw.close();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void aSwitchRemovesOnCloseOnlyTheControlSocketItBound() throws Exception {
        Path dir = tmp.resolve("sw");
        VdeSwitchNetdev sw = vswitch(dir, new Hub(0));
        Files.delete(dir.resolve("ctl")); // someone else took the path over
        try (var other = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            other.bind(java.net.UnixDomainSocketAddress.of(dir.resolve("ctl")));
            sw.close();
            assertThat(dir.resolve("ctl")).as("the other's socket").exists();
        }
    }
}
