package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.Network;
import io.vnet4j.base.Log;
import io.vnet4j.port.nic.VirtualNic;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SearchListTest {

    @Test
    void keepsTheLeadingDomainsThatFitAndSkipsWhatDnsCannotCarry() {
        String longLabel = "x".repeat(64) + ".test";
        assertThat(SearchList.fitting(List.of("a.test", longLabel, "b.test", "c.test"), 16))
                .containsExactly("a.test", "b.test"); // 8 bytes each encoded
        assertThat(SearchList.fitting(List.of("a.test"), 0)).isEmpty();
    }

    @Test
    void theDnsslRoomLeavesTheAdvertisementWithinOneFrame() {
        // 16 fixed + 32 prefix + 8 MTU + 8 source link-layer + 24 RDNSS = 88; DNSSL header 8, padding up to 7
        assertThat(NeighborDiscovery.dnsslRoom(1500)).isEqualTo(1500 - 40 - 88 - 8 - 7);
        assertThat(NeighborDiscovery.dnsslRoom(65520)).isEqualTo(255 * 8 - 8 - 7);
        assertThat(NeighborDiscovery.dnsslRoom(100)).isZero();
    }

    @Test
    void aSearchListTooLongForIpv6StillStartsTheUserNetwork() throws Exception {
        List<String> options = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            options.add("dnssearch=d" + i + ".example" + i + ".test");
        }
        Log.quiet(true);
        try (Network network = new Network()) {
            VirtualNic guest = network.attachNic("guest", 0);
            network.addNetdev("user,id=u,bootfile=has space," + String.join(",", options));
            assertThat(guest).isNotNull();
        } finally {
            Log.quiet(false);
        }
    }
}
