package io.vnet4j.usernet.flow;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.IpAddress;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlowKeyTest {
    private static final IpAddress GUEST4 = IpAddress.parse("10.0.2.15");
    private static final IpAddress GUEST6 = IpAddress.parse("fec0::5054:ff:fe12:3456");
    private static final IpAddress REMOTE6 = IpAddress.parse("fec0::2");

    @Test
    void aReusedProbeFindsKeysOfBothFamiliesAndCopiesStayPut() {
        Map<FlowKey, String> flows = new HashMap<>();
        FlowKey probe = new FlowKey();
        flows.put(probe.set(GUEST4, 40000, IpAddress.parse("10.0.2.2"), 80).copy(), "v4");
        flows.put(probe.set(GUEST6, 40000, REMOTE6, 80).copy(), "v6");
        flows.put(probe.set(GUEST6, 40000, null, 0).copy(), "unpinned");

        assertThat(flows.get(probe.set(IpAddress.parse("10.0.2.15"), 40000, IpAddress.parse("10.0.2.2"), 80))).isEqualTo("v4");
        assertThat(flows.get(probe.set(IpAddress.parse("fec0::5054:ff:fe12:3456"), 40000, REMOTE6, 80))).isEqualTo("v6");
        assertThat(flows.get(probe.set(GUEST6, 40000, null, 0))).isEqualTo("unpinned");
        assertThat(flows.get(probe.set(GUEST6, 40001, REMOTE6, 80))).isNull();
        assertThat(flows.get(probe.set(GUEST6, 40000, REMOTE6, 81))).isNull();
        assertThat(flows.get(probe.set(GUEST6, 40000, IpAddress.parse("fec0::3"), 80))).isNull();
        assertThat(flows).hasSize(3); // the probe's changes did not move the stored keys
        assertThat(FlowKey.of(GUEST6, 1, REMOTE6, 2)).hasToString("[fec0::5054:ff:fe12:3456]:1 -> [fec0::2]:2");
    }
}
