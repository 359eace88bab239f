package io.vnet4j.usernet;

import io.vnet4j.wire.DomainNames;
import java.util.ArrayList;
import java.util.List;

/**
 * The DNS search list as far as it fits a message that carries it whole: the DHCPv6 Domain Search List
 * (512 bytes here) and the router advertisement's DNSSL option, which must leave the advertisement within
 * one unfragmented frame (RFC 6980 forbids fragmented neighbour discovery). {@code dnssearch=} accepts
 * lists that DHCPv4 splits across options; for IPv6 the leading domains that fit are sent, in order, and a
 * domain DNS wire format cannot hold (a label over 63 bytes, a name over 255) is left out.
 */
final class SearchList {
    private SearchList() {}

    /** What IPv6 guests are told to search: {@code dnssearch=}, or else the {@code domainname=} (as dnsmasq does). */
    static List<String> of(io.vnet4j.config.UserConfig config) {
        return !config.dnsSearch().isEmpty() ? config.dnsSearch()
                : config.domainName() == null ? List.of() : List.of(config.domainName());
    }

    /** The leading domains of {@code domains} whose encoding takes at most {@code maxBytes}. */
    static List<String> fitting(List<String> domains, int maxBytes) {
        List<String> kept = new ArrayList<>();
        int bytes = 0;
        for (String domain : domains) {
            int length;
            try {
                length = DomainNames.encode(List.of(domain)).length;
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (bytes + length > maxBytes) {
                break;
            }
            kept.add(domain);
            bytes += length;
        }
        return kept;
    }
}
