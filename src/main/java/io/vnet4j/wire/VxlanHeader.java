package io.vnet4j.wire;

import java.nio.ByteBuffer;

/**
 * The VXLAN header (RFC 7348 section 5), 8 bytes after the outer UDP header, before the inner Ethernet
 * frame:
 * <pre>
 *   byte 0      flags: R R R R I R R R (I, 0x08: the VNI is valid; the R bits are sent as 0, ignored on receipt)
 *   bytes 1-3   reserved
 *   bytes 4-6   VNI, 24 bits, network byte order
 *   byte 7      reserved
 * </pre>
 * The IANA port is 4789 (Linux's iproute2 uses 8472 unless told {@code dstport 4789}).
 */
public final class VxlanHeader {
    public static final int LENGTH = 8;
    public static final int FLAG_VNI_VALID = 0x08;
    public static final int IANA_PORT = 4789;
    public static final int MAX_VNI = (1 << 24) - 1;
    /** Outer IPv4 (20), UDP (8), VXLAN (8) and inner Ethernet (14): what an inner IP packet loses to the underlay's MTU. */
    public static final int IPV4_OVERHEAD = 50;
    /** The same over an IPv6 underlay (outer IPv6 header 40 bytes). */
    public static final int IPV6_OVERHEAD = 70;

    private VxlanHeader() {}

    /**
     * Checks a received VXLAN payload of {@code length} bytes at {@code offset}: long enough for the header
     * and an inner Ethernet header, I flag set. The other flag bits and the reserved fields are ignored, as
     * RFC 7348 asks of a receiver.
     */
    public static WireError check(ByteBuffer datagram, int offset, int length) {
        if (length < LENGTH + EthernetFrame.HEADER_LENGTH) {
            return WireError.TRUNCATED;
        }
        if ((datagram.get(offset) & FLAG_VNI_VALID) == 0) {
            return WireError.BAD_FIELD;
        }
        return WireError.NONE;
    }

    /** The VNI of a checked header. */
    public static int vni(ByteBuffer datagram, int offset) {
        return datagram.getInt(offset + 4) >>> 8;
    }

    /** Writes a header for {@code vni} at {@code offset}: I flag set, everything else 0. */
    public static void write(ByteBuffer out, int offset, int vni) {
        out.putInt(offset, FLAG_VNI_VALID << 24);
        out.putInt(offset + 4, vni << 8);
    }
}
