package io.vnet4j.port.dgram;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.wire.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OwnMulticastTest {
    private static final IpAddress US = IpAddress.parse("198.51.100.31");
    private static final IpAddress PEER = IpAddress.parse("198.51.100.32");

    @Test
    void aPeerOnAnotherHostThatDrewOurPortIsNotUs() {
        // a helper's replay: two hosts' senders on port 40000, and every frame of the other host was dropped
        List<IpAddress> asked = new ArrayList<>();
        OwnMulticast own = new OwnMulticast(40000, a -> {
            asked.add(a);
            return Set.of(US).contains(a);
        });
        assertThat(own.isOwn(US, 40000)).isTrue();
        assertThat(own.isOwn(PEER, 40000)).isFalse();
        assertThat(own.isOwn(PEER, 40001)).isFalse();
        assertThat(own.isOwn(US, 40001)).isFalse();
        for (int i = 0; i < 3; i++) {
            assertThat(own.isOwn(US, 40000)).isTrue();
            assertThat(own.isOwn(PEER, 40000)).isFalse();
        }
        assertThat(asked).containsExactly(US, PEER); // each address looked up once
    }

    @Test
    void thisHostsLoopbackIsOurs() {
        assertThat(OwnMulticast.of(40000).isOwn(IpAddress.IPV4_LOOPBACK, 40000)).isTrue();
        assertThat(OwnMulticast.of(40000).isOwn(PEER, 40000)).isFalse(); // no interface here holds it
    }
}
