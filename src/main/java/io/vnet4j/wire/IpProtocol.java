package io.vnet4j.wire;

/**
 * IP protocol numbers: the IPv4 protocol field and the IPv6 Next Header field (IANA's "Assigned Internet
 * Protocol Numbers"; the IPv6 extension headers are RFC 8200 section 4).
 */
public final class IpProtocol {
    /** IPv6 Hop-by-Hop Options header (RFC 8200 section 4.3); only right after the IPv6 header. */
    public static final int HOP_BY_HOP = 0;
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;
    /** IPv6 Routing header (RFC 8200 section 4.4). */
    public static final int ROUTING = 43;
    /** IPv6 Fragment header (RFC 8200 section 4.5). */
    public static final int FRAGMENT = 44;
    /** Encapsulating Security Payload (RFC 4303): ends an extension header walk. */
    public static final int ESP = 50;
    /** Authentication Header (RFC 4302): ends an extension header walk here, as no IPsec is done. */
    public static final int AH = 51;
    /** ICMP for IPv6 (RFC 4443). */
    public static final int ICMPV6 = 58;
    /** IPv6 No Next Header (RFC 8200 section 4.7): nothing follows. */
    public static final int NO_NEXT_HEADER = 59;
    /** IPv6 Destination Options header (RFC 8200 section 4.6). */
    public static final int DESTINATION_OPTIONS = 60;

    private IpProtocol() {}
}
