package io.vnet4j.usernet;

import io.vnet4j.config.UserConfig;
import io.vnet4j.usernet.flow.OutboundAddresses;
import io.vnet4j.wire.IpAddress;

/**
 * The virtual addresses the gateway speaks as, per family: the host (which stands for the host's own
 * loopback, as libslirp's vhost_addr/vhost_addr6) and the DNS server (vnameserver_addr/_addr6). An IPv6
 * address also has its link-local twin, fe80:: with the same interface identifier (fe80::2 and fe80::3 by
 * default, libslirp's LINKLOCAL_ADDR and in6_equal_router/in6_equal_dns); router advertisements come from
 * the host's. A family that is off has null addresses. On the host's side, the gateway's sockets leave from
 * {@link #outbound()}: {@code outbound-addr=}/{@code outbound-addr6=} (libslirp's outbound_addr, which its TCP,
 * UDP and ICMP sockets alike are bound to), or where the kernel picks.
 */
final class GatewayAddresses {
    private static final long LINK_LOCAL_HIGH = 0xFE80_0000_0000_0000L;

    private final IpAddress host4;
    private final IpAddress dns4;
    private final IpAddress host6;
    private final IpAddress dns6;
    /** Derived once: the per-datagram checks below compare against them without building them again. */
    private final IpAddress hostLinkLocal;
    private final IpAddress dnsLinkLocal;
    private final OutboundAddresses outbound;

    GatewayAddresses(IpAddress host4, IpAddress dns4, IpAddress host6, IpAddress dns6) {
        this(host4, dns4, host6, dns6, OutboundAddresses.KERNEL);
    }

    GatewayAddresses(IpAddress host4, IpAddress dns4, IpAddress host6, IpAddress dns6, OutboundAddresses outbound) {
        this.outbound = outbound;
        this.host4 = host4;
        this.dns4 = dns4;
        this.host6 = host6;
        this.dns6 = dns6;
        this.hostLinkLocal = host6 == null ? null : linkLocal(host6);
        this.dnsLinkLocal = dns6 == null ? null : linkLocal(dns6);
    }

    static GatewayAddresses of(UserConfig config) {
        return new GatewayAddresses(config.ipv4() ? IpAddress.ofIpv4(config.host()) : null,
                config.ipv4() ? IpAddress.ofIpv4(config.dns()) : null,
                config.ipv6().map(UserConfig.Ipv6::host).orElse(null),
                config.ipv6().map(UserConfig.Ipv6::dns).orElse(null),
                new OutboundAddresses(config.reach().outboundAddr4(), config.reach().outboundAddr6()));
    }

    /** The host addresses the gateway's NAT and ping sockets leave from, per family (null: the kernel picks). */
    OutboundAddresses outbound() {
        return outbound;
    }

    /** The link-local address with the interface identifier of {@code address}. */
    private static IpAddress linkLocal(IpAddress address) {
        return IpAddress.ofIpv6(LINK_LOCAL_HIGH, address.low());
    }

    IpAddress host4() {
        return host4;
    }

    IpAddress host6() {
        return host6;
    }

    IpAddress dns6() {
        return dns6;
    }

    /** The host's link-local address, the source of router advertisements; null when IPv6 is off. */
    IpAddress hostLinkLocal() {
        return hostLinkLocal;
    }

    /** The host address in the family of {@code peer} (a link-local peer gets the link-local one), or null. */
    IpAddress host(IpAddress peer) {
        if (peer.isIpv4()) {
            return host4;
        }
        return peer.isLinkLocal() ? hostLinkLocal : host6;
    }

    /** True for the host address of either family, link-local included. */
    boolean isHost(IpAddress address) {
        return address.equals(host4) || address.equals(host6) || address.equals(hostLinkLocal);
    }

    /** True for the DNS address of either family, link-local included. */
    boolean isDns(IpAddress address) {
        return address.equals(dns4) || address.equals(dns6) || address.equals(dnsLinkLocal);
    }

    /** True for the host or DNS address of either family. */
    boolean isHostOrDns(IpAddress address) {
        return isHost(address) || isDns(address);
    }

    /** True when {@code mac} is the gateway's MAC for one of its IPv6 addresses (52:56 and the last four bytes). */
    boolean isIpv6GatewayMac(long mac) {
        return host6 != null && mac == GuestOutput.gatewayMac(host6) || dns6 != null && mac == GuestOutput.gatewayMac(dns6);
    }
}
