package io.vnet4j.slirp4netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.os.InterfaceSetup;
import io.vnet4j.config.Config;
import io.vnet4j.config.ConfigException;
import io.vnet4j.config.NetdevConfig;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a slirp4netns command line becomes in vnet4j's -netdev terms, and what ConfigParser makes of it. */
class EngineOptionsTest {
    private static final String PID = Long.toString(ProcessHandle.current().pid());

    @TempDir
    Path dir;

    @Test
    void theDefaultsAreSlirp4netnssNetworkWithoutIpv6() throws Exception {
        Settings s = SettingsTest.settings(PID, "tap0");
        assertThat(EngineOptions.userNetdev(s)).isEqualTo(
                "user,id=slirp,net=10.0.2.0/24,host=10.0.2.2,dns=10.0.2.3,dhcpstart=10.0.2.15,mtu=1500,ipv6=off");
        assertThat(EngineOptions.tapNetdev(s)).isEqualTo(
                "tap,id=tap,ifname=tap0,netns=/proc/" + PID + "/ns/net,mtu=1500,configure=off");
    }

    @Test
    void ipv6CidrMtuAndConfigureCarryOver() throws Exception {
        Path netns = Files.createSymbolicLink(dir.resolve("ns,1"), Path.of("/proc/self/ns/net")); // a namespace, a comma in its name
        Settings s = SettingsTest.settings("-c", "-6", "--cidr=10.0.3.0/24", "--mtu=65520", "--netns-type=path",
                netns.toString(), "eth0");
        assertThat(EngineOptions.userNetdev(s)).isEqualTo("user,id=slirp,net=10.0.3.0/24,host=10.0.3.2,dns=10.0.3.3,"
                + "dhcpstart=10.0.3.15,mtu=65520,ipv6-net=fd00::/64,ipv6-host=fd00::2,ipv6-dns=fd00::3");
        assertThat(EngineOptions.tapNetdev(s)).isEqualTo(
                "tap,id=tap,ifname=eth0,netns=" + dir + "/ns,,1,mtu=65520,configure=on");

        Config config = EngineOptions.config(s);
        NetdevConfig.User user = (NetdevConfig.User) config.netdevs().get(0);
        assertThat(user.user().host()).isEqualTo(Ipv4Address.parse("10.0.3.2"));
        assertThat(user.user().dns()).isEqualTo(Ipv4Address.parse("10.0.3.3"));
        assertThat(user.user().mtu()).isEqualTo(65520);
        assertThat(user.user().ipv6().orElseThrow().host()).isEqualTo(IpAddress.parse("fd00::2"));
        assertThat(user.user().ipv6().orElseThrow().dns()).isEqualTo(IpAddress.parse("fd00::3"));
        NetdevConfig.Tap tap = (NetdevConfig.Tap) config.netdevs().get(1);
        assertThat(tap.netns()).isEqualTo(netns);
        assertThat(tap.ifname()).isEqualTo("eth0");
        assertThat(tap.script()).isNull();
        // configure=on gives the TAP slirp4netns's recommended address, the prefix and the gateway
        assertThat(tap.configure()).isEqualTo(new NetdevConfig.Tap.Configure(Ipv4Address.parse("10.0.3.100"), 24,
                Ipv4Address.parse("10.0.3.2"), 65520, InterfaceSetup.KERNEL_MAC));
    }

    @Test
    void disableHostLoopbackIsTheUserNetworksHostLoopbackOff() throws Exception {
        Settings s = SettingsTest.settings("--disable-host-loopback", PID, "tap0");
        assertThat(EngineOptions.userNetdev(s)).endsWith(",ipv6=off,host-loopback=off");
        NetdevConfig.User user = (NetdevConfig.User) EngineOptions.config(s).netdevs().get(0);
        assertThat(user.user().reach().hostLoopback()).isFalse();
        assertThat(s.notApplied()).isEmpty();
    }

    @Test
    void disableDnsIsTheUserNetworksBuiltinDnsOff() throws Exception {
        Settings s = SettingsTest.settings("--disable-dns", PID, "tap0");
        assertThat(EngineOptions.userNetdev(s)).endsWith(",ipv6=off,builtin-dns=off");
        NetdevConfig.User user = (NetdevConfig.User) EngineOptions.config(s).netdevs().get(0);
        assertThat(user.user().reach().builtinDns()).isFalse();
        assertThat(s.notApplied()).isEmpty();
    }

    @Test
    void macaddressIsTheTapsMac() throws Exception {
        Settings s = SettingsTest.settings("-c", "--macaddress=52:54:00:12:34:57", PID, "tap0");
        assertThat(EngineOptions.tapNetdev(s)).endsWith(",configure=on,mac=52:54:00:12:34:57");
        NetdevConfig.Tap tap = (NetdevConfig.Tap) EngineOptions.config(s).netdevs().get(1);
        assertThat(tap.configure().mac()).isEqualTo(0x525400123457L);
        assertThat(s.notApplied()).isEmpty();
    }

    @Test
    void withoutIpv6TheUserNetworkHasNone() throws Exception {
        Config config = EngineOptions.config(SettingsTest.settings(PID, "tap0"));
        NetdevConfig.User user = (NetdevConfig.User) config.netdevs().get(0);
        assertThat(user.user().ipv4()).isTrue();
        assertThat(user.user().ipv6()).isEmpty();
        assertThat(((NetdevConfig.Tap) config.netdevs().get(1)).configure()).isNull();
    }

    @Test
    void aTapNameTheKernelWouldRefuseIsConfigParsersLine() throws Exception {
        Settings s = SettingsTest.settings(PID, "a-tap-name-far-too-long");
        assertThatThrownBy(() -> EngineOptions.config(s)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("ifname: expected 1 to 15 letters"); // not the -netdev the user never wrote
    }

    @Test
    void aFileThatIsNoNamespaceIsNamedWithoutTheEnginesOption() throws Exception {
        Settings s = SettingsTest.settings("--netns-type=path", "/etc/passwd", "tap0");
        assertThatThrownBy(() -> EngineOptions.config(s)).isInstanceOf(ConfigException.class)
                .hasMessage("netns: '/etc/passwd' is not a network namespace (expected /run/netns/NAME or /proc/PID/ns/net)");
    }
}
