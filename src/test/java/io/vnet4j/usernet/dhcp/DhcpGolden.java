package io.vnet4j.usernet.dhcp;

import static io.vnet4j.usernet.dhcp.Hex.ascii;
import static io.vnet4j.usernet.dhcp.Hex.zeros;

/**
 * Golden messages between a guest (52:54:00:12:34:56) and the server with QEMU's addresses. The
 * guest's messages are laid out as busybox udhcpc sends them: options 53, 61, 57, 12 ("guest") and
 * a parameter request list of 1, 3, 6, 12, 15, 28, 42, 51, 54, 119, zero padded to 300 bytes. Every DHCP reply
 * echoes the client identifier (61) right after its message type (RFC 6842).
 */
final class DhcpGolden {
    static final String XID = "3c 4d 5e 6f";
    static final String GUEST_CHADDR = "52 54 00 12 34 56 " + zeros(10);
    static final String SNAME_AND_FILE = zeros(64) + " " + zeros(128);
    static final String COOKIE = "63 82 53 63";
    static final String CLIENT_ID = "3d 07 01 52 54 00 12 34 56";
    static final String UDHCPC_TAIL = String.join(" ",
            CLIENT_ID,
            "39 02 02 40",
            "0c 05 " + ascii("guest"),
            "37 0a 01 03 06 0c 0f 1c 2a 33 36 77");

    static final byte[] DISCOVER = Hex.bytes(
            "01 01 06 00", XID, "00 00 00 00",
            zeros(16),
            GUEST_CHADDR, SNAME_AND_FILE, COOKIE,
            "35 01 01", UDHCPC_TAIL, "ff", zeros(24));

    /** The OFFER to {@link #DISCOVER} from QEMU's defaults: 10.0.2.15 for a day, T1 12 h, T2 21 h (after the lease time). */
    static final byte[] OFFER = Hex.bytes(
            "02 01 06 00", XID, "00 00 00 00",
            "00 00 00 00 0a 00 02 0f 0a 00 02 02 00 00 00 00",
            GUEST_CHADDR, SNAME_AND_FILE, COOKIE,
            "35 01 02", CLIENT_ID,
            "01 04 ff ff ff 00",
            "03 04 0a 00 02 02",
            "06 04 0a 00 02 03",
            "33 04 00 01 51 80",
            "3a 04 00 00 a8 c0",
            "3b 04 00 01 27 50",
            "36 04 0a 00 02 02",
            "ff", zeros(5));

    /** The REQUEST selecting that offer: options 50 and 54 added after 53. */
    static final byte[] REQUEST = Hex.bytes(
            "01 01 06 00", XID, "00 00 00 00",
            zeros(16),
            GUEST_CHADDR, SNAME_AND_FILE, COOKIE,
            "35 01 03", "32 04 0a 00 02 0f", "36 04 0a 00 02 02", UDHCPC_TAIL, "ff", zeros(12));

    /**
     * The ACK to {@link #REQUEST} from a server with every optional setting: host name "vm1", domain
     * "vnet.test", search list "vnet.test lab.vnet.test", TFTP server "10.0.2.2", boot file "pxelinux.0",
     * MTU 1500. Requested options come in the client's order, then 26, 66, 67 (each name NUL-terminated); T1 and T2 follow the lease time; 358 bytes,
     * no padding.
     */
    static final byte[] FULL_ACK = Hex.bytes(
            "02 01 06 00", XID, "00 00 00 00",
            "00 00 00 00 0a 00 02 0f 0a 00 02 02 00 00 00 00",
            GUEST_CHADDR, zeros(64), ascii("pxelinux.0"), zeros(118), COOKIE,
            "35 01 05", CLIENT_ID,
            "01 04 ff ff ff 00",
            "03 04 0a 00 02 02",
            "06 04 0a 00 02 03",
            "0c 03", ascii("vm1"),
            "0f 09", ascii("vnet.test"),
            "33 04 00 01 51 80",
            "3a 04 00 00 a8 c0",
            "3b 04 00 01 27 50",
            "36 04 0a 00 02 02",
            "77 11 04", ascii("vnet"), "04", ascii("test"), "00 03", ascii("lab"), "c0 00",
            "1a 02 05 dc",
            "42 09", ascii("10.0.2.2"), "00",
            "43 0b", ascii("pxelinux.0"), "00",
            "ff");

    /** An INIT-REBOOT request for 10.0.2.99: option 50, no server identifier. */
    static final byte[] INIT_REBOOT_WRONG = Hex.bytes(
            "01 01 06 00", XID, "00 00 00 00",
            zeros(16),
            GUEST_CHADDR, SNAME_AND_FILE, COOKIE,
            "35 01 03", "32 04 0a 00 02 63", UDHCPC_TAIL, "ff", zeros(18));

    /** The NAK to {@link #INIT_REBOOT_WRONG}: no addresses, the client identifier, server identifier and message. */
    static final byte[] NAK = Hex.bytes(
            "02 01 06 00", XID, "00 00 00 00",
            zeros(16),
            GUEST_CHADDR, SNAME_AND_FILE, COOKIE,
            "35 01 06", CLIENT_ID,
            "36 04 0a 00 02 02",
            "38 1f", ascii("requested address not available"),
            "ff", zeros(8));

    private DhcpGolden() {}
}
