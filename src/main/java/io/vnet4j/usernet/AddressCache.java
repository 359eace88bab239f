package io.vnet4j.usernet;

import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;

/**
 * The {@link IpAddress} values of the addresses frames carry, reused from frame to frame so that reading
 * a frame's addresses allocates nothing once its flow is known: a direct-mapped cache of
 * {@value #SIZE} entries (a new address replaces the one in its slot). Not thread-safe: one per gateway.
 */
final class AddressCache {
    static final int SIZE = 256;
    private final IpAddress[] entries = new IpAddress[SIZE];

    /** The value of IPv4 address {@code address}. */
    IpAddress ipv4(int address) {
        int slot = (address * 0x9E37_79B9 >>> 24) & (SIZE - 1);
        IpAddress a = entries[slot];
        if (a == null || a.low() != (0x0000_FFFF_0000_0000L | (address & 0xFFFF_FFFFL)) || a.high() != 0) {
            a = IpAddress.ofIpv4(address);
            entries[slot] = a;
        }
        return a;
    }

    /** The value of the 16 bytes of an IPv6 address at absolute {@code offset} (IPv4-mapped: IPv4). */
    IpAddress ipv6(ByteBuffer buffer, int offset) {
        long high = buffer.getLong(offset);
        long low = buffer.getLong(offset + 8);
        long h = high * 0x9E37_79B9_7F4A_7C15L ^ low * 0xC2B2_AE3D_27D4_EB4FL;
        int slot = (int) (h >>> 56) & (SIZE - 1);
        IpAddress a = entries[slot];
        if (a == null || a.high() != high || a.low() != low) {
            a = IpAddress.ofIpv6(high, low);
            entries[slot] = a;
        }
        return a;
    }
}
