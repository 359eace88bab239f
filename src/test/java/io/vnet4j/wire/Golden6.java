package io.vnet4j.wire;

/**
 * Golden IPv6 frames between a guest (52:54:00:12:34:56, fe80::5054:ff:fe12:3456, 2001:db8:1::f) and a router
 * (52:55:0a:00:02:02, fe80::5055:aff:fe00:202, 2001:db8:1::2), captured with tshark on a veth pair between
 * two network namespaces (busybox ping6 and nc, rdisc6, ndisc6, ISC dhclient, dnsmasq 2.90 with
 * {@code enable-ra} and stateless DHCPv6); Wireshark's dissectors confirmed every checksum. The senders
 * offloaded their TCP and UDP checksums, so the capture held partial ones there: those three fields (SYN,
 * Information-request, Reply) hold the checksums Wireshark calculated instead.
 */
public final class Golden6 {
    /** MLDv2 report from the guest's link-local address to ff02::16 behind a Hop-by-Hop Options header (Router Alert, PadN). */
    public static final byte[] MLD_REPORT = Golden.hex(
            "33 33 00 00 00 16 52 54 00 12 34 56 86 dd 60 00",
            "00 00 00 24 00 01 fe 80 00 00 00 00 00 00 50 54",
            "00 ff fe 12 34 56 ff 02 00 00 00 00 00 00 00 00",
            "00 00 00 00 00 16 3a 00 05 02 00 00 01 00 8f 00",
            "b8 e4 00 00 00 01 04 00 00 00 ff 02 00 00 00 00",
            "00 00 00 00 00 01 ff 12 34 56");

    /** Router Solicitation from fe80::5055:aff:fe00:202 to ff02::2 with a Source Link-Layer Address option. */
    public static final byte[] ROUTER_SOLICITATION = Golden.hex(
            "33 33 00 00 00 02 52 55 0a 00 02 02 86 dd 60 00",
            "00 00 00 10 3a ff fe 80 00 00 00 00 00 00 50 55",
            "0a ff fe 00 02 02 ff 02 00 00 00 00 00 00 00 00",
            "00 00 00 00 00 02 85 00 c2 7f 00 00 00 00 01 01",
            "52 55 0a 00 02 02");

    /** dnsmasq 2.90's Router Advertisement to ff02::1: hop limit 64, O flag, lifetime 1800 s; Prefix Information 2001:db8:1::/64 (L, A, infinite), MTU 1500, Source Link-Layer Address, DNSSL vnet.test and lab.vnet.test, RDNSS 2001:db8:1::3 (both infinite). */
    public static final byte[] ROUTER_ADVERTISEMENT = Golden.hex(
            "33 33 00 00 00 01 52 55 0a 00 02 02 86 dd 6c 00",
            "1d 51 00 80 3a ff fe 80 00 00 00 00 00 00 50 55",
            "0a ff fe 00 02 02 ff 02 00 00 00 00 00 00 00 00",
            "00 00 00 00 00 01 86 00 40 ba 40 40 07 08 00 00",
            "00 00 00 00 00 00 03 04 40 c0 ff ff ff ff ff ff",
            "ff ff 00 00 00 00 20 01 0d b8 00 01 00 00 00 00",
            "00 00 00 00 00 00 05 01 00 00 00 00 05 dc 01 01",
            "52 55 0a 00 02 02 1f 05 00 00 ff ff ff ff 04 76",
            "6e 65 74 04 74 65 73 74 00 03 6c 61 62 04 76 6e",
            "65 74 04 74 65 73 74 00 00 00 00 00 00 00 19 03",
            "00 00 ff ff ff ff 20 01 0d b8 00 01 00 00 00 00",
            "00 00 00 00 00 03");

    /** Neighbor Solicitation for fe80::5054:ff:fe12:3456 to its solicited-node group, with a Source Link-Layer Address option. */
    public static final byte[] NEIGHBOR_SOLICITATION = Golden.hex(
            "33 33 ff 12 34 56 52 55 0a 00 02 02 86 dd 60 00",
            "00 00 00 20 3a ff fe 80 00 00 00 00 00 00 50 55",
            "0a ff fe 00 02 02 ff 02 00 00 00 00 00 00 00 00",
            "00 01 ff 12 34 56 87 00 0a ca 00 00 00 00 fe 80",
            "00 00 00 00 00 00 50 54 00 ff fe 12 34 56 01 01",
            "52 55 0a 00 02 02");

    /** The guest's answer: solicited, override, target fe80::5054:ff:fe12:3456, Target Link-Layer Address option. */
    public static final byte[] NEIGHBOR_ADVERTISEMENT = Golden.hex(
            "52 55 0a 00 02 02 52 54 00 12 34 56 86 dd 60 00",
            "00 00 00 20 3a ff fe 80 00 00 00 00 00 00 50 54",
            "00 ff fe 12 34 56 fe 80 00 00 00 00 00 00 50 55",
            "0a ff fe 00 02 02 88 00 30 94 60 00 00 00 fe 80",
            "00 00 00 00 00 00 50 54 00 ff fe 12 34 56 02 01",
            "52 54 00 12 34 56");

    /** Echo request 2001:db8:1::f to 2001:db8:1::2 (busybox ping6), id 0x3c4e seq 0, 48 data bytes; flow label 0x66b23. */
    public static final byte[] ICMPV6_ECHO = Golden.hex(
            "52 55 0a 00 02 02 52 54 00 12 34 56 86 dd 60 06",
            "6b 23 00 38 3a 40 20 01 0d b8 00 01 00 00 00 00",
            "00 00 00 00 00 0f 20 01 0d b8 00 01 00 00 00 00",
            "00 00 00 00 00 02 80 00 1f 5e 3c 4e 00 00 93 58",
            "35 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00");

    /** The last fragment of a 3008-byte echo request: Fragment header, offset 2896, M clear, identification 0xbf865645, next header 58, 112 bytes of data. */
    public static final byte[] LAST_FRAGMENT = Golden.hex(
            "52 55 0a 00 02 02 52 54 00 12 34 56 86 dd 60 06",
            "6b 23 00 78 2c 40 20 01 0d b8 00 01 00 00 00 00",
            "00 00 00 00 00 0f 20 01 0d b8 00 01 00 00 00 00",
            "00 00 00 00 00 02 3a 00 0b 50 bf 86 56 45 00 00",
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00",
            "00 00 00 00 00 00 00 00 00 00 00 00 00 00");

    /** SYN [2001:db8:1::f]:34036 to [2001:db8:1::2]:8080 with MSS 1440, SACK permitted, timestamps, window scale 10. */
    public static final byte[] TCP_SYN = Golden.hex(
            "52 55 0a 00 02 02 52 54 00 12 34 56 86 dd 60 06",
            "34 e6 00 28 06 40 20 01 0d b8 00 01 00 00 00 00",
            "00 00 00 00 00 0f 20 01 0d b8 00 01 00 00 00 00",
            "00 00 00 00 00 02 84 f4 1f 90 c9 e0 6c db 00 00",
            "00 00 a0 02 fd 20 75 bd 00 00 02 04 05 a0 04 02",
            "08 0a 9a 39 04 34 00 00 00 00 01 03 03 0a");

    /** ISC dhclient 4.4.3 -6 -S: Information-request, transaction-id 0x7b23c6, Client Identifier DUID-LL 52:54:00:12:34:56, Option Request 23 24 39 31, Elapsed Time 0. */
    public static final byte[] DHCPV6_INFORMATION_REQUEST = Golden.hex(
            "33 33 00 01 00 02 52 54 00 12 34 56 86 dd 60 07",
            "87 a0 00 2c 11 01 fe 80 00 00 00 00 00 00 50 54",
            "00 ff fe 12 34 56 ff 02 00 00 00 00 00 00 00 00",
            "00 00 00 01 00 02 02 22 02 23 00 2c c3 74 0b 7b",
            "23 c6 00 01 00 0a 00 03 00 01 52 54 00 12 34 56",
            "00 06 00 08 00 17 00 18 00 27 00 1f 00 08 00 02",
            "00 00");

    /** dnsmasq 2.90's Reply to it: Client Identifier, Server Identifier (DUID-LLT), Domain Search List, DNS servers, Information Refresh Time. */
    public static final byte[] DHCPV6_DNSMASQ_REPLY = Golden.hex(
            "52 54 00 12 34 56 52 55 0a 00 02 02 86 dd 6c 06",
            "82 fd 00 66 11 40 fe 80 00 00 00 00 00 00 50 55",
            "0a ff fe 00 02 02 fe 80 00 00 00 00 00 00 50 54",
            "00 ff fe 12 34 56 02 23 02 22 00 66 cb 2b 07 7b",
            "23 c6 00 01 00 0a 00 03 00 01 52 54 00 12 34 56",
            "00 02 00 0e 00 01 00 01 32 9f 39 de 52 55 0a 00",
            "02 02 00 18 00 1a 04 76 6e 65 74 04 74 65 73 74",
            "00 03 6c 61 62 04 76 6e 65 74 04 74 65 73 74 00",
            "00 17 00 10 20 01 0d b8 00 01 00 00 00 00 00 00",
            "00 00 00 03 00 20 00 04 00 01 51 80");

    public static final byte[][] ALL = {MLD_REPORT, ROUTER_SOLICITATION, ROUTER_ADVERTISEMENT, NEIGHBOR_SOLICITATION,
            NEIGHBOR_ADVERTISEMENT, ICMPV6_ECHO, LAST_FRAGMENT, TCP_SYN, DHCPV6_INFORMATION_REQUEST, DHCPV6_DNSMASQ_REPLY};

    /** Offset of the IPv6 header in the golden frames. */
    public static final int IP = 14;
    /** Offset of the payload after a fixed IPv6 header. */
    public static final int L4 = 54;

    public static final long GUEST_MAC = 0x5254_0012_3456L;
    public static final long ROUTER_MAC = 0x5255_0a00_0202L;
    public static final IpAddress GUEST_LINK_LOCAL = IpAddress.parse("fe80::5054:ff:fe12:3456");
    public static final IpAddress ROUTER_LINK_LOCAL = IpAddress.parse("fe80::5055:aff:fe00:202");
    public static final IpAddress GUEST = IpAddress.parse("2001:db8:1::f");
    public static final IpAddress ROUTER = IpAddress.parse("2001:db8:1::2");

    private Golden6() {}

    /** A heap buffer holding a copy of the bytes. */
    public static java.nio.ByteBuffer buffer(byte[] bytes) {
        return java.nio.ByteBuffer.wrap(bytes.clone());
    }
}
