package io.vnet4j.wire;

/**
 * The content of a Prefix Information option (RFC 4861 section 4.6.2).
 *
 * @param prefix            an IPv6 address; bits after {@code prefixLength} should be zero
 * @param prefixLength      0-128
 * @param onLink            the L flag
 * @param autonomous        the A flag (SLAAC may use the prefix)
 * @param validLifetime     seconds, unsigned 32 bits; 0xffffffff is infinity
 * @param preferredLifetime seconds, unsigned 32 bits, at most the valid lifetime
 */
public record PrefixInformation(IpAddress prefix, int prefixLength, boolean onLink, boolean autonomous,
                                long validLifetime, long preferredLifetime) {
    /** A lifetime of 0xffffffff: infinity. */
    public static final long INFINITE = 0xFFFF_FFFFL;

    /** @throws IllegalArgumentException for an IPv4 prefix or a prefix length outside 0-128 */
    public PrefixInformation {
        if (prefix.isIpv4() || prefixLength < 0 || prefixLength > 128) {
            throw new IllegalArgumentException("not an IPv6 prefix: " + prefix + "/" + prefixLength);
        }
    }
}
