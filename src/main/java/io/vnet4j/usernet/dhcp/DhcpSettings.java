package io.vnet4j.usernet.dhcp;

import io.vnet4j.wire.Ipv4Address;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the DHCP server hands out. Addresses are {@code int}s in network order; the pool runs from
 * {@code firstAddress} to the last address before the subnet's broadcast address. Optional strings
 * are null when not sent, {@code mtu} is 0 when not sent. Validated by the caller, assumed consistent.
 *
 * @param network        the subnet's network address
 * @param prefixLength   the subnet's prefix length (the mask sent as option 1)
 * @param router         the gateway (option 3), also the server identifier (option 54) and siaddr
 * @param dnsServer      the DNS server (option 6); {@link #NO_DNS_SERVER} sends none
 * @param firstAddress   the first pool address (QEMU's {@code dhcpstart})
 * @param leaseSeconds   the lease time (option 51); {@link #INFINITE_LEASE} never expires
 * @param domainName     option 15
 * @param searchDomains  option 119, empty when not sent
 * @param hostname       the host name given to every guest (option 12, QEMU's {@code hostname=})
 * @param tftpServerName option 66
 * @param bootfile       option 67 and the BOOTP file field
 * @param mtu            option 26
 * @param staticLeases   fixed addresses by MAC, handed out before the pool
 * @param reservedAddresses addresses no guest may lease besides {@code router} and {@code dnsServer}
 *                       (listed or not): those the gateway answers ARP for (QEMU's {@code guestfwd=}) and a
 *                       {@code configure=on} TAP's, which its namespace holds
 */
public record DhcpSettings(int network, int prefixLength, int router, int dnsServer, int firstAddress,
                           long leaseSeconds, String domainName, List<String> searchDomains, String hostname,
                           String tftpServerName, String bootfile, int mtu, Map<Long, Integer> staticLeases,
                           Set<Integer> reservedAddresses) {
    /** {@code dnsServer} when no DNS server is advertised (0.0.0.0 is never one). */
    public static final int NO_DNS_SERVER = 0;
    /** QEMU's lease time: one day. */
    public static final long QEMU_LEASE_SECONDS = 86_400;
    /** The lease time 0xffffffff, meaning forever (RFC 2131 §3.3). */
    public static final long INFINITE_LEASE = 0xFFFF_FFFFL;

    public DhcpSettings {
        searchDomains = List.copyOf(searchDomains);
        staticLeases = Map.copyOf(staticLeases);
        reservedAddresses = Set.copyOf(reservedAddresses);
    }

    /** QEMU's defaults: 10.0.2.0/24, gateway 10.0.2.2, DNS 10.0.2.3, leases from 10.0.2.15 for a day. */
    public static DhcpSettings qemuDefaults() {
        return new DhcpSettings(Ipv4Address.parse("10.0.2.0"), 24, Ipv4Address.parse("10.0.2.2"),
                Ipv4Address.parse("10.0.2.3"), Ipv4Address.parse("10.0.2.15"), QEMU_LEASE_SECONDS,
                null, List.of(), null, null, null, 0, Map.of(), Set.of());
    }

    /** The subnet mask. */
    public int netmask() {
        return prefixLength == 0 ? 0 : -1 << (Integer.SIZE - prefixLength);
    }

    /** The last pool address: the one before the subnet's broadcast address. */
    public int lastAddress() {
        return (network | ~netmask()) - 1;
    }

    /**
     * True when no guest may lease the address: the router's, the DNS server's or a reserved one. libslirp
     * leases them when they fall in its pool, and two machines then answer ARP for one address. Nor its class's
     * network or broadcast address ({@link #classfulEdge}).
     */
    public boolean reserved(int address) {
        return address == router || address == dnsServer && dnsServer != NO_DNS_SERVER
                || reservedAddresses.contains(address) || classfulEdge(address);
    }

    /**
     * Whether the address is the network or broadcast address of its class (RFC 791: A /8, B /16, C /24), which only
     * a network shorter than its class holds as a host address: 192.168.0.255 in 192.168.0.0/23, say. Windows takes
     * such an address for a broadcast address and cannot use it (Microsoft KB281579, "Issues with using supernetted
     * IP address ranges": "exclude this address from the DHCP server's scope"), so dnsmasq's address_allocate never
     * leases a class C x.x.x.0 or x.x.x.255.
     */
    static boolean classfulEdge(int address) {
        int first = address >>> 24;
        int hostBits = first < 128 ? 24 : first < 192 ? 16 : first < 224 ? 8 : 0;
        int host = address & ((1 << hostBits) - 1);
        return hostBits > 0 && (host == 0 || host == (1 << hostBits) - 1);
    }

    /** True when the address lies in the pool, ends included. */
    public boolean inPool(int address) {
        return Integer.compareUnsigned(address, firstAddress) >= 0 && Integer.compareUnsigned(address, lastAddress()) <= 0;
    }
}
