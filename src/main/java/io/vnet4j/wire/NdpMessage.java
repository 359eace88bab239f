package io.vnet4j.wire;

/**
 * Base of the Neighbor Discovery message views (RFC 4861 section 4): an ICMPv6 message of one type with a
 * fixed part and options after it. A view must cover exactly the ICMPv6 message (the IPv6 upper-layer
 * bytes). {@link #check()} does the message's own validity checks of RFC 4861 sections 6.1 and 7.1; the
 * IPv6 ones (Hop Limit 255, the checksum, the source address rules) stay the caller's.
 */
public abstract sealed class NdpMessage extends WireView
        permits RouterSolicitation, RouterAdvertisement, NeighborSolicitation, NeighborAdvertisement {
    private static final int TYPE = 0;
    private static final int CODE = 1;
    private static final int CHECKSUM = 2;
    /** Where a target address lies in a Neighbor Solicitation or Advertisement. */
    static final int TARGET = 8;

    /** The ICMPv6 type of this message ({@link Icmpv6Type}). */
    abstract int messageType();

    /** Walks the options in {@link #check()}, so that checking allocates nothing. */
    private final NdpOptions checker = new NdpOptions();

    /** Bytes before the options: type, code, checksum and the fixed fields. */
    public abstract int fixedLength();

    /**
     * Checks: {@link WireError#TRUNCATED} when shorter than {@link #fixedLength()};
     * {@link WireError#UNSUPPORTED} for another ICMPv6 type; {@link WireError#BAD_FIELD} for a code other
     * than 0 or (Neighbor Solicitation and Advertisement) a multicast target; {@link WireError#BAD_OPTION}
     * for an option of length 0 or past the end (every option is walked).
     */
    public WireError check() {
        if (len < fixedLength()) {
            return WireError.TRUNCATED;
        }
        if (type() != messageType()) {
            return WireError.UNSUPPORTED;
        }
        if (code() != 0 || !fieldsValid()) {
            return WireError.BAD_FIELD;
        }
        return checker.reset(buf, optionsOffset(), optionsLength()).walkAll();
    }

    /** The fixed fields' own rule; true unless a subclass says otherwise. */
    boolean fieldsValid() {
        return true;
    }

    public int type() {
        return u8(TYPE);
    }

    public int code() {
        return u8(CODE);
    }

    public int checksum() {
        return u16(CHECKSUM);
    }

    /** Absolute offset of the options. */
    public int optionsOffset() {
        return off + fixedLength();
    }

    /** Bytes of options: the rest of the message. */
    public int optionsLength() {
        return len - fixedLength();
    }

    /** Points {@code options} at this message's options and returns it. */
    public NdpOptions options(NdpOptions options) {
        return options.reset(buf, optionsOffset(), optionsLength());
    }

    /**
     * Writes the ICMPv6 type of this message, code 0, checksum 0, and zeroes the fixed part after them
     * (reserved fields and flags); the fixed fields' setters and the options come after.
     */
    public void writeHeader() {
        put8(TYPE, messageType());
        put8(CODE, 0);
        put16(CHECKSUM, 0);
        for (int i = 4; i < fixedLength(); i++) {
            put8(i, 0);
        }
    }

    public void setChecksum(int checksum) {
        put16(CHECKSUM, checksum);
    }

    /** True when the ICMPv6 checksum verifies over the pseudo-header of {@code ip}'s addresses and the whole view. */
    public boolean checksumValid(Ipv6Packet ip) {
        return Checksum.fold(ip.pseudoHeaderSum(IpProtocol.ICMPV6, len) + Checksum.sum(buf, off, len)) == 0xFFFF;
    }

    /**
     * Computes the ICMPv6 checksum over the IPv6 pseudo-header and the whole view and stores it.
     *
     * @throws IllegalArgumentException unless both addresses are IPv6
     */
    public void fillChecksum(IpAddress source, IpAddress destination) {
        if (source.isIpv4() || destination.isIpv4()) {
            throw new IllegalArgumentException("NDP between IPv6 addresses only: " + source + ", " + destination);
        }
        setChecksum(0);
        setChecksum(Checksum.finish(Checksum.pseudoHeaderSum(source, destination, IpProtocol.ICMPV6, len)
                + Checksum.sum(buf, off, len)));
    }

    boolean targetIsMulticast() {
        return u8(TARGET) == 0xFF;
    }
}
