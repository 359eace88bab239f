package io.vnet4j.wire;

import java.nio.ByteBuffer;

/** Flyweight view of an Ethernet II frame (no FCS) with at most one IEEE 802.1Q VLAN tag. */
public final class EthernetFrame extends WireView {
    /** Length of an untagged header. */
    public static final int HEADER_LENGTH = 14;
    /** Length of a header with one 802.1Q tag. */
    public static final int TAGGED_HEADER_LENGTH = 18;
    /** The shortest frame Ethernet carries, without the FCS (IEEE 802.3: 64 bytes with it). */
    public static final int MIN_LENGTH = 60;
    private static final int DESTINATION = 0;
    private static final int SOURCE = 6;
    private static final int TYPE = 12;
    private static final int TCI = 14;
    private static final int INNER_TYPE = 16;

    /**
     * Zeroes {@code frame}'s bytes from absolute {@code length} up to {@link #MIN_LENGTH} (a frame built at
     * 0); returns the frame's length on the wire, at least {@code MIN_LENGTH}.
     */
    public static int pad(ByteBuffer frame, int length) {
        for (int i = length; i < MIN_LENGTH; i++) {
            frame.put(i, (byte) 0);
        }
        return Math.max(length, MIN_LENGTH);
    }

    /** Points this view at {@code length} bytes from absolute {@code offset}; returns {@code this}. */
    public EthernetFrame wrap(ByteBuffer buffer, int offset, int length) {
        bind(buffer, offset, length);
        return this;
    }

    /** Checks that the whole header, including any VLAN tag, is present. */
    public WireError check() {
        if (len < HEADER_LENGTH || (u16(TYPE) == EtherType.VLAN && len < TAGGED_HEADER_LENGTH)) {
            return WireError.TRUNCATED;
        }
        return WireError.NONE;
    }

    public long destination() {
        return mac(DESTINATION);
    }

    public long source() {
        return mac(SOURCE);
    }

    /** True when the frame carries an 802.1Q tag. */
    public boolean hasVlanTag() {
        return u16(TYPE) == EtherType.VLAN;
    }

    /** The 12-bit VLAN identifier; only meaningful when {@link #hasVlanTag()}. */
    public int vlanId() {
        return u16(TCI) & 0x0FFF;
    }

    /** The 3-bit priority code point; only meaningful when {@link #hasVlanTag()}. */
    public int pcp() {
        return u16(TCI) >>> 13;
    }

    /** The drop eligible indicator; only meaningful when {@link #hasVlanTag()}. */
    public boolean dei() {
        return (u16(TCI) & 0x1000) != 0;
    }

    /** The EtherType of the payload: after the tag when tagged. */
    public int etherType() {
        return hasVlanTag() ? u16(INNER_TYPE) : u16(TYPE);
    }

    /** Header length: 14, or 18 when tagged. */
    public int headerLength() {
        return hasVlanTag() ? TAGGED_HEADER_LENGTH : HEADER_LENGTH;
    }

    /** Absolute offset of the payload in the buffer. */
    public int payloadOffset() {
        return off + headerLength();
    }

    /** Bytes from the payload offset to the end of the view (including any padding). */
    public int payloadLength() {
        return len - headerLength();
    }

    public void setDestination(long mac) {
        putMac(DESTINATION, mac);
    }

    public void setSource(long mac) {
        putMac(SOURCE, mac);
    }

    /** Writes the type field of an untagged frame (offset 12). */
    public void setUntagged(int etherType) {
        put16(TYPE, etherType);
    }

    /** Writes an 802.1Q tag and the payload EtherType (offsets 12 to 17). */
    public void setTagged(int pcp, boolean dei, int vlanId, int etherType) {
        put16(TYPE, EtherType.VLAN);
        put16(TCI, pcp << 13 | (dei ? 0x1000 : 0) | vlanId & 0x0FFF);
        put16(INNER_TYPE, etherType);
    }
}
