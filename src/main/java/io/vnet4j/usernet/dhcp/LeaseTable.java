package io.vnet4j.usernet.dhcp;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Bindings of addresses to MACs, one per MAC. A binding outlives its expiry until another MAC needs
 * the address, so a returning guest gets its address back; static leases are reserved for their MAC. A new
 * MAC takes an address never bound, or one whose guest left the hub ({@link #depart}), before it takes
 * one whose binding merely lapsed.
 * Host names (option 12) belong to the MAC whose lease last claimed them: the newest acknowledged
 * lease for a name wins, a MAC that takes a new name gives up its old one, and a released or
 * superseded binding keeps no name. An address that no running binding holds but another station uses
 * ({@link AddressesInUse}) is not free, not even to the MAC of its lapsed binding.
 */
final class LeaseTable {
    /**
     * The most bindings kept but static leases' (dnsmasq's {@code --dhcp-lease-max} is 1000 by default): a guest sending
     * DISCOVERs from made-up MACs bound an address for each, up to the whole pool (16 million in a /8), and every
     * later DISCOVER scanned them all. Past it a new MAC gets a lapsed binding's address, or none (exhausted).
     */
    static final int MAX_BINDINGS = 4096;
    private final DhcpSettings settings;
    private final AddressesInUse inUse;
    private final Set<Integer> staticAddresses;
    private final Map<Long, Lease> byMac = new HashMap<>();
    private final Map<Integer, Long> macByAddress = new HashMap<>();
    private final Map<Integer, Long> declinedUntil = new HashMap<>();
    /** Addresses whose guest left the hub: lapsed bindings a new MAC takes as readily as unbound addresses. */
    private final Set<Integer> departed = new HashSet<>();
    /** Host names in lower case, to the MAC whose lease claimed them last. */
    private final Map<String, Long> macByName = new HashMap<>();
    /** Changes to the bindings or their names, ever ({@link #generation}). */
    private long generation;

    LeaseTable(DhcpSettings settings, AddressesInUse inUse) {
        this.settings = settings;
        this.inUse = inUse;
        this.staticAddresses = new HashSet<>(settings.staticLeases().values());
    }

    /** The binding of a MAC, expired or not, or null. */
    Lease byMac(long mac) {
        return byMac.get(mac);
    }

    /**
     * The address to offer a MAC: its static lease, its binding (unless another station uses its address now: a
     * client that starts over takes another), the address it prefers if that is free, else the first free pool
     * address, preferring ones never bound; 0 when none is free.
     */
    int choose(long mac, int preferred, long nowMillis) {
        Integer fixed = settings.staticLeases().get(mac);
        if (fixed != null) {
            return fixed;
        }
        Lease own = byMac.get(mac);
        if (own != null && !inUse.usedByAnother(own.address(), mac)) {
            return own.address();
        }
        if (preferred != 0 && free(mac, preferred, nowMillis) && room(preferred)) {
            return preferred;
        }
        int unbound = firstUnbound(mac, nowMillis);
        return unbound != 0 ? unbound : lowestLapsed(mac, nowMillis);
    }

    /**
     * True when the MAC may hold the address: its static lease, its binding, or a free pool address if it has
     * neither. Its binding's address only while no other station uses it, unless the binding runs and its client
     * renews it ({@code starting} false: RENEWING, REBINDING); a client that starts (SELECTING, INIT-REBOOT)
     * is refused an address another station took up since its offer or lease, and goes on to another.
     */
    boolean acceptable(long mac, int address, boolean starting, long nowMillis) {
        Integer fixed = settings.staticLeases().get(mac);
        if (fixed != null) {
            return fixed == address;
        }
        Lease own = byMac.get(mac);
        if (own == null) {
            return free(mac, address, nowMillis) && room(address);
        }
        return own.address() == address
                && (!starting && !own.expired(nowMillis) || !inUse.usedByAnother(address, mac));
    }

    /**
     * Binds the address to the MAC, replacing its binding and any lapsed binding of the address; a null host name keeps
     * the old one. A host name with a domain is held by its first label ({@link #hostLabel}).
     */
    void bind(long mac, int address, String clientHostname, long expiresAtMillis) {
        clientHostname = hostLabel(clientHostname);
        Lease own = byMac.remove(mac);
        if (own != null) {
            macByAddress.remove(own.address());
            if (clientHostname == null) {
                clientHostname = own.clientHostname();
            } else if (!clientHostname.equalsIgnoreCase(own.clientHostname())) {
                dropName(own);
            }
        }
        departed.remove(address);
        Long holder = macByAddress.put(address, mac);
        if (holder != null) {
            dropName(byMac.remove(holder));
        }
        byMac.put(mac, new Lease(mac, address, clientHostname, expiresAtMillis));
        generation++;
    }

    /**
     * The name a guest is known by for the host name it sent: up to the first dot, as dnsmasq's strip_hostname takes
     * it. dhclient sends gethostname(), "web.example.test" on a machine named with its domain; held whole, no DNS
     * name found it (the resolver looks up the label before the domain) and its PTR named "web.example.test.DOMAIN".
     * A name that starts with a dot has no label: null, as no name.
     */
    static String hostLabel(String clientHostname) {
        int dot = clientHostname == null ? -1 : clientHostname.indexOf('.');
        return dot < 0 ? clientHostname : dot == 0 ? null : clientHostname.substring(0, dot); // ".x": no name
    }

    /**
     * Takes a binding kept from an earlier run ({@link LeaseFileFormat}) as it was, with its name when it runs: false
     * (nothing taken) for one this table cannot hold now: an address outside the pool or reserved (the network's
     * options changed since), another MAC's static lease, or an address or MAC already bound (a line twice).
     */
    boolean restore(Lease lease, long nowMillis) {
        Integer fixed = settings.staticLeases().get(lease.mac());
        boolean allowed = fixed != null ? fixed == lease.address()
                : settings.inPool(lease.address()) && !staticAddresses.contains(lease.address())
                        && !settings.reserved(lease.address());
        if (!allowed || byMac.containsKey(lease.mac()) || macByAddress.containsKey(lease.address())
                || fixed == null && byMac.size() >= MAX_BINDINGS) {
            return false;
        }
        bind(lease.mac(), lease.address(), lease.clientHostname(), lease.expiresAtMillis());
        if (!lease.expired(nowMillis)) {
            claimName(lease.mac());
        }
        return true;
    }

    /** How many times the bindings or their names changed, ever: compared to know when to save them. */
    long generation() {
        return generation;
    }

    /**
     * The MAC's binding now answers for its host name, whoever answered before (an acknowledged lease).
     *
     * @return the MAC whose binding answered for the name until now, -1 when none other did
     */
    long claimName(long mac) {
        Lease own = byMac.get(mac);
        if (own == null || own.clientHostname() == null) {
            return -1;
        }
        Long previous = macByName.put(own.clientHostname().toLowerCase(Locale.ROOT), mac);
        Lease superseded = previous == null || previous == mac ? null : byMac.get(previous);
        if (superseded == null) {
            return -1;
        }
        // its renewals without a name option must not take the name back
        byMac.put(previous, new Lease(previous, superseded.address(), null, superseded.expiresAtMillis()));
        generation++;
        return previous;
    }

    /** Forgets the binding's host name if that binding holds it. */
    private void dropName(Lease lease) {
        if (lease != null && lease.clientHostname() != null) {
            macByName.remove(lease.clientHostname().toLowerCase(Locale.ROOT), lease.mac());
        }
    }

    /** Drops the MAC's binding if it is for the address; returns whether it did. */
    boolean release(long mac, int address) {
        Lease own = byMac.get(mac);
        if (own == null || own.address() != address) {
            return false;
        }
        byMac.remove(mac);
        macByAddress.remove(address);
        departed.remove(address);
        dropName(own);
        generation++;
        return true;
    }

    /**
     * The MAC's guest left the hub (its VM quit): its binding lapses now and gives up its host name, and its
     * address goes to the next new MAC as an unbound one would (a VM started afresh with another MAC gets .15
     * again, as from QEMU's own user networking), while the MAC, coming back before that, still gets it.
     *
     * @return the address of the binding that was running, or 0 when none was
     */
    int depart(long mac, long nowMillis) {
        Lease own = byMac.get(mac);
        if (own == null || own.expired(nowMillis)) {
            return 0;
        }
        dropName(own);
        byMac.put(mac, new Lease(mac, own.address(), null, nowMillis));
        departed.add(own.address());
        generation++;
        return own.address();
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

    /** The binding that claimed this host name last (ignoring case), lapsed or not; null when none holds it. */
    Lease byHostname(String name) {
        Long mac = macByName.get(name.toLowerCase(Locale.ROOT));
        return mac == null ? null : byMac.get(mac);
    }

    /**
     * True when a pool address is neither reserved (the gateway's, a configure=on TAP's, a static lease's),
     * declined, held by a binding still running, nor used by a station other than {@code mac} (whatever lapsed
     * binding it has: a guest that left, a guest given it by hand since).
     */
    private boolean free(long mac, int address, long nowMillis) {
        if (!settings.inPool(address) || staticAddresses.contains(address) || settings.reserved(address)) {
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
        if (holder != null && !byMac.get(holder).expired(nowMillis)) {
            return false;
        }
        return !inUse.usedByAnother(address, mac);
    }

    /**
     * Whether a MAC without a binding may be bound to {@code address} within {@link #MAX_BINDINGS}: room for one more,
     * or the address's own (lapsed) binding, which the new one replaces.
     */
    private boolean room(int address) {
        return byMac.size() < MAX_BINDINGS || macByAddress.containsKey(address);
    }

    /**
     * The first free pool address never bound, or whose guest left the hub; 0 when none. Bound addresses are skipped
     * (at most {@link #MAX_BINDINGS} of them), so a full table of a large pool costs no scan of the pool: with no room
     * only the departed addresses are looked at.
     */
    private int firstUnbound(long mac, long nowMillis) {
        if (byMac.size() >= MAX_BINDINGS) {
            int lowest = 0;
            for (int address : departed) {
                if (below(address, lowest) && free(mac, address, nowMillis)) {
                    lowest = address;
                }
            }
            return lowest;
        }
        long last = Integer.toUnsignedLong(settings.lastAddress());
        for (long candidate = Integer.toUnsignedLong(settings.firstAddress()); candidate <= last; candidate++) {
            int address = (int) candidate;
            if ((!macByAddress.containsKey(address) || departed.contains(address)) && free(mac, address, nowMillis)) {
                return address;
            }
        }
        return 0;
    }

    /** The lowest free address of a lapsed binding; 0 when none. Looks at the bindings, not the pool. */
    private int lowestLapsed(long mac, long nowMillis) {
        int lowest = 0;
        for (Lease lease : byMac.values()) {
            if (lease.expired(nowMillis) && below(lease.address(), lowest) && free(mac, lease.address(), nowMillis)) {
                lowest = lease.address();
            }
        }
        return lowest;
    }

    /** Whether {@code address} comes before {@code lowest} (0: none yet), as unsigned ints. */
    private static boolean below(int address, int lowest) {
        return lowest == 0 || Integer.compareUnsigned(address, lowest) < 0;
    }
}
