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

    private static String startLine(String options) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        Log.toStandardError(Log.Format.TEXT);
        try {
            UsernetStartLines.started("u", TestGateways.config("ipv6=off" + options), UPSTREAM, java.util.List.of());
        } finally {
            System.setErr(saved);
        }
        return err.toString(StandardCharsets.UTF_8);
    }
}
