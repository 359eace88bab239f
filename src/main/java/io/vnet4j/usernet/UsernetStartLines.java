package io.vnet4j.usernet;

import io.vnet4j.base.Log;
import io.vnet4j.base.SocketAddresses;
import io.vnet4j.config.UserConfig;
import io.vnet4j.os.ChannelDescriptors;
import io.vnet4j.usernet.dhcpv6.Dhcpv6Pool;
import io.vnet4j.usernet.dhcpv6.Dhcpv6Settings;
import io.vnet4j.wire.Ipv4Address;
import java.net.InetSocketAddress;
import java.util.List;

/** What a user network says as it starts: what it serves, where its host forwards go, and what it cannot do. */
final class UsernetStartLines {
    private UsernetStartLines() {}

    /**
     * The settings that work otherwise than a user may think: an IPv6 prefix SLAAC cannot use, a search list
     * IPv6's messages cannot carry whole, ICMP errors for guests' datagrams that cannot be read here.
     *
     * @param ndp the network's neighbour discovery, null when IPv6 is off
     */
    static void warnings(String id, UserConfig config, NeighborDiscovery ndp) {
        config.ipv6().filter(v6 -> v6.prefixLength() != 64).ifPresent(v6 -> Log.warn(id + ": ipv6-net="
                + v6.network() + ": guests take an address by SLAAC only from a /64 prefix (RFC 4862 with RFC 2464); "
                + "with /" + v6.prefixLength() + " they get none unless one is set by hand (QEMU behaves the same)"
                + (v6.prefixLength() <= Dhcpv6Pool.MAX_PREFIX_LENGTH
                        ? " or a DHCPv6 client asks for one (stateful DHCPv6 gives the guest's MAC in the prefix)"
                        : "; nor by stateful DHCPv6, which puts the guest's MAC in the prefix: it fits a prefix up to /"
                                + Dhcpv6Pool.MAX_PREFIX_LENGTH)));
        List<String> search = SearchList.of(config);
        int byDhcpv6 = SearchList.fitting(search, Dhcpv6Settings.MAX_SEARCH_LIST).size();
        if (ndp != null && Math.min(ndp.searchDomains.size(), byDhcpv6) < search.size()) {
            Log.warn(id + ": the DNS search list does not fit IPv6's messages whole (or has names DNS cannot carry): "
                    + "IPv6 guests get the first " + ndp.searchDomains.size() + " of its " + search.size()
                    + " domains in router advertisements and the first " + byDhcpv6 + " by DHCPv6");
        }
        if (!config.reach().restricted() && !ChannelDescriptors.available()) {
            Log.info(id + ": ICMP errors that come back for guests' UDP datagrams (port unreachable, Packet Too Big) "
                    + "are not passed to them: " + ChannelDescriptors.howToEnable());
        }
    }

    /** The network's addresses, its DNS upstreams and each host forward of its configuration, a line each. */
    static void started(String id, UserConfig config, List<InetSocketAddress> dnsUpstreams,
                        List<UserConfig.HostForward> forwards) {
        Log.info(id + ": user network " + (!config.ipv4() ? "" : Ipv4Address.format(config.network()) + "/"
                + config.prefixLength() + ", gateway " + Ipv4Address.format(config.host()) + ", DNS "
                + Ipv4Address.format(config.dns()))
                + config.ipv6().map(v6 -> (config.ipv4() ? "; " : "") + v6.network() + ", gateway " + v6.host()
                        + ", DNS " + v6.dns()).orElse("")
                // with both families, what follows is said of both DNS addresses, not of the IPv6 one before it
                + (config.ipv4() && config.ipv6().isPresent() ? "; both DNS addresses" : "")
                + (!config.reach().builtinDns() ? " (builtin-dns=off: nothing answers there)"
                        : config.reach().restricted() ? " (restrict=on: its own names only, other queries refused)"
                        : dnsUpstreams.isEmpty() ? " (no nameserver in /etc/resolv.conf: queries other than the"
                                + " guests' own names are answered SERVFAIL; dns-upstream=ADDRESS names a resolver)"
                        : " -> " + SocketAddresses.format(dnsUpstreams))
                + (config.reach().restricted() ? ", restricted" : "") + "; " + BusyPoll.describe());
        for (UserConfig.HostForward f : forwards) { // as bound: a rule on port 0 shows the port the kernel picked
            Log.info(id + ": forwarding " + forward(config, f));
        }
        for (UserConfig.GuestForward g : config.guestForwards()) {
            Log.info(id + ": guests' connections to tcp " + Ipv4Address.format(g.address()) + ":" + g.port() + " go to "
                    + switch (g.target()) {
                        case UserConfig.GuestForwardTarget.Command c -> "the command " + c.command() + " (guestfwd cmd:)";
                        case UserConfig.GuestForwardTarget.Tcp t -> "tcp " + t.host() + ":" + t.port();
                        case UserConfig.GuestForwardTarget.Unix u -> "the unix socket " + u.path();
                        case UserConfig.GuestForwardTarget.Smb smb -> "smbd, sharing " + smb.share() + " as \\\\"
                                + Ipv4Address.format(g.address()) + "\\qemu (smb=)";
                    });
        }
    }

    /** A host forward for a log line, saying where a rule without a guest address goes and why. */
    static String forward(UserConfig config, UserConfig.HostForward f) {
        return (f.udp() ? "udp " : "tcp ") + f.hostAddress().toUriString() + ":" + f.hostPort()
                + (f.ipv6Only() ? " (IPv6 only)" : "") + " to "
                + f.guestAddress().toUriString() + ":" + f.guestPort()
                + (!f.guestDefaulted() ? "" : f.guestLearned()
                        ? " (no guest address in the rule: the guest's IPv6 address, as learnt from its traffic)"
                        : f.guestAddress().ipv4() == config.dhcpStart()
                        ? " (no guest address in the rule: the first DHCP lease, dhcpstart)"
                        : " (no guest address in the rule: the configure=on TAP's address)");
    }
}
