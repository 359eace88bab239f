package io.vnet4j.usernet;

import io.vnet4j.wire.IpAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The guests' MAC addresses by IP address, both families in one table as Linux's neighbour subsystem
 * keeps them: learned from what the guests send (ARP, IPv4, DHCP; NDP, IPv6). Bounded: when full, the
 * oldest entry gives way. A listener hears of each address learnt anew (frames may wait for it).
 */
final class NeighborTable {
    static final long UNKNOWN = -1;
    private static final int MAX_ENTRIES = 4096;

    /** Told of an address whose MAC was not known before. */
    interface LearnListener {
        void learned(IpAddress ip, long mac);
    }

    private LearnListener listener = (ip, mac) -> { };
    /** Counts the changes to the table, so that what is derived from it can tell when to derive it again. */
    private long changes;

    private final Map<IpAddress, Long> macs = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<IpAddress, Long> eldest) {
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
        Long old = macs.get(ip);
        if (old == null || old != mac) {
            macs.put(ip, mac);
            changes++;
            if (old == null) {
                listener.learned(ip, mac);
            }
        }
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
        if (macs.remove(ip, mac)) {
            changes++;
        }
    }

    /** The MAC of {@code ip}, or {@link #UNKNOWN}. */
    long lookup(IpAddress ip) {
        Long mac = macs.get(ip);
        return mac == null ? UNKNOWN : mac;
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
        for (Map.Entry<IpAddress, Long> e : macs.entrySet()) {
            if (wanted.test(e.getKey())) {
                latest = e.getValue();
            }
        }
        for (Map.Entry<IpAddress, Long> e : macs.entrySet()) {
            if (e.getValue() == latest && wanted.test(e.getKey())) {
                return e.getKey();
            }
        }
        return null;
    }

    /** The addresses learnt at {@code mac} that {@code wanted} accepts, oldest first. */
    java.util.List<IpAddress> addressesOf(long mac, java.util.function.Predicate<IpAddress> wanted) {
        java.util.List<IpAddress> found = new java.util.ArrayList<>();
        macs.forEach((ip, m) -> {
            if (m == mac && wanted.test(ip)) {
                found.add(ip);
            }
        });
        return found;
    }

    Map<IpAddress, Long> snapshot() {
        return new HashMap<>(macs);
    }
}
