package io.vnet4j.port.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.wire.VxlanHeader;
import java.nio.ByteBuffer;

/**
 * A received VXLAN datagram (here, not in io.vnet4j.fuzz: the classes it reaches are package-private): the
 * first 3 input bytes are the VNI the port serves, the rest the datagram, truncated or lying as it may be.
 * Nothing throws; a datagram taken as a frame has the I flag, that VNI and room for an Ethernet header;
 * the inner flow hash reads only the frame and gives one flow one value.
 */
class VxlanFuzzTest {
    @FuzzTest
    void receivedDatagramsNeverThrow(byte[] input) {
        if (input.length < 3) {
            return;
        }
        int vni = (input[0] & 0xFF) << 16 | (input[1] & 0xFF) << 8 | input[2] & 0xFF;
        int length = input.length - 3;
        ByteBuffer datagram = ByteBuffer.wrap(input, 3, length).slice();
        int inner = VxlanNetdev.innerLength(datagram, length, vni);
        if (inner >= 0) {
            assertThat(inner).isEqualTo(length - VxlanHeader.LENGTH).isGreaterThanOrEqualTo(14);
            assertThat(datagram.get(0) & VxlanHeader.FLAG_VNI_VALID).isNotZero();
            assertThat(VxlanHeader.vni(datagram, 0)).isEqualTo(vni);
            ByteBuffer frame = datagram.slice(VxlanHeader.LENGTH, inner);
            assertThat(InnerFlow.hash(frame, 0, inner)).isEqualTo(InnerFlow.hash(frame.duplicate(), 0, inner));
        } else {
            assertThat(inner).isIn(VxlanNetdev.MALFORMED, VxlanNetdev.OTHER_VNI);
        }
    }
}
