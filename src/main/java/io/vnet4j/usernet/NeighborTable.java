package io.vnet4j.usernet;

import io.vnet4j.wire.IpAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The guests' MAC addresses by IP address, both families in one table as Linux's neighbour subsystem
 * keeps them: learned from what the guests send (ARP, IPv4, DHCP; NDP, IPv6). Bounded: when full, the
 * oldest entry gives way. A listener hears of each address learnt anew (frames may wait for it).
 * <p>
 * An entry is confirmed by every frame its guest sends. One unconfirmed for {@link #STALE_NANOS} that frames
 * still go to is asked for again ({@link #dueForProbe}), at most once a {@link #PROBE_EVERY_NANOS}, as Linux's
 * neighbour entries go STALE after about 30 s and are probed when used: a guest whose MAC changed (a
 * namespace's {@code ip link set tap0 address}, a VM's NIC replaced) and that has been silent since is found at
 * its new MAC by its answer, where before every host-forwarded connection and datagram went to the old MAC,
 * lost, until the guest happened to send something (libslirp's and passt's tables are not probed either).
 */
final class NeighborTable {
    static final long UNKNOWN = -1;
    private static final int MAX_ENTRIES = 4096;
    /** How long an entry is trusted after its guest last sent: Linux's base_reachable_time (30 s). */
    static final long STALE_NANOS = TimeUnit.SECONDS.toNanos(30);
    /** The least time between two probes of one entry. */
    static final long PROBE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** A guest's MAC, when a frame of its last confirmed it and when it was last asked for. */
    private static final class Neighbor {
        long mac;
        long confirmedAt;
        long probedAt;

        Neighbor(long mac, long now) {
            this.mac = mac;
            this.confirmedAt = now;
            this.probedAt = now;
        }
    }

    private final LongSupplier clock;

    /** A table on the system's clock. */
    NeighborTable() {
        this(System::nanoTime);
    }

    /** A table on {@code clock} (nanoseconds), for tests. */
    NeighborTable(LongSupplier clock) {
        this.clock = clock;
    }

    /** Told of an address whose MAC was not known before. */
    interface LearnListener {
        void learned(IpAddress ip, long mac);
    }

    private LearnListener listener = (ip, mac) -> { };
    /** Counts the changes to the table, so that what is derived from it can tell when to derive it again. */
    private long changes;

    private final Map<IpAddress, Neighbor> macs = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<IpAddress, Neighbor> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    void onLearn(LearnListener listener) {
        this.listener = listener;
    }

    /** Records that {@code ip} is at {@code mac}; the unspecified address, broadcast and multicast are ignored. */
    void learn(IpAddress ip, long mac) {
        if (ip.isUnspecified() || ip.isMulticastOrBroadcast()) {
            return;
        }
        Neighbor entry = macs.get(ip);
        long now = clock.getAsLong();
        if (entry == null) {
            macs.put(ip, new Neighbor(mac, now));
            changes++;
            listener.learned(ip, mac);
            return;
        }
        if (entry.mac != mac) {
            entry.mac = mac;
            changes++;
        }
        entry.confirmedAt = now;
    }

    /**
     * Whether frames going to {@code ip} at {@code mac} should ask for it again: its entry has that MAC, its guest
     * has sent nothing for {@link #STALE_NANOS}, and it was not asked for in the last {@link #PROBE_EVERY_NANOS}
     * (true marks it asked for now).
     */
    boolean dueForProbe(IpAddress ip, long mac) {
        Neighbor entry = macs.get(ip);
        if (entry == null || entry.mac != mac) {
            return false;
        }
        long now = clock.getAsLong();
        if (now - entry.confirmedAt < STALE_NANOS || now - entry.probedAt < PROBE_EVERY_NANOS) {
            return false;
        }
        entry.probedAt = now;
        return true;
    }

    /** Forgets every address at {@code mac} (the guest left); returns them, oldest first. */
    List<IpAddress> forget(long mac) {
        List<IpAddress> gone = addressesOf(mac, ip -> true);
        if (!gone.isEmpty()) {
            gone.forEach(macs::remove);
            changes++;
        }
        return gone;
    }

    /** Forgets {@code ip} if it is at {@code mac} (its guest gave it up: a DHCPRELEASE). */
    void forget(IpAddress ip, long mac) {
        Neighbor entry = macs.get(ip);
        if (entry != null && entry.mac == mac) {
            macs.remove(ip);
            changes++;
        }
    }

    /** The MAC of {@code ip}, or {@link #UNKNOWN}. */
    long lookup(IpAddress ip) {
        Neighbor entry = macs.get(ip);
        return entry == null ? UNKNOWN : entry.mac;
    }

    /** Grows with every change to the table (an entry added, moved to another MAC, or evicted). */
    long changes() {
        return changes;
    }

    /**
     * Of the guest seen last, its first address that {@code wanted} accepts, or null: the MAC of the address
     * that first appeared last, then that MAC's oldest address. A guest's stable SLAAC address shows (in its
     * duplicate address detection) before the RFC 4941 temporary ones it takes up later and drops again, so
     * it wins over them, as libslirp keeps the first IPv6 address it saw; a guest that comes back with another
     * MAC is followed. Walks the table.
     */
    IpAddress firstOfLatestGuest(java.util.function.Predicate<IpAddress> wanted) {
        long latest = UNKNOWN;
        for (Map.Entry<IpAddress, Neighbor> e : macs.entrySet()) {
            if (wanted.test(e.getKey())) {
                latest = e.getValue().mac;
            }
        }
        for (Map.Entry<IpAddress, Neighbor> e : macs.entrySet()) {
            if (e.getValue().mac == latest && wanted.test(e.getKey())) {
                return e.getKey();
            }
        }
        return null;
    }

    /** The addresses learnt at {@code mac} that {@code wanted} accepts, oldest first. */
    java.util.List<IpAddress> addressesOf(long mac, java.util.function.Predicate<IpAddress> wanted) {
        java.util.List<IpAddress> found = new java.util.ArrayList<>();
        macs.forEach((ip, e) -> {
            if (e.mac == mac && wanted.test(ip)) {
                found.add(ip);
            }
        });
        return found;
    }

    Map<IpAddress, Long> snapshot() {
        Map<IpAddress, Long> copy = new HashMap<>();
        macs.forEach((ip, e) -> copy.put(ip, e.mac));
        return copy;
    }
}
