package io.vnet4j.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Golden frames between a guest (52:54:00:12:34:56, 10.0.2.15) and QEMU user networking's gateway
 * (52:55:0a:00:02:02); every checksum was confirmed by Wireshark's dissectors (tshark, checksum checks on).
 */
final class Golden {
    /** Who has 10.0.2.2? Tell 10.0.2.15, padded to the 60-byte minimum. */
    static final byte[] ARP_REQUEST = hex(
            "ff ff ff ff ff ff 52 54 00 12 34 56 08 06 00 01",
            "08 00 06 04 00 01 52 54 00 12 34 56 0a 00 02 0f",
            "00 00 00 00 00 00 0a 00 02 02 00 00 00 00 00 00",
            "00 00 00 00 00 00 00 00 00 00 00 00");

    /** Echo request 10.0.2.15 to 8.8.8.8, id 0x1c2b seq 1, 48 bytes of data. */
    static final byte[] ICMP_ECHO = hex(
            "52 55 0a 00 02 02 52 54 00 12 34 56 08 00 45 00",
            "00 4c 4a 7d 40 00 40 01 d4 15 0a 00 02 0f 08 08",
            "08 08 08 00 60 2d 1c 2b 00 01 8b 6d 31 66 00 00",
            "00 00 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d",
            "1e 1f 20 21 22 23 24 25 26 27 28 29 2a 2b 2c 2d",
            "2e 2f 30 31 32 33 34 35 36 37");

    /** The same echo request in an 802.1Q tag: PCP 5, VLAN 100. */
    static final byte[] VLAN_ICMP_ECHO = hex(
            "52 55 0a 00 02 02 52 54 00 12 34 56 81 00 a0 64",
            "08 00 45 00 00 4c 4a 7d 40 00 40 01 d4 15 0a 00",
            "02 0f 08 08 08 08 08 00 60 2d 1c 2b 00 01 8b 6d",
            "31 66 00 00 00 00 10 11 12 13 14 15 16 17 18 19",
            "1a 1b 1c 1d 1e 1f 20 21 22 23 24 25 26 27 28 29",
            "2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37");

    /** DNS query for example.com A from port 53124 to 10.0.2.3:53. */
    static final byte[] UDP_DNS_QUERY = hex(
            "52 55 0a 00 02 02 52 54 00 12 34 56 08 00 45 00",
            "00 39 3f 21 00 00 40 11 23 82 0a 00 02 0f 0a 00",
            "02 03 cf 84 00 35 00 25 9c 9d ab cd 01 00 00 01",
            "00 00 00 00 00 00 07 65 78 61 6d 70 6c 65 03 63",
            "6f 6d 00 00 01 00 01");

    /** SYN 10.0.2.15:43512 to 93.184.216.34:80 with MSS 1460, SACK permitted, timestamps, NOP, window scale 7. */
    static final byte[] TCP_SYN = hex(
            "52 55 0a 00 02 02 52 54 00 12 34 56 08 00 45 00",
            "00 3c d4 31 40 00 40 06 24 a1 0a 00 02 0f 5d b8",
            "d8 22 a9 f8 00 50 6c 2f 9a 01 00 00 00 00 a0 02",
            "fa f0 11 49 00 00 02 04 05 b4 04 02 08 0a 2b 5c",
            "1e 07 00 00 00 00 01 03 03 07");

    static final byte[][] ALL = {ARP_REQUEST, ICMP_ECHO, VLAN_ICMP_ECHO, UDP_DNS_QUERY, TCP_SYN};

    static final long GUEST_MAC = 0x5254_0012_3456L;
    static final long GATEWAY_MAC = 0x5255_0a00_0202L;
    static final int GUEST_IP = 0x0a00_020f;

    /** Offset of the IPv4 header in the untagged golden frames. */
    static final int IP = 14;
    /** Offset of the transport header in the untagged golden frames. */
    static final int L4 = 34;

    private Golden() {}

    static byte[] hex(String... lines) {
        return HexFormat.ofDelimiter(" ").parseHex(String.join(" ", lines));
    }

    /** A heap buffer holding a copy of the bytes. */
    static ByteBuffer buffer(byte[] bytes) {
        return ByteBuffer.wrap(bytes.clone());
    }

    /** A buffer of {@code length} bytes all 0xa5, so an emit that skips a field shows. */
    static ByteBuffer poisoned(int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 0xa5);
        return ByteBuffer.wrap(bytes);
    }

    /** The whole content of a heap buffer. */
    static byte[] bytes(ByteBuffer buffer) {
        return buffer.array();
    }

    static byte[] slice(byte[] bytes, int from, int to) {
        return Arrays.copyOfRange(bytes, from, to);
    }
}
