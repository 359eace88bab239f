package io.vnet4j.usernet;

import io.vnet4j.usernet.dhcp.AddressesInUse;
import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The addresses the DHCP server leases to no one, and its check of an address before an offer (RFC 2131 section
 * 4.4.1: "the server SHOULD probe the reused address before allocating the address").
 *
 * <p>Theory of operation. The server asks {@link #usedByAnother} for what the gateway knows: a {@code configure=on}
 * TAP's address, or one a guest was seen using at a MAC other than the asking client's. An address it knows nothing
 * of is checked ({@link #checking}): an ARP request for it goes out as the gateway, the DISCOVER (or BOOTP request)
 * is held, a copy, one per client MAC ({@link #hold}), and the server answers nothing for now. The user network's
 * loop hands the held messages in again ({@link #offerChecked}) after each round of frames and at its polls: a station
 * that answered is now in the neighbour table, and the server offers the client another address (checked in turn);
 * one that stayed silent for {@link #CHECK_MILLIS} is offered, and counts as free for {@link #CHECKED_FREE_MILLIS}
 * after. The asking client's own answer does not count: a guest that kept its lease across a restart of vnet4j and
 * starts over answers for its address, which it may have again. While an address is checked for one client, it is
 * used by another for every other client ({@link #usedByAnother}), so clients that start together are checked side by
 * side, each for its own address. At most {@link #MAX_CHECKS} checks and held
 * messages: past them (a flood of DISCOVERs from made-up MACs) addresses are offered unchecked, as before checks.
 *
 * <p>The checks run on {@code System.nanoTime()}, not on the server's wall clock (the {@code nowMillis} it passes):
 * a wall clock stepped back would have held every DISCOVER for an unchecked address until it caught up. Runs on the
 * user network's loop only.
 */
final class DhcpAddressChecks implements AddressesInUse {
    /**
     * How long a DISCOVER waits for an answer to the ARP request for the address it is to be offered, ms: a guest on
     * the hub answers within milliseconds (ISC dhcpd's ping check waits 1 s, dnsmasq's 3 s, for any host behind
     * routers).
     */
    static final long CHECK_MILLIS = 200;
    /** How long an address whose check nobody answered is offered without another, ms. */
    static final long CHECKED_FREE_MILLIS = 60_000;
    private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS);
    private static final long CHECKED_FREE_NANOS = TimeUnit.MILLISECONDS.toNanos(CHECKED_FREE_MILLIS);
    /** The most addresses checked at once or found free lately, and DISCOVERs held for them. */
    static final int MAX_CHECKS = 256;

    /** Where a held message goes when its check is over: the DHCP path it came through. */
    @FunctionalInterface
    interface Redo {
        /** Handles the DHCP payload in {@code buffer} again, as sent from {@code mac}. */
        void dhcp(long mac, ByteBuffer buffer, int offset, int length);
    }

    /**
     * A DISCOVER sent from {@code mac} by client {@code chaddr}, held while {@code address} is checked: the DHCP
     * payload's bytes.
     */
    private record HeldDiscover(long mac, long chaddr, int address, byte[] message) {}

    /** A check of an address for {@code client} (a chaddr), which ends at {@code until} (System.nanoTime). */
    private record Check(long until, long client) {}

    private final NeighborTable neighbors;
    private final Set<Integer> tapAddresses;
    private final GuestOutput out;
    private final Redo redo;
    /** Addresses being checked or found free, and each check's end and client. */
    private final Map<Integer, Check> checks = new HashMap<>();
    /** DISCOVERs waiting for their address's check, by client MAC: handed in again as soon as it ends. */
    private final Map<Long, HeldDiscover> heldDiscovers = new LinkedHashMap<>();
    /** The address whose check the message being handled started or waits for, 0 when none, and its client (chaddr). */
    private int checking;
    private long checkingFor;
    private long started;
    private long answered;

    /**
     * @param tapAddresses the IPv4 addresses of the {@code configure=on} TAPs on the hub, in ints in network order; a
     *                     set any thread may change
     * @param redo         where a held message goes once its check is over
     */
    DhcpAddressChecks(NeighborTable neighbors, Set<Integer> tapAddresses, GuestOutput out, Redo redo) {
        this.neighbors = neighbors;
        this.tapAddresses = tapAddresses;
        this.out = out;
        this.redo = redo;
    }

    @Override
    public boolean checking(int address, long mac, long nowMillis) {
        long now = System.nanoTime();
        if (neighbors.lookup(IpAddress.ofIpv4(address)) == mac) {
            return false; // the asking client's own (seen at its MAC: a guest that kept its address and starts over)
        }
        Check check = checks.get(address);
        if (check != null && now - check.until < CHECKED_FREE_NANOS) {
            if (now - check.until >= 0) {
                return false; // checked, and nobody claimed it, a short while ago
            }
            waitFor(address, mac); // being checked for this client's earlier DISCOVER (another's is usedByAnother)
            return true;
        }
        if (checks.size() >= MAX_CHECKS) {
            checks.values().removeIf(c -> now - c.until >= CHECKED_FREE_NANOS);
            if (checks.size() >= MAX_CHECKS) {
                return false; // a flood of DISCOVERs from made-up MACs: offered unchecked
            }
        }
        checks.put(address, new Check(now + CHECK_NANOS, mac));
        started++;
        waitFor(address, mac);
        out.ask(IpAddress.ofIpv4(address));
        return true;
    }

    private void waitFor(int address, long mac) {
        checking = address;
        checkingFor = mac;
    }

    /**
     * {@inheritDoc} Here also an address being checked for another client: that client is offered it when the check
     * ends, so another client's DISCOVER meanwhile is offered the next address (checked at the same time), not held
     * for this one's check. Before, a hundred VMs started at once were offered their addresses 0.2 s apart, one check
     * after another.
     */
    @Override
    public boolean usedByAnother(int address, long mac) {
        if (tapAddresses.contains(address)) {
            return true;
        }
        Check check = checks.get(address);
        if (check != null && check.client != mac && System.nanoTime() - check.until < 0) {
            return true;
        }
        long at = neighbors.lookup(IpAddress.ofIpv4(address));
        return at != NeighborTable.UNKNOWN && at != mac;
    }

    @Override
    public void givenUp(int address, long mac) {
        neighbors.forget(IpAddress.ofIpv4(address), mac);
    }

    /** A DHCP message is about to be handled: no check is its yet. */
    void beforeMessage() {
        checking = 0;
    }

    /**
     * Holds the message just handled when it waits for its address's check ({@link #checking} said so since
     * {@link #beforeMessage}; else nothing), a copy (the frame's buffer is the hub's), one per client MAC, the newest: a client's repeated DISCOVER is answered once. Past {@link #MAX_CHECKS} held,
     * a new client's is dropped, and the client asks again.
     */
    void hold(long mac, ByteBuffer buffer, int offset, int length) {
        if (checking == 0 || heldDiscovers.size() >= MAX_CHECKS && !heldDiscovers.containsKey(mac)) {
            return;
        }
        byte[] copy = new byte[length];
        buffer.get(offset, copy);
        heldDiscovers.remove(mac);
        heldDiscovers.put(mac, new HeldDiscover(mac, checkingFor, checking, copy));
    }

    /**
     * Hands in again each held message whose address's check has ended: answered (a station holds the address: the
     * client is offered another, which may be checked in turn) or timed out (offered).
     */
    void offerChecked() {
        if (heldDiscovers.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        List<HeldDiscover> due = new ArrayList<>();
        for (var it = heldDiscovers.values().iterator(); it.hasNext(); ) {
            HeldDiscover h = it.next();
            Check check = checks.get(h.address);
            long at = neighbors.lookup(IpAddress.ofIpv4(h.address));
            boolean claimed = at != NeighborTable.UNKNOWN && at != h.chaddr; // the client itself may hold it still
            if (claimed || check == null || now - check.until >= 0) {
                if (claimed) {
                    answered++;
                    checks.remove(h.address);
                }
                it.remove();
                due.add(h);
            }
        }
        for (HeldDiscover h : due) {
            redo.dhcp(h.mac, ByteBuffer.wrap(h.message), 0, h.message.length);
        }
    }

    /** Whether messages wait for their address's check ({@link #offerChecked}). */
    boolean holding() {
        return !heldDiscovers.isEmpty();
    }

    /** Nanoseconds until the first held message's check ends (0 when one has), {@link Long#MAX_VALUE} when none waits. */
    long nanosUntilDue() {
        if (heldDiscovers.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long now = System.nanoTime();
        long first = Long.MAX_VALUE;
        for (HeldDiscover h : heldDiscovers.values()) {
            Check check = checks.get(h.address);
            first = Math.min(first, check == null ? 0 : Math.max(0, check.until - now));
        }
        return first;
    }

    /** Addresses checked by an ARP request before an offer, ever. */
    long started() {
        return started;
    }

    /** Checked addresses a station other than the client answered for: offered to no one. */
    long answered() {
        return answered;
    }
}
