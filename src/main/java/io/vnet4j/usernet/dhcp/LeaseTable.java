package io.vnet4j.usernet.dhcp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Bindings of addresses to MACs, one per MAC. A binding outlives its expiry until another MAC needs
 * the address, so a returning guest gets its address back; static leases are reserved for their MAC.
 */
final class LeaseTable {
    private final DhcpSettings settings;
    private final Set<Integer> staticAddresses;
    private final Map<Long, Lease> byMac = new HashMap<>();
    private final Map<Integer, Long> macByAddress = new HashMap<>();
    private final Map<Integer, Long> declinedUntil = new HashMap<>();

    LeaseTable(DhcpSettings settings) {
        this.settings = settings;
        this.staticAddresses = new HashSet<>(settings.staticLeases().values());
    }

    /** The binding of a MAC, expired or not, or null. */
    Lease byMac(long mac) {
        return byMac.get(mac);
    }

    /**
     * The address to offer a MAC: its static lease, its binding, the address it prefers if that is
     * free, else the first free pool address, preferring ones never bound; 0 when none is free.
     */
    int choose(long mac, int preferred, long nowMillis) {
        Integer fixed = settings.staticLeases().get(mac);
        if (fixed != null) {
            return fixed;
        }
        Lease own = byMac.get(mac);
        if (own != null) {
            return own.address();
        }
        if (preferred != 0 && free(preferred, nowMillis)) {
            return preferred;
        }
        int unbound = firstFree(nowMillis, false);
        return unbound != 0 ? unbound : firstFree(nowMillis, true);
    }

    /** True when the MAC may hold the address: its static lease, its binding, or a free pool address if it has neither. */
    boolean acceptable(long mac, int address, long nowMillis) {
        Integer fixed = settings.staticLeases().get(mac);
        if (fixed != null) {
            return fixed == address;
        }
        Lease own = byMac.get(mac);
        return own != null ? own.address() == address : free(address, nowMillis);
    }

    /** Binds the address to the MAC, replacing its binding and any lapsed binding of the address; a null host name keeps the old one. */
    void bind(long mac, int address, String clientHostname, long expiresAtMillis) {
        Lease own = byMac.remove(mac);
        if (own != null) {
            macByAddress.remove(own.address());
            if (clientHostname == null) {
                clientHostname = own.clientHostname();
            }
        }
        Long holder = macByAddress.put(address, mac);
        if (holder != null) {
            byMac.remove(holder);
        }
        byMac.put(mac, new Lease(mac, address, clientHostname, expiresAtMillis));
    }

    /** Drops the MAC's binding if it is for the address; returns whether it did. */
    boolean release(long mac, int address) {
        Lease own = byMac.get(mac);
        if (own == null || own.address() != address) {
            return false;
        }
        byMac.remove(mac);
        macByAddress.remove(address);
        return true;
    }

    /** Marks an address unusable until the given time. */
    void decline(int address, long untilMillis) {
        declinedUntil.put(address, untilMillis);
    }

    /** Every binding, lapsed ones included, by address. */
    List<Lease> all() {
        List<Lease> leases = new ArrayList<>(byMac.values());
        leases.sort(Comparator.comparing(Lease::address, Integer::compareUnsigned));
        return leases;
    }

    /** The binding whose client host name matches ignoring case, or null. */
    Lease byHostname(String name) {
        for (Lease lease : byMac.values()) {
            if (name.equalsIgnoreCase(lease.clientHostname())) {
                return lease;
            }
        }
        return null;
    }

    /** True when a pool address is neither reserved, declined nor held by a binding still running. */
    private boolean free(int address, long nowMillis) {
        if (!settings.inPool(address) || staticAddresses.contains(address)) {
            return false;
        }
        Long until = declinedUntil.get(address);
        if (until != null) {
            if (nowMillis < until) {
                return false;
            }
            declinedUntil.remove(address);
        }
        Long holder = macByAddress.get(address);
        return holder == null || byMac.get(holder).expired(nowMillis);
    }

    /** The first free pool address, counting lapsed bindings as free only if asked; 0 when none. */
    private int firstFree(long nowMillis, boolean takeLapsed) {
        long last = Integer.toUnsignedLong(settings.lastAddress());
        for (long candidate = Integer.toUnsignedLong(settings.firstAddress()); candidate <= last; candidate++) {
            int address = (int) candidate;
            if ((takeLapsed || !macByAddress.containsKey(address)) && free(address, nowMillis)) {
                return address;
            }
        }
        return 0;
    }
}
