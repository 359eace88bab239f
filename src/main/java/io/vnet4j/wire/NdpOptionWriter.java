package io.vnet4j.wire;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * Writes Neighbor Discovery options (RFC 4861 section 4.6, RFC 8106 section 5) at an absolute offset of a
 * big-endian buffer, reserved fields zero; each returns the bytes written, a multiple of 8.
 */
public final class NdpOptionWriter {
    /** Length of a link-layer address option for Ethernet. */
    public static final int LINK_LAYER_ADDRESS_LENGTH = 8;
    /** Length of a Prefix Information option. */
    public static final int PREFIX_INFORMATION_LENGTH = 32;
    /** Length of an MTU option. */
    public static final int MTU_LENGTH = 8;
    private static final int ADDRESS = 16;

    private NdpOptionWriter() {}

    /**
     * A Source (type 1) or Target (type 2) Link-Layer Address option carrying {@code mac} (the low 48 bits).
     *
     * @throws IllegalArgumentException for another type
     */
    public static int writeLinkLayerAddress(ByteBuffer buf, int at, int type, long mac) {
        if (type != NdpOptionType.SOURCE_LINK_LAYER_ADDRESS && type != NdpOptionType.TARGET_LINK_LAYER_ADDRESS) {
            throw new IllegalArgumentException("not a link-layer address option type: " + type);
        }
        header(buf, at, type, LINK_LAYER_ADDRESS_LENGTH);
        MacAddress.write(buf, at + 2, mac);
        return LINK_LAYER_ADDRESS_LENGTH;
    }

    /** A Prefix Information option (RFC 4861 section 4.6.2). */
    public static int writePrefixInformation(ByteBuffer buf, int at, PrefixInformation prefix) {
        header(buf, at, NdpOptionType.PREFIX_INFORMATION, PREFIX_INFORMATION_LENGTH);
        buf.put(at + 2, (byte) prefix.prefixLength());
        buf.put(at + 3, (byte) ((prefix.onLink() ? 0x80 : 0) | (prefix.autonomous() ? 0x40 : 0)));
        buf.putInt(at + 4, (int) prefix.validLifetime());
        buf.putInt(at + 8, (int) prefix.preferredLifetime());
        buf.putInt(at + 12, 0);
        prefix.prefix().write(buf, at + 16);
        return PREFIX_INFORMATION_LENGTH;
    }

    /** An MTU option (RFC 4861 section 4.6.4): {@code mtu} bytes, unsigned 32 bits. */
    public static int writeMtu(ByteBuffer buf, int at, long mtu) {
        header(buf, at, NdpOptionType.MTU, MTU_LENGTH);
        buf.putShort(at + 2, (short) 0);
        buf.putInt(at + 4, (int) mtu);
        return MTU_LENGTH;
    }

    /** Length of an RDNSS option with {@code count} addresses. */
    public static int rdnssLength(int count) {
        return NdpOptions.UNIT + ADDRESS * count;
    }

    /**
     * A Recursive DNS Server option (RFC 8106 section 5.1): {@code lifetime} in seconds, then the addresses.
     *
     * @throws IllegalArgumentException when {@code servers} is empty or holds an IPv4 address
     */
    public static int writeRdnss(ByteBuffer buf, int at, long lifetime, List<IpAddress> servers) {
        if (servers.isEmpty() || servers.size() > 127) {
            throw new IllegalArgumentException("an RDNSS option holds 1 to 127 addresses, not " + servers.size());
        }
        int length = rdnssLength(servers.size());
        header(buf, at, NdpOptionType.RDNSS, length);
        buf.putShort(at + 2, (short) 0);
        buf.putInt(at + 4, (int) lifetime);
        for (int i = 0; i < servers.size(); i++) {
            IpAddress server = servers.get(i);
            if (server.isIpv4()) {
                throw new IllegalArgumentException("not an IPv6 address: " + server);
            }
            server.write(buf, at + NdpOptions.UNIT + ADDRESS * i);
        }
        return length;
    }

    /** Length of a DNSSL option whose names take {@code namesLength} bytes: 8 plus the names padded to 8. */
    public static int dnsslLength(int namesLength) {
        return NdpOptions.UNIT + (namesLength + NdpOptions.UNIT - 1) / NdpOptions.UNIT * NdpOptions.UNIT;
    }

    /**
     * A DNS Search List option (RFC 8106 section 5.2): {@code lifetime} in seconds, then {@code names}
     * (from {@link DomainNames#encode}) and zero padding to a multiple of 8 bytes.
     *
     * @throws IllegalArgumentException when {@code names} is empty or the option would pass 255 units
     */
    public static int writeDnssl(ByteBuffer buf, int at, long lifetime, byte[] names) {
        int length = dnsslLength(names.length);
        if (names.length == 0 || length / NdpOptions.UNIT > 255) {
            throw new IllegalArgumentException("a DNSSL option holds 1 to 2032 bytes of names, not " + names.length);
        }
        header(buf, at, NdpOptionType.DNSSL, length);
        buf.putShort(at + 2, (short) 0);
        buf.putInt(at + 4, (int) lifetime);
        buf.put(at + NdpOptions.UNIT, names);
        for (int i = at + NdpOptions.UNIT + names.length; i < at + length; i++) {
            buf.put(i, (byte) 0);
        }
        return length;
    }

    private static void header(ByteBuffer buf, int at, int type, int length) {
        buf.put(at, (byte) type);
        buf.put(at + 1, (byte) (length / NdpOptions.UNIT));
    }
}
