package io.vnet4j.wire;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;

/**
 * Allocation-free iterator over the options of a Neighbor Discovery message (RFC 4861 section 4.6): each
 * is a type byte, a length byte in units of 8 octets (the type and length bytes included), and its data.
 * A length of 0 is malformed (RFC 4861 section 4.6), as is an option that runs past the area;
 * {@link #next()} then stops and {@link #error()} says {@link WireError#BAD_OPTION}. Each option takes at
 * least 8 bytes, so a walk takes at most length / 8 steps.
 *
 * <p>The typed readers read the current option; each requires the type it names with the length RFC 4861
 * and RFC 8106 give it ({@link #wellFormed()}) and throws {@link IllegalStateException} otherwise (a caller's
 * error, not the input's: look at {@link #type()} and {@link #wellFormed()} first).
 */
public final class NdpOptions extends OptionCursor {
    /** The unit of the length field, in bytes. */
    public static final int UNIT = 8;

    /** Points the iterator at the options in {@code length} bytes from absolute {@code offset}; returns {@code this}. */
    public NdpOptions reset(ByteBuffer buffer, int offset, int length) {
        start(buffer, offset, length);
        return this;
    }

    /** A length of 0 (RFC 4861 section 4.6) or an option past the end is malformed. */
    @Override
    protected int optionLength(ByteBuffer buffer, int at, int end) {
        if (at + 2 > end) {
            return -1;
        }
        int length = (buffer.get(at + 1) & 0xFF) * UNIT;
        return length == 0 || at + length > end ? -1 : length;
    }

    /** The current option's type ({@link NdpOptionType}). */
    public int type() {
        return buf.get(requireCurrent()) & 0xFF;
    }

    /** The current option's Length field: 8-octet units. */
    public int lengthUnits() {
        return currentLength() / UNIT;
    }

    /** The current option's length in bytes, type and length bytes included. */
    public int length() {
        return currentLength();
    }

    /**
     * True when the current option has the length its type requires: link-layer addresses 1 (Ethernet,
     * RFC 4861 section 4.6.1 with RFC 2464 section 6), Prefix Information 4, MTU 1, RDNSS an odd number of
     * at least 3, DNSSL at least 2; any other type is taken as it is. RFC 4861 has receivers ignore an
     * option they cannot use; the message stays valid.
     */
    public boolean wellFormed() {
        int units = lengthUnits();
        return switch (type()) {
            case NdpOptionType.SOURCE_LINK_LAYER_ADDRESS, NdpOptionType.TARGET_LINK_LAYER_ADDRESS,
                 NdpOptionType.MTU -> units == 1;
            case NdpOptionType.PREFIX_INFORMATION -> units == 4;
            case NdpOptionType.RDNSS -> units >= 3 && (units & 1) == 1;
            case NdpOptionType.DNSSL -> units >= 2;
            default -> true;
        };
    }

    /** Link-Layer Address of a Source or Target Link-Layer Address option: the MAC as the low 48 bits. */
    public long linkLayerAddress() {
        int at = require(NdpOptionType.SOURCE_LINK_LAYER_ADDRESS, NdpOptionType.TARGET_LINK_LAYER_ADDRESS);
        return MacAddress.read(buf, at + 2);
    }

    /** Prefix Length of a Prefix Information option, in bits. */
    public int prefixLength() {
        return buf.get(require(NdpOptionType.PREFIX_INFORMATION) + 2) & 0xFF;
    }

    /** The L (on-link) flag of a Prefix Information option. */
    public boolean onLink() {
        return (buf.get(require(NdpOptionType.PREFIX_INFORMATION) + 3) & 0x80) != 0;
    }

    /** The A (autonomous address-configuration) flag of a Prefix Information option. */
    public boolean autonomous() {
        return (buf.get(require(NdpOptionType.PREFIX_INFORMATION) + 3) & 0x40) != 0;
    }

    /** Valid Lifetime of a Prefix Information option, seconds (0xffffffff: infinity). */
    public long validLifetime() {
        return buf.getInt(require(NdpOptionType.PREFIX_INFORMATION) + 4) & 0xFFFF_FFFFL;
    }

    /** Preferred Lifetime of a Prefix Information option, seconds. */
    public long preferredLifetime() {
        return buf.getInt(require(NdpOptionType.PREFIX_INFORMATION) + 8) & 0xFFFF_FFFFL;
    }

    /** Absolute offset of the 16-byte Prefix of a Prefix Information option. */
    public int prefixOffset() {
        return require(NdpOptionType.PREFIX_INFORMATION) + 16;
    }

    /** The Prefix of a Prefix Information option (allocates). */
    public IpAddress prefix() {
        return IpAddress.read(buf, prefixOffset());
    }

    /** The Prefix Information option as a value (allocates); null when its prefix is IPv4-mapped or its length over 128. */
    public PrefixInformation prefixInformation() {
        IpAddress prefix = prefix();
        int prefixLength = prefixLength();
        if (prefix.isIpv4() || prefixLength > 128) {
            return null;
        }
        return new PrefixInformation(prefix, prefixLength, onLink(), autonomous(), validLifetime(),
                preferredLifetime());
    }

    /** MTU of an MTU option, bytes, unsigned 32 bits. */
    public long mtu() {
        return buf.getInt(require(NdpOptionType.MTU) + 4) & 0xFFFF_FFFFL;
    }

    /** Lifetime of an RDNSS or DNSSL option (RFC 8106 section 5), seconds (0xffffffff: infinity). */
    public long dnsLifetime() {
        return buf.getInt(require(NdpOptionType.RDNSS, NdpOptionType.DNSSL) + 4) & 0xFFFF_FFFFL;
    }

    /** How many addresses an RDNSS option carries. */
    public int rdnssCount() {
        require(NdpOptionType.RDNSS, NdpOptionType.RDNSS);
        return (lengthUnits() - 1) / 2;
    }

    /** Absolute offset of the {@code index}th address of an RDNSS option. */
    public int rdnssAddressOffset(int index) {
        int at = require(NdpOptionType.RDNSS, NdpOptionType.RDNSS);
        Objects.checkIndex(index, rdnssCount());
        return at + UNIT + 16 * index;
    }

    /** The {@code index}th address of an RDNSS option (allocates). */
    public IpAddress rdnssAddress(int index) {
        return IpAddress.read(buf, rdnssAddressOffset(index));
    }

    /** Absolute offset of the domain names of a DNSSL option. */
    public int dnsslNamesOffset() {
        return require(NdpOptionType.DNSSL, NdpOptionType.DNSSL) + UNIT;
    }

    /** Bytes of domain names and padding in a DNSSL option. */
    public int dnsslNamesLength() {
        require(NdpOptionType.DNSSL, NdpOptionType.DNSSL);
        return currentLength() - UNIT;
    }

    /** The names of a DNSSL option as text ({@link DomainNames#decode}, padded; allocates), null when malformed. */
    public List<String> dnsslNames() {
        return DomainNames.decode(buf, dnsslNamesOffset(), dnsslNamesLength(), true);
    }

    private int require(int type) {
        return require(type, type);
    }

    private int require(int type, int otherType) {
        int actual = type();
        if ((actual != type && actual != otherType) || !wellFormed()) {
            throw new IllegalStateException("current option is type " + actual + " of " + lengthUnits()
                    + " units, not a well-formed type " + type);
        }
        return requireCurrent();
    }
}
