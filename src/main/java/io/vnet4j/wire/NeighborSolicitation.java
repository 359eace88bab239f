package io.vnet4j.wire;

import java.nio.ByteBuffer;

/**
 * View of a Neighbor Solicitation (RFC 4861 section 4.3): type 135, a reserved word, the Target Address,
 * then options (a Source Link-Layer Address unless the source is unspecified, as in duplicate address
 * detection). {@link #check()} refuses a multicast target ({@link WireError#BAD_FIELD}, section 7.1.1).
 */
public final class NeighborSolicitation extends NdpMessage {
    /** Type, code, checksum, the reserved word and the target. */
    public static final int FIXED_LENGTH = 24;

    /** Points this view at the {@code length}-byte ICMPv6 message at absolute {@code offset}; returns {@code this}. */
    public NeighborSolicitation wrap(ByteBuffer buffer, int offset, int length) {
        bind(buffer, offset, length);
        return this;
    }

    @Override
    int messageType() {
        return Icmpv6Type.NEIGHBOR_SOLICITATION;
    }

    @Override
    public int fixedLength() {
        return FIXED_LENGTH;
    }

    @Override
    boolean fieldsValid() {
        return !targetIsMulticast();
    }

    /** The Target Address (allocates). */
    public IpAddress target() {
        return IpAddress.read(buf, targetOffset());
    }

    /** Absolute offset of the 16-byte Target Address, for {@link IpAddress#equalsAt}. */
    public int targetOffset() {
        return off + TARGET;
    }

    /** Writes the Target Address. */
    public void setTarget(IpAddress target) {
        target.write(buf, targetOffset());
    }
}
