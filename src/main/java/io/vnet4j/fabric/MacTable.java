package io.vnet4j.fabric;

import io.vnet4j.wire.MacAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * A learning switch's filtering database (IEEE 802.1D's, Linux's bridge fdb): for each unicast MAC address
 * in each VLAN, the port {@code P} it was last seen sending from (a hub's {@link Port}; for a VXLAN port,
 * the remote VTEP behind which it sits). VLANs learn apart (802.1Q's independent VLAN
 * learning): one MAC in two VLANs is two entries.
 *
 * <p>Theory of operation. The table is open addressing with linear probing over three arrays (the key: the
 * VLAN above the 48-bit MAC in one {@code long}; its port; the time it was last seen), at most half full, so neither learning nor a
 * lookup allocates. An entry not refreshed for the aging time counts as absent at once; its slot is
 * reused when its address is learnt again, or freed by a sweep, which runs when a new address finds the
 * table or its port's share full, at most once a second. A new address is learnt only while the table holds fewer than
 * {@code maxMacs} and its port fewer than {@code maxMacsPerPort}; otherwise it is refused and counted, and
 * frames to it are flooded. No live entry is ever evicted for a new one: a port flooding made-up source
 * addresses fills its own share and no more. An address seen on another port than its entry's moves there
 * (a VM migrated, a cable moved), counted and, the first time per address, reported to the listener.
 * Several ports' threads call in at once: every method holds the table's monitor, a few dozen
 * nanoseconds uncontended.
 */
public final class MacTable<P> {
    private static final long MAC_MASK = 0xFFFF_FFFF_FFFFL;
    private static final long SWEEP_INTERVAL_NANOS = 1_000_000_000L;
    /** Addresses whose move was reported; a bound keeps a storm of moves from growing it. */
    private static final int MAX_REPORTED_MOVES = 1024;

    /** Told once per address that moves between ports. */
    @FunctionalInterface
    public interface MoveListener<P> {
        void moved(long mac, P from, P to);
    }

    /** One entry, for display: the address, its VLAN (0: unaware ports), its port, nanoseconds since it was last seen. */
    public record Entry<P>(long mac, int vlan, P port, long ageNanos) {}

    /** The table's counters since it was made. */
    public record Counters(long learned, long moved, long refusedTableFull, long refusedPortFull, long aged) {}

    private final long agingNanos;
    private final int maxMacs;
    private final int maxMacsPerPort;
    private final LongSupplier clock;
    private final MoveListener<P> onMove;

    private final long[] keys;
    private final Object[] ports;
    private final long[] seen;
    private final int mask;
    private int size;
    private final Map<P, int[]> perPort = new IdentityHashMap<>();
    private final Set<Long> reportedMoves = new HashSet<>();
    private long nextSweep;

    private long learned;
    private long moved;
    private long refusedTableFull;
    private long refusedPortFull;
    private long aged;

    /**
     * @param agingSeconds how long an address stays without being seen, > 0
     * @param maxMacs addresses at most, > 0
     * @param maxMacsPerPort addresses at most behind one port, > 0
     * @param clock nanoseconds, monotonic ({@code System::nanoTime}; a fake one in tests)
     */
    public MacTable(int agingSeconds, int maxMacs, int maxMacsPerPort, LongSupplier clock, MoveListener<P> onMove) {
        if (agingSeconds <= 0 || maxMacs <= 0 || maxMacsPerPort <= 0) {
            throw new IllegalArgumentException("aging, max-macs and max-macs-per-port must be > 0");
        }
        this.agingNanos = agingSeconds * 1_000_000_000L;
        this.maxMacs = maxMacs;
        this.maxMacsPerPort = maxMacsPerPort;
        this.clock = clock;
        this.onMove = onMove;
        int capacity = Integer.highestOneBit(Math.max(maxMacs, 2) * 2 - 1) << 1;
        keys = new long[capacity];
        ports = new Object[capacity];
        seen = new long[capacity];
        mask = capacity - 1;
        nextSweep = clock.getAsLong();
    }

    public int agingSeconds() {
        return (int) (agingNanos / 1_000_000_000L);
    }

    public int maxMacs() {
        return maxMacs;
    }

    public int maxMacsPerPort() {
        return maxMacsPerPort;
    }

    /**
     * Learns that {@code source} sends from {@code from} in VLAN {@code vlan} (unless it is a group or zero
     * address, which no station owns) and answers where {@code destination} is in that VLAN.
     *
     * @param vlan 0 (the VLAN-unaware ports) to 4094
     * @return the port of a unicast {@code destination} with a live entry; null when the frame must be
     *     flooded (group address, unknown or aged)
     */
    public synchronized P learnAndFind(P from, int vlan, long source, long destination) {
        long now = clock.getAsLong();
        learn(from, vlan, source, now);
        return find(vlan, destination, now);
    }

    /** Learns that {@code source} sends from {@code from} in VLAN {@code vlan}, as {@link #learnAndFind} does. */
    public synchronized void learn(P from, int vlan, long source) {
        learn(from, vlan, source, clock.getAsLong());
    }

    /** Where {@code destination} is in VLAN {@code vlan}, as {@link #learnAndFind} answers. */
    public synchronized P find(int vlan, long destination) {
        return find(vlan, destination, clock.getAsLong());
    }

    private void learn(P from, int vlan, long source, long now) {
        if (!MacAddress.isMulticast(source) && source != 0) {
            learnKey(from, (long) vlan << 48 | source, now);
        }
    }

    private P find(int vlan, long destination, long now) {
        if (MacAddress.isMulticast(destination)) {
            return null;
        }
        int i = slotOf((long) vlan << 48 | destination);
        return ports[i] != null && now - seen[i] <= agingNanos ? port(i) : null;
    }

    @SuppressWarnings("unchecked")
    private P port(int slot) {
        return (P) ports[slot];
    }

    /** Learns {@code key} (VLAN and MAC) on {@code port}. */
    private void learnKey(P port, long key, long now) {
        int i = slotOf(key);
        P old = port(i);
        if (old == port) {
            if (now - seen[i] > agingNanos) { // it had aged: forgotten, and learnt again
                aged++;
                learned++;
            }
            seen[i] = now;
            return;
        }
        if (count(port) >= maxMacsPerPort || (old == null && size >= maxMacs)) {
            // full: aged entries (this port's, or any) still hold their places until a sweep frees them
            if (now - nextSweep < 0 || sweep(now) == 0) {
                refuse(port);
                return;
            }
            i = slotOf(key); // the sweep moved entries, and may have freed this key's
            old = port(i);
            if (count(port) >= maxMacsPerPort || (old == null && size >= maxMacs)) {
                refuse(port);
                return;
            }
        }
        if (old != null) { // the address has an entry on another port, live or aged
            if (now - seen[i] <= agingNanos) {
                moved++;
                if (reportedMoves.size() < MAX_REPORTED_MOVES && reportedMoves.add(key)) {
                    onMove.moved(key & MAC_MASK, old, port);
                }
            } else {
                aged++;
                learned++;
            }
            perPort.get(old)[0]--;
            perPort.computeIfAbsent(port, p -> new int[1])[0]++;
            ports[i] = port;
            seen[i] = now;
            return;
        }
        keys[i] = key;
        ports[i] = port;
        seen[i] = now;
        size++;
        learned++;
        perPort.computeIfAbsent(port, p -> new int[1])[0]++;
    }

    /** Counts a refusal under the bound that caused it: the port's share first. */
    private void refuse(P port) {
        if (count(port) >= maxMacsPerPort) {
            refusedPortFull++;
        } else {
            refusedTableFull++;
        }
    }

    private int count(P port) {
        int[] n = perPort.get(port);
        return n == null ? 0 : n[0];
    }

    /** The slot holding {@code key}, or the empty slot where it would go. */
    private int slotOf(long key) {
        int i = home(key);
        while (ports[i] != null && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    private int home(long key) {
        long h = key * 0x9E37_79B9_7F4A_7C15L;
        return (int) (h >>> 40) & mask;
    }

    /** Frees the aged entries; returns how many. */
    private int sweep(long now) {
        nextSweep = now + SWEEP_INTERVAL_NANOS;
        int freed = 0;
        for (int i = 0; i < ports.length; ) {
            if (ports[i] != null && now - seen[i] > agingNanos) {
                removeAt(i);
                aged++;
                freed++;
            } else {
                i++;
            }
        }
        return freed;
    }

    /** Forgets every address learnt on {@code port} (it left the switch). */
    public synchronized void forget(P port) {
        if (perPort.remove(port) == null) {
            return;
        }
        long now = clock.getAsLong();
        for (int i = 0; i < ports.length; ) {
            if (ports[i] == port) {
                if (now - seen[i] > agingNanos) {
                    aged++; // counted as aged already (counters()), and stays so
                }
                ports[i] = null; // its count went with perPort
                size--;
                closeGap(i);
            } else {
                i++;
            }
        }
    }

    /**
     * The addresses learnt on {@code port}, each once (whatever its VLANs), aged ones not yet swept included: a
     * quiet station is still behind its port.
     */
    public synchronized long[] macsOf(P port) {
        return java.util.stream.IntStream.range(0, ports.length).filter(i -> ports[i] == port)
                .mapToLong(i -> keys[i] & MAC_MASK).distinct().toArray();
    }

    /** Whether {@code mac} has a live entry, in any VLAN, on a port other than {@code except} (null: any port). */
    public synchronized boolean knowsElsewhere(long mac, P except) {
        long now = clock.getAsLong();
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] != null && ports[i] != except && (keys[i] & MAC_MASK) == mac && now - seen[i] <= agingNanos) {
                return true;
            }
        }
        return false;
    }

    private void removeAt(int i) {
        int[] n = perPort.get(port(i));
        if (--n[0] == 0) {
            perPort.remove(port(i));
        }
        ports[i] = null;
        size--;
        closeGap(i);
    }

    /**
     * Linear probing's deletion by backward shift: moves each later entry of the cluster whose home is not
     * cyclically in (gap, its slot] into the gap, so lookups never stop early at a hole.
     */
    private void closeGap(int gap) {
        for (int j = (gap + 1) & mask; ports[j] != null; j = (j + 1) & mask) {
            int k = home(keys[j]);
            boolean stays = gap <= j ? gap < k && k <= j : gap < k || k <= j;
            if (!stays) {
                keys[gap] = keys[j];
                ports[gap] = ports[j];
                seen[gap] = seen[j];
                ports[j] = null;
                gap = j;
            }
        }
    }

    /** The live entries, in no particular order; for display. */
    public synchronized List<Entry<P>> entries() {
        long now = clock.getAsLong();
        List<Entry<P>> list = new ArrayList<>(size);
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] != null && now - seen[i] <= agingNanos) {
                list.add(new Entry<>(keys[i] & MAC_MASK, (int) (keys[i] >>> 48), port(i), now - seen[i]));
            }
        }
        return list;
    }

    /** The counters; {@code aged} includes the entries past their time that no sweep has freed yet (ageing is lazy). */
    public synchronized Counters counters() {
        long now = clock.getAsLong();
        long agedUnswept = 0;
        for (int i = 0; i < ports.length; i++) {
            if (ports[i] != null && now - seen[i] > agingNanos) {
                agedUnswept++;
            }
        }
        return new Counters(learned, moved, refusedTableFull, refusedPortFull, aged + agedUnswept);
    }
}
