package io.vnet4j.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.port.nic.VirtualNic;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A hub made a learning switch, with in-JVM NICs as its stations. */
class SwitchTest {
    private static final long A = 0x5254_0000_000AL;
    private static final long B = 0x5254_0000_000BL;
    private static final long C = 0x5254_0000_000CL;
    private static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private final List<VirtualNic> nics = new ArrayList<>();
    private final Hub hub = new Hub(0);

    SwitchTest() {
        hub.learn("sw0", new MacTable<>(300, 64, 16, System::nanoTime, (mac, from, to) -> {}));
    }

    private VirtualNic nic(String id) {
        VirtualNic n = new VirtualNic(id, hub);
        n.start();
        nics.add(n);
        return n;
    }

    @AfterEach
    void closeNics() {
        nics.forEach(VirtualNic::close);
    }

    private static byte[] frame(long destination, long source, int seq) {
        ByteBuffer f = ByteBuffer.allocate(64);
        f.putShort(0, (short) (destination >>> 32)).putInt(2, (int) destination);
        f.putShort(6, (short) (source >>> 32)).putInt(8, (int) source);
        f.putShort(12, (short) 0x88B5); // IEEE 802 local experimental ethertype
        f.putInt(14, seq);
        return f.array();
    }

    private static void assertNothingFor(VirtualNic n) throws InterruptedException {
        assertThat(n.receive(30, TimeUnit.MILLISECONDS)).as(n.id() + " receives nothing").isNull();
    }

    @Test
    void unicastToALearntAddressReachesOnlyItsPortAndBroadcastReachesAll() throws InterruptedException {
        VirtualNic a = nic("a");
        VirtualNic b = nic("b");
        VirtualNic c = nic("c");
        byte[] hello = frame(BROADCAST, A, 1);
        a.send(hello);
        assertThat(b.receive(5, TimeUnit.SECONDS)).isEqualTo(hello);
        assertThat(c.receive(5, TimeUnit.SECONDS)).isEqualTo(hello);
        byte[] reply = frame(A, B, 2);
        b.send(reply);
        assertThat(a.receive(5, TimeUnit.SECONDS)).isEqualTo(reply);
        assertNothingFor(c);
        byte[] toB = frame(B, A, 3);
        a.send(toB);
        assertThat(b.receive(5, TimeUnit.SECONDS)).isEqualTo(toB);
        assertNothingFor(c);
        assertThat(c.counters().snapshot().txFrames()).isEqualTo(1);
    }

    /**
     * A helper's replay against a Linux bridge (br_handle_frame; openwrt#14562): a frame from a group or zero
     * source is dropped, and one to 01:80:C2:00:00:01-0F (pause, LACP, 802.1X, LLDP) is not relayed; spanning
     * tree's :00 passes, as on a bridge with STP off; nor is a runt without an EtherType (vde_switch drops it
     * too). A hub passes them all, as QEMU's.
     */
    @Test
    void aSwitchRelaysNoRuntNorFrameFromAGroupOrZeroSourceNorToAReservedGroupAddress() throws InterruptedException {
        VirtualNic a = nic("a");
        VirtualNic b = nic("b");
        for (long source : new long[] {BROADCAST, 0x0100_5E00_0001L, 0}) {
            a.send(frame(BROADCAST, source, 1));
        }
        for (long reserved = 0x0180_C200_0001L; reserved <= 0x0180_C200_000FL; reserved++) {
            a.send(frame(reserved, A, 2));
        }
        a.send(java.util.Arrays.copyOf(frame(BROADCAST, A, 5), 13)); // a runt: no EtherType
        assertNothingFor(b);
        assertThat(a.counters().snapshot().rxErrors()).isEqualTo(1);
        assertThat(hub.invalidSources()).isEqualTo(3);
        assertThat(hub.reservedDestinations()).isEqualTo(15);
        for (long passes : new long[] {0x0180_C200_0000L, 0x0180_C200_0010L, 0x0180_C200_0020L}) {
            byte[] f = frame(passes, A, 3);
            a.send(f);
            assertThat(b.receive(5, TimeUnit.SECONDS)).isEqualTo(f);
        }

        Hub plain = new Hub(1);
        VirtualNic x = new VirtualNic("x", plain);
        VirtualNic y = new VirtualNic("y", plain);
        x.start();
        y.start();
        nics.add(x);
        nics.add(y);
        byte[] lldp = frame(0x0180_C200_000EL, 0, 4);
        x.send(lldp);
        assertThat(y.receive(5, TimeUnit.SECONDS)).as("a hub floods all").isEqualTo(lldp);
    }

    @Test
    void unknownUnicastIsFloodedAndAFrameBackToItsOwnPortIsDropped() throws InterruptedException {
        VirtualNic a = nic("a");
        VirtualNic b = nic("b");
        VirtualNic c = nic("c");
        byte[] toC = frame(C, A, 1);
        a.send(toC);
        assertThat(b.receive(5, TimeUnit.SECONDS)).isEqualTo(toC);
        assertThat(c.receive(5, TimeUnit.SECONDS)).isEqualTo(toC);
        a.send(frame(A, 0x5254_0000_00AAL, 2)); // a second station behind port a talks to A: stays there
        assertNothingFor(b);
        assertNothingFor(c);
        assertThat(hub.filtered()).isEqualTo(1);
    }

    @Test
    void aTapOnTheHubSeesSwitchedFramesToo() throws InterruptedException {
        List<Integer> seen = new ArrayList<>();
        hub.addTap((frame, offset, length) -> seen.add(frame.getInt(offset + 14)));
        VirtualNic a = nic("a");
        VirtualNic b = nic("b");
        a.send(frame(BROADCAST, A, 1));
        b.send(frame(A, B, 2));
        assertThat(a.receive(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(seen).containsExactly(1, 2);
    }

    @Test
    void aPortThatLeavesTakesItsAddressesWithIt() throws InterruptedException {
        VirtualNic a = nic("a");
        VirtualNic b = nic("b");
        VirtualNic c = nic("c");
        b.send(frame(BROADCAST, B, 1));
        assertThat(hub.macTable().entries()).extracting(MacTable.Entry<Port>::mac).containsExactly(B);
        b.close();
        assertThat(hub.macTable().entries()).isEmpty();
        assertThat(a.receive(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(c.receive(5, TimeUnit.SECONDS)).isNotNull();
        byte[] toB = frame(B, A, 2);
        a.send(toB);
        assertThat(c.receive(5, TimeUnit.SECONDS)).as("flooded again").isEqualTo(toB);
    }
}
