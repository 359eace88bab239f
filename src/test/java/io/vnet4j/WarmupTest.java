package io.vnet4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.config.SwitchConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm-up's guests (a VM on a stream port, a namespace on a TAP) get every answer they wait for, so a
 * warm-up never ends early by its own fault; and it gives way to busy guests.
 */
@Timeout(60)
class WarmupTest {
    @Test
    void everyRoundGetsItsAnswersAsAVmOnAStreamPortAndOnTheTap() {
        // 40 / VM_SHARE rounds of each kind as the vhost-user VM and as the stream VM, then 40 of each on the
        // TAP, IPv6 beside IPv4
        assertThat(Warmup.run(40)).isEqualTo(2 * 2 * (40 / Warmup.VM_SHARE) + 80);
    }

    /**
     * On a hub (no switch) the TAP's guest also sees what the gateway sends the VM, whose TCP ports have the
     * same numbers: its rounds ended at the first request after a bulk exchange (81 of 120) until it took
     * only the frames for itself.
     */
    @Test
    void everyRoundGetsItsAnswersOnAHubWithAVm() {
        assertThat(Warmup.run(40, new Warmup.Shape(true, true, false, false), false, () -> false)).as("IPv4 only")
                .isEqualTo(2 * (40 / Warmup.VM_SHARE) + 80);
        assertThat(Warmup.run(40, new Warmup.Shape(true, true, false, true), false, () -> false)).as("with IPv6")
                .isEqualTo(2 * (40 / Warmup.VM_SHARE) + 80);
    }

    /**
     * Without VMs (the slirp4netns drop-in's network) the warm-up makes no directory for a VM's socket: a
     * daemon killed outright while it runs (rootlesskit ends its slirp4netns with SIGKILL) left one behind
     * in the temporary directory each time. Looked for while its rounds run.
     */
    @Test
    void aWarmUpWithoutVmsMakesNoDirectory() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Set<Path> before = warmUpDirectories(tmp);
        AtomicInteger looks = new AtomicInteger();
        Set<Path> made = ConcurrentHashMap.newKeySet();
        int done = Warmup.run(40, new Warmup.Shape(false, true, false, false), false, () -> {
            looks.incrementAndGet();
            warmUpDirectories(tmp).stream().filter(d -> !before.contains(d)).forEach(made::add);
            return false;
        });
        assertThat(done).isEqualTo(80);
        assertThat(looks).as("the rounds looked at whether guests are busy").hasPositiveValue();
        assertThat(made).isEmpty();
    }

    private static Set<Path> warmUpDirectories(Path tmp) {
        try (var entries = Files.list(tmp)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("vnet4j-warm-up"))
                    .collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The vhost-user VM's driver is in this process: its rounds, bulk exchanges of large segments too, all answered. */
    @Test
    void everyRoundGetsItsAnswersOnAVhostUserPort() {
        assertThat(Warmup.run(40, new Warmup.Shape(false, true, false, false, true), false, () -> false)).as("IPv4 only")
                .isEqualTo(2 * (40 / Warmup.VM_SHARE) + 80);
        assertThat(Warmup.run(40, new Warmup.Shape(false, false, true, true, true), false, () -> false))
                .as("on a switch, with IPv6").isEqualTo(2 * (40 / Warmup.VM_SHARE) + 80);
    }

    @Test
    void stopsOnceTheGuestsAreBusy() {
        AtomicInteger looks = new AtomicInteger();
        // busy from the third look on: two checks' worth of rounds of the first kind ran, none of the second
        int done = Warmup.run(Warmup.ROUNDS, new Warmup.Shape(false, true, false, false), true, () -> looks.incrementAndGet() > 2);
        assertThat(done).isEqualTo(20);
        looks.set(0);
        assertThat(Warmup.run(Warmup.ROUNDS, new Warmup.Shape(true, false, true, true), true, () -> looks.incrementAndGet() > 2)).as("with a VM").isEqualTo(20);
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

    @Test
    void playsTheForwardingOfTheNetworkItWarmsUpFor(@TempDir Path dir) throws Exception {
        try (Network network = new Network()) {
            network.addNetdev("user,id=u,ipv6=off");
            network.attachNic("guest", 0);
            assertThat(Warmup.Shape.of(network)).as("a hub").isEqualTo(new Warmup.Shape(false, true, false, false));
            network.attachNic("other", 1);
            network.learn(SwitchConfig.withDefaults("s", 1));
            assertThat(Warmup.Shape.of(network)).as("a hub and a switch").isEqualTo(new Warmup.Shape(false, true, true, false));
        }
        try (Network network = new Network()) {
            network.addNetdev("user,id=u"); // IPv6 on, as by default
            network.addNetdev("stream,id=vms,server=on,addr.type=unix,addr.path=" + dir.resolve("vms.sock"));
            network.learn(SwitchConfig.withDefaults("s", 0));
            assertThat(Warmup.Shape.of(network)).as("the default network's shape")
                    .isEqualTo(new Warmup.Shape(true, false, true, true));
        }
        try (Network network = new Network()) {
            network.addNetdev("user,id=u,ipv6=off");
            network.addNetdev("vhost-user,id=vm,path=" + dir.resolve("vm.sock"));
            assertThat(Warmup.Shape.of(network)).as("a vhost-user VM").isEqualTo(new Warmup.Shape(false, true, false, false, true));
        }
    }
}
