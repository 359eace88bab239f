package io.vnet4j.fabric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.port.nic.VirtualNic;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HubTest {
    private final List<VirtualNic> nics = new ArrayList<>();

    private VirtualNic nic(String id, Hub hub) {
        VirtualNic n = new VirtualNic(id, hub);
        n.start();
        nics.add(n);
        return n;
    }

    @AfterEach
    void closeNics() {
        nics.forEach(VirtualNic::close);
    }

    private static byte[] frame(int seq, int length) {
        byte[] f = new byte[length];
        ByteBuffer.wrap(f).putInt(0, seq);
        for (int i = 4; i < length; i++) {
            f[i] = (byte) (seq + i);
        }
        return f;
    }

    @Test
    void aStationIsNamedByItsMacItsLeaseAndThePortItSendsFrom() throws InterruptedException {
        Hub hub = new Hub(0);
        VirtualNic a = nic("a", hub);
        VirtualNic b = nic("b", hub);
        byte[] f = frame(1, 64);
        ByteBuffer.wrap(f).putShort(6, (short) 0x5254).putInt(8, 0x0000_00a1); // source 52:54:00:00:00:a1
        assertThat(hub.portSendingFrom(0x5254_0000_00a1L)).isNull();
        a.send(f);
        assertThat(b.receive(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(hub.portSendingFrom(0x5254_0000_00a1L)).isEqualTo("a");
        assertThat(hub.describeStation(a.lastSourceMac())).isEqualTo("52:54:00:00:00:a1");
        java.util.function.LongFunction<String> leases = mac -> mac == 0x5254_0000_00a1L ? "lease 10.0.2.15 (alpha)" : null;
        hub.addLeaseBook(leases);
        assertThat(hub.describeStation(0x5254_0000_00a1L)).isEqualTo("52:54:00:00:00:a1, lease 10.0.2.15 (alpha)");
        hub.removeLeaseBook(leases);
        assertThat(hub.describeStation(0x5254_0000_00a1L)).isEqualTo("52:54:00:00:00:a1");
        assertThat(hub.describeStation(b.lastSourceMac())).as("nothing sent").isNull();
    }

    @Test
    void aFrameReachesEveryOtherPortButNotItsSender() throws InterruptedException {
        Hub hub = new Hub(0);
        VirtualNic a = nic("a", hub);
        VirtualNic b = nic("b", hub);
        VirtualNic c = nic("c", hub);
        byte[] f = frame(1, 64);
        a.send(f);
        assertThat(b.receive(5, TimeUnit.SECONDS)).isEqualTo(f);
        assertThat(c.receive(5, TimeUnit.SECONDS)).isEqualTo(f);
        assertThat(a.receive(50, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void twoHubsAreIsolated() throws InterruptedException {
        Hub h0 = new Hub(0);
        Hub h1 = new Hub(1);
        VirtualNic a0 = nic("a0", h0);
        VirtualNic b0 = nic("b0", h0);
        VirtualNic a1 = nic("a1", h1);
        VirtualNic b1 = nic("b1", h1);
        a0.send(frame(1, 60));
        a1.send(frame(2, 60));
        assertThat(b0.receive(5, TimeUnit.SECONDS)).isEqualTo(frame(1, 60));
        assertThat(b1.receive(5, TimeUnit.SECONDS)).isEqualTo(frame(2, 60));
        assertThat(b0.receive(50, TimeUnit.MILLISECONDS)).isNull();
        assertThat(b1.receive(50, TimeUnit.MILLISECONDS)).isNull();
        assertThat(h0.ports()).containsExactly(a0, b0);
        assertThat(h1.ports()).containsExactly(a1, b1);
    }

    @Test
    void aStuckPortDoesNotBlockTheOthers() throws InterruptedException {
        Hub hub = new Hub(0);
        VirtualNic sender = nic("sender", hub);
        VirtualNic healthy = nic("healthy", hub);
        VirtualNic stuck = nic("stuck", hub); // nobody drains it
        int frames = 10_000;
        int length = 500; // 10,000 x 504 bytes is far beyond the stuck port's 1 MiB queue
        for (int i = 0; i < frames; i++) {
            sender.send(frame(i, length));
            byte[] got = healthy.receive(5, TimeUnit.SECONDS);
            assertThat(got).as("frame %d", i).isEqualTo(frame(i, length));
        }
        PortCounters.Snapshot s = stuck.counters().snapshot();
        assertThat(s.txFrames() + s.txDropped()).isEqualTo(frames);
        assertThat(s.txDropped()).isPositive();
        assertThat(s.txFrames() * (length + 4)).isLessThanOrEqualTo(QueuedPort.DEFAULT_QUEUE_BYTES);
        PortCounters.Snapshot h = healthy.counters().snapshot();
        assertThat(h.txFrames()).isEqualTo(frames);
        assertThat(h.txDropped()).isZero();
        // the stuck port kept the oldest frames, in order
        for (int i = 0; i < s.txFrames(); i++) {
            assertThat(stuck.receive(5, TimeUnit.SECONDS)).isEqualTo(frame(i, length));
        }
        assertThat(stuck.receive(10, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void aStuckPortDoesNotBlockAConcurrentlyDrainedPort() throws Exception {
        Hub hub = new Hub(0);
        VirtualNic sender = nic("sender", hub);
        VirtualNic healthy = nic("healthy", hub);
        VirtualNic stuck = nic("stuck", hub);
        int frames = 10_000;
        List<byte[]> received = new ArrayList<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            try {
                byte[] f;
                while ((f = healthy.receive(2, TimeUnit.SECONDS)) != null) {
                    received.add(f);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < frames; i++) {
            sender.send(frame(i, 300));
        }
        reader.join(30_000);
        assertThat(reader.isAlive()).isFalse();
        PortCounters.Snapshot h = healthy.counters().snapshot();
        // the healthy port got every frame it accepted, in order; whatever it refused was counted
        assertThat(received).hasSize((int) h.txFrames());
        assertThat(h.txFrames() + h.txDropped()).isEqualTo(frames);
        int last = -1;
        for (byte[] f : received) {
            int seq = ByteBuffer.wrap(f).getInt(0);
            assertThat(seq).isGreaterThan(last);
            assertThat(f).isEqualTo(frame(seq, 300));
            last = seq;
        }
        PortCounters.Snapshot s = stuck.counters().snapshot();
        assertThat(s.txDropped()).isPositive();
        assertThat(s.txFrames() + s.txDropped()).isEqualTo(frames);
    }

    @Test
    void detachStopsDelivery() throws InterruptedException {
        Hub hub = new Hub(0);
        VirtualNic a = nic("a", hub);
        VirtualNic b = nic("b", hub);
        hub.detach(b);
        assertThat(b.attachedHub()).isNull();
        assertThat(b.hub()).as("the netdev's hub, for reports that read it meanwhile").isSameAs(hub);
        assertThat(hub.ports()).containsExactly(a);
        a.send(frame(1, 60));
        assertThat(b.receive(50, TimeUnit.MILLISECONDS)).isNull();
        assertThat(b.counters().snapshot().txFrames()).isZero();
        // a detached port's own frames go nowhere either
        b.send(frame(2, 60));
        assertThat(a.receive(50, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void closingANicDetachesIt() {
        Hub hub = new Hub(0);
        VirtualNic a = nic("a", hub);
        a.close();
        assertThat(hub.ports()).isEmpty();
    }

    @Test
    void aPortCannotBeOnTwoHubs() {
        Hub h0 = new Hub(0);
        Hub h1 = new Hub(1);
        VirtualNic a = nic("a", h0);
        assertThatThrownBy(() -> h1.attach(a)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already on hub 0");
    }

    /** A port that throws on a frame (a bug of its own) loses that frame alone: the sender and the others go on. */
    @Test
    void aPortThatThrowsLosesTheFrameAloneAndCountsItAsItsDrop() throws InterruptedException {
        Hub hub = new Hub(0);
        VirtualNic a = nic("a", hub);
        Port faulty = new Port("faulty", "test") {
            @Override
            public String describe() {
                return "throws on every frame";
            }

            @Override
            protected boolean enqueue(ByteBuffer frame, int offset, int length, int segmentSize) {
                throw new IllegalStateException("deliberate");
            }
        };
        hub.attach(faulty);
        VirtualNic c = nic("c", hub);
        byte[] f = frame(1, 64);
        a.send(f);
        a.send(f);
        assertThat(c.receive(5, TimeUnit.SECONDS)).isEqualTo(f);
        assertThat(c.receive(5, TimeUnit.SECONDS)).isEqualTo(f);
        assertThat(faulty.counters().snapshot().txDropped()).isEqualTo(2);
    }

    @Test
    void countsRxOnTheSenderAndTxOnEachReceiver() throws InterruptedException {
        Hub hub = new Hub(0);
        VirtualNic a = nic("a", hub);
        VirtualNic b = nic("b", hub);
        VirtualNic c = nic("c", hub);
        a.send(frame(1, 100));
        a.send(frame(2, 60));
        b.send(frame(3, 70));
        assertThat(a.counters().snapshot()).isEqualTo(new PortCounters.Snapshot(2, 160, 1, 70, 0, 0));
        assertThat(b.counters().snapshot()).isEqualTo(new PortCounters.Snapshot(1, 70, 2, 160, 0, 0));
        assertThat(c.counters().snapshot()).isEqualTo(new PortCounters.Snapshot(0, 0, 3, 230, 0, 0));
    }

    @Test
    void tapsSeeEveryFrameEnteringTheHub() {
        Hub hub = new Hub(0);
        VirtualNic a = nic("a", hub);
        VirtualNic b = nic("b", hub);
        List<byte[]> seen = new ArrayList<>();
        hub.addTap((f, off, len) -> {
            byte[] copy = new byte[len];
            f.get(off, copy);
            seen.add(copy);
        });
        a.send(frame(1, 60));
        b.send(frame(2, 61));
        assertThat(seen).containsExactly(frame(1, 60), frame(2, 61));
    }

    /** A port that answers each frame within {@code enqueue}, as the user network's loop does. */
    private static final class AnsweringPort extends Port {
        AnsweringPort() {
            super("answering", "test");
        }

        @Override
        public String describe() {
            return "answers at once";
        }

        @Override
        protected boolean enqueue(ByteBuffer frame, int offset, int length, int segmentSize) {
            deliver(ByteBuffer.wrap(frame(frame.getInt(offset) + 100, 60)), 0, 60);
            return true;
        }
    }

    @Test
    void aPortsTapSeesTheRequestBeforeTheAnswerGivenWithinEnqueue() {
        Hub hub = new Hub(0);
        VirtualNic a = nic("a", hub);
        AnsweringPort answering = new AnsweringPort();
        hub.attach(answering);
        List<Integer> seen = new ArrayList<>();
        answering.addTap((f, off, len) -> seen.add(f.getInt(off)));
        a.send(frame(1, 60));
        assertThat(seen).containsExactly(1, 101);
    }

    @Test
    void hubSetMakesEachHubOnceAndListsThemInOrder() {
        HubSet set = new HubSet();
        Hub h5 = set.hub(5);
        Hub h0 = set.hub(0);
        assertThat(set.hub(5)).isSameAs(h5);
        assertThat(set.all()).containsExactly(h0, h5);
        assertThatThrownBy(() -> set.hub(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] fromMac(long mac) {
        byte[] f = new byte[60];
        ByteBuffer.wrap(f).putLong(0, -1L).putShort(6, (short) (mac >>> 32)).putInt(8, (int) mac);
        return f;
    }

    @Test
    void twoPortsSendingFromOneMacAreCountedOnce() {
        Hub hub = new Hub(0);
        VirtualNic a = nic("a", hub);
        VirtualNic b = nic("b", hub);
        a.send(fromMac(0x5254_0012_3456L));
        a.send(fromMac(0x5254_0012_3456L));
        assertThat(hub.duplicateMacs()).isZero();
        b.send(fromMac(0x5254_0012_3456L));
        b.send(fromMac(0x5254_0012_3456L)); // the same port again: no new event
        assertThat(hub.duplicateMacs()).isEqualTo(1);
    }

    @Test
    void onePortWithManyMacsAndPortsWithTheirOwnAreNoConflict() {
        Hub hub = new Hub(0);
        VirtualNic bridge = nic("bridge", hub);
        VirtualNic vm = nic("vm", hub);
        for (int i = 0; i < 10; i++) {
            bridge.send(fromMac(0x5254_0000_0001L + (i % 3)));
        }
        vm.send(fromMac(0x5254_0000_0100L));
        vm.send(fromMac(0xFFFF_FFFF_FFFFL)); // a group address is nobody's
        bridge.send(fromMac(0xFFFF_FFFF_FFFFL));
        assertThat(hub.duplicateMacs()).isZero();
    }

    @Test
    void aMacThatMovesToANewPortAfterTheOldOneLeftIsNoConflict() {
        Hub hub = new Hub(0);
        VirtualNic first = nic("qemu.1", hub);
        first.send(fromMac(0x5254_0012_3456L));
        first.close();
        VirtualNic again = nic("qemu.2", hub);
        again.send(fromMac(0x5254_0012_3456L));
        assertThat(hub.duplicateMacs()).isZero();
    }

    /** What the hub told its departure listener: "52:54:00:12:34:56 from qemu.1" each. */
    private static List<String> departuresOf(Hub hub) {
        List<String> told = new java.util.concurrent.CopyOnWriteArrayList<>();
        hub.addDepartureListener((mac, port) -> told.add(io.vnet4j.wire.MacAddress.format(mac) + " from " + port.id()));
        return told;
    }

    private static Hub learningSwitch() {
        Hub hub = new Hub(0);
        hub.learn("sw0", new MacTable<>(300, 64, 16, System::nanoTime, (mac, from, to) -> { }));
        return hub;
    }

    /** A VM that quits takes its MAC with its port: the user network lets go of what it held for it. */
    @Test
    void aPortThatLeavesTakesTheStationItSentFromWithIt() {
        Hub hub = new Hub(0);
        List<String> told = departuresOf(hub);
        VirtualNic vm = nic("qemu.1", hub);
        VirtualNic quiet = nic("qemu.2", hub);
        vm.send(fromMac(0x5254_0012_3456L));
        quiet.close(); // sent nothing: nobody left
        vm.close();
        assertThat(told).containsExactly("52:54:00:12:34:56 from qemu.1");
    }

    @Test
    void aStationStillSendingFromAnotherPortHasNotLeft() {
        Hub hub = new Hub(0);
        List<String> told = departuresOf(hub);
        VirtualNic old = nic("qemu.1", hub);
        VirtualNic moved = nic("qemu.2", hub);
        old.send(fromMac(0x5254_0012_3456L));
        moved.send(fromMac(0x5254_0012_3456L)); // the VM came back on a new connection before the old one ended
        old.close();
        VirtualNic broadcaster = nic("odd", hub);
        broadcaster.send(fromMac(0xFFFF_FFFF_FFFFL)); // a group source is nobody's
        broadcaster.close();
        assertThat(told).isEmpty();
    }

    @Test
    void aSwitchPortThatLeavesTakesEveryStationLearntBehindIt() {
        Hub hub = learningSwitch();
        List<String> told = departuresOf(hub);
        VirtualNic bridge = nic("tap0", hub);
        nic("vm", hub);
        for (int i = 1; i <= 3; i++) {
            bridge.send(fromMac(0x5254_0000_0000L + i));
        }
        bridge.close();
        assertThat(told).containsExactlyInAnyOrder("52:54:00:00:00:01 from tap0", "52:54:00:00:00:02 from tap0",
                "52:54:00:00:00:03 from tap0");
    }

    /** A connecting stream netdev's port stays when its peer goes: the peer's stations leave all the same, once. */
    @Test
    void aPeerThatLeavesAPortWhichStaysTakesItsStationsWithIt() {
        Hub hub = new Hub(0);
        List<String> told = departuresOf(hub);
        VirtualNic client = nic("c", hub);
        client.send(fromMac(0x5254_0012_3456L));
        hub.peerLeft(client);
        hub.peerLeft(client);
        client.close();
        assertThat(told).containsExactly("52:54:00:12:34:56 from c");
    }

    @Test
    void aStoppingProcessTellsNoDepartures() {
        Hub hub = new Hub(0);
        List<String> told = departuresOf(hub);
        VirtualNic vm = nic("qemu.1", hub);
        vm.send(fromMac(0x5254_0012_3456L));
        hub.stopping();
        vm.close();
        assertThat(told).isEmpty();
    }

    /** helper-76's find: a MAC that moved behind a port many stations share, which another sent from last. */
    @Test
    void aStationTheSwitchHasLiveOnAnotherPortHasNotLeft() {
        Hub hub = learningSwitch();
        List<String> told = departuresOf(hub);
        VirtualNic old = nic("qemu.1", hub);
        VirtualNic bridge = nic("tap0", hub);
        old.send(fromMac(0x5254_0012_3456L));
        bridge.send(fromMac(0x5254_0012_3456L)); // the VM moved behind the bridge
        bridge.send(fromMac(0x5254_0000_0001L)); // and another station sent there last
        assertThat(hub.stationPresent(0x5254_0012_3456L)).isTrue();
        old.close();
        assertThat(told).isEmpty();
        bridge.close();
        assertThat(hub.stationPresent(0x5254_0012_3456L)).isFalse();
        assertThat(told).containsExactlyInAnyOrder("52:54:00:12:34:56 from tap0", "52:54:00:00:00:01 from tap0");
    }

    @Test
    void aListenerThatThrowsNeitherKeepsThePortNorSilencesTheOthers() {
        Hub hub = learningSwitch();
        hub.addDepartureListener((mac, port) -> {
            throw new IllegalStateException("a bug");
        });
        List<String> told = departuresOf(hub);
        VirtualNic vm = nic("qemu.1", hub);
        vm.send(fromMac(0x5254_0012_3456L));
        vm.close();
        assertThat(told).containsExactly("52:54:00:12:34:56 from qemu.1");
        assertThat(hub.ports()).isEmpty();
        assertThat(hub.stationPresent(0x5254_0012_3456L)).as("forgotten by the switch").isFalse();
        assertThat(hub.internalErrors()).isEqualTo(1);
    }
}
