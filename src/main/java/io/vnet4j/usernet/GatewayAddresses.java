package io.vnet4j.usernet;

import io.vnet4j.config.UserConfig;
import io.vnet4j.wire.IpAddress;

/**
 * The virtual addresses the gateway speaks as, per family: the host (which stands for the host's own
 * loopback, as libslirp's vhost_addr) and the DNS server (libslirp's vnameserver_addr).
 */
record GatewayAddresses(IpAddress host4, IpAddress dns4) {
    static GatewayAddresses of(UserConfig config) {
        return new GatewayAddresses(IpAddress.ofIpv4(config.host()), IpAddress.ofIpv4(config.dns()));
    }

    /** The host address in the family of {@code peer}, or null when that family is off. */
    IpAddress host(IpAddress peer) {
        return peer.isIpv4() ? host4 : null;
    }

    /** The DNS address in the family of {@code peer}, or null when that family is off. */
    IpAddress dns(IpAddress peer) {
        return peer.isIpv4() ? dns4 : null;
    }

    /** True for the host or DNS address of either family. */
    boolean isHostOrDns(IpAddress address) {
        return address.equals(host4) || address.equals(dns4);
    }
}
