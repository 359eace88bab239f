package io.vnet4j.wire;

import java.nio.ByteBuffer;

/**
 * View of a Router Advertisement (RFC 4861 section 4.2): type 134, Cur Hop Limit, the M and O flags,
 * Router Lifetime, Reachable Time, Retrans Timer, then options. {@link RouterAdvertisementWriter} writes a
 * whole one.
 */
public final class RouterAdvertisement extends NdpMessage {
    /** Type, code, checksum and the 12 bytes of fixed fields. */
    public static final int FIXED_LENGTH = 16;
    private static final int CUR_HOP_LIMIT = 4;
    private static final int FLAGS = 5;
    private static final int ROUTER_LIFETIME = 6;
    private static final int REACHABLE_TIME = 8;
    private static final int RETRANS_TIMER = 12;
    private static final int MANAGED = 0x80;
    private static final int OTHER = 0x40;

    /** Points this view at the {@code length}-byte ICMPv6 message at absolute {@code offset}; returns {@code this}. */
    public RouterAdvertisement wrap(ByteBuffer buffer, int offset, int length) {
        bind(buffer, offset, length);
        return this;
    }

    @Override
    int messageType() {
        return Icmpv6Type.ROUTER_ADVERTISEMENT;
    }

    @Override
    public int fixedLength() {
        return FIXED_LENGTH;
    }

    /** Cur Hop Limit: the hop limit hosts should use, 0 for unspecified. */
    public int curHopLimit() {
        return u8(CUR_HOP_LIMIT);
    }

    /** The M flag: addresses are available through DHCPv6. */
    public boolean managed() {
        return (u8(FLAGS) & MANAGED) != 0;
    }

    /** The O flag: other configuration (DNS, say) is available through DHCPv6. */
    public boolean otherConfiguration() {
        return (u8(FLAGS) & OTHER) != 0;
    }

    /** The whole flags byte, M and O included (RFC 4191's preference bits, RFC 5175's others). */
    public int flags() {
        return u8(FLAGS);
    }

    /** Router Lifetime in seconds; 0: not a default router. */
    public int routerLifetime() {
        return u16(ROUTER_LIFETIME);
    }

    /** Reachable Time in milliseconds, unsigned 32 bits; 0 for unspecified. */
    public long reachableTime() {
        return i32(REACHABLE_TIME) & 0xFFFF_FFFFL;
    }

    /** Retrans Timer in milliseconds, unsigned 32 bits; 0 for unspecified. */
    public long retransTimer() {
        return i32(RETRANS_TIMER) & 0xFFFF_FFFFL;
    }

    public void setCurHopLimit(int curHopLimit) {
        put8(CUR_HOP_LIMIT, curHopLimit);
    }

    /** Writes the flags byte with M and O as given and every other bit zero. */
    public void setFlags(boolean managed, boolean otherConfiguration) {
        put8(FLAGS, (managed ? MANAGED : 0) | (otherConfiguration ? OTHER : 0));
    }

    public void setRouterLifetime(int seconds) {
        put16(ROUTER_LIFETIME, seconds);
    }

    public void setReachableTime(long millis) {
        put32(REACHABLE_TIME, (int) millis);
    }

    public void setRetransTimer(long millis) {
        put32(RETRANS_TIMER, (int) millis);
    }
}
