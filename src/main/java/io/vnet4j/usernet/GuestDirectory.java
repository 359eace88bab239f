package io.vnet4j.usernet;

import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.dhcp.DhcpServer;
import io.vnet4j.usernet.dhcp.Lease;
import io.vnet4j.usernet.dns.GuestNames;
import io.vnet4j.wire.IpAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The guests' names for the local DNS answers: a name is the host name a guest gave in DHCP (its newest
 * acknowledged lease), its addresses the lease's IPv4 address and the global IPv6 addresses the gateway
 * learnt at the lease's MAC (SLAAC, from neighbour discovery and traffic), so dual-stack guests find each
 * other by name in both families. Read on the gateway's loop.
 */
final class GuestDirectory implements GuestNames {
    private final UserConfig config;
    private final DhcpServer dhcp;
    private final NeighborTable neighbors;

    GuestDirectory(UserConfig config, DhcpServer dhcp, NeighborTable neighbors) {
        this.config = config;
        this.dhcp = dhcp;
        this.neighbors = neighbors;
    }

    @Override
    public List<IpAddress> addresses(String host) {
        Lease lease = live(dhcp.leaseForHostname(host));
        if (lease == null) {
            return null;
        }
        List<IpAddress> addresses = new ArrayList<>();
        addresses.add(IpAddress.ofIpv4(lease.address()));
        addresses.addAll(neighbors.addressesOf(lease.mac(), config::inIpv6Network));
        return addresses;
    }

    @Override
    public String name(IpAddress address) {
        long mac = address.isIpv4() ? NeighborTable.UNKNOWN
                : config.inIpv6Network(address) ? neighbors.lookup(address) : NeighborTable.UNKNOWN;
        for (Lease lease : dhcp.leases()) {
            boolean match = address.isIpv4() ? lease.address() == address.ipv4() : lease.mac() == mac;
            if (match && live(lease) != null && lease.clientHostname() != null
                    && lease.equals(dhcp.leaseForHostname(lease.clientHostname()))) {
                return lease.clientHostname();
            }
        }
        return null;
    }

    @Override
    public boolean inVirtualNetwork(IpAddress address) {
        return (!address.isIpv4() || config.ipv4()) && config.inVirtualNetwork(address);
    }

    private static Lease live(Lease lease) {
        return lease == null || lease.expired(System.currentTimeMillis()) ? null : lease;
    }
}
