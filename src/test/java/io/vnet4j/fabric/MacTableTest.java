package io.vnet4j.fabric;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.port.nic.VirtualNic;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The learning table alone, on a fake clock: learning, lookups, aging, moves and the bounds. */
class MacTableTest {
    private static final long A = 0x5254_0000_0001L;
    private static final long B = 0x5254_0000_0002L;
    private static final long C = 0x5254_0000_0003L;
    private static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private long now = 1_000_000_000L;
    private final List<String> moves = new ArrayList<>();
    private final Hub hub = new Hub(0);
    private final Port p1 = new VirtualNic("p1", hub);
    private final Port p2 = new VirtualNic("p2", hub);
    private final Port p3 = new VirtualNic("p3", hub);

    private MacTable<Port> table(int aging, int max, int perPort) {
        return new MacTable<>(aging, max, perPort, () -> now, (mac, from, to) -> moves.add(from.id() + "->" + to.id()));
    }

    @Test
    void findsTheUnicastAddressesItLearntAndFloodsTheRest() {
        MacTable<Port> t = table(300, 16, 16);
        assertThat(t.learnAndFind(p1, 0, A, B)).as("B not seen yet: flood").isNull();
        assertThat(t.learnAndFind(p2, 0, B, A)).isSameAs(p1);
        assertThat(t.learnAndFind(p1, 0, A, B)).isSameAs(p2);
        assertThat(t.learnAndFind(p1, 0, A, BROADCAST)).as("broadcast floods").isNull();
        assertThat(t.learnAndFind(p1, 0, A, 0x0100_5E00_0001L)).as("multicast floods").isNull();
        assertThat(t.learnAndFind(p3, 0, BROADCAST, A)).as("a group source is not learnt").isSameAs(p1);
        assertThat(t.entries()).extracting(MacTable.Entry<Port>::mac).containsExactlyInAnyOrder(A, B);
        assertThat(t.counters().learned()).isEqualTo(2);
    }

    @Test
    void anAddressNotSeenForTheAgingTimeIsFloodedAgainAndItsSlotReused() {
        MacTable<Port> t = table(300, 1, 1);
        t.learnAndFind(p1, 0, A, B);
        now += TimeUnit.SECONDS.toNanos(300);
        assertThat(t.learnAndFind(p2, 0, B, A)).as("exactly 300 s: still there").isSameAs(p1);
        now += TimeUnit.SECONDS.toNanos(1); // A aged, and the next sweep due
        assertThat(t.learnAndFind(p3, 0, C, A)).as("aged").isNull();
        assertThat(t.entries()).extracting(MacTable.Entry<Port>::mac).containsExactly(C);
        assertThat(t.counters().refusedTableFull()).as("B found the table full before A aged").isEqualTo(1);
        assertThat(t.counters().aged()).isEqualTo(1);
    }

    @Test
    void seeingAnAddressRefreshesItsAge() {
        MacTable<Port> t = table(10, 4, 4);
        t.learnAndFind(p1, 0, A, B);
        for (int i = 0; i < 5; i++) {
            now += TimeUnit.SECONDS.toNanos(6);
            t.learnAndFind(p1, 0, A, B);
        }
        assertThat(t.learnAndFind(p2, 0, B, A)).isSameAs(p1);
    }

    @Test
    void anAddressThatMovesIsRelearntAndReportedOnce() {
        MacTable<Port> t = table(300, 16, 16);
        t.learnAndFind(p1, 0, A, B);
        t.learnAndFind(p2, 0, A, B);
        assertThat(t.learnAndFind(p3, 0, C, A)).isSameAs(p2);
        t.learnAndFind(p1, 0, A, B);
        assertThat(t.counters().moved()).isEqualTo(2);
        assertThat(moves).containsExactly("p1->p2");
        assertThat(t.entries()).hasSize(2);
    }

    @Test
    void aFloodOfSourcesFromOnePortFillsItsShareAndNoMore() {
        MacTable<Port> t = table(300, 64, 8);
        t.learnAndFind(p2, 0, B, BROADCAST);
        for (long mac = 0x0200_0000_0000L; mac < 0x0200_0000_0000L + 10_000; mac++) {
            t.learnAndFind(p1, 0, mac, BROADCAST);
        }
        assertThat(t.entries()).hasSize(9);
        assertThat(t.counters().refusedPortFull()).isEqualTo(10_000 - 8);
        assertThat(t.learnAndFind(p3, 0, C, B)).as("the other ports' addresses stay").isSameAs(p2);
        assertThat(t.learnAndFind(p2, 0, B, C)).isSameAs(p3);
    }

    @Test
    void aFullTableRefusesNewAddressesWithoutEvictingLiveOnes() {
        MacTable<Port> t = table(300, 4, 4);
        long mac = 0x0200_0000_0000L;
        for (Port p : List.of(p1, p2, p3)) {
            for (int i = 0; i < 2; i++) {
                t.learnAndFind(p, 0, mac++, BROADCAST);
            }
        }
        assertThat(t.entries()).hasSize(4);
        assertThat(t.counters().refusedTableFull()).isEqualTo(2);
        assertThat(t.counters().learned()).isEqualTo(4);
    }

    @Test
    void forgettingAPortRemovesItsAddressesAndKeepsTheOthersFindable() {
        MacTable<Port> t = table(300, 1024, 1024);
        List<Long> kept = new ArrayList<>();
        for (long i = 0; i < 600; i++) { // dense enough for long probe clusters in 2048 slots
            long mac = 0x0200_0000_0000L + i * 7919;
            Port p = i % 3 == 0 ? p1 : p2;
            t.learnAndFind(p, 0, mac, BROADCAST);
            if (p == p2) {
                kept.add(mac);
            }
        }
        t.forget(p1);
        assertThat(t.entries()).hasSize(kept.size()).allMatch(e -> e.port() == p2);
        for (long mac : kept) {
            assertThat(t.learnAndFind(p3, 0, C, mac)).isSameAs(p2);
        }
        t.learnAndFind(p1, 0, A, BROADCAST);
        assertThat(t.entries()).hasSize(kept.size() + 2);
    }

    @Test
    void agedEntriesAreSweptWhenTheTableIsFullAtMostOnceASecond() {
        MacTable<Port> t = table(1, 2, 2);
        t.learnAndFind(p1, 0, A, BROADCAST);
        t.learnAndFind(p1, 0, B, BROADCAST);
        now += TimeUnit.SECONDS.toNanos(2);
        t.learnAndFind(p2, 0, C, BROADCAST);
        assertThat(t.entries()).extracting(MacTable.Entry<Port>::mac).containsExactly(C);
        assertThat(t.counters().aged()).isEqualTo(2);
        t.learnAndFind(p2, 0, 0x0200_0000_0001L, BROADCAST);
        now += TimeUnit.SECONDS.toNanos(2);
        t.learnAndFind(p3, 0, 0x0200_0000_0002L, BROADCAST);
        assertThat(t.counters().aged()).isEqualTo(4);
        assertThat(t.entries()).hasSize(1);
    }

    @Test
    void aPortWhoseAddressesAgedLearnsNewOnesThoughTheTableIsNotFull() {
        MacTable<Port> t = table(3, 4096, 2);
        t.learnAndFind(p1, 0, A, BROADCAST);
        t.learnAndFind(p1, 0, B, BROADCAST);
        t.learnAndFind(p1, 0, C, BROADCAST);
        assertThat(t.counters().refusedPortFull()).isEqualTo(1);
        now += TimeUnit.SECONDS.toNanos(4);
        t.learnAndFind(p1, 0, C, BROADCAST);
        assertThat(t.entries()).extracting(MacTable.Entry<Port>::mac).containsExactly(C);
        assertThat(t.counters().aged()).isEqualTo(2);
        assertThat(t.learnAndFind(p2, 0, A, C)).isSameAs(p1);
    }

    @Test
    void anAddressSeenAgainOnItsPortAfterAgingCountsAsAgedAndLearntAgain() {
        MacTable<Port> t = table(3, 4096, 256);
        t.learnAndFind(p1, 0, A, BROADCAST);
        now += TimeUnit.SECONDS.toNanos(4);
        t.learnAndFind(p1, 0, A, BROADCAST);
        assertThat(t.counters()).isEqualTo(new MacTable.Counters(2, 0, 0, 0, 1));
    }

    /** A helper's replay: an entry past its time vanished from the table but "aged" stayed 0 until a sweep. */
    @Test
    void anEntryPastItsTimeCountsAsAgedAtOnceAndOnceOnly() {
        MacTable<Port> t = table(3, 4096, 256);
        t.learnAndFind(p1, 0, A, BROADCAST);
        t.learnAndFind(p2, 0, B, BROADCAST);
        now += TimeUnit.SECONDS.toNanos(4);
        assertThat(t.entries()).isEmpty();
        assertThat(t.counters().aged()).as("no sweep yet").isEqualTo(2);
        t.forget(p1); // p1 leaves: A's entry goes, still counted once
        t.learnAndFind(p2, 0, B, BROADCAST); // B seen again: aged, and learnt again
        assertThat(t.counters()).isEqualTo(new MacTable.Counters(3, 0, 0, 0, 2));
    }
}
