package io.vnet4j.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.fabric.HubSegmentationTest.RecordingPort;
import io.vnet4j.wire.offload.TcpSegmenter;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Frames through a hub of four ports with fuzzed 802.1Q memberships (unaware, access to VLAN 1-3, trunks of
 * 1-3), learning or not (here, not in io.vnet4j.fuzz: the ports it records with are package-private). The
 * input's first byte picks learning (bit 0); the next four each pick a port's membership (bits 0-1: unaware,
 * access, trunk; bits 2-4: the VLAN or the trunk's set) and whether it takes large segments (bit 7); then
 * records of an entering port (a byte), a segment size (16 bits; most records use 0) and a 16-bit length
 * followed by that many frame bytes (or what is left), truncated and lying as they come. Nothing throws and
 * no send fails on a bug; a frame its port admits is not counted as that port's error (a tagged large
 * segment from a trunk was, and dropped); a frame never leaves through the port it entered, nor through a port that does not
 * carry the VLAN it entered in; every frame leaving a trunk is tagged with one of its VLANs; a large segment
 * reaches only ports that take large segments, and nothing longer than a tagged large segment leaves.
 */
class SwitchFuzzTest {
    private static final int PORTS = 4;

    @FuzzTest
    void framesLeaveOnlyWhereTheirVlanGoes(byte[] input) {
        if (input.length < 1 + PORTS) {
            return;
        }
        ByteBuffer in = ByteBuffer.wrap(input);
        Hub hub = new Hub(0);
        boolean learning = (input[0] & 1) != 0;
        if (learning) {
            hub.learn("sw", new MacTable<>(300, 64, 8, System::nanoTime, (mac, from, to) -> {}));
        }
        List<RecordingPort> ports = new ArrayList<>();
        for (int i = 0; i < PORTS; i++) {
            int b = input[1 + i] & 0xFF;
            RecordingPort port = new RecordingPort("p" + i, (b & 0x80) != 0);
            port.joinVlans(membership(b));
            hub.attach(port);
            ports.add(port);
        }
        int at = 1 + PORTS;
        while (at + 5 <= input.length) {
            RecordingPort from = ports.get((input[at] & 0xFF) % PORTS);
            int segmentSize = in.getShort(at + 1) & 0xFFFF;
            segmentSize = segmentSize > 0x8000 ? 0 : segmentSize; // most frames are ordinary ones
            int length = Math.min(in.getShort(at + 3) & 0xFFFF, input.length - at - 5);
            int offset = at + 5;
            at = offset + length;
            int vlan = from.vlans().classify(in, offset, length);
            ports.forEach(p -> {
                p.frames.clear();
                p.segmentSizes.clear();
            });
            long rxErrors = from.counters().snapshot().rxErrors();
            hub.forward(from, in, offset, length, segmentSize);
            assertThat(hub.internalErrors()).as("a send threw").isZero();
            if (vlan != VlanMembership.DROP && (!learning || length >= 14)) { // admitted: a switch refuses runts
                assertThat(from.counters().snapshot().rxErrors()).as("an admitted frame refused").isEqualTo(rxErrors);
            }
            assertThat(from.frames).as("back out of the port it entered").isEmpty();
            for (RecordingPort to : ports) {
                if (to.frames.isEmpty()) {
                    continue;
                }
                assertThat(vlan).as("a dropped frame left through %s", to.id()).isNotEqualTo(VlanMembership.DROP);
                assertThat(to.vlans().carries(vlan)).as("VLAN %d out of %s", vlan, to.id()).isTrue();
                for (int i = 0; i < to.frames.size(); i++) {
                    byte[] out = to.frames.get(i);
                    assertThat(out.length).isLessThanOrEqualTo(TcpSegmenter.MAX_FRAME_LENGTH + 4);
                    if (to.segmentSizes.get(i) > 0) {
                        assertThat(to.takesLargeSegments()).as("a large segment to %s", to.id()).isTrue();
                    }
                    if (to.vlans().tagged()) {
                        ByteBuffer o = ByteBuffer.wrap(out);
                        assertThat(out.length).isGreaterThanOrEqualTo(18);
                        assertThat(o.getShort(12) & 0xFFFF).isEqualTo(VlanMembership.TPID);
                        assertThat(o.getShort(14) & 0x0FFF).isEqualTo(vlan);
                    }
                }
            }
        }
    }

    private static VlanMembership membership(int b) {
        int pick = (b >>> 2) & 7;
        return switch (b & 3) {
            case 1 -> VlanMembership.access(1 + pick % 3);
            case 2 -> {
                List<Integer> vids = new ArrayList<>();
                for (int v = 1; v <= 3; v++) {
                    if ((pick & (1 << (v - 1))) != 0) {
                        vids.add(v);
                    }
                }
                yield VlanMembership.trunk(vids.isEmpty() ? List.of(1) : vids);
            }
            default -> VlanMembership.NONE;
        };
    }
}
