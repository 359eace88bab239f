package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.base.Log;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The line a user network starts with names where its DNS queries go, and only where they really go. */
class UsernetStartLinesTest {
    private static final List<InetSocketAddress> UPSTREAM = List.of(new InetSocketAddress("127.0.0.53", 53));

    @Test
    void anOpenNetworkNamesItsUpstreamResolver() throws Exception {
        assertThat(startLine("")).contains("DNS 10.0.2.3 -> 127.0.0.53:53").doesNotContain("restricted");
    }

    /** With both families the upstream is said of both DNS addresses, where it read as the IPv6 one's alone. */
    @Test
    void aDualStackNetworkSaysBothDnsAddressesGoUpstream() throws Exception {
        var config = TestGateways.config("");
        assertThat(captured(() -> UsernetStartLines.started("u", config, UPSTREAM, List.of())))
                .contains("DNS 10.0.2.3; fec0::/64, gateway fec0::2, DNS fec0::3; both DNS addresses -> 127.0.0.53:53");
    }

    /**
     * A host whose resolv.conf names no nameserver (a minimal container; Termux, termux/termux-packages#21008, has
     * none at /etc) leaves the guests' lookups answered SERVFAIL: the line says so and names the option that helps.
     */
    @Test
    void aNetworkWithoutAnUpstreamSaysHowToNameOne() throws Exception {
        var config = TestGateways.config("ipv6=off");
        assertThat(captured(() -> UsernetStartLines.started("u", config, List.of(), List.of())))
                .contains("DNS 10.0.2.3 (no nameserver in /etc/resolv.conf: queries other than the guests' own names are"
                        + " answered SERVFAIL; dns-upstream=ADDRESS names a resolver)");
    }

    @Test
    void aRestrictedNetworkNamesNoUpstreamItNeverAsks() throws Exception {
        // restrict=on answers the guests' own names and refuses the rest (UdpServices): the upstream read from
        // /etc/resolv.conf is never asked, so the line must not name it
        assertThat(startLine(",restrict=on"))
                .contains("(restrict=on: its own names only, other queries refused), restricted")
                .doesNotContain("127.0.0.53");
    }

    @Test
    void eachGuestForwardHasALine() throws Exception {
        assertThat(startLine(",guestfwd=tcp:10.0.2.100:7001-cmd:cat,guestfwd=tcp:10.0.2.100:7002-tcp:127.0.0.1:80"))
                .contains("u: guests' connections to tcp 10.0.2.100:7001 go to the command cat (guestfwd cmd:)")
                .contains("u: guests' connections to tcp 10.0.2.100:7002 go to tcp 127.0.0.1:80");
    }

    @Test
    void aPrefixOtherThanSlaacsSaysWhetherStatefulDhcpv6StillGivesAddresses() throws Exception {
        assertThat(warnings("ipv6-net=fec0::/80")).contains("u: ipv6-net=fec0::/80: guests take an address by SLAAC only"
                + " from a /64 prefix", "or a DHCPv6 client asks for one (stateful DHCPv6 gives the guest's MAC in the prefix)");
        assertThat(warnings("ipv6-net=fec0::/96")).contains("nor by stateful DHCPv6, which puts the guest's MAC in the"
                + " prefix: it fits a prefix up to /80");
        assertThat(warnings("ipv6-net=fec0::/64")).doesNotContain("ipv6-net");
    }

    private static String warnings(String options) throws Exception {
        var config = TestGateways.config(options);
        return captured(() -> UsernetStartLines.warnings("u", config, null));
    }

    private static String startLine(String options) throws Exception {
        var config = TestGateways.config("ipv6=off" + options);
        return captured(() -> UsernetStartLines.started("u", config, UPSTREAM, java.util.List.of()));
    }

    private static String captured(Runnable task) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Log.toStandardError(Log.Format.TEXT);
        try {
            task.run();
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }
}
