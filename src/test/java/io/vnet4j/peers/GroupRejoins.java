package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

/** Checks that a netdev in a multicast group joins it again on its interface once that is deleted and made again. */
final class GroupRejoins {
    private GroupRejoins() {}

    /**
     * Twice: deletes interface {@code dev} in {@code ns}, waits for the daemon's "{@code said} is gone" line, makes
     * the interface again with {@code make}, waits for "{@code said} is there again (index" and finds {@code group}
     * (as /proc/net/igmp shows it, {@link NetNamespace#igmpGroupsOn}) joined on it.
     */
    static void twice(NetNamespace ns, VnetProcess vnet, String dev, String said, String group, Runnable make)
            throws InterruptedException {
        assertThat(ns.igmpGroupsOn(dev)).contains(group);
        for (int round = 0; round < 2; round++) {
            ns.execOk("ip", "link", "del", dev);
            vnet.awaitLog(said + " is gone", Duration.ofSeconds(10));
            make.run();
            vnet.awaitLog(said + " is there again (index", Duration.ofSeconds(10));
            assertThat(ns.igmpGroupsOn(dev)).as("round " + round).contains(group);
        }
        assertThat(vnet.log()).doesNotContain("cannot be joined");
    }
}
