package io.vnet4j.wire;

import java.nio.ByteBuffer;

/** Flyweight view of an ARP packet for Ethernet hardware and IPv4 protocol addresses (RFC 826). */
public final class ArpPacket extends WireView {
    /** Length of an Ethernet/IPv4 ARP packet. */
    public static final int LENGTH = 28;
    public static final int REQUEST = 1;
    public static final int REPLY = 2;
    private static final int HARDWARE_ETHERNET = 1;
    /** IEEE 802 networks (RFC 1042's hosts on 802.3 send it): Linux takes it on Ethernet devices too. */
    private static final int HARDWARE_IEEE802 = 6;
    private static final int HTYPE = 0;
    private static final int PTYPE = 2;
    private static final int HLEN = 4;
    private static final int PLEN = 5;
    private static final int OPER = 6;
    private static final int SHA = 8;
    private static final int SPA = 14;
    private static final int THA = 18;
    private static final int TPA = 24;

    /** Points this view at {@code length} bytes from absolute {@code offset}; returns {@code this}. */
    public ArpPacket wrap(ByteBuffer buffer, int offset, int length) {
        bind(buffer, offset, length);
        return this;
    }

    /**
     * Checks the length and that the address types and sizes are Ethernet and IPv4. Hardware type 6 (IEEE 802) is
     * taken as Ethernet's 1, as Linux's arp_process (net/ipv4/arp.c) takes either on an Ethernet device; libslirp's
     * arp_input reads no hardware type.
     */
    public WireError check() {
        if (len < LENGTH) {
            return WireError.TRUNCATED;
        }
        int htype = u16(HTYPE);
        if (htype != HARDWARE_ETHERNET && htype != HARDWARE_IEEE802
                || u16(PTYPE) != EtherType.IPV4 || u8(HLEN) != 6 || u8(PLEN) != 4) {
            return WireError.UNSUPPORTED;
        }
        return WireError.NONE;
    }

    public int operation() {
        return u16(OPER);
    }

    public long senderMac() {
        return mac(SHA);
    }

    public int senderIp() {
        return i32(SPA);
    }

    public long targetMac() {
        return mac(THA);
    }

    public int targetIp() {
        return i32(TPA);
    }

    /** Writes the fixed hardware/protocol type and size fields for Ethernet and IPv4. */
    public void setEthernetIpv4() {
        put16(HTYPE, HARDWARE_ETHERNET);
        put16(PTYPE, EtherType.IPV4);
        put8(HLEN, 6);
        put8(PLEN, 4);
    }

    public void setOperation(int operation) {
        put16(OPER, operation);
    }

    public void setSenderMac(long mac) {
        putMac(SHA, mac);
    }

    public void setSenderIp(int ip) {
        put32(SPA, ip);
    }

    public void setTargetMac(long mac) {
        putMac(THA, mac);
    }

    public void setTargetIp(int ip) {
        put32(TPA, ip);
    }
}
