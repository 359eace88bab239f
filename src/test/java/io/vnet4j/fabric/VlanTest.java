package io.vnet4j.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.fabric.HubSegmentationTest.RecordingPort;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** 802.1Q on a hub and on a learning switch: access ports, trunks, unaware ports, and what is dropped. */
class VlanTest {
    private static final long A = 0x5254_0000_000AL;
    private static final long B = 0x5254_0000_000BL;
    private static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private final Hub hub = new Hub(0);

    private RecordingPort port(String id, VlanMembership vlans) {
        RecordingPort p = new RecordingPort(id, false);
        p.joinVlans(vlans);
        hub.attach(p);
        return p;
    }

    private void makeSwitch(boolean learning) {
        if (learning) {
            hub.learn("sw", new MacTable<>(300, 64, 64, System::nanoTime, (mac, from, to) -> {}));
        }
    }

    /** An untagged frame, EtherType 0x88B5, 64 bytes, its last byte {@code seq}. */
    private static byte[] untagged(long destination, long source, int seq) {
        ByteBuffer f = ByteBuffer.allocate(64);
        f.putShort(0, (short) (destination >>> 32)).putInt(2, (int) destination);
        f.putShort(6, (short) (source >>> 32)).putInt(8, (int) source);
        f.putShort(12, (short) 0x88B5);
        f.put(63, (byte) seq);
        return f.array();
    }

    /** The same frame with an 802.1Q tag of VID {@code vid} after the source MAC (68 bytes). */
    private static byte[] tagged(long destination, long source, int seq, int vid) {
        byte[] plain = untagged(destination, source, seq);
        ByteBuffer f = ByteBuffer.allocate(68);
        f.put(0, plain, 0, 12).putShort(12, (short) 0x8100).putShort(14, (short) vid).put(16, plain, 12, 52);
        return f.array();
    }

    private void send(Port from, byte[] frame) {
        hub.forward(from, ByteBuffer.wrap(frame), 0, frame.length);
    }

    @ParameterizedTest(name = "learning {0}")
    @ValueSource(booleans = {false, true})
    void accessPortsOfOneVlanReachEachOtherAndNoOtherVlanOrUnawarePort(boolean learning) {
        makeSwitch(learning);
        RecordingPort a10 = port("a10", VlanMembership.access(10));
        RecordingPort b10 = port("b10", VlanMembership.access(10));
        RecordingPort c20 = port("c20", VlanMembership.access(20));
        RecordingPort plain = port("plain", VlanMembership.NONE);
        byte[] hello = untagged(BROADCAST, A, 1);
        send(a10, hello);
        send(b10, untagged(A, B, 2));
        send(plain, untagged(BROADCAST, 0x5254_0000_00EEL, 3));
        assertThat(b10.frames).containsExactly(hello);
        assertThat(a10.frames).containsExactly(untagged(A, B, 2));
        assertThat(c20.frames).isEmpty();
        assertThat(plain.frames).isEmpty();
    }

    @ParameterizedTest(name = "learning {0}")
    @ValueSource(booleans = {false, true})
    void aTrunkCarriesEachOfItsVlansTaggedAndTheAccessPortsGetThemUntagged(boolean learning) {
        makeSwitch(learning);
        RecordingPort a10 = port("a10", VlanMembership.access(10));
        RecordingPort c20 = port("c20", VlanMembership.access(20));
        RecordingPort d30 = port("d30", VlanMembership.access(30));
        RecordingPort trunk = port("trunk", VlanMembership.trunk(List.of(10, 20)));
        send(a10, untagged(BROADCAST, A, 1));
        assertThat(trunk.frames).containsExactly(tagged(BROADCAST, A, 1, 10));
        send(trunk, tagged(A, B, 2, 10));
        send(trunk, tagged(BROADCAST, B, 3, 20));
        send(trunk, tagged(BROADCAST, B, 4, 30)); // not one of the trunk's VLANs
        assertThat(a10.frames).containsExactly(untagged(A, B, 2));
        assertThat(c20.frames).containsExactly(untagged(BROADCAST, B, 3));
        assertThat(d30.frames).isEmpty();
        assertThat(trunk.counters().snapshot().rxErrors()).isEqualTo(1);
    }

    @Test
    void aRuntGetsNoTagOnATrunkAndIsDroppedThere() {
        // a helper's replay: a 13-byte frame left the trunk as 17 bytes, a tag spliced into half a header
        RecordingPort a10 = port("a10", VlanMembership.access(10));
        RecordingPort trunk = port("trunk", VlanMembership.trunk(List.of(10)));
        send(a10, java.util.Arrays.copyOf(untagged(BROADCAST, A, 1), 13));
        assertThat(trunk.frames).isEmpty();
        assertThat(trunk.counters().snapshot().txDropped()).isEqualTo(1);
        send(a10, java.util.Arrays.copyOf(untagged(BROADCAST, A, 1), 14));
        assertThat(trunk.frames).hasSize(1);
        assertThat(trunk.frames.getFirst()).hasSize(18);
    }

    @Test
    void anAccessPortDropsTaggedFramesAndATrunkUntaggedOnes() {
        RecordingPort a10 = port("a10", VlanMembership.access(10));
        RecordingPort trunk = port("trunk", VlanMembership.trunk(List.of(10)));
        send(a10, tagged(BROADCAST, A, 1, 10));
        send(trunk, untagged(BROADCAST, B, 2));
        assertThat(a10.frames).isEmpty();
        assertThat(trunk.frames).isEmpty();
        assertThat(a10.counters().snapshot().rxErrors()).isEqualTo(1);
        assertThat(trunk.counters().snapshot().rxErrors()).isEqualTo(1);
    }

    /** A helper's replay against 802.1Q-2018 6.9.1 and Linux's __allowed_ingress: a priority tag is no VLAN's. */
    @ParameterizedTest(name = "learning {0}")
    @ValueSource(booleans = {false, true})
    void aPriorityTaggedFrameOnAnAccessPortIsItsVlansAndKeepsItsPriorityOnATrunk(boolean learning) {
        makeSwitch(learning);
        RecordingPort a10 = port("a10", VlanMembership.access(10));
        RecordingPort b10 = port("b10", VlanMembership.access(10));
        RecordingPort trunk = port("trunk", VlanMembership.trunk(List.of(10)));
        send(a10, tagged(BROADCAST, A, 1, 0xA000)); // PCP 5, VID 0
        assertThat(a10.counters().snapshot().rxErrors()).isZero();
        assertThat(b10.frames).containsExactly(untagged(BROADCAST, A, 1));
        assertThat(trunk.frames).containsExactly(tagged(BROADCAST, A, 1, 0xA000 | 10));
    }

    @Test
    void unawarePortsPassTaggedFramesAsTheyAreAmongThemselves() {
        RecordingPort x = port("x", VlanMembership.NONE);
        RecordingPort y = port("y", VlanMembership.NONE);
        RecordingPort trunk = port("trunk", VlanMembership.trunk(List.of(10)));
        byte[] frame = tagged(BROADCAST, A, 1, 10);
        send(x, frame);
        assertThat(y.frames).containsExactly(frame);
        assertThat(trunk.frames).as("VLAN 0, the unaware ports' own, is no trunk's").isEmpty();
    }

    @Test
    void aSwitchLearnsEachVlanApart() {
        makeSwitch(true);
        RecordingPort a10 = port("a10", VlanMembership.access(10));
        RecordingPort a20 = port("a20", VlanMembership.access(20));
        RecordingPort trunk = port("trunk", VlanMembership.trunk(List.of(10, 20)));
        send(a10, untagged(BROADCAST, A, 1));
        send(a20, untagged(BROADCAST, A, 2)); // the same MAC in VLAN 20: no move
        assertThat(hub.macTable().entries()).extracting(MacTable.Entry<Port>::vlan).containsExactlyInAnyOrder(10, 20);
        assertThat(hub.macTable().counters().moved()).isZero();
        send(trunk, tagged(A, B, 3, 20));
        assertThat(a20.frames).containsExactly(untagged(A, B, 3));
        assertThat(a10.frames).isEmpty();
    }

    @Test
    void aLargeSegmentFromAnAccessPortIsCutAndEachPieceTaggedForATrunk() {
        RecordingPort source = port("tap", VlanMembership.access(10));
        RecordingPort trunk = port("trunk", VlanMembership.trunk(List.of(10)));
        ByteBuffer big = HubSegmentationTestFrames.tcpFrame(4000);
        source.deliverLarge(big, big.capacity(), 1448);
        assertThat(trunk.frames).hasSize(3).allSatisfy(f -> {
            assertThat(f.length).isLessThanOrEqualTo(1448 + 54 + 4);
            assertThat(ByteBuffer.wrap(f).getShort(12) & 0xFFFF).isEqualTo(0x8100);
            assertThat(ByteBuffer.wrap(f).getShort(14)).isEqualTo((short) 10);
            assertThat(ByteBuffer.wrap(f).getShort(16)).isEqualTo((short) 0x0800);
        });
        assertThat(trunk.segmentSizes).containsOnly(0);
    }

    /** {@link HubSegmentationTestFrames#tcpFrame} with an 802.1Q tag of TCI {@code tci} after the source MAC. */
    private static ByteBuffer taggedTcpFrame(int payload, int tci) {
        ByteBuffer plain = HubSegmentationTestFrames.tcpFrame(payload);
        ByteBuffer f = ByteBuffer.allocate(plain.capacity() + 4);
        f.put(0, plain, 0, 12).putShort(12, (short) 0x8100).putShort(14, (short) tci).put(16, plain, 12, plain.capacity() - 12);
        return f;
    }

    private RecordingPort largePort(String id, VlanMembership vlans) {
        RecordingPort p = new RecordingPort(id, true);
        p.joinVlans(vlans);
        hub.attach(p);
        return p;
    }

    /**
     * A helper's replay with two QEMU guests on vhost-user trunks: a guest's VLAN sub-interface sends its TCP
     * segments large and tagged, and the hub dropped every one as the port's receive error (0 of 4 MB arrived).
     */
    @Test
    void aTaggedLargeSegmentFromATrunkReachesEveryPortOfItsVlanWholeOrCut() {
        RecordingPort source = largePort("guest", VlanMembership.trunk(List.of(10)));
        RecordingPort trunkLarge = largePort("trunkLarge", VlanMembership.trunk(List.of(10)));
        RecordingPort trunkSmall = port("trunkSmall", VlanMembership.trunk(List.of(10)));
        RecordingPort accessLarge = largePort("accessLarge", VlanMembership.access(10));
        RecordingPort accessSmall = port("accessSmall", VlanMembership.access(10));
        RecordingPort other = largePort("other", VlanMembership.access(20));
        ByteBuffer big = taggedTcpFrame(4000, 10);
        source.deliverLarge(big, big.capacity(), 1448);

        assertThat(source.counters().snapshot().rxErrors()).isZero();
        assertThat(trunkLarge.frames).containsExactly(big.array());
        assertThat(trunkLarge.segmentSizes).containsExactly(1448);
        ByteBuffer plain = HubSegmentationTestFrames.tcpFrame(4000);
        assertThat(accessLarge.frames).containsExactly(plain.array());
        assertThat(accessLarge.segmentSizes).containsExactly(1448);
        assertThat(trunkSmall.frames).hasSize(3).allSatisfy(f -> {
            assertThat(f.length).isLessThanOrEqualTo(1448 + 54 + 4);
            assertThat(ByteBuffer.wrap(f).getInt(12)).isEqualTo(0x8100_000A);
            assertThat(ByteBuffer.wrap(f).getShort(16)).isEqualTo((short) 0x0800);
        });
        assertThat(accessSmall.frames).hasSize(3).allSatisfy(f -> {
            assertThat(f.length).isLessThanOrEqualTo(1448 + 54);
            assertThat(ByteBuffer.wrap(f).getShort(12)).isEqualTo((short) 0x0800);
        });
        assertThat(accessSmall.segmentSizes).containsOnly(0);
        assertThat(other.frames).isEmpty();
    }

    @Test
    void aPriorityTaggedLargeSegmentGetsItsVlansVidOnATrunkItsPriorityKept() {
        RecordingPort source = largePort("guest", VlanMembership.access(10));
        RecordingPort trunkLarge = largePort("trunkLarge", VlanMembership.trunk(List.of(10)));
        RecordingPort trunkSmall = port("trunkSmall", VlanMembership.trunk(List.of(10)));
        ByteBuffer big = taggedTcpFrame(4000, 0xA000); // PCP 5, VID 0
        source.deliverLarge(big, big.capacity(), 1448);
        assertThat(trunkLarge.frames).containsExactly(taggedTcpFrame(4000, 0xA00A).array());
        assertThat(trunkLarge.segmentSizes).containsExactly(1448);
        assertThat(trunkSmall.frames).hasSize(3)
                .allSatisfy(f -> assertThat(ByteBuffer.wrap(f).getInt(12)).isEqualTo(0x8100_A00A));
    }

    @Test
    void anUntaggedLargeSegmentLeavesATrunkThatTakesLargeSegmentsWholeAndTagged() {
        RecordingPort source = largePort("tap", VlanMembership.access(10));
        RecordingPort trunkLarge = largePort("trunkLarge", VlanMembership.trunk(List.of(10)));
        ByteBuffer big = HubSegmentationTestFrames.tcpFrame(4000);
        source.deliverLarge(big, big.capacity(), 1448);
        assertThat(trunkLarge.frames).containsExactly(taggedTcpFrame(4000, 10).array());
        assertThat(trunkLarge.segmentSizes).containsExactly(1448);
    }

    @Test
    void membershipIsDescribedAsTheOptionsThatGaveIt() {
        assertThat(VlanMembership.NONE.describe()).isEmpty();
        assertThat(VlanMembership.access(7).describe()).isEqualTo("vlan=7");
        assertThat(VlanMembership.trunk(List.of(10, 11, 12, 20, 4094)).describe()).isEqualTo("trunk=10-12,trunk=20,trunk=4094");
    }

    /** {@code frame} with another tag of TPID {@code tpid} and VID {@code vid} in front of its EtherType. */
    private static byte[] withTag(byte[] frame, int tpid, int vid) {
        ByteBuffer f = ByteBuffer.allocate(frame.length + 4);
        f.put(0, frame, 0, 12).putShort(12, (short) tpid).putShort(14, (short) vid).put(16, frame, 12, frame.length - 12);
        return f.array();
    }

    /**
     * QinQ is not understood, as on a Linux bridge of vlan_protocol 802.1Q (Open vSwitch, which takes an 802.1ad
     * tag as a VLAN's, drops such a frame on an access port and switches it by its VID on a trunk): a frame with
     * an 802.1ad S-tag (0x88A8) is untagged to an access port, of its VLAN, its S-tag payload (a trunk gets it
     * behind the VLAN's 802.1Q tag), and dropped by a trunk; a frame with two 802.1Q tags is of the outer tag's
     * VLAN, which an access port takes off, the inner one kept.
     */
    @ParameterizedTest(name = "learning {0}")
    @ValueSource(booleans = {false, true})
    void anAdTagIsPayloadToAnAccessPortAndDroppedByATrunkAndTwoTagsLoseTheOuterOnly(boolean learning) {
        makeSwitch(learning);
        RecordingPort a10 = port("a10", VlanMembership.access(10));
        RecordingPort b10 = port("b10", VlanMembership.access(10));
        RecordingPort c20 = port("c20", VlanMembership.access(20));
        RecordingPort trunk = port("trunk", VlanMembership.trunk(List.of(10, 20)));
        byte[] sTagged = withTag(untagged(BROADCAST, A, 1), 0x88A8, 100);
        send(a10, sTagged);
        assertThat(b10.frames).containsExactly(sTagged);
        assertThat(trunk.frames).containsExactly(withTag(sTagged, 0x8100, 10));
        assertThat(c20.frames).isEmpty();

        send(trunk, withTag(untagged(BROADCAST, B, 2), 0x88A8, 10));
        assertThat(trunk.counters().snapshot().rxErrors()).isEqualTo(1);
        byte[] inner = tagged(BROADCAST, B, 3, 5);
        send(trunk, withTag(inner, 0x8100, 20));
        assertThat(c20.frames).containsExactly(inner);
        assertThat(a10.frames).isEmpty();
        assertThat(b10.frames).hasSize(1);
    }
}
