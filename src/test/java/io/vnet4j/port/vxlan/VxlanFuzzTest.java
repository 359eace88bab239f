package io.vnet4j.port.vxlan;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.wire.VxlanHeader;
import java.nio.ByteBuffer;

/**
 * A received VXLAN datagram (here, not in io.vnet4j.fuzz: the classes it reaches are package-private), the
 * input as it is, truncated or lying as it may be. Nothing throws; a datagram taken as a frame has the I
 * flag, a 24-bit VNI and room for an Ethernet header; the inner flow hash reads only the frame and gives
 * one flow one value.
 */
class VxlanFuzzTest {
    @FuzzTest
    void receivedDatagramsNeverThrow(byte[] input) {
        ByteBuffer datagram = ByteBuffer.wrap(input);
        int vni = VxlanEndpoint.vniOf(datagram, 0, input.length);
        if (vni == VxlanEndpoint.MALFORMED) {
            return;
        }
        assertThat(vni).isBetween(0, VxlanHeader.MAX_VNI);
        assertThat(input.length - VxlanHeader.LENGTH).isGreaterThanOrEqualTo(14);
        assertThat(input[0] & VxlanHeader.FLAG_VNI_VALID).isNotZero();
        int inner = input.length - VxlanHeader.LENGTH;
        ByteBuffer frame = datagram.slice(VxlanHeader.LENGTH, inner);
        assertThat(InnerFlow.hash(frame, 0, inner)).isEqualTo(InnerFlow.hash(frame.duplicate(), 0, inner));
    }
}
