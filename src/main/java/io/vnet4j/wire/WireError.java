package io.vnet4j.wire;

/** Outcome of a checked parse of untrusted bytes; parsers report these instead of throwing. */
public enum WireError {
    /** The bytes are well formed. */
    NONE,
    /** The range is shorter than the fixed header. */
    TRUNCATED,
    /** A length field (IHL, total length, UDP length, TCP data offset) disagrees with the bytes present. */
    BAD_LENGTH,
    /** The version field is not the one the view handles. */
    BAD_VERSION,
    /** A checksum does not verify. */
    BAD_CHECKSUM,
    /** An option is malformed: zero or one length, runs past its area, or a known kind has the wrong length. */
    BAD_OPTION,
    /** Well formed but outside what the view handles (e.g. ARP for something other than Ethernet/IPv4). */
    UNSUPPORTED,
    /**
     * IPv6 extension headers out of order or too many (RFC 8200 section 4.1): a Hop-by-Hop Options header
     * not right after the IPv6 header, a second Fragment header, or more headers than the walk allows.
     */
    BAD_HEADER_CHAIN,
    /** A field holds a value its RFC forbids (an NDP message with a code other than 0 or a multicast target). */
    BAD_FIELD
}
