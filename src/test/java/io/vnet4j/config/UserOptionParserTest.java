package io.vnet4j.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.MacAddress;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserOptionParserTest {
    @TempDir
    Path dir;

    private static UserConfig parse(String text) throws ConfigException {
        ConfigParser parser = new ConfigParser();
        parser.netdev(text);
        return ((NetdevConfig.User) parser.build().netdevs().getFirst()).user();
    }

    private static int ip(String s) {
        return Ipv4Address.parse(s);
    }

    @Test
    void defaultsAreQemus() throws Exception {
        UserConfig c = parse("user,id=u");
        assertThat(c.network()).isEqualTo(ip("10.0.2.0"));
        assertThat(c.prefixLength()).isEqualTo(24);
        assertThat(c.host()).isEqualTo(ip("10.0.2.2"));
        assertThat(c.dns()).isEqualTo(ip("10.0.2.3"));
        assertThat(c.dhcpStart()).isEqualTo(ip("10.0.2.15"));
        assertThat(c.restricted()).isFalse();
        assertThat(c.mtu()).isEqualTo(1500);
    }

    @Test
    void netMovesTheDerivedAddresses() throws Exception {
        UserConfig c = parse("user,id=u,net=192.168.76.0/24");
        assertThat(c.host()).isEqualTo(ip("192.168.76.2"));
        assertThat(c.dns()).isEqualTo(ip("192.168.76.3"));
        assertThat(c.dhcpStart()).isEqualTo(ip("192.168.76.15"));
        assertThat(parse("user,id=u,net=10.1.0.0/255.255.0.0").prefixLength()).isEqualTo(16);
        assertThat(parse("user,id=u,net=10.0.0.0").prefixLength()).isEqualTo(8);
    }

    @Test
    void everyOptionIsTaken() throws Exception {
        UserConfig c = parse("user,id=u,net=10.0.2.0/24,host=10.0.2.9,dns=10.0.2.10,dhcpstart=10.0.2.100,restrict=on,"
                + "hostname=vm1,domainname=example.test,dnssearch=a.test,dnssearch=b.test,tftp=" + dir
                + ",tftp-server-name=boot.test,bootfile=pxelinux.0,hostfwd=tcp::2222-:22,hostfwd=udp:127.0.0.1:5353-10.0.2.20:53,"
                + "guestfwd=tcp:10.0.2.100:8080-cmd:cat,guestfwd=:10.0.2.101:80-tcp:127.0.0.1:8080,"
                + "dns-upstream=127.0.0.1:5300,dns-upstream=::1,mtu=9000,dhcp-static=52:54:00:00:00:01=10.0.2.50");
        assertThat(c.host()).isEqualTo(ip("10.0.2.9"));
        assertThat(c.restricted()).isTrue();
        assertThat(c.dnsSearch()).containsExactly("a.test", "b.test");
        assertThat(c.hostForwards()).hasSize(2);
        UserConfig.HostForward ssh = c.hostForwards().getFirst();
        assertThat(ssh.udp()).isFalse();
        assertThat(ssh.hostAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(ssh.hostPort()).isEqualTo(2222);
        assertThat(ssh.guestAddress()).isEqualTo(ip("10.0.2.100"));
        assertThat(ssh.guestPort()).isEqualTo(22);
        assertThat(c.hostForwards().get(1).udp()).isTrue();
        assertThat(c.guestForwards().getFirst().target()).isEqualTo(new UserConfig.GuestForwardTarget.Command("cat"));
        assertThat(c.guestForwards().get(1).target()).isEqualTo(new UserConfig.GuestForwardTarget.Tcp("127.0.0.1", 8080));
        assertThat(c.dnsUpstreams()).hasSize(2);
        assertThat(c.dnsUpstreams().getFirst().port()).isEqualTo(5300);
        assertThat(c.mtu()).isEqualTo(9000);
        assertThat(c.dhcpStatic()).containsEntry(MacAddress.parse("52:54:00:00:00:01"), ip("10.0.2.50"));
    }

    @Test
    void inconsistentAddressesGetQemusMessages() {
        assertError("user,id=u,host=10.0.3.2", "Host doesn't belong to network");
        assertError("user,id=u,dns=10.0.2.2", "DNS must be different from host");
        assertError("user,id=u,restrict=on,dns=8.8.8.8", "DNS doesn't belong to network");
        assertError("user,id=u,dhcpstart=10.0.3.15", "DHCP doesn't belong to network");
        assertError("user,id=u,dhcpstart=10.0.2.3", "DHCP must be different from host and DNS");
        assertError("user,id=u,net=10.0.2.0/33", "Invalid netmask provided (must be in range 4-32)");
        assertError("user,id=u,net=10.0.2.0/255.0.255.0", "Failed to parse netmask");
        assertError("user,id=u,host=nonsense", "Failed to parse host");
        assertError("user,id=u,domainname=", "'domainname' parameter cannot be empty");
    }

    @Test
    void badForwardingRulesSayWhy() {
        assertError("user,id=u,hostfwd=tcp", "Invalid host forwarding rule 'tcp' (No : separators)");
        assertError("user,id=u,hostfwd=sctp::1-:2", "(Bad protocol name)");
        assertError("user,id=u,hostfwd=tcp:1.2.3:1-:2", "(Bad host address)");
        assertError("user,id=u,hostfwd=tcp::99999-:22", "(Bad host port)");
        assertError("user,id=u,hostfwd=tcp::2222", "(Bad host port separator)");
        assertError("user,id=u,hostfwd=tcp::2222-22", "(Missing guest address)");
        assertError("user,id=u,hostfwd=tcp::2222-:0", "(Bad guest port)");
        assertError("user,id=u,guestfwd=tcp:10.0.2.100:80-file:/x", "Invalid guest forwarding rule");
        assertError("user,id=u,guestfwd=tcp:10.0.9.100:80-cmd:cat", "must be in the network");
        assertError("user,id=u,dns-upstream=resolver.example", "no names");
        assertError("user,id=u,dhcp-static=nonsense", "dhcp-static: expected MAC=IP");
        assertError("user,id=u,mtu=100", "mtu: expected a whole number from 576 to 65520");
        assertError("user,id=u,tftp=" + dir.resolve("missing"), "is not a directory");
        assertError("user,id=u,ipv6=on", "unknown option 'ipv6'");
        assertError("user,id=u,host=10.0.2.2,host=10.0.2.4", "host is given twice");
    }

    private static void assertError(String text, String message) {
        assertThatThrownBy(() -> parse(text)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("-netdev " + text + ": ").hasMessageContaining(message);
    }
}
