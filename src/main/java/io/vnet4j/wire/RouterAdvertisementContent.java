package io.vnet4j.wire;

import java.util.List;

/**
 * What a Router Advertisement says (RFC 4861 section 4.2, RFC 8106 section 5), for
 * {@link RouterAdvertisementWriter}. Lifetimes and times are unsigned 32 bits unless said otherwise.
 *
 * @param curHopLimit            Cur Hop Limit, 0-255 (0: unspecified)
 * @param managed                the M flag
 * @param otherConfiguration     the O flag
 * @param routerLifetime         seconds, 0-65535 (0: not a default router)
 * @param reachableTime          milliseconds (0: unspecified)
 * @param retransTimer           milliseconds (0: unspecified)
 * @param prefixes               one Prefix Information option each
 * @param mtu                    an MTU option in bytes, or 0 for none
 * @param sourceLinkLayerAddress a Source Link-Layer Address option (a MAC), or {@link #NO_ADDRESS} for none
 * @param rdnssLifetime          seconds, for the RDNSS option
 * @param dnsServers             an RDNSS option with these IPv6 addresses (1-127), none when empty
 * @param dnsslLifetime          seconds, for the DNSSL option
 * @param searchDomains          a DNSSL option with these names, none when empty
 */
public record RouterAdvertisementContent(int curHopLimit, boolean managed, boolean otherConfiguration,
                                         int routerLifetime, long reachableTime, long retransTimer,
                                         List<PrefixInformation> prefixes, long mtu, long sourceLinkLayerAddress,
                                         long rdnssLifetime, List<IpAddress> dnsServers, long dnsslLifetime,
                                         List<String> searchDomains) {
    /** {@link #sourceLinkLayerAddress} when no Source Link-Layer Address option is sent. */
    public static final long NO_ADDRESS = -1;

    /** @throws IllegalArgumentException for a field out of its range or an IPv4 DNS server */
    public RouterAdvertisementContent {
        prefixes = List.copyOf(prefixes);
        dnsServers = List.copyOf(dnsServers);
        searchDomains = List.copyOf(searchDomains);
        if (curHopLimit < 0 || curHopLimit > 255 || routerLifetime < 0 || routerLifetime > 0xFFFF
                || !u32(reachableTime) || !u32(retransTimer) || !u32(mtu) || !u32(rdnssLifetime)
                || !u32(dnsslLifetime) || dnsServers.size() > 127
                || sourceLinkLayerAddress != NO_ADDRESS && (sourceLinkLayerAddress >>> 48) != 0) {
            throw new IllegalArgumentException("router advertisement field out of range: " + this);
        }
        for (IpAddress server : dnsServers) {
            if (server.isIpv4()) {
                throw new IllegalArgumentException("RDNSS with an IPv4 address: " + server);
            }
        }
    }

    private static boolean u32(long value) {
        return (value >>> 32) == 0;
    }
}
