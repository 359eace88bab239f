package io.vnet4j.wire;

import java.nio.ByteBuffer;

/** View of a Router Solicitation (RFC 4861 section 4.1): type 133, a reserved word, then options. */
public final class RouterSolicitation extends NdpMessage {
    /** Type, code, checksum and the reserved word. */
    public static final int FIXED_LENGTH = 8;

    /** Points this view at the {@code length}-byte ICMPv6 message at absolute {@code offset}; returns {@code this}. */
    public RouterSolicitation wrap(ByteBuffer buffer, int offset, int length) {
        bind(buffer, offset, length);
        return this;
    }

    @Override
    int messageType() {
        return Icmpv6Type.ROUTER_SOLICITATION;
    }

    @Override
    public int fixedLength() {
        return FIXED_LENGTH;
    }
}
