package io.vnet4j.usernet;

import io.vnet4j.config.UserConfig;
import io.vnet4j.wire.Icmpv6Type;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv6Packet;
import io.vnet4j.wire.NdpOptionType;
import io.vnet4j.wire.NdpOptionWriter;
import io.vnet4j.wire.NdpOptions;
import io.vnet4j.wire.NeighborAdvertisement;
import io.vnet4j.wire.NeighborSolicitation;
import io.vnet4j.wire.PrefixInformation;
import io.vnet4j.wire.RouterAdvertisement;
import io.vnet4j.wire.RouterAdvertisementContent;
import io.vnet4j.wire.RouterAdvertisementWriter;
import io.vnet4j.wire.RouterSolicitation;
import io.vnet4j.wire.WireError;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * The gateway's side of IPv6 neighbour discovery (RFC 4861), after libslirp's ip6_icmp.c: it answers
 * neighbour solicitations for its own addresses (host and DNS, global and link-local) with
 * advertisements, learns guests' MACs from what they solicit and advertise (and a SLAAC address from its
 * duplicate address detection, so a host forward finds a guest that has not spoken from it yet), and is
 * the link's router:
 * router advertisements answer each solicitation and go out unsolicited every 200-600 s (libslirp's
 * NDP_MinRtrAdvInterval..NDP_MaxRtrAdvInterval), the first three 16 s apart (RFC 4861 section 6.2.4's
 * MAX_INITIAL_RTR_ADVERT_INTERVAL and MAX_INITIAL_RTR_ADVERTISEMENTS, which libslirp does not keep: a guest whose
 * solicitations were lost, started before vnet4j, or that kept a prefix across a restart, learns the link within
 * 16 s, not 200-600 s), to all nodes, from the host's link-local address. They
 * carry the prefix for SLAAC (on-link, autonomous; valid 86400 s, preferred 14400 s), the MTU, the DNS
 * address (RDNSS) and the search list (DNSSL, RFC 8106), and the O flag, which sends clients to the
 * stateless DHCPv6 server for the rest. Messages without hop limit 255 (not from this link) or with a
 * bad checksum, code or option are dropped and counted (RFC 4861 sections 6.1.1, 7.1.1, 7.1.2).
 */
final class NeighborDiscovery {
    static final long MIN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(200);
    static final long MAX_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(600);
    /** RFC 4861 section 10's MAX_INITIAL_RTR_ADVERT_INTERVAL: the longest wait before each of the first advertisements. */
    static final long MAX_INITIAL_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(16);
    /** RFC 4861 section 10's MAX_INITIAL_RTR_ADVERTISEMENTS. */
    static final int MAX_INITIAL_ADVERTISEMENTS = 3;
    /** Router Lifetime: three times the longest interval, as libslirp (NDP_AdvDefaultLifetime). */
    static final int ROUTER_LIFETIME_SECONDS = 1800;
    static final long VALID_LIFETIME_SECONDS = 86400;
    static final long PREFERRED_LIFETIME_SECONDS = 14400;
    /** RDNSS and DNSSL lifetime: twice the longest interval (RFC 8106 section 5.1's recommendation). */
    static final long DNS_LIFETIME_SECONDS = 1200;
    static final IpAddress ALL_NODES = IpAddress.parse("ff02::1");

    private final GatewayAddresses addresses;
    private final GuestOutput out;
    private final NeighborTable neighbors;
    private final RouterAdvertisementWriter advertisement;
    private final RandomGenerator random;
    private final RouterSolicitation rs = new RouterSolicitation();
    private final NeighborSolicitation ns = new NeighborSolicitation();
    private final NeighborAdvertisement na = new NeighborAdvertisement();
    private final NdpOptions options = new NdpOptions();
    private final UserConfig.Ipv6 v6;
    /** The search domains the advertisements carry: the leading ones that fit (see {@link SearchList}). */
    final List<String> searchDomains;
    private long nextAdvertisement;
    /** Unsolicited advertisements sent, ever (the first ones come sooner: {@link #interval}). */
    private long unsolicitedSent;
    /** Messages dropped: not hop limit 255, malformed, or a router's message from a guest. */
    long dropped;
    long advertisementsSent;

    NeighborDiscovery(UserConfig config, GatewayAddresses addresses, GuestOutput out, NeighborTable neighbors,
                      RandomGenerator random, long now) {
        this.addresses = addresses;
        this.out = out;
        this.neighbors = neighbors;
        this.random = random;
        this.v6 = config.ipv6().orElseThrow();
        this.searchDomains = SearchList.fitting(SearchList.of(config), dnsslRoom(config.mtu()));
        this.advertisement = new RouterAdvertisementWriter(new RouterAdvertisementContent(GuestOutput.DEFAULT_TTL,
                false, true, ROUTER_LIFETIME_SECONDS, 0, 0,
                List.of(new PrefixInformation(v6.prefix(), v6.prefixLength(), true, true, VALID_LIFETIME_SECONDS,
                        PREFERRED_LIFETIME_SECONDS)),
                config.mtu(), GuestOutput.gatewayMac(addresses.hostLinkLocal()), DNS_LIFETIME_SECONDS,
                config.reach().builtinDns() ? List.of(v6.dns()) : List.of(), DNS_LIFETIME_SECONDS, searchDomains));
        this.nextAdvertisement = now + interval();
    }

    /**
     * The bytes of encoded names a DNSSL option may carry so that the whole advertisement fits one frame of
     * {@code mtu} (and one option's 255 units of 8 bytes): what the other options leave, less the DNSSL
     * header and the worst padding.
     */
    static int dnsslRoom(int mtu) {
        int others = RouterAdvertisement.FIXED_LENGTH + NdpOptionWriter.PREFIX_INFORMATION_LENGTH
                + NdpOptionWriter.MTU_LENGTH + NdpOptionWriter.LINK_LAYER_ADDRESS_LENGTH + NdpOptionWriter.rdnssLength(1);
        int room = Math.min(255 * NdpOptions.UNIT, mtu - Ipv6Packet.HEADER_LENGTH - others) - NdpOptions.UNIT
                - (NdpOptions.UNIT - 1);
        return Math.max(0, room);
    }

    /** The wait before the next unsolicited advertisement: no longer than 16 s before each of the first three. */
    private long interval() {
        long interval = random.nextLong(MIN_INTERVAL_NANOS, MAX_INTERVAL_NANOS + 1);
        return unsolicitedSent < MAX_INITIAL_ADVERTISEMENTS ? Math.min(interval, MAX_INITIAL_INTERVAL_NANOS) : interval;
    }

    /**
     * An NDP message (ICMPv6 types 133-137, checksum already checked) from {@code sourceMac}:
     * {@code buffer[offset, offset + length)} is the ICMPv6 message.
     */
    void message(int type, IpAddress source, IpAddress destination, int hopLimit, long sourceMac, ByteBuffer buffer,
                 int offset, int length) {
        if (hopLimit != GuestOutput.NDP_HOP_LIMIT) {
            dropped++;
            return;
        }
        switch (type) {
            case Icmpv6Type.ROUTER_SOLICITATION -> {
                if (rs.wrap(buffer, offset, length).check() != WireError.NONE
                        || source.isUnspecified() && hasLinkLayerAddress(rs.options(options), NdpOptionType.SOURCE_LINK_LAYER_ADDRESS)) {
                    dropped++; // RFC 4861 section 6.1.1: from :: no source link-layer address option
                    return;
                }
                learnFromOption(source, rs.options(options), NdpOptionType.SOURCE_LINK_LAYER_ADDRESS);
                sendAdvertisement();
            }
            case Icmpv6Type.NEIGHBOR_SOLICITATION -> {
                if (ns.wrap(buffer, offset, length).check() != WireError.NONE
                        || source.isUnspecified() && (!isSolicitedNodeGroup(destination)
                                || hasLinkLayerAddress(ns.options(options), NdpOptionType.SOURCE_LINK_LAYER_ADDRESS))) {
                    dropped++; // RFC 4861 section 7.1.1: from :: only to a solicited-node group, without the option
                    return;
                }
                IpAddress target = ns.target();
                if (!addresses.isHostOrDns(target)) {
                    if (source.isUnspecified() && v6.inNetwork(target)) {
                        // duplicate address detection: the guest is about to take this SLAAC address (RFC 4862
                        // section 5.4.2); learning it now lets a host forward reach a guest that has not spoken yet
                        neighbors.learn(target, sourceMac);
                    }
                    return; // otherwise another guest's address resolution: the hub carries it to them
                }
                if (!learnFromOption(source, ns.options(options), NdpOptionType.SOURCE_LINK_LAYER_ADDRESS)
                        && !source.isUnspecified()) {
                    neighbors.learn(source, sourceMac);
                }
                sendNeighborAdvertisement(target, source, sourceMac);
            }
            case Icmpv6Type.NEIGHBOR_ADVERTISEMENT -> {
                if (na.wrap(buffer, offset, length).check() != WireError.NONE
                        || destination.isMulticastOrBroadcast() && na.solicited()) {
                    dropped++;
                    return;
                }
                if (addresses.isHostOrDns(na.target())) {
                    dropped++; // another station advertising the gateway's address: not learnt (Linux ignores it too)
                    return;
                }
                if (!learnFromOption(na.target(), na.options(options), NdpOptionType.TARGET_LINK_LAYER_ADDRESS)) {
                    neighbors.learn(na.target(), sourceMac);
                }
            }
            default -> dropped++; // router advertisements and redirects: the gateway is the only router here
        }
    }

    /** ff02::1:ffXX:XXXX (RFC 4291 section 2.7.1). */
    static boolean isSolicitedNodeGroup(IpAddress address) {
        return address.high() == 0xFF02_0000_0000_0000L && (address.low() & 0xFFFF_FFFF_FF00_0000L) == 0x0000_0001_FF00_0000L;
    }

    /** Whether the options hold a link-layer address option of {@code type}. */
    private static boolean hasLinkLayerAddress(NdpOptions options, int type) {
        while (options.next()) {
            if (options.type() == type) {
                return true;
            }
        }
        return false;
    }

    /** Learns {@code address} at the MAC of the first link-layer address option of {@code type}; false when none. */
    private boolean learnFromOption(IpAddress address, NdpOptions options, int type) {
        while (options.next()) {
            if (options.type() == type && options.wellFormed()) {
                if (!address.isUnspecified()) {
                    neighbors.learn(address, options.linkLayerAddress());
                }
                return true;
            }
        }
        return false;
    }

    /** A solicited advertisement for {@code target}, or to all nodes when the solicitation came from :: (DAD). */
    private void sendNeighborAdvertisement(IpAddress target, IpAddress solicitor, long solicitorMac) {
        ByteBuffer body = out.payloadBuffer();
        int length = NeighborAdvertisement.FIXED_LENGTH + NdpOptionWriter.LINK_LAYER_ADDRESS_LENGTH;
        na.wrap(body, 0, length);
        na.writeHeader();
        boolean toAll = solicitor.isUnspecified();
        na.setFlags(true, !toAll, true);
        na.setTarget(target);
        NdpOptionWriter.writeLinkLayerAddress(body, NeighborAdvertisement.FIXED_LENGTH,
                NdpOptionType.TARGET_LINK_LAYER_ADDRESS, GuestOutput.gatewayMac(target));
        out.sendIcmp(target, toAll ? ALL_NODES : solicitor, toAll ? NeighborTable.UNKNOWN : solicitorMac,
                GuestOutput.NDP_HOP_LIMIT, length);
    }

    /** A router advertisement to all nodes. */
    void sendAdvertisement() {
        int length = advertisement.write(out.payloadBuffer(), 0, addresses.hostLinkLocal(), ALL_NODES);
        out.sendIcmp(addresses.hostLinkLocal(), ALL_NODES, NeighborTable.UNKNOWN, GuestOutput.NDP_HOP_LIMIT, length);
        advertisementsSent++;
    }

    /**
     * Sends the unsolicited advertisement when its time has come.
     *
     * @return nanoseconds until the next one
     */
    long poll(long now) {
        if (now - nextAdvertisement >= 0) {
            sendAdvertisement();
            unsolicitedSent++;
            nextAdvertisement = now + interval();
        }
        return nextAdvertisement - now;
    }
}
