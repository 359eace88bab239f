package io.vnet4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The warm-up's guests (a VM on a stream port, a namespace on a TAP) get every answer they wait for, so a
 * warm-up never ends early by its own fault; and it gives way to busy guests.
 */
@Timeout(60)
class WarmupTest {
    @Test
    void everyRoundGetsItsAnswersAsAVmOnAStreamPortAndOnTheTap() {
        // 40 / VM_SHARE rounds of each kind as the VM, then 40 of each on the TAP
        assertThat(Warmup.run(40)).isEqualTo(2 * (40 / Warmup.VM_SHARE) + 80);
    }

    @Test
    void stopsOnceTheGuestsAreBusy() {
        AtomicInteger looks = new AtomicInteger();
        // busy from the third look on: two checks' worth of rounds of the first kind ran, none of the second
        int done = Warmup.run(Warmup.ROUNDS, false, true, () -> looks.incrementAndGet() > 2);
        assertThat(done).isEqualTo(20);
        looks.set(0);
        assertThat(Warmup.run(Warmup.ROUNDS, true, true, () -> looks.incrementAndGet() > 2)).as("with a VM").isEqualTo(20);
    }

    @Test
    void aNetworkCountsTheFramesItsPortsTookIn() throws Exception {
        try (Network network = new Network()) {
            network.addNetdev("user,id=u,ipv6=off");
            var nic = network.attachNic("guest", 0);
            long before = network.framesIn();
            nic.send(new byte[60]);
            assertThat(network.framesIn()).isEqualTo(before + 1);
        }
    }
}
