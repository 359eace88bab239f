package io.vnet4j.port.vxlan;

import java.nio.ByteBuffer;

/**
 * A hash of an Ethernet frame's flow, for the VXLAN source port (RFC 7348 section 5: "a hash of fields
 * from the inner packet", as Linux's udp_flow_src_port does with its flow dissector): the two MAC
 * addresses, and for IPv4 and IPv6 the two IP addresses, the protocol and, for TCP and UDP (not IPv4
 * fragments, the first one too, as Linux's skb_get_hash: every piece of a datagram alike), the two ports,
 * behind up to two VLAN tags (802.1Q or 802.1ad, a QinQ guest's). One flow always hashes alike, so its packets
 * keep their order across an underlay's ECMP paths. Reads only within {@code length}; allocates nothing.
 */
final class InnerFlow {
    private static final int ETHERNET = 14;
    /** The VLAN tags looked behind (802.1Q 0x8100, 802.1ad 0x88A8): a QinQ frame's two. */
    private static final int MAX_TAGS = 2;

    private InnerFlow() {}

    static int hash(ByteBuffer frame, int offset, int length) {
        if (length < ETHERNET) {
            return 0;
        }
        int h = mix(frame.getInt(offset), frame.getInt(offset + 4));
        h = mix(h, frame.getInt(offset + 8));
        int etherType = frame.getShort(offset + 12) & 0xFFFF;
        int ip = offset + ETHERNET;
        int end = offset + length;
        // a guest's VLAN interface, or a QinQ one (an 802.1ad S-tag or a second 802.1Q tag): the flow lies behind them
        for (int tags = 0; (etherType == 0x8100 || etherType == 0x88A8) && tags < MAX_TAGS && end - ip >= 4; tags++) {
            etherType = frame.getShort(ip + 2) & 0xFFFF;
            ip += 4;
        }
        int protocol;
        int l4;
        if (etherType == 0x0800 && end - ip >= 20) {
            int ihl = (frame.get(ip) & 0x0F) * 4;
            protocol = frame.get(ip + 9) & 0xFF;
            h = mix(mix(h, frame.getInt(ip + 12)), frame.getInt(ip + 16));
            boolean fragment = (frame.getShort(ip + 6) & 0x3FFF) != 0; // more fragments, or an offset
            l4 = fragment || ihl < 20 ? -1 : ip + ihl;
        } else if (etherType == 0x86DD && end - ip >= 40) {
            protocol = frame.get(ip + 6) & 0xFF;
            for (int i = 8; i < 40; i += 4) {
                h = mix(h, frame.getInt(ip + i));
            }
            l4 = ip + 40;
        } else {
            return finish(mix(h, etherType));
        }
        h = mix(h, protocol);
        if ((protocol == 6 || protocol == 17) && l4 > 0 && end - l4 >= 4) {
            h = mix(h, frame.getInt(l4));
        }
        return finish(h);
    }

    /** One step of MurmurHash3's x86_32 body. */
    private static int mix(int h, int k) {
        k *= 0xCC9E_2D51;
        k = Integer.rotateLeft(k, 15);
        k *= 0x1B87_3593;
        h ^= k;
        h = Integer.rotateLeft(h, 13);
        return h * 5 + 0xE654_6B64;
    }

    /** MurmurHash3's finaliser, so every bit of the input reaches the top bits the slot is taken from. */
    private static int finish(int h) {
        h ^= h >>> 16;
        h *= 0x85EB_CA6B;
        h ^= h >>> 13;
        h *= 0xC2B2_AE35;
        return h ^ (h >>> 16);
    }
}
