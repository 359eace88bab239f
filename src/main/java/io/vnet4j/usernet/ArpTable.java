package io.vnet4j.usernet;

import java.util.HashMap;
import java.util.Map;

/**
 * The guests' MAC addresses by IPv4 address, learned from what they send (ARP, IPv4, DHCP). Bounded: when
 * full, the oldest entry gives way. A listener hears of each address learnt anew (frames may wait for it).
 */
final class ArpTable {
    static final long UNKNOWN = -1;
    private static final int MAX_ENTRIES = 4096;

    /** Told of an address whose MAC was not known before. */
    interface LearnListener {
        void learned(int ip, long mac);
    }

    private LearnListener listener = (ip, mac) -> { };

    private final Map<Integer, Long> macs = new java.util.LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Long> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    void onLearn(LearnListener listener) {
        this.listener = listener;
    }

    void learn(int ip, long mac) {
        if (ip != 0 && ip != -1 && macs.put(ip, mac) == null) {
            listener.learned(ip, mac);
        }
    }

    long lookup(int ip) {
        Long mac = macs.get(ip);
        return mac == null ? UNKNOWN : mac;
    }

    Map<Integer, Long> snapshot() {
        return new HashMap<>(macs);
    }
}
