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

        assertThat(SocketAddresses.format(DnsUpstreams.resolve(config, resolvConf)))
                .isEqualTo("[2001:db8:1::3]:53, 127.0.0.53:53, [fe80::1]:53");
        assertThat(((java.net.Inet6Address) DnsUpstreams.nameserver("fe80::1%lo")).getScopeId()).isPositive();
    }
}
