package io.vnet4j.usernet.dhcpv6;

/** DHCPv6 option codes (RFC 8415 section 21, RFC 3646, RFC 5970) and the DUID types the server uses. */
public final class Dhcpv6Option {
    /** Client Identifier: the client's DUID (RFC 8415 section 21.2). */
    public static final int CLIENTID = 1;
    /** Server Identifier: the server's DUID (RFC 8415 section 21.3). */
    public static final int SERVERID = 2;
    /** Identity Association for Non-temporary Addresses (RFC 8415 section 21.4). */
    public static final int IA_NA = 3;
    /** Identity Association for Temporary Addresses (RFC 8415 section 21.5). */
    public static final int IA_TA = 4;
    /** IA Address (RFC 8415 section 21.6). */
    public static final int IAADDR = 5;
    /** Option Request: a list of 16-bit option codes (RFC 8415 section 21.7). */
    public static final int ORO = 6;
    /** Preference: one byte, 255 has the client take this server's Advertise at once (RFC 8415 section 21.8). */
    public static final int PREFERENCE = 7;
    /** Elapsed Time (RFC 8415 section 21.9). */
    public static final int ELAPSED_TIME = 8;
    /** Status Code: a 16-bit code ({@link Dhcpv6Status}) and a UTF-8 message (RFC 8415 section 21.13). */
    public static final int STATUS_CODE = 13;
    /** Rapid Commit: no data; Solicit-Reply instead of four messages (RFC 8415 section 21.14). */
    public static final int RAPID_COMMIT = 14;
    /** DNS Recursive Name Server: IPv6 addresses (RFC 3646 section 3). */
    public static final int DNS_SERVERS = 23;
    /** Domain Search List: uncompressed domain names (RFC 3646 section 4). */
    public static final int DOMAIN_LIST = 24;
    /** Identity Association for Prefix Delegation (RFC 8415 section 21.21). */
    public static final int IA_PD = 25;
    /** Boot File URL: the URL as ASCII text, no NUL (RFC 5970 section 3.1). */
    public static final int BOOTFILE_URL = 59;

    /** DUID-LL: DUID type 3, hardware type, link-layer address (RFC 8415 section 11.4). */
    public static final int DUID_LL = 3;
    /** Hardware type Ethernet (IANA ARP hardware types). */
    public static final int HARDWARE_ETHERNET = 1;

    private Dhcpv6Option() {}
}
