package io.vnet4j.usernet.dhcpv6;

import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.MacAddress;
import java.nio.ByteBuffer;

/**
 * The addresses the stateful DHCPv6 server gives (IA_NA, RFC 8415 section 21.4), and how long for. Each guest gets
 * one address, its MAC's 48 bits as the last 48 bits of the interface identifier in the user network's prefix:
 * 52:54:00:12:34:56 gets {@code fec0::5254:12:3456}. The address needs no state and no table: it is the same on
 * every Solicit, Renew and restart (of the guest or of vnet4j), and unique on the hub because MACs are. It is not
 * the SLAAC address (the EUI-64 one, {@code fec0::5054:ff:fe12:3456}), on purpose: a guest that does both (ISC
 * dhclient -6 beside the kernel's SLAAC, NetworkManager's {@code auto}) holds two addresses, and when its DHCPv6
 * client releases or lets its address expire (Debian's dhclient-script deletes it) the SLAAC address stays; with
 * one address for both, the release took the SLAAC address away too. The 16 bits before the MAC are zero, so the
 * address never equals an EUI-64 one (those have ff:fe in the middle of the interface identifier), and it fits a
 * prefix up to /{@value #MAX_PREFIX_LENGTH}; a longer prefix has no room for a MAC, and then no address is given
 * (NoAddrsAvail).
 *
 * @param prefix       the user network's IPv6 prefix ({@code ipv6-net=}), masked to its length
 * @param prefixLength its length
 * @param leaseSeconds the valid and preferred lifetime of an address, as the DHCPv4 lease's (a day); T1 and T2 are
 *                     half and 0.8 of it, RFC 8415 section 21.4's recommended values
 * @param host         the gateway's address, never given
 * @param dns          the DNS address, never given
 */
public record Dhcpv6Pool(IpAddress prefix, int prefixLength, long leaseSeconds, IpAddress host, IpAddress dns) {
    /** The longest prefix whose interface identifiers hold a MAC. */
    public static final int MAX_PREFIX_LENGTH = 80;
    private static final long MAC_BITS = 0xFFFF_FFFF_FFFFL;

    /** @throws IllegalArgumentException for an IPv4 prefix, a length outside 0-128, a lifetime outside 1 s - 2^32-2 s */
    public Dhcpv6Pool {
        if (prefix.isIpv4() || prefixLength < 0 || prefixLength > 128) {
            throw new IllegalArgumentException("not an IPv6 prefix: " + prefix + "/" + prefixLength);
        }
        prefix = prefix.masked(prefixLength);
        if (leaseSeconds < 1 || leaseSeconds >= 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("DHCPv6 lifetime must be 1 to 4294967294 seconds: " + leaseSeconds);
        }
    }

    /**
     * The address of the guest with this MAC, or null when there is none to give: a prefix longer than
     * {@value #MAX_PREFIX_LENGTH}, a multicast or all-zero MAC, or an address that is the gateway's or the DNS's.
     */
    public IpAddress addressFor(long mac) {
        if (prefixLength > MAX_PREFIX_LENGTH || mac == 0 || (mac & ~MAC_BITS) != 0 || MacAddress.isMulticast(mac)) {
            return null;
        }
        IpAddress address = IpAddress.ofIpv6(prefix.high(), prefix.low() | mac);
        return address.equals(host) || address.equals(dns) ? null : address;
    }

    /** True when the 16 bytes at absolute {@code offset} are an address in the prefix (RFC 8415 section 18.3.3's "on link"). */
    public boolean onLink(ByteBuffer buffer, int offset) {
        return IpAddress.ofIpv6(buffer.getLong(offset), buffer.getLong(offset + 8)).inPrefix(prefix, prefixLength);
    }

    /** T1: when the client renews, seconds. */
    public long t1() {
        return leaseSeconds / 2;
    }

    /** T2: when the client rebinds, seconds. */
    public long t2() {
        return leaseSeconds * 4 / 5;
    }
}
