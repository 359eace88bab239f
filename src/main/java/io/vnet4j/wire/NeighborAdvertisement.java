package io.vnet4j.wire;

import java.nio.ByteBuffer;

/**
 * View of a Neighbor Advertisement (RFC 4861 section 4.4): type 136, the R (router), S (solicited) and
 * O (override) flags and 29 reserved bits, the Target Address, then options (a Target Link-Layer Address).
 * {@link #check()} refuses a multicast target ({@link WireError#BAD_FIELD}, section 7.1.2); that S is clear
 * when the IPv6 destination is multicast is the caller's check.
 */
public final class NeighborAdvertisement extends NdpMessage {
    /** Type, code, checksum, the flags word and the target. */
    public static final int FIXED_LENGTH = 24;
    private static final int FLAGS = 4;
    private static final int ROUTER = 0x80;
    private static final int SOLICITED = 0x40;
    private static final int OVERRIDE = 0x20;

    /** Points this view at the {@code length}-byte ICMPv6 message at absolute {@code offset}; returns {@code this}. */
    public NeighborAdvertisement wrap(ByteBuffer buffer, int offset, int length) {
        bind(buffer, offset, length);
        return this;
    }

    @Override
    int messageType() {
        return Icmpv6Type.NEIGHBOR_ADVERTISEMENT;
    }

    @Override
    public int fixedLength() {
        return FIXED_LENGTH;
    }

    @Override
    boolean fieldsValid() {
        return !targetIsMulticast();
    }

    /** The R flag: the sender is a router. */
    public boolean router() {
        return (u8(FLAGS) & ROUTER) != 0;
    }

    /** The S flag: sent in answer to a Neighbor Solicitation. */
    public boolean solicited() {
        return (u8(FLAGS) & SOLICITED) != 0;
    }

    /** The O flag: the advertisement should override a cached link-layer address. */
    public boolean override() {
        return (u8(FLAGS) & OVERRIDE) != 0;
    }

    /** The Target Address (allocates). */
    public IpAddress target() {
        return IpAddress.read(buf, targetOffset());
    }

    /** Absolute offset of the 16-byte Target Address, for {@link IpAddress#equalsAt}. */
    public int targetOffset() {
        return off + TARGET;
    }

    /** Writes the flags word: R, S and O as given, the reserved bits zero. */
    public void setFlags(boolean router, boolean solicited, boolean override) {
        put32(FLAGS, ((router ? ROUTER : 0) | (solicited ? SOLICITED : 0) | (override ? OVERRIDE : 0)) << 24);
    }

    /** Writes the Target Address. */
    public void setTarget(IpAddress target) {
        target.write(buf, targetOffset());
    }
}
