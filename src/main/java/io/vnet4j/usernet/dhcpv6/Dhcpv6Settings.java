package io.vnet4j.usernet.dhcpv6;

import io.vnet4j.wire.DomainNames;
import io.vnet4j.wire.IpAddress;
import java.util.List;

/**
 * What the DHCPv6 server hands out (RFC 8415 section 18.3.6 with RFC 3646 and RFC 5970, and addresses), as plain
 * values, checked here.
 *
 * @param dnsServer     the DNS Recursive Name Server (option 23), an IPv6 address; null: none sent
 * @param searchDomains the Domain Search List (option 24), empty: none sent
 * @param bootFileUrl   the Boot File URL (option 59), printable ASCII; null: none sent. libslirp's form is
 *                      {@link #tftpBootFileUrl}
 * @param serverMac     the MAC of the server's DUID-LL (RFC 8415 section 11.4), the low 48 bits
 * @param pool          the addresses stateful DHCPv6 gives (IA_NA); null: only Information-requests are answered,
 *                      as libslirp's server does
 */
public record Dhcpv6Settings(IpAddress dnsServer, List<String> searchDomains, String bootFileUrl, long serverMac,
                             Dhcpv6Pool pool) {
    /** The longest Boot File URL taken, so that a reply stays well within an IPv6 minimum MTU. */
    public static final int MAX_BOOT_FILE_URL = 512;
    /** The longest encoded search list taken. */
    public static final int MAX_SEARCH_LIST = 512;

    /**
     * @throws IllegalArgumentException for an IPv4 DNS server, a search domain {@link DomainNames#encode}
     *                                  refuses or a list over 512 bytes encoded, a boot file URL that is empty,
     *                                  over 512 characters or not printable ASCII, a MAC over 48 bits
     */
    public Dhcpv6Settings {
        searchDomains = List.copyOf(searchDomains);
        if (dnsServer != null && dnsServer.isIpv4()) {
            throw new IllegalArgumentException("DHCPv6 DNS server must be an IPv6 address: " + dnsServer);
        }
        if (DomainNames.encode(searchDomains).length > MAX_SEARCH_LIST) {
            throw new IllegalArgumentException("DHCPv6 search list over " + MAX_SEARCH_LIST + " bytes: " + searchDomains);
        }
        if (bootFileUrl != null && (bootFileUrl.isEmpty() || bootFileUrl.length() > MAX_BOOT_FILE_URL
                || !bootFileUrl.chars().allMatch(c -> c > ' ' && c <= '~'))) {
            throw new IllegalArgumentException("DHCPv6 boot file URL must be 1-" + MAX_BOOT_FILE_URL
                    + " printable ASCII characters: " + bootFileUrl);
        }
        if ((serverMac >>> 48) != 0) {
            throw new IllegalArgumentException("not a MAC address: " + Long.toHexString(serverMac));
        }
    }

    /** Settings of a stateless server (no {@link #pool}), libslirp's. */
    public Dhcpv6Settings(IpAddress dnsServer, List<String> searchDomains, String bootFileUrl, long serverMac) {
        this(dnsServer, searchDomains, bootFileUrl, serverMac, null);
    }

    /**
     * The Boot File URL libslirp sends (dhcpv6.c, {@code dhcpv6_info_request}): {@code tftp://[}, the server's
     * IPv6 address as eight groups of four lower-case hex digits, uncompressed, {@code ]/} and the file name,
     * e.g. {@code tftp://[fec0:0000:0000:0000:0000:0000:0000:0002]/pxelinux.0}.
     *
     * @throws IllegalArgumentException for an IPv4 server
     */
    public static String tftpBootFileUrl(IpAddress server, String file) {
        if (server.isIpv4()) {
            throw new IllegalArgumentException("not an IPv6 address: " + server);
        }
        StringBuilder url = new StringBuilder("tftp://[");
        for (int group = 0; group < 8; group++) {
            long half = group < 4 ? server.high() : server.low();
            int value = (int) (half >>> (48 - 16 * (group % 4))) & 0xFFFF;
            url.append(group == 0 ? "" : ":").append(String.format("%04x", value));
        }
        return url.append("]/").append(file).toString();
    }
}
