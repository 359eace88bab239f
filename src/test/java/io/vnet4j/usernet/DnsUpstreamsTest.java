package io.vnet4j.usernet;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.base.SocketAddresses;
import io.vnet4j.config.ConfigParser;
import io.vnet4j.config.NetdevConfig;
import io.vnet4j.config.UserConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DnsUpstreamsTest {

    @Test
    void resolvConfNameserversOfBothFamiliesAreTakenAndNamesAreNeverLookedUp(@TempDir Path dir) throws Exception {
        Path resolvConf = dir.resolve("resolv.conf");
        Files.writeString(resolvConf, """
                search vnet.test.
                nameserver 2001:db8:1::3
                nameserver 127.0.0.53
                nameserver fe80::1%lo
                nameserver fe80::1%no-such-interface0
                nameserver resolver.example.test
                nameserver 10.0.2
                """);
        ConfigParser parser = new ConfigParser();
        parser.netdev("user,id=u");
        UserConfig config = ((NetdevConfig.User) parser.build().netdevs().getFirst()).user();

        assertThat(SocketAddresses.format(new DnsUpstreams("u", config, resolvConf, System::nanoTime).current()))
                .isEqualTo("[2001:db8:1::3]:53, 127.0.0.53:53, [fe80::1]:53");
        assertThat(((java.net.Inet6Address) DnsUpstreams.nameserver("fe80::1%lo")).getScopeId()).isPositive();
    }

    /** helper-78's replay of gvisor-tap-vsock PR #696: resolv.conf rewritten under a running network. */
    @Test
    void aChangedResolvConfIsFollowedWithinASecondAsLibslirpFollowsIt(@TempDir Path dir) throws Exception {
        Path resolvConf = dir.resolve("resolv.conf");
        long[] now = {0};
        DnsUpstreams upstreams = upstreams("user,id=u", resolvConf, now);
        assertThat(SocketAddresses.format(upstreams.current())).isEqualTo("127.0.0.1:53");

        Files.writeString(resolvConf, "# rewritten by NetworkManager\nnameserver 127.0.0.2\n");
        now[0] += java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DnsUpstreams.RECHECK_MILLIS) - 1;
        assertThat(SocketAddresses.format(upstreams.current())).as("looked at once a second at most").isEqualTo("127.0.0.1:53");
        now[0] += 1;
        assertThat(SocketAddresses.format(upstreams.current())).isEqualTo("127.0.0.2:53");

        Files.delete(resolvConf);
        now[0] += java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(DnsUpstreams.RECHECK_MILLIS);
        assertThat(upstreams.current()).as("gone: no upstream").isEmpty();
    }

    @Test
    void givenUpstreamsAreKeptWhateverResolvConfSays(@TempDir Path dir) throws Exception {
        Path resolvConf = dir.resolve("resolv.conf");
        long[] now = {0};
        DnsUpstreams upstreams = upstreams("user,id=u,dns-upstream=127.0.0.9", resolvConf, now);
        Files.writeString(resolvConf, "nameserver 127.0.0.2\n");
        now[0] += java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        assertThat(SocketAddresses.format(upstreams.current())).isEqualTo("127.0.0.9:53");
    }

    /** The upstreams of a user network of {@code netdev} whose resolv.conf names 127.0.0.1, on the clock {@code now[0]}. */
    private static DnsUpstreams upstreams(String netdev, Path resolvConf, long[] now) throws Exception {
        Files.writeString(resolvConf, "nameserver 127.0.0.1\n");
        ConfigParser parser = new ConfigParser();
        parser.netdev(netdev);
        UserConfig config = ((NetdevConfig.User) parser.build().netdevs().getFirst()).user();
        return new DnsUpstreams("u", config, resolvConf, () -> now[0]);
    }
}
