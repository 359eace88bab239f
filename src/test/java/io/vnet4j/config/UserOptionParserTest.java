package io.vnet4j.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.MacAddress;
import java.nio.file.Files;
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

    /** smb= as QEMU checks it (net/slirp.c); the share itself, with smbd, is SmbIT's. */
    @Test
    void smbIsRefusedWithoutIpv4AShareOrAServerAddressInTheNetwork() throws Exception {
        assertError("user,id=u,ipv4=off,smb=" + dir, "smb: the SMB server is on IPv4 (ipv4=off)");
        assertError("user,id=u,smb=" + dir.resolve("none"), "smb: Error accessing shared directory '" + dir.resolve("none")
                + "': does not exist");
        Files.writeString(dir.resolve("file"), "");
        assertError("user,id=u,smb=" + dir.resolve("file"), "smb: Error accessing shared directory '" + dir.resolve("file")
                + "': not a directory this user can read and search");
        // Path.of("") is the daemon's working directory, which would be shared read-write (helper-92)
        assertError("user,id=u,smb=", "smb: Error accessing shared directory '': an empty path");
        // smb.conf: one line per setting, values trimmed, %U and the like expanded in a share's path
        for (String name : new String[] {"a\tb", "100%u", "end "}) {
            Path odd = Files.createDirectory(dir.resolve(name));
            assertError("user,id=u,smb=" + odd, "cannot be written as an smb.conf path");
        }
        assertError("user,id=u,smb=" + dir + ",smbserver=10.0.2.x", "Failed to parse SMB address");
        assertError("user,id=u,smb=" + dir + ",smbserver=10.0.3.4", "smbserver: Conflicting/invalid smbserver address"
                + " (10.0.3.4 must be in the network and not the host or DNS address)");
        assertError("user,id=u,smb=" + dir + ",smbserver=10.0.2.2", "must be in the network and not the host");
        assertError("user,id=u,smb=" + dir + ",guestfwd=tcp:10.0.2.4:445-cmd:cat",
                "smbserver: Conflicting/invalid smbserver address (an earlier guestfwd takes 10.0.2.4:445)");
        assertThat(parse("user,id=u,smbserver=10.0.2.9").guestForwards()).as("QEMU takes smbserver= alone").isEmpty();
    }

    @Test
    void defaultsAreQemus() throws Exception {
        UserConfig c = parse("user,id=u");
        assertThat(c.network()).isEqualTo(ip("10.0.2.0"));
        assertThat(c.prefixLength()).isEqualTo(24);
        assertThat(c.host()).isEqualTo(ip("10.0.2.2"));
        assertThat(c.dns()).isEqualTo(ip("10.0.2.3"));
        assertThat(c.dhcpStart()).isEqualTo(ip("10.0.2.15"));
        assertThat(c.reach().restricted()).isFalse();
        assertThat(c.mtu()).isEqualTo(1500);
    }

    @Test
    void aLeaseFileIsNamedByItsAbsolutePathAndNeedNotExistYet() throws Exception {
        assertThat(parse("user,id=u").leaseFile()).isNull();
        assertThat(parse("user,id=u,leasefile=" + dir.resolve("leases")).leaseFile()).isEqualTo(dir.resolve("leases"));
        assertThat(parse("user,id=u,leasefile=vnet4j.leases").leaseFile())
                .isEqualTo(java.nio.file.Path.of("vnet4j.leases").toAbsolutePath());
    }

    @Test
    void hostLoopbackIsOnUnlessTurnedOff() throws Exception {
        assertThat(parse("user,id=u").reach().hostLoopback()).isTrue();
        assertThat(parse("user,id=u,host-loopback=off").reach().hostLoopback()).isFalse();
        assertThat(parse("user,id=u,host-loopback=off,net=10.0.3.0/24").withForwardTarget(ip("10.0.3.100")).reach().hostLoopback())
                .isFalse();
        assertThatThrownBy(() -> parse("user,id=u,host-loopback=maybe")).hasMessageContaining("host-loopback");
    }

    @Test
    void builtinDnsIsOnUnlessTurnedOff() throws Exception {
        assertThat(parse("user,id=u").reach().builtinDns()).isTrue();
        assertThat(parse("user,id=u,builtin-dns=off").reach().builtinDns()).isFalse();
        assertThatThrownBy(() -> parse("user,id=u,builtin-dns=2")).hasMessageContaining("builtin-dns");
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
        assertThat(c.reach().restricted()).isTrue();
        assertThat(c.dnsSearch()).containsExactly("a.test", "b.test");
        assertThat(c.hostForwards()).hasSize(2);
        UserConfig.HostForward ssh = c.hostForwards().getFirst();
        assertThat(ssh.udp()).isFalse();
        assertThat(ssh.hostAddress()).isEqualTo(IpAddress.IPV4_LOOPBACK);
        assertThat(ssh.hostPort()).isEqualTo(2222);
        assertThat(ssh.guestAddress()).isEqualTo(IpAddress.parse("10.0.2.100"));
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
        String label64 = "a".repeat(64);
        String domainExpected = ": expected a domain name (labels of 1 to 63 letters, digits and inner '-', joined by '.',"
                + " at most 253 characters), got '";
        assertError("user,id=u,domainname=" + label64, "domainname" + domainExpected + label64 + "'");
        assertError("user,id=u,domainname=a..b", "domainname" + domainExpected + "a..b'");
        assertError("user,id=u,dnssearch=.example", "dnssearch" + domainExpected + ".example'");
        assertError("user,id=u,dnssearch=a.test,dnssearch=" + label64 + ".test", "dnssearch" + domainExpected + label64);
        assertError("user,id=u,dnssearch=", "dnssearch" + domainExpected + "'");
        assertError("user,id=u,hostname=evil\u0007name x", "hostname: expected a host name (labels of 1 to 63 letters, digits "
                + "and inner '-', joined by '.', at most 253 characters), got 'evil\\x07name x'");
        assertError("user,id=u,hostname=-bad", "hostname: expected a host name");
        assertError("user,id=u,tftp-server-name=a\u0007b", "tftp-server-name: expected a host name");
        assertError("user,id=u,bootfile=f\u0007x", "bootfile: a control character is not allowed in a file name, got 'f\\x07x'");
    }

    @Test
    void badForwardingRulesSayWhy() throws Exception {
        assertError("user,id=u,hostfwd=tcp", "Invalid host forwarding rule 'tcp' (No : separators)");
        assertError("user,id=u,hostfwd=sctp::1-:2", "(Bad protocol name)");
        assertError("user,id=u,hostfwd=tcp:1.2.3:1-:2", "(Bad host address)");
        assertError("user,id=u,hostfwd=tcp::99999-:22", "(Bad host port)");
        assertError("user,id=u,hostfwd=tcp::2222", "(Bad host port separator)");
        assertError("user,id=u,hostfwd=tcp::2222-22", "(Missing guest address)");
        assertError("user,id=u,hostfwd=tcp::2222-:0", "(Bad guest port)");
        assertError("user,id=u,guestfwd=tcp:10.0.2.100:80-file:/x", "Invalid guest forwarding rule");
        // helper-115: a unix target the JDK cannot connect to (over 106 bytes) failed at each guest connection
        String longPath = "/" + "p".repeat(106);
        assertError("user,id=u,guestfwd=tcp:10.0.2.100:80-unix:" + longPath, "Invalid guest forwarding rule 'tcp:10.0.2.100:80-unix:"
                + longPath + "' (the unix socket's path is longer than 106 bytes)");
        assertError("user,id=u,guestfwd=tcp:10.0.9.100:80-cmd:cat", "Conflicting/invalid host:port in guest forwarding"
                + " rule 'tcp:10.0.9.100:80-cmd:cat' (10.0.9.100 must be in the network and not the host or DNS address)");
        // libslirp's check_guestfwd refuses a second rule on one address and port; the last one won here before
        assertError("user,id=u,guestfwd=tcp:10.0.2.100:80-cmd:cat,guestfwd=:10.0.2.100:80-tcp:127.0.0.1:8080",
                "Conflicting/invalid host:port in guest forwarding rule ':10.0.2.100:80-tcp:127.0.0.1:8080' (an earlier"
                + " guestfwd takes 10.0.2.100:80)");
        assertError("user,id=u,guestfwd=::4000-cmd:cat,guestfwd=tcp:10.0.2.4:4000-cmd:cat", "an earlier guestfwd takes 10.0.2.4:4000");
        assertError("user,id=u,dns-upstream=resolver.example", "no names");
        assertError("user,id=u,dns-upstream=999.1.1.1", "dns-upstream: '999.1.1.1' is not an IPv4 address");
        assertError("user,id=u,dns-upstream=[fd00::g]:53", "dns-upstream: 'fd00::g' is not an IPv6 address");
        assertError("user,id=u,dns-upstream=[fe80::1]:53", "dns-upstream: the link-local address 'fe80::1' needs its "
                + "interface, as in [fe80::1%eth0]:53"); // helper-104: it was taken, and every query failed to leave
        // helper-126: the character after ']' was skipped unread, so [::1]5353 went to port 353 and [::1]x53 to 53
        assertError("user,id=u,dns-upstream=[::1]5353", "dns-upstream: expected ADDR[:PORT], got '[::1]5353'");
        assertError("user,id=u,dns-upstream=[::1]x53", "dns-upstream: expected ADDR[:PORT], got '[::1]x53'");
        // helper-126: taken, a group got every guest's queries, out on the host's networks
        assertError("user,id=u,dns-upstream=224.0.0.1", "dns-upstream: 224.0.0.1 is a multicast group, not a resolver"
                + " (expected a unicast address)");
        assertError("user,id=u,dns-upstream=[ff02::1]:53", "dns-upstream: ff02::1 is a multicast group");
        assertError("user,id=u,guestfwd=tcp:10.0.2.100:80-tcp:300.1.1.1:80",
                "the target's host: '300.1.1.1' is not an IPv4 address");
        assertError("user,id=u,guestfwd=tcp:10.0.2.100:80-tcp:a b:80", "'a b' is neither an IP address nor a host name");
        assertError("user,id=u,guestfwd=tcp:10.0.2.100:80-tcp:224.0.0.1:80", "224.0.0.1 is a multicast group");
        assertError("user,id=u,guestfwd=tcp:10.0.2.100:80-tcp:255.255.255.255:80", "limited broadcast address");
        assertError("user,id=u,dhcp-static=nonsense", "dhcp-static: expected MAC=IP");
        assertError("user,id=u,dhcp-static=52:54:00:00:00:01=10.0.2.50,dhcp-static=52:54:00:00:00:01=10.0.2.51",
                "dhcp-static: 52:54:00:00:00:01 is given twice");
        assertError("user,id=u,dhcp-static=52:54:00:00:00:01=10.0.2.50,dhcp-static=52:54:00:00:00:02=10.0.2.50",
                "dhcp-static: 10.0.2.50 is given to two MACs");
        assertError("user,id=u,dhcp-static=52:54:00:00:00:01=10.0.2.255", "nor the network's own or broadcast address");
        assertError("user,id=u,dhcp-static=52:54:00:00:00:01=10.0.2.0", "nor the network's own or broadcast address");
        assertError("user,id=u,guestfwd=tcp:10.0.2.100:80-tcp:127.0.0.1:8080,dhcp-static=52:54:00:00:00:01=10.0.2.100",
                "dhcp-static: 10.0.2.100 must be in the network and not the host, DNS or a guestfwd address");
        assertError("user,id=u,dhcp-static=01:00:5e:00:00:01=10.0.2.50", "dhcp-static: 01:00:5e:00:00:01 is a multicast or broadcast MAC");
        assertError("user,id=u,dhcp-static=ff:ff:ff:ff:ff:ff=10.0.2.50", "is a multicast or broadcast MAC");
        assertError("user,id=u,mtu=100", "mtu: expected a whole number from 576 to 65520");
        assertError("user,id=u,tftp=" + dir.resolve("missing"), "tftp: '" + dir.resolve("missing") + "' does not exist");
        Files.writeString(dir.resolve("a-file"), "");
        assertError("user,id=u,tftp=" + dir.resolve("a-file"), "tftp: '" + dir.resolve("a-file") + "' is not a directory");
        assertError("user,id=u,tftp=", "tftp: expected the directory to serve, got an empty value");
        assertError("user,id=u,leasefile=", "leasefile: expected a file path, got an empty value");
        assertError("user,id=u,leasefile=" + dir, "leasefile: '" + dir + "' is a directory, expected a file in one");
        assertError("user,id=u,leasefile=" + dir.resolve("missing/leases"),
                "leasefile: the directory of '" + dir.resolve("missing/leases") + "' does not exist");
        assertError("user,id=u,leasefile=/dev/null", "leasefile: '/dev/null' is not a regular file");
        // a directory no file can be made in, even by root: each write is a file made there and renamed; the daemon
        // started and said so only at the first lease, where dnsmasq refuses to start
        assertError("user,id=u,leasefile=/proc/self/leases",
                "leasefile: cannot write in the directory of '/proc/self/leases': no such file or directory");
        // so through a symbolic link whose target is not made yet: the writes go to the target's directory, where the
        // check looked at the link's own (it started, and failed at the lock file)
        Files.createSymbolicLink(dir.resolve("dangling"), Path.of("/proc/self/leases"));
        assertError("user,id=u,leasefile=" + dir.resolve("dangling"),
                "leasefile: cannot write in the directory of '" + dir.resolve("dangling") + "': no such file or directory");
        assertError("user,id=u,ipv4=off,leasefile=" + dir.resolve("leases"),
                "leasefile: IPv4 is off (ipv4=off), so there are no DHCP leases to keep");
        assertError("user,id=u,host=10.0.2.2,host=10.0.2.4", "host is given twice");
    }

    private static IpAddress v6(String s) {
        return IpAddress.parse(s);
    }

    private static UserConfig.HostForward forward(String options) throws ConfigException {
        return parse("user,id=u," + options).hostForwards().getFirst();
    }

    @Test
    void bothFamiliesAreOnByDefaultWithQemusIpv6Addresses() throws Exception {
        UserConfig c = parse("user,id=u");
        assertThat(c.ipv4()).isTrue();
        assertThat(c.ipv6()).contains(new UserConfig.Ipv6(v6("fec0::"), 64, v6("fec0::2"), v6("fec0::3")));
        assertThat(c.inIpv6Network(v6("fec0::1234"))).isTrue();
        assertThat(c.inIpv6Network(v6("fec1::1"))).isFalse();
        assertThat(c.inIpv6Network(IpAddress.parse("10.0.2.15"))).isFalse();
    }

    @Test
    void namingOneFamilyOnTurnsTheOtherOffAsQemuDoes() throws Exception {
        // net_init_slirp: ipv4=on alone means IPv4 only, ipv6=on alone IPv6 only
        String[][] cases = {{"", "true", "true"}, {",ipv4=on", "true", "false"}, {",ipv6=on", "false", "true"},
                {",ipv4=off", "false", "true"}, {",ipv6=off", "true", "false"}, {",ipv4=on,ipv6=on", "true", "true"},
                {",ipv4=on,ipv6=off", "true", "false"}, {",ipv4=off,ipv6=on", "false", "true"},
                {",ipv4=yes,ipv6=no", "true", "false"}};
        for (String[] c : cases) {
            UserConfig u = parse("user,id=u" + c[0]);
            assertThat(u.ipv4()).as(c[0]).isEqualTo(Boolean.parseBoolean(c[1]));
            assertThat(u.ipv6().isPresent()).as(c[0]).isEqualTo(Boolean.parseBoolean(c[2]));
        }
        assertError("user,id=u,ipv4=off,ipv6=off", "IPv4 and IPv6 disabled");
        assertError("user,id=u,ipv4=on,ipv6=maybe", "ipv6: expected on or off, got 'maybe'");
    }

    @Test
    void ipv4OffKeepsQemusIpv4ValuesAndTakesNoNetHostOrDns() throws Exception {
        UserConfig c = parse("user,id=u,ipv4=off,dhcpstart=10.0.2.20"); // dhcpstart is not in QEMU's list
        assertThat(c.ipv4()).isFalse();
        assertThat(c.network()).isEqualTo(ip("10.0.2.0"));
        assertThat(c.dhcpStart()).isEqualTo(ip("10.0.2.20"));
        assertError("user,id=u,ipv4=off,net=10.0.3.0/24", "IPv4 disabled but netmask/host/dns provided");
        assertError("user,id=u,ipv4=off,host=10.0.2.9", "IPv4 disabled but netmask/host/dns provided");
        assertError("user,id=u,ipv6=on,dns=10.0.2.9", "IPv4 disabled but netmask/host/dns provided");
        // vnet4j's source addresses likewise: one for a family that is off was taken and never used
        assertError("user,id=u,ipv4=off,outbound-addr=127.0.0.1", "outbound-addr: IPv4 is off (ipv4=off, or ipv6=on alone)");
        assertError("user,id=u,ipv6=on,outbound-addr=127.0.0.1", "outbound-addr: IPv4 is off");
        assertError("user,id=u,ipv6=off,outbound-addr6=::1", "outbound-addr6: IPv6 is off (ipv6=off, or ipv4=on alone)");
        assertError("user,id=u,ipv4=on,outbound-addr6=::1", "outbound-addr6: IPv6 is off");
    }

    @Test
    void ipv6OffTakesNoPrefixHostOrDnsButStillChecksTheLength() throws Exception {
        assertThat(parse("user,id=u,ipv6=off,ipv6-prefixlen=48").ipv6()).isEmpty(); // not in QEMU's list
        assertError("user,id=u,ipv6=off,ipv6-net=fd00::/64", "IPv6 disabled but prefix/host6/dns6 provided");
        assertError("user,id=u,ipv4=on,ipv6-prefix=fd00::", "IPv6 disabled but prefix/host6/dns6 provided");
        assertError("user,id=u,ipv6=off,ipv6-host=fec0::2", "IPv6 disabled but prefix/host6/dns6 provided");
        assertError("user,id=u,ipv6=off,ipv6-dns=fec0::3", "IPv6 disabled but prefix/host6/dns6 provided");
        assertError("user,id=u,ipv6=off,ipv6-prefixlen=127", "Invalid IPv6 prefix provided");
    }

    @Test
    void ipv6NetOrTheOlderPrefixOptionsMoveTheDerivedAddresses() throws Exception {
        assertThat(parse("user,id=u,ipv6-net=fd00:1::/48").ipv6())
                .contains(new UserConfig.Ipv6(v6("fd00:1::"), 48, v6("fd00:1::2"), v6("fd00:1::3")));
        assertThat(parse("user,id=u,ipv6-net=fd00:1::").ipv6().orElseThrow().prefixLength()).isEqualTo(64);
        assertThat(parse("user,id=u,ipv6-prefix=fd00:2::,ipv6-prefixlen=56").ipv6())
                .contains(new UserConfig.Ipv6(v6("fd00:2::"), 56, v6("fd00:2::2"), v6("fd00:2::3")));
        assertThat(parse("user,id=u,ipv6-prefix=fd00:3::").ipv6().orElseThrow().network()).isEqualTo("fd00:3::/64");
        assertThat(parse("user,id=u,ipv6-prefixlen=112").ipv6().orElseThrow().network()).isEqualTo("fec0::/112");
        assertThat(parse("user,id=u,ipv6-prefixlen=126").ipv6().orElseThrow().host()).isEqualTo(v6("fec0::2"));
        // a length of 0 is QEMU's "not given": 64
        assertThat(parse("user,id=u,ipv6-prefixlen=0").ipv6().orElseThrow().prefixLength()).isEqualTo(64);
        assertThat(parse("user,id=u,ipv6-net=fd00::/0").ipv6().orElseThrow().prefixLength()).isEqualTo(64);
        // the prefix is masked (QEMU would derive fd00::1:2:7 from the bits after it)
        assertThat(parse("user,id=u,ipv6-net=fd00::1:2:3:4/64").ipv6())
                .contains(new UserConfig.Ipv6(v6("fd00::"), 64, v6("fd00::2"), v6("fd00::3")));
        UserConfig.Ipv6 given = parse("user,id=u,ipv6-net=fd00::/64,ipv6-host=fd00::99,ipv6-dns=2001:db8::53")
                .ipv6().orElseThrow();
        assertThat(given.host()).isEqualTo(v6("fd00::99"));
        assertThat(given.dns()).isEqualTo(v6("2001:db8::53")); // outside the prefix: allowed unless restricted
    }

    @Test
    void ipv6SettingsGetQemusMessages() {
        assertError("user,id=u,ipv6-prefix=x", "Failed to parse IPv6 prefix ('ipv6-prefix=x': expected an IPv6 address)");
        assertError("user,id=u,ipv6-net=/64", "Failed to parse IPv6 prefix ('ipv6-net=': expected an IPv6 address)");
        assertError("user,id=u,ipv6-prefix=10.0.2.0", "Failed to parse IPv6 prefix ('ipv6-prefix=10.0.2.0': expected an IPv6 address, not IPv4)");
        assertError("user,id=u,ipv6-net=::ffff:10.0.2.0/120", "expected an IPv6 address, not IPv4-mapped");
        assertError("user,id=u,ipv6-net=", "Parameter 'ipv6-net' expects a valid IPv6 prefix");
        assertError("user,id=u,ipv6-net=fec0::/x", "parameter 'ipv6-net' expects a number after '/'");
        assertError("user,id=u,ipv6-net=fec0::/", "parameter 'ipv6-net' expects a number after '/'");
        assertError("user,id=u,ipv6-net=fec0::/64/1", "parameter 'ipv6-net' expects a number after '/'");
        assertError("user,id=u,ipv6-prefixlen=x", "Parameter 'ipv6-prefixlen' expects an int64 value");
        String range = "Invalid IPv6 prefix provided (IPv6 prefix length must be between 0 and 126)";
        assertError("user,id=u,ipv6-prefixlen=127", range);
        assertError("user,id=u,ipv6-prefixlen=-1", range);
        assertError("user,id=u,ipv6-net=fec0::/200", range);
        assertError("user,id=u,ipv6-net=fec0::/99999999999999999999", range);
        assertError("user,id=u,ipv6-host=x", "Failed to parse IPv6 host");
        assertError("user,id=u,ipv6-host=10.0.2.2", "Failed to parse IPv6 host");
        assertError("user,id=u,ipv6-host=fec1::2", "IPv6 Host doesn't belong to network");
        assertError("user,id=u,ipv6-net=fd00::/64,ipv6-host=fec0::2", "IPv6 Host doesn't belong to network");
        assertError("user,id=u,ipv6-dns=x", "Failed to parse IPv6 DNS");
        assertError("user,id=u,restrict=on,ipv6-dns=fec1::3", "IPv6 DNS doesn't belong to network");
        assertError("user,id=u,ipv6-dns=fec0::2", "IPv6 DNS must be different from host");
        assertError("user,id=u,ipv6-host=fec0::3", "IPv6 DNS must be different from host");
        assertError("user,id=u,ipv6-net=fd00::/64,ipv6-prefix=fd01::",
                "ipv6-net: expected either ipv6-net=ADDR[/LEN] or ipv6-prefix=ADDR,ipv6-prefixlen=LEN, not both");
        assertError("user,id=u,ipv6-net=fd00::,ipv6-prefixlen=48", "not both");
        assertError("user,id=u,ipv6-host=fec0::2,ipv6-host=fec0::4", "ipv6-host is given twice");
    }

    @Test
    void hostForwardsTakeIpv6InBracketsOnEitherSide() throws Exception {
        UserConfig.HostForward f = forward("hostfwd=tcp:[::1]:2222-[fec0::15]:22");
        assertThat(f).isEqualTo(new UserConfig.HostForward(false, IpAddress.IPV6_LOOPBACK, 2222, v6("fec0::15"), 22, false));
        f = forward("hostfwd=udp:[::]:5353-:53");
        assertThat(f).isEqualTo(new UserConfig.HostForward(true, IpAddress.IPV6_ANY, 5353, IpAddress.IPV6_ANY, 53, true));
        assertThat(f.guestLearned()).isTrue();
        f = forward("hostfwd=tcp:127.0.0.1:2222-[fec0::15]:22");
        assertThat(f.hostAddress()).isEqualTo(IpAddress.IPV4_LOOPBACK);
        assertThat(f.guestAddress()).isEqualTo(v6("fec0::15"));
        f = forward("hostfwd=tcp:[::1]:2222-10.0.2.15:22");
        assertThat(f.hostAddress()).isEqualTo(IpAddress.IPV6_LOOPBACK);
        assertThat(f.guestAddress()).isEqualTo(IpAddress.parse("10.0.2.15"));
        assertThat(f.guestDefaulted()).isFalse();
        assertThat(forward("ipv6-net=fd00:1::/64,hostfwd=tcp::2222-[fd00:1::15]:22").guestAddress()).isEqualTo(v6("fd00:1::15"));
        assertThat(forward("hostfwd=tcp:[2001:db8::1]:0-[fec0::15]:22").hostAddress()).isEqualTo(v6("2001:db8::1"));
    }

    @Test
    void aMissingGuestAddressFollowsTheHostAddresssFamily() throws Exception {
        UserConfig.HostForward f = forward("hostfwd=tcp::2222-:22");
        assertThat(f.hostAddress()).isEqualTo(IpAddress.IPV4_LOOPBACK);
        assertThat(f.guestAddress()).isEqualTo(IpAddress.parse("10.0.2.15"));
        assertThat(f.guestDefaulted()).isTrue();
        assertThat(f.guestLearned()).isFalse();
        assertThat(forward("dhcpstart=10.0.2.50,hostfwd=tcp:0.0.0.0:2222-:22").guestAddress()).isEqualTo(IpAddress.parse("10.0.2.50"));
        assertThat(forward("hostfwd=tcp:[::1]:2222-:22").guestAddress()).isEqualTo(IpAddress.IPV6_ANY);
        // the unspecified address is the default of its family, as in libslirp's slirp_add_hostxfwd
        f = forward("hostfwd=tcp::2222-0.0.0.0:22");
        assertThat(f.guestAddress()).isEqualTo(IpAddress.parse("10.0.2.15"));
        assertThat(f.guestDefaulted()).isTrue();
        f = forward("hostfwd=tcp::2222-[::]:22");
        assertThat(f.guestAddress()).isEqualTo(IpAddress.IPV6_ANY);
        assertThat(f.guestDefaulted()).isTrue();
        // the host's family is off in the guest network: the other one
        assertThat(forward("ipv4=off,hostfwd=tcp::2222-:22").guestAddress()).isEqualTo(IpAddress.IPV6_ANY);
        assertThat(forward("ipv6=off,hostfwd=tcp:[::1]:2222-:22").guestAddress()).isEqualTo(IpAddress.parse("10.0.2.15"));
    }

    @Test
    void badIpv6ForwardingRulesSayWhy() {
        assertError("user,id=u,hostfwd=tcp:[::1:2222-:22", "Invalid host forwarding rule 'tcp:[::1:2222-:22' (Bad host address: '[' without ']')");
        assertError("user,id=u,hostfwd=tcp::2222-[fec0::15:22", "(Bad guest address: '[' without ']')");
        assertError("user,id=u,hostfwd=tcp:[::1]2222-:22", "(Missing : separator)");
        assertError("user,id=u,hostfwd=tcp:[::1]:2222", "(Bad host port separator)");
        assertError("user,id=u,hostfwd=tcp:[::1]:-:22", "(Bad host port)");
        assertError("user,id=u,hostfwd=tcp:[::1]:2222-[fec0::15]", "(Missing guest address)");
        assertError("user,id=u,hostfwd=tcp:[::1]:2222-[fec0::15]:", "(Bad guest port)");
        assertError("user,id=u,hostfwd=tcp:[::1]:2222-[fec0::15]:0", "(Bad guest port)");
        assertError("user,id=u,hostfwd=tcp:[10.0.0.1]:2222-:22", "(Bad host address: brackets are for IPv6 addresses, got '[10.0.0.1]')");
        assertError("user,id=u,hostfwd=tcp::2222-[]:22", "(Bad guest address: brackets are for IPv6 addresses, got '[]')");
        assertError("user,id=u,hostfwd=tcp:[zz::1]:2222-:22", "(Bad host address)");
        assertError("user,id=u,hostfwd=tcp:[fe80::1%eth0]:2222-:22", "(Bad host address)");
        assertError("user,id=u,hostfwd=tcp::2222-[fec0::xyz]:22", "(Bad guest address)");
        assertError("user,id=u,hostfwd=tcp:::1:2222-:22", "(Bad host address: an IPv6 address goes in brackets, as in [::1]:2222)");
        // no '-': QEMU's separator line, not a guess at an IPv6 address (osv#486's 'tcp:2222::22', meant as
        // tcp::2222-:22, was told to put an IPv6 address in brackets)
        assertError("user,id=u,hostfwd=tcp:::1", "Invalid host forwarding rule 'tcp:::1' (Bad host port separator)");
        assertError("user,id=u,hostfwd=tcp:2222::22", "Invalid host forwarding rule 'tcp:2222::22' (Bad host port separator)");
        assertError("user,id=u,hostfwd=tcp::2222-fec0::15:22", "(Bad guest address: an IPv6 address goes in brackets");
        // a stray colon after an IPv4 address is the port's, as QEMU says (ppggff/vagrant-qemu#39)
        assertError("user,id=u,hostfwd=tcp:127.0.0.1::55985-:5985", "Invalid host forwarding rule "
                + "'tcp:127.0.0.1::55985-:5985' (Bad host port)");
        assertError("user,id=u,hostfwd=tcp::2222-10.0.2.15::22", "(Bad guest port)");
        // a colon at the end is the port's too (QEMU's qemu_strtoi takes the whole rest), no IPv6 address
        assertError("user,id=u,hostfwd=tcp::2222-:22:", "Invalid host forwarding rule 'tcp::2222-:22:' (Bad guest port)");
        assertError("user,id=u,hostfwd=tcp::2222:-:22", "Invalid host forwarding rule 'tcp::2222:-:22' (Bad host port)");
        assertError("user,id=u,hostfwd=tcp::2222-::ffff:10.0.2.15:22", "(Bad guest address: an IPv6 address goes in brackets");
        // an address already in brackets leaves a stray colon to the port (helper-166)
        assertError("user,id=u,hostfwd=tcp::2222-[fec0::15]:22:", "Invalid host forwarding rule 'tcp::2222-[fec0::15]:22:' (Bad guest port)");
        assertError("user,id=u,hostfwd=tcp:[::1]:2222:-:22", "Invalid host forwarding rule 'tcp:[::1]:2222:-:22' (Bad host port)");
    }

    @Test
    void aForwardsGuestAddressMustFitTheGuestNetwork() {
        assertError("user,id=u,hostfwd=tcp::2222-[fec1::15]:22", "(guest address fec1::15 is outside the IPv6 network fec0::/64)");
        assertError("user,id=u,hostfwd=tcp::2222-[fe80::15]:22", "(guest address fe80::15 is outside the IPv6 network fec0::/64)");
        assertError("user,id=u,ipv6=off,hostfwd=tcp::2222-[fec0::15]:22", "(IPv6 guest address while ipv6=off)");
        assertError("user,id=u,ipv6=off,hostfwd=tcp::2222-[::]:22", "(IPv6 guest address while ipv6=off)");
        assertError("user,id=u,ipv4=off,hostfwd=tcp::2222-10.0.2.15:22", "(IPv4 guest address while ipv4=off)");
        assertError("user,id=u,ipv4=off,hostfwd=udp:[::1]:53-0.0.0.0:53", "(IPv4 guest address while ipv4=off)");
        assertError("user,id=u,hostfwd=tcp::2222-10.0.3.15:22", "(guest address 10.0.3.15 is outside the IPv4 network 10.0.2.0/24)");
        assertError("user,id=u,net=192.0.2.0/28,dhcpstart=192.0.2.5,hostfwd=tcp::2222-192.0.2.16:22",
                "(guest address 192.0.2.16 is outside the IPv4 network 192.0.2.0/28)");
        assertError("user,id=u,hostfwd=tcp::2222-10.0.2.0:22", "(guest address 10.0.2.0 is the network's own or broadcast address)");
        assertError("user,id=u,hostfwd=tcp::2222-10.0.2.255:22", "(guest address 10.0.2.255 is the network's own or broadcast address)");
    }

    @Test
    void theGatewaysAddressesAndThePoolAreNeitherTheNetworksOwnNorItsBroadcastAddress() {
        assertError("user,id=u,host=10.0.2.0", "host: 10.0.2.0 is the network's own or broadcast address (expected one from "
                + "10.0.2.1 to 10.0.2.254)");
        assertError("user,id=u,dns=10.0.2.255", "dns: 10.0.2.255 is the network's own or broadcast address");
        assertError("user,id=u,dhcpstart=10.0.2.255", "dhcpstart: 10.0.2.255 is the network's own or broadcast address");
        assertError("user,id=u,net=192.0.2.0/28,dhcpstart=192.0.2.15", "dhcpstart: 192.0.2.15 is the network's own or "
                + "broadcast address (expected one from 192.0.2.1 to 192.0.2.14)");
        assertError("user,id=u,net=192.0.2.0/30", "DHCP must be different from host and DNS (dhcpstart's default in this "
                + "network, 192.0.2.3, is one of them; give one)");
        // QEMU's default pool start, .15 of the network, is a /28's broadcast address
        assertError("user,id=u,net=192.0.2.0/28", "dhcpstart (its default in this network; give one): 192.0.2.15 is the "
                + "network's own or broadcast address");
    }

    @Test
    void anOutboundAddressMustBeOneOfThisHosts() throws Exception {
        assertThat(parse("user,id=u,outbound-addr=127.0.0.2").reach().outboundAddr4()).isEqualTo(IpAddress.parse("127.0.0.2"));
        // a documentation address (RFC 5737) no host has; only bound, nothing is sent
        assertError("user,id=u,outbound-addr=203.0.113.77", "outbound-addr: 203.0.113.77 is not an address of this host (bind: ");
        assertError("user,id=u,outbound-addr6=2001:db8::77", "outbound-addr6: 2001:db8::77 is not an address of this host (bind: ");
    }

    @Test
    void aRuleThatRanOnThroughAnEscapedCommaSaysSo() {
        assertError("user,id=u,hostfwd=tcp::2222-:22,,hostfwd=tcp::2223-:23", "Invalid host forwarding rule "
                + "'tcp::2222-:22,hostfwd=tcp::2223-:23' (Bad guest port; ',,' is an escaped comma, so this rule ran on into the next: separate hostfwd= rules with one comma)");
    }

    @Test
    void aRuleAddedAtRunTimeIsCheckedAsAnOptionsIs() throws Exception {
        UserConfig network = parse("user,id=u");
        assertThatThrownBy(() -> UserConfig.HostForward.parse("tcp::2222-10.0.2.2:22", network))
                .hasMessage("Invalid host forwarding rule 'tcp::2222-10.0.2.2:22' (guest address 10.0.2.2 is the gateway's own: "
                        + "a rule forwards to a guest)");
        assertThatThrownBy(() -> UserConfig.HostForward.parse("tcp::2222-10.9.2.15:22", network))
                .hasMessageContaining("(guest address 10.9.2.15 is outside the IPv4 network 10.0.2.0/24)");
        assertThat(UserConfig.HostForward.parse("tcp::2222-10.0.2.16:22", network).guestAddress())
                .isEqualTo(IpAddress.parse("10.0.2.16"));
    }

    @Test
    void aForwardToTheGatewaysOwnAddressOrFromALinkLocalOneIsRefused() {
        assertError("user,id=u,hostfwd=tcp::2222-10.0.2.2:22", "guest address 10.0.2.2 is the gateway's own");
        assertError("user,id=u,hostfwd=tcp:[::1]:2222-[fec0::3]:22", "guest address fec0::3 is the gateway's own");
        assertError("user,id=u,hostfwd=tcp:[fe80::1]:2222-:22", "a link-local address needs an interface");
    }

    @Test
    void hostForwardPortsAndThePrefixLengthAreReadWithBaseZeroAsInQemu() throws Exception {
        // QEMU 7.2 (slirp_hostfwd's qemu_strtoi with base 0) binds hostfwd=tcp:127.0.0.1:010-:22 on port 8
        UserConfig.HostForward f = forward("hostfwd=tcp:127.0.0.1:010-:0x16");
        assertThat(f.hostPort()).isEqualTo(8);
        assertThat(f.guestPort()).isEqualTo(22);
        assertThat(forward("hostfwd=udp::0x1771-:+53").hostPort()).isEqualTo(6001);
        assertError("user,id=u,hostfwd=tcp::08-:22", "(Bad host port)");
        // guestfwd's port is strtol with base 10 in QEMU: 010 is 10 there
        assertThat(parse("user,id=u,guestfwd=tcp:10.0.2.100:010-cmd:true").guestForwards().getFirst().port()).isEqualTo(10);
        // ipv6-prefixlen is a QAPI integer (base 0: 0130 is 88, which QEMU 7.2 takes); ipv6-net's /LEN is base 10
        assertThat(parse("user,id=u,ipv6-prefix=fd00::,ipv6-prefixlen=0130").ipv6().orElseThrow().prefixLength()).isEqualTo(88);
        assertThat(parse("user,id=u,ipv6-prefixlen=0x40").ipv6().orElseThrow().prefixLength()).isEqualTo(64);
        assertError("user,id=u,ipv6-prefixlen=09", "Parameter 'ipv6-prefixlen' expects an int64 value (a leading 0 makes it octal");
        assertError("user,id=u,ipv6-prefixlen=99999999999999999999", "Invalid IPv6 prefix provided");
        assertError("user,id=u,ipv6-net=fd00::/0130", "Invalid IPv6 prefix provided");
    }

    @Test
    void qemusDeprecatedIpIsNetWithA24BitMask() throws Exception {
        // QEMU 7.2 takes ip=10.0.3.0 (net_init_slirp: net=10.0.3.0/24; net= wins when both are given)
        UserConfig c = parse("user,id=u,ip=10.0.3.0");
        assertThat(c.network()).isEqualTo(ip("10.0.3.0"));
        assertThat(c.prefixLength()).isEqualTo(24);
        assertThat(c.host()).isEqualTo(ip("10.0.3.2"));
        assertThat(parse("user,id=u,ip=10.0.3.0,net=192.168.5.0/24").network()).isEqualTo(ip("192.168.5.0"));
        assertError("user,id=u,ipv4=off,ip=10.0.3.0", "IPv4 disabled but netmask/host/dns provided");
    }

    private static void assertError(String text, String message) {
        assertThatThrownBy(() -> parse(text)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("-netdev " + text + ": ").hasMessageContaining(message)
                .message().doesNotContain("\n");
    }
}
