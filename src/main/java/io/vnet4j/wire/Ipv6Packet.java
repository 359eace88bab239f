package io.vnet4j.wire;

import java.nio.ByteBuffer;

/**
 * Flyweight view of an IPv6 packet (RFC 8200): the 40-byte fixed header and, after {@link #check()}, the
 * result of a walk along its extension headers, held in fields so nothing is allocated per packet. The
 * view may extend past the packet (Ethernet padding); the packet is the fixed header plus
 * {@link #payloadLength()} bytes.
 *
 * <p>The walk (RFC 8200 sections 4.1-4.7) steps over Hop-by-Hop Options (0, only as the first header),
 * Routing (43), Fragment (44) and Destination Options (60) headers, at most {@link #MAX_EXTENSION_HEADERS}
 * of them, each inside the payload, and stops at the first other Next Header value: the upper-layer
 * protocol (TCP 6, UDP 17, ICMPv6 58, ESP 50, AH 51, anything unknown), or No Next Header (59), whose
 * upper-layer length is 0 (bytes after it are ignored, RFC 8200 section 4.7). A Fragment header that is not
 * atomic (offset or M flag set) also ends the walk: what follows it is fragment data, so the upper-layer
 * protocol is that header's Next Header (possibly an extension header of the fragmentable part), and its
 * offset and length are the fragment data's (also when that Next Header is 59). An atomic fragment (offset 0, M clear, RFC 6946) is walked
 * through as a whole packet. The Authentication Header is not walked, except in a first fragment: there
 * the walk goes on through the fragmentable part's extension headers (Authentication included) to find
 * whether the fragment holds the whole header chain (RFC 7112, RFC 8200 section 4.5;
 * {@link #firstFragmentUpperOffset()}).
 */
public final class Ipv6Packet extends WireView {
    /** Length of the fixed header. */
    public static final int HEADER_LENGTH = 40;
    /** The most extension headers a walk steps over; one more is {@link WireError#BAD_HEADER_CHAIN}. */
    public static final int MAX_EXTENSION_HEADERS = 8;
    /** Length of a Fragment header (RFC 8200 section 4.5). */
    public static final int FRAGMENT_HEADER_LENGTH = 8;
    /** What the walk's offsets read while no walk has succeeded (or, for the fragment fields, no Fragment header was met). */
    public static final int NONE = -1;
    private static final int VERSION_CLASS_FLOW = 0;
    private static final int PAYLOAD_LENGTH = 4;
    private static final int NEXT_HEADER = 6;
    private static final int HOP_LIMIT = 7;
    private static final int SOURCE = 8;
    private static final int DESTINATION = 24;
    private static final int FLOW_LABEL_MASK = 0xF_FFFF;
    private static final int MORE_FRAGMENTS = 0x1;
    private static final int FRAGMENT_OFFSET_MASK = 0xFFF8;
    /** {@link #unrecognizedOption}'s answer when an option runs past its header. */
    public static final int MALFORMED_OPTIONS = -2;
    private static final int PAD1 = 0x00;
    private static final int PADN = 0x01;
    private static final int ROUTER_ALERT = 0x05;
    /** An option type's two highest bits when an unrecognized option is skipped over (RFC 8200 section 4.2). */
    private static final int SKIP_OPTION = 0b00;

    private int upperProtocol = NONE;
    private int upperOffset = NONE;
    private int upperLength = NONE;
    private int extensionHeaders;
    private int routingSegmentsLeft = NONE;
    private int routingHeaderOffset = NONE;
    private int hopByHopOption = NONE;
    private int destinationOption = NONE;
    private int fragmentHeaderOffset = NONE;
    private int perFragmentNextHeaderOffset = NONE;
    private int fragmentOffset;
    private boolean moreFragments;
    private int fragmentIdentification;
    private int firstUpperProtocol = NONE;
    private int firstUpperOffset = NONE;

    /** Points this view at {@code length} bytes from absolute {@code offset}; returns {@code this}. Forgets the last walk. */
    public Ipv6Packet wrap(ByteBuffer buffer, int offset, int length) {
        bind(buffer, offset, length);
        forgetWalk();
        return this;
    }

    /**
     * Checks the fixed header and walks the extension headers. Errors: {@link WireError#TRUNCATED} for a
     * view under 40 bytes; {@link WireError#BAD_VERSION} unless the version is 6;
     * {@link WireError#UNSUPPORTED} for payload length 0 (a jumbogram's, RFC 2675, refused) and for an
     * IPv4-mapped source or destination (never on the wire, RFC 4942 section 2.2);
     * {@link WireError#BAD_LENGTH} when the payload runs past the view, an extension header past the
     * payload or an option past its header; {@link WireError#BAD_HEADER_CHAIN} for Hop-by-Hop Options not
     * first, a second Fragment header, or more than {@link #MAX_EXTENSION_HEADERS} headers (or, in a first
     * fragment's fragmentable part, more than as many again). After {@link WireError#NONE} the walk's
     * accessors are valid and every offset they give lies within the packet; after an error they read
     * {@link #NONE}.
     */
    public WireError check() {
        forgetWalk();
        if (len < HEADER_LENGTH) {
            return WireError.TRUNCATED;
        }
        if (version() != 6) {
            return WireError.BAD_VERSION;
        }
        int payloadLength = payloadLength();
        if (payloadLength == 0 || isMapped(SOURCE) || isMapped(DESTINATION)) {
            return WireError.UNSUPPORTED;
        }
        if (HEADER_LENGTH + payloadLength > len) {
            return WireError.BAD_LENGTH;
        }
        WireError error = walk(HEADER_LENGTH + payloadLength);
        if (error != WireError.NONE) {
            forgetWalk();
        }
        return error;
    }

    /** Steps over the extension headers up to {@code end} (relative), recording where the upper layer starts. */
    private WireError walk(int end) {
        int next = nextHeader();
        int linkField = NEXT_HEADER;
        int at = HEADER_LENGTH;
        while (true) {
            switch (next) {
                case IpProtocol.HOP_BY_HOP, IpProtocol.ROUTING, IpProtocol.DESTINATION_OPTIONS -> {
                    if (next == IpProtocol.HOP_BY_HOP && at != HEADER_LENGTH) {
                        return WireError.BAD_HEADER_CHAIN;
                    }
                    if (++extensionHeaders > MAX_EXTENSION_HEADERS) {
                        return WireError.BAD_HEADER_CHAIN;
                    }
                    if (at + 8 > end) {
                        return WireError.BAD_LENGTH;
                    }
                    int headerLength = (u8(at + 1) + 1) * 8; // Hdr Ext Len: 8-octet units beyond the first 8
                    if (at + headerLength > end) {
                        return WireError.BAD_LENGTH;
                    }
                    if (next != IpProtocol.ROUTING) {
                        WireError error = walkOptions(next == IpProtocol.HOP_BY_HOP, at + 2, at + headerLength);
                        if (error != WireError.NONE) {
                            return error;
                        }
                    } else if (routingSegmentsLeft == NONE) {
                        routingSegmentsLeft = u8(at + 3);
                        routingHeaderOffset = off + at;
                    }
                    linkField = at;
                    next = u8(at);
                    at += headerLength;
                }
                case IpProtocol.FRAGMENT -> {
                    if (fragmentHeaderOffset != NONE || ++extensionHeaders > MAX_EXTENSION_HEADERS) {
                        return WireError.BAD_HEADER_CHAIN;
                    }
                    if (at + FRAGMENT_HEADER_LENGTH > end) {
                        return WireError.BAD_LENGTH;
                    }
                    int offsetFlags = u16(at + 2);
                    fragmentHeaderOffset = off + at;
                    perFragmentNextHeaderOffset = off + linkField;
                    fragmentOffset = offsetFlags & FRAGMENT_OFFSET_MASK;
                    moreFragments = (offsetFlags & MORE_FRAGMENTS) != 0;
                    fragmentIdentification = i32(at + 4);
                    linkField = at;
                    next = u8(at);
                    at += FRAGMENT_HEADER_LENGTH;
                    if (fragmented()) {
                        WireError error = fragmentOffset == 0 ? walkFirstFragment(next, at, end) : WireError.NONE;
                        return error != WireError.NONE ? error : upperLayer(next, at, end - at);
                    }
                }
                case IpProtocol.NO_NEXT_HEADER -> {
                    return upperLayer(next, at, 0);
                }
                default -> {
                    return upperLayer(next, at, end - at);
                }
            }
        }
    }

    /**
     * Records the first unrecognized option of a Hop-by-Hop or Destination Options header's {@code [at, end)}
     * (relative).
     */
    private WireError walkOptions(boolean hopByHop, int at, int end) {
        int option = unrecognizedOption(buf, off + at, off + end);
        if (option == MALFORMED_OPTIONS) {
            return WireError.BAD_LENGTH;
        }
        if (hopByHop && hopByHopOption == NONE) {
            hopByHopOption = option;
        } else if (!hopByHop && destinationOption == NONE) {
            destinationOption = option;
        }
        return WireError.NONE;
    }

    /**
     * Steps over the options (RFC 8200 section 4.2) of a Hop-by-Hop or Destination Options header, from
     * absolute {@code at} to {@code end}, and gives the absolute offset of the first whose type is not
     * recognized (Pad1, PadN, Router Alert, RFC 2711) and whose two highest bits do not say "skip over this
     * option"; {@link #NONE} without one; {@link #MALFORMED_OPTIONS} when an option runs past {@code end}.
     */
    public static int unrecognizedOption(ByteBuffer buffer, int at, int end) {
        int found = NONE;
        while (at < end) {
            int type = buffer.get(at) & 0xFF;
            if (type == PAD1) {
                at++;
                continue;
            }
            if (at + 2 > end || at + 2 + (buffer.get(at + 1) & 0xFF) > end) {
                return MALFORMED_OPTIONS;
            }
            if (found == NONE && type != PADN && type != ROUTER_ALERT && (type >>> 6) != SKIP_OPTION) {
                found = at;
            }
            at += 2 + (buffer.get(at + 1) & 0xFF);
        }
        return found;
    }

    /**
     * In a first fragment, steps over the fragmentable part's extension headers from {@code at} (relative)
     * to the upper-layer header, and records it when the fragment holds its first bytes
     * ({@link #upperHeaderBytes}); else leaves it {@link #NONE}: the chain is incomplete.
     */
    private WireError walkFirstFragment(int next, int at, int end) {
        for (int headers = 0; isFragmentableExtension(next); headers++) {
            if (headers == MAX_EXTENSION_HEADERS) {
                return WireError.BAD_HEADER_CHAIN;
            }
            if (at + 2 > end) {
                return WireError.NONE;
            }
            int headerLength = next == IpProtocol.AH ? (u8(at + 1) + 2) * 4 : (u8(at + 1) + 1) * 8; // AH: RFC 4302
            if (at + headerLength > end) {
                return WireError.NONE;
            }
            next = u8(at);
            at += headerLength;
        }
        if (at + upperHeaderBytes(next) <= end) {
            firstUpperProtocol = next;
            firstUpperOffset = off + at;
        }
        return WireError.NONE;
    }

    private static boolean isFragmentableExtension(int next) {
        return next == IpProtocol.HOP_BY_HOP || next == IpProtocol.ROUTING || next == IpProtocol.DESTINATION_OPTIONS
                || next == IpProtocol.AH;
    }

    /**
     * How many bytes of an upper-layer header a first fragment must hold, as Linux's ipv6frag_thdr_truncated
     * judges it: TCP's 20, UDP's 8, ICMPv6's 8, none after No Next Header, else one.
     */
    private static int upperHeaderBytes(int protocol) {
        return switch (protocol) {
            case IpProtocol.TCP -> 20;
            case IpProtocol.UDP, IpProtocol.ICMPV6 -> 8;
            case IpProtocol.NO_NEXT_HEADER -> 0;
            default -> 1;
        };
    }

    private WireError upperLayer(int protocol, int at, int length) {
        upperProtocol = protocol;
        upperOffset = off + at;
        upperLength = length;
        return WireError.NONE;
    }

    private void forgetWalk() {
        upperProtocol = NONE;
        upperOffset = NONE;
        upperLength = NONE;
        extensionHeaders = 0;
        routingSegmentsLeft = NONE;
        routingHeaderOffset = NONE;
        hopByHopOption = NONE;
        destinationOption = NONE;
        fragmentHeaderOffset = NONE;
        perFragmentNextHeaderOffset = NONE;
        fragmentOffset = 0;
        moreFragments = false;
        fragmentIdentification = 0;
        firstUpperProtocol = NONE;
        firstUpperOffset = NONE;
    }

    private boolean isMapped(int at) {
        return buf.getLong(off + at) == 0 && buf.getInt(off + at + 8) == 0xFFFF;
    }

    public int version() {
        return u8(VERSION_CLASS_FLOW) >>> 4;
    }

    /** Traffic Class: DSCP in the high six bits, ECN in the low two. */
    public int trafficClass() {
        return u16(VERSION_CLASS_FLOW) >>> 4 & 0xFF;
    }

    /** Flow Label, 20 bits. */
    public int flowLabel() {
        return i32(VERSION_CLASS_FLOW) & FLOW_LABEL_MASK;
    }

    /** Payload Length: the bytes after the fixed header, extension headers included. */
    public int payloadLength() {
        return u16(PAYLOAD_LENGTH);
    }

    /** Next Header of the fixed header: the first extension header or the upper-layer protocol ({@link IpProtocol}). */
    public int nextHeader() {
        return u8(NEXT_HEADER);
    }

    public int hopLimit() {
        return u8(HOP_LIMIT);
    }

    /** The Source Address (allocates; see {@link #sourceHigh()}, {@link #sourceOffset()} for the hot path). */
    public IpAddress source() {
        return IpAddress.read(buf, off + SOURCE);
    }

    /** The Destination Address (allocates; see {@link #destinationHigh()}, {@link #destinationOffset()}). */
    public IpAddress destination() {
        return IpAddress.read(buf, off + DESTINATION);
    }

    /** First eight bytes of the Source Address, network order (as {@link IpAddress#high()}). */
    public long sourceHigh() {
        return buf.getLong(off + SOURCE);
    }

    /** Last eight bytes of the Source Address, network order (as {@link IpAddress#low()}). */
    public long sourceLow() {
        return buf.getLong(off + SOURCE + 8);
    }

    public long destinationHigh() {
        return buf.getLong(off + DESTINATION);
    }

    public long destinationLow() {
        return buf.getLong(off + DESTINATION + 8);
    }

    /** Absolute offset of the 16-byte Source Address, for {@link IpAddress#equalsAt}. */
    public int sourceOffset() {
        return off + SOURCE;
    }

    /** Absolute offset of the 16-byte Destination Address, for {@link IpAddress#equalsAt}. */
    public int destinationOffset() {
        return off + DESTINATION;
    }

    /** Absolute offset of the payload (the first extension header or the upper layer). */
    public int payloadOffset() {
        return off + HEADER_LENGTH;
    }

    /**
     * After the walk: the upper-layer protocol (the Next Header value that ended it: {@link IpProtocol},
     * 59 for No Next Header), or for a fragment the Fragment header's Next Header; {@link #NONE} before.
     */
    public int upperProtocol() {
        return upperProtocol;
    }

    /** After the walk: absolute offset of the upper-layer header (of the fragment data for a fragment). */
    public int upperOffset() {
        return upperOffset;
    }

    /**
     * After the walk: bytes from {@link #upperOffset()} to the end of the payload; 0 for No Next Header, except
     * in a fragment, where it is the fragment data's length whatever the Fragment header's Next Header says.
     */
    public int upperLength() {
        return upperLength;
    }

    /** After the walk: how many extension headers it stepped over. */
    public int extensionHeaderCount() {
        return extensionHeaders;
    }

    /**
     * After the walk: Segments Left of the first Routing header (RFC 8200 section 4.4), {@link #NONE} without
     * one. A node the packet is addressed to must not ignore a Routing header with segments left.
     */
    public int routingSegmentsLeft() {
        return routingSegmentsLeft;
    }

    /** After the walk: absolute offset of the first Routing header, {@link #NONE} without one. */
    public int routingHeaderOffset() {
        return routingHeaderOffset;
    }

    /**
     * After the walk: absolute offset of the type byte of the Hop-by-Hop Options header's first option that
     * is not recognized and not to be skipped (its type's two highest bits say what to do instead, RFC 8200
     * section 4.2), {@link #NONE} without one.
     */
    public int unrecognizedHopByHopOption() {
        return hopByHopOption;
    }

    /** After the walk: as {@link #unrecognizedHopByHopOption()}, for the Destination Options headers walked. */
    public int unrecognizedDestinationOption() {
        return destinationOption;
    }

    /** After the walk: true when a Fragment header was met, atomic or not. */
    public boolean hasFragmentHeader() {
        return fragmentHeaderOffset != NONE;
    }

    /** After the walk: true for a fragment to reassemble (a Fragment header with offset or M set). */
    public boolean fragmented() {
        return fragmentHeaderOffset != NONE && (fragmentOffset != 0 || moreFragments);
    }

    /** After the walk: Fragment Offset in bytes (the field times eight); 0 without a Fragment header. */
    public int fragmentOffset() {
        return fragmentOffset;
    }

    /** After the walk: the M flag (more fragments follow). */
    public boolean moreFragments() {
        return moreFragments;
    }

    /** After the walk: the Fragment header's 32-bit Identification. */
    public int fragmentIdentification() {
        return fragmentIdentification;
    }

    /**
     * After the walk, for a first fragment (offset 0, M set) that holds its whole header chain: the
     * upper-layer protocol its fragmentable part leads to; else {@link #NONE}.
     */
    public int firstFragmentUpperProtocol() {
        return firstUpperProtocol;
    }

    /**
     * After the walk, for a first fragment that holds its whole header chain, up to and including the
     * upper-layer header's first bytes (TCP's 20, UDP's 8, ICMPv6's 8, else one): the absolute offset of
     * that header; else {@link #NONE}, and {@link #headerChainIncomplete()} says which.
     */
    public int firstFragmentUpperOffset() {
        return firstUpperOffset;
    }

    /**
     * After the walk: true for a first fragment that does not hold its whole header chain (RFC 7112; RFC 8200
     * section 4.5 asks it discarded with Parameter Problem code 3).
     */
    public boolean headerChainIncomplete() {
        return fragmented() && fragmentOffset == 0 && firstUpperOffset == NONE;
    }

    /** After the walk: absolute offset of the Fragment header, {@link #NONE} without one. */
    public int fragmentHeaderOffset() {
        return fragmentHeaderOffset;
    }

    /**
     * After the walk: absolute offset of the fragmentable part carried by this fragment (the byte after the
     * Fragment header), {@link #NONE} without one. The per-fragment headers lie from {@link #offset()} up
     * to {@link #fragmentHeaderOffset()}.
     */
    public int fragmentableOffset() {
        return fragmentHeaderOffset == NONE ? NONE : fragmentHeaderOffset + FRAGMENT_HEADER_LENGTH;
    }

    /**
     * After the walk: absolute offset of the Next Header field that names the Fragment header (in the fixed
     * header or the last per-fragment extension header), {@link #NONE} without one; a reassembler writes the
     * first fragment's Fragment header Next Header there (RFC 8200 section 4.5).
     */
    public int perFragmentNextHeaderOffset() {
        return perFragmentNextHeaderOffset;
    }

    /** Writes the first word: version 6, {@code trafficClass} (8 bits) and {@code flowLabel} (20 bits). */
    public void setVersionClassFlow(int trafficClass, int flowLabel) {
        put32(VERSION_CLASS_FLOW, 6 << 28 | (trafficClass & 0xFF) << 20 | flowLabel & FLOW_LABEL_MASK);
    }

    /** Writes the Traffic Class, keeping version and flow label. */
    public void setTrafficClass(int trafficClass) {
        put32(VERSION_CLASS_FLOW, i32(VERSION_CLASS_FLOW) & 0xF00F_FFFF | (trafficClass & 0xFF) << 20);
    }

    /** Writes the Flow Label, keeping version and traffic class. */
    public void setFlowLabel(int flowLabel) {
        put32(VERSION_CLASS_FLOW, i32(VERSION_CLASS_FLOW) & ~FLOW_LABEL_MASK | flowLabel & FLOW_LABEL_MASK);
    }

    public void setPayloadLength(int payloadLength) {
        put16(PAYLOAD_LENGTH, payloadLength);
    }

    public void setNextHeader(int nextHeader) {
        put8(NEXT_HEADER, nextHeader);
    }

    public void setHopLimit(int hopLimit) {
        put8(HOP_LIMIT, hopLimit);
    }

    /**
     * Writes the Source Address.
     *
     * @throws IllegalArgumentException for an IPv4 address (it would go out IPv4-mapped)
     */
    public void setSource(IpAddress address) {
        requireIpv6(address).write(buf, off + SOURCE);
    }

    /**
     * Writes the Destination Address.
     *
     * @throws IllegalArgumentException for an IPv4 address
     */
    public void setDestination(IpAddress address) {
        requireIpv6(address).write(buf, off + DESTINATION);
    }

    /** Writes the Source Address from its two halves (network order), allocation-free. */
    public void setSource(long high, long low) {
        buf.putLong(off + SOURCE, high);
        buf.putLong(off + SOURCE + 8, low);
    }

    /** Writes the Destination Address from its two halves (network order), allocation-free. */
    public void setDestination(long high, long low) {
        buf.putLong(off + DESTINATION, high);
        buf.putLong(off + DESTINATION + 8, low);
    }

    /**
     * Sum of the pseudo-header (RFC 8200 section 8.1) of this packet's addresses with {@code protocol} and the
     * upper-layer length {@code length}, for {@link Checksum}; allocation-free.
     */
    public long pseudoHeaderSum(int protocol, int length) {
        return Checksum.ipv6PseudoHeaderSum(buf, off + SOURCE, off + DESTINATION, protocol, length);
    }

    private static IpAddress requireIpv6(IpAddress address) {
        if (address.isIpv4()) {
            throw new IllegalArgumentException("not an IPv6 address: " + address);
        }
        return address;
    }
}
