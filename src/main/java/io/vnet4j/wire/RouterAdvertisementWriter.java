package io.vnet4j.wire;

import java.nio.ByteBuffer;

/**
 * Writes a whole Router Advertisement ICMPv6 message from a {@link RouterAdvertisementContent}: the fixed
 * fields, then the options in the order dnsmasq sends them (Prefix Information, MTU, Source Link-Layer
 * Address, DNSSL, RDNSS; RFC 4861 leaves the order free), then the checksum. The names are encoded once,
 * here; {@link #write} allocates nothing.
 */
public final class RouterAdvertisementWriter {
    private final RouterAdvertisementContent content;
    private final byte[] searchList;
    private final int length;
    private final RouterAdvertisement view = new RouterAdvertisement();

    /**
     * @throws IllegalArgumentException when a search domain cannot be encoded ({@link DomainNames#encode}) or
     *                                  the message would pass 65535 bytes
     */
    public RouterAdvertisementWriter(RouterAdvertisementContent content) {
        this.content = content;
        this.searchList = DomainNames.encode(content.searchDomains());
        if (searchList.length > 0 && NdpOptionWriter.dnsslLength(searchList.length) / NdpOptions.UNIT > 255) {
            throw new IllegalArgumentException("search domains too long for one DNSSL option: "
                    + content.searchDomains());
        }
        long total = RouterAdvertisement.FIXED_LENGTH
                + (long) NdpOptionWriter.PREFIX_INFORMATION_LENGTH * content.prefixes().size()
                + (content.mtu() != 0 ? NdpOptionWriter.MTU_LENGTH : 0)
                + (content.sourceLinkLayerAddress() != RouterAdvertisementContent.NO_ADDRESS
                        ? NdpOptionWriter.LINK_LAYER_ADDRESS_LENGTH : 0)
                + (searchList.length > 0 ? NdpOptionWriter.dnsslLength(searchList.length) : 0)
                + (content.dnsServers().isEmpty() ? 0 : NdpOptionWriter.rdnssLength(content.dnsServers().size()));
        if (total > 0xFFFF) {
            throw new IllegalArgumentException("router advertisement of " + total + " bytes");
        }
        this.length = (int) total;
    }

    /** The message's length in bytes. */
    public int length() {
        return length;
    }

    /**
     * Writes the message at absolute {@code offset} of {@code buf} (big-endian), its checksum computed for an
     * IPv6 packet from {@code source} to {@code destination}, and returns its length.
     *
     * @throws IndexOutOfBoundsException when {@link #length()} bytes do not fit before the buffer's limit
     * @throws IllegalArgumentException  unless both addresses are IPv6
     */
    public int write(ByteBuffer buf, int offset, IpAddress source, IpAddress destination) {
        view.wrap(buf, offset, length);
        view.writeHeader();
        view.setCurHopLimit(content.curHopLimit());
        view.setFlags(content.managed(), content.otherConfiguration());
        view.setRouterLifetime(content.routerLifetime());
        view.setReachableTime(content.reachableTime());
        view.setRetransTimer(content.retransTimer());
        int at = offset + RouterAdvertisement.FIXED_LENGTH;
        for (int i = 0; i < content.prefixes().size(); i++) {
            at += NdpOptionWriter.writePrefixInformation(buf, at, content.prefixes().get(i));
        }
        if (content.mtu() != 0) {
            at += NdpOptionWriter.writeMtu(buf, at, content.mtu());
        }
        if (content.sourceLinkLayerAddress() != RouterAdvertisementContent.NO_ADDRESS) {
            at += NdpOptionWriter.writeLinkLayerAddress(buf, at, NdpOptionType.SOURCE_LINK_LAYER_ADDRESS,
                    content.sourceLinkLayerAddress());
        }
        if (searchList.length > 0) {
            at += NdpOptionWriter.writeDnssl(buf, at, content.dnsslLifetime(), searchList);
        }
        if (!content.dnsServers().isEmpty()) {
            at += NdpOptionWriter.writeRdnss(buf, at, content.rdnssLifetime(), content.dnsServers());
        }
        view.fillChecksum(source, destination);
        return at - offset;
    }
}
