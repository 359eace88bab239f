package io.vnet4j.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * An IPv4 or IPv6 address as one immutable value, so flow tables, forwards and settings are written
 * once for both families (passt's {@code inany_addr}, smoltcp's {@code IpAddress}). The 128 bits are two
 * {@code long}s in network order ({@link #high()} holds the first eight bytes); an IPv4 address is held
 * IPv4-mapped ({@code ::ffff:a.b.c.d}, RFC 4291 section 2.5.5.2), which RFC 4942 section 2.2 keeps off
 * the wire, so the two families never collide. Equality and hash are over the 128 bits.
 */
public final class IpAddress {
    private static final long MAPPED_HIGH = 0L;
    private static final long MAPPED_LOW_PREFIX = 0x0000_FFFF_0000_0000L;
    /** {@code 0.0.0.0}. */
    public static final IpAddress IPV4_ANY = ofIpv4(0);
    /** {@code ::}. */
    public static final IpAddress IPV6_ANY = ofIpv6(0, 0);
    /** {@code 127.0.0.1}. */
    public static final IpAddress IPV4_LOOPBACK = ofIpv4(0x7F00_0001);
    /** {@code ::1}. */
    public static final IpAddress IPV6_LOOPBACK = ofIpv6(0, 1);

    private final long high;
    private final long low;

    private IpAddress(long high, long low) {
        this.high = high;
        this.low = low;
    }

    /** The IPv4 address {@code address} (first octet in the high byte of the {@code int}). */
    public static IpAddress ofIpv4(int address) {
        return new IpAddress(MAPPED_HIGH, MAPPED_LOW_PREFIX | (address & 0xFFFF_FFFFL));
    }

    /**
     * The IPv6 address whose first eight bytes are {@code high} and last eight {@code low}, both in
     * network order. An IPv4-mapped value is the IPv4 address.
     */
    public static IpAddress ofIpv6(long high, long low) {
        return new IpAddress(high, low);
    }

    /** The 16 bytes at absolute {@code offset} of a big-endian buffer as an address (IPv4-mapped: IPv4). */
    public static IpAddress read(ByteBuffer buffer, int offset) {
        return new IpAddress(buffer.getLong(offset), buffer.getLong(offset + 8));
    }

    /** The address of a {@link InetAddress} (an {@code Inet6Address}'s scope is not kept). */
    public static IpAddress of(InetAddress address) {
        byte[] b = address.getAddress();
        if (b.length == 4) {
            return ofIpv4(Ipv4Address.fromBytes(b));
        }
        return new IpAddress(ByteBuffer.wrap(b).getLong(0), ByteBuffer.wrap(b).getLong(8));
    }

    /**
     * Parses dotted-quad IPv4 ({@link Ipv4Address#parse}) or IPv6 text (RFC 4291 section 2.2: eight groups
     * of one to four hex digits, one {@code ::}, an optional dotted-quad tail); no brackets, zones or prefixes.
     *
     * @throws IllegalArgumentException naming the text when it is neither
     */
    public static IpAddress parse(String text) {
        if (text.indexOf(':') < 0) {
            return ofIpv4(Ipv4Address.parse(text));
        }
        return Ipv6Text.parse(text);
    }

    /** True for an IPv4 address. */
    public boolean isIpv4() {
        return high == MAPPED_HIGH && (low & 0xFFFF_FFFF_0000_0000L) == MAPPED_LOW_PREFIX;
    }

    /** True for an IPv6 address. */
    public boolean isIpv6() {
        return !isIpv4();
    }

    /**
     * The IPv4 address as an {@code int}.
     *
     * @throws IllegalStateException for an IPv6 address
     */
    public int ipv4() {
        if (!isIpv4()) {
            throw new IllegalStateException("not an IPv4 address: " + this);
        }
        return (int) low;
    }

    /** The first eight bytes, network order (zero for IPv4). */
    public long high() {
        return high;
    }

    /** The last eight bytes, network order ({@code 0000:ffff:} and the IPv4 address for IPv4). */
    public long low() {
        return low;
    }

    /** Writes the 16 bytes (IPv4-mapped for IPv4) at absolute {@code offset} of a big-endian buffer. */
    public void write(ByteBuffer buffer, int offset) {
        buffer.putLong(offset, high);
        buffer.putLong(offset + 8, low);
    }

    /** True when the 16 bytes at absolute {@code offset} are this address; allocates nothing. */
    public boolean equalsAt(ByteBuffer buffer, int offset) {
        return buffer.getLong(offset) == high && buffer.getLong(offset + 8) == low;
    }

    /** {@code 0.0.0.0} or {@code ::}. */
    public boolean isUnspecified() {
        return isIpv4() ? (int) low == 0 : high == 0 && low == 0;
    }

    /** {@code 127.0.0.0/8} or {@code ::1}. */
    public boolean isLoopback() {
        return isIpv4() ? ((int) low >>> 24) == 127 : high == 0 && low == 1;
    }

    /**
     * {@code 0.0.0.0/8}, {@code 127.0.0.0/8}, {@code ::} or {@code ::1}: a node's own "this host" and loopback
     * addresses, which never name a destination beyond it, so a router does not forward a packet to one
     * (RFC 1812 section 5.3.7; RFC 4291 sections 2.5.2 and 2.5.3).
     */
    public boolean isNeverForwarded() {
        int first = (int) low >>> 24;
        return isIpv4() ? first == 0 || first == 127 : high == 0 && (low == 0 || low == 1);
    }

    /** {@code 224.0.0.0/4}, {@code 255.255.255.255} (limited broadcast) or {@code ff00::/8}. */
    public boolean isMulticastOrBroadcast() {
        return isIpv4() ? ((int) low >>> 28) == 0xE || (int) low == -1 : (high >>> 56) == 0xFF;
    }

    /** IPv6 link-local unicast, {@code fe80::/10}. */
    public boolean isLinkLocal() {
        return (high >>> 54) == (0xFE80L >>> 6);
    }

    /** The number of prefix bits in this family: 32 or 128. */
    public int bits() {
        return isIpv4() ? 32 : 128;
    }

    /**
     * True when this address is in {@code network/prefixLength} of the same family; {@code prefixLength}
     * counts bits of that family (0-32 for IPv4, 0-128 for IPv6).
     */
    public boolean inPrefix(IpAddress network, int prefixLength) {
        if (isIpv4() != network.isIpv4()) {
            return false;
        }
        int cleared = clearedBits(prefixLength);
        return ((high ^ network.high) & highMask(cleared)) == 0 && ((low ^ network.low) & lowMask(cleared)) == 0;
    }

    /** This address with all but the first {@code prefixLength} bits of its family cleared. */
    public IpAddress masked(int prefixLength) {
        int cleared = clearedBits(prefixLength);
        return new IpAddress(high & highMask(cleared), low & lowMask(cleared));
    }

    /** How many bits at the end of the 128 lie after {@code prefixLength} bits of this family. */
    private int clearedBits(int prefixLength) {
        int bits = bits();
        if (prefixLength < 0 || prefixLength > bits) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " outside 0-" + bits);
        }
        return bits - prefixLength;
    }

    private static long lowMask(int cleared) {
        return cleared >= 64 ? 0 : -1L << cleared;
    }

    private static long highMask(int cleared) {
        return cleared <= 64 ? -1L : cleared >= 128 ? 0 : -1L << (cleared - 64);
    }

    /** The address as the JDK's type (an {@code Inet4Address} for IPv4). */
    public InetAddress toInetAddress() {
        try {
            if (isIpv4()) {
                return Inet4Address.getByAddress(Ipv4Address.toBytes((int) low));
            }
            byte[] b = new byte[16];
            write(ByteBuffer.wrap(b), 0);
            return Inet6Address.getByAddress(null, b, null);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // only thrown for a wrong length
        }
    }

    /** The address in brackets when IPv6 ({@code [fec0::2]}), as it stands before {@code :port}. */
    public String toUriString() {
        return isIpv4() ? toString() : "[" + this + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpAddress a && a.high == high && a.low == low;
    }

    @Override
    public int hashCode() {
        long h = high * 0x9E37_79B9_7F4A_7C15L ^ low;
        return (int) (h ^ (h >>> 32));
    }

    /** Dotted quad for IPv4, RFC 5952 text for IPv6 (lower case, the longest run of zero groups as {@code ::}). */
    @Override
    public String toString() {
        return isIpv4() ? Ipv4Address.format((int) low) : Ipv6Text.format(high, low);
    }
}
