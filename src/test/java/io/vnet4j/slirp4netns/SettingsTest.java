package io.vnet4j.slirp4netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.wire.Ipv4Address;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** slirp4netns 1.2's command line read and checked as main.c does, with its messages. */
class SettingsTest {
    private static final String PID = Long.toString(ProcessHandle.current().pid());

    @TempDir
    Path dir;

    static Settings settings(String... args) throws UsageException {
        return Settings.of(Slirp4netnsOptions.parse(args));
    }

    @Test
    void rootlesskitsCommandLine() throws Exception {
        Settings s = settings("--mtu", "65520", "-r", "3", "--disable-host-loopback", "--api-socket",
                dir + "/.s4nn.sock", "--enable-sandbox", "--enable-seccomp", PID, "tap0");
        assertThat(s.configure()).isFalse();
        assertThat(s.mtu()).isEqualTo(65520);
        assertThat(s.readyFd()).isEqualTo(3);
        assertThat(s.exitFd()).isEqualTo(-1);
        assertThat(s.apiSocket()).isEqualTo(dir.resolve(".s4nn.sock"));
        assertThat(s.pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(s.netns()).isEqualTo(Path.of("/proc/" + PID + "/ns/net"));
        assertThat(s.tapName()).isEqualTo("tap0");
        assertThat(s.ipv6()).isFalse();
        assertThat(s.hostLoopback()).isFalse();
        assertThat(s.cidr()).isEqualTo(Cidr.DEFAULT);
        assertThat(s.defaultGuest().ipv4()).isEqualTo(Ipv4Address.parse("10.0.2.100"));
    }

    @Test
    void podmansCommandLine() throws Exception {
        Path netns = Files.createFile(dir.resolve("netns-0f1e"));
        Settings s = settings("--disable-host-loopback", "--mtu=65520", "--enable-sandbox", "--enable-seccomp",
                "--enable-ipv6", "-c", "-e", "3", "-r", "4", "--netns-type=path", netns.toString(), "tap0");
        assertThat(s.configure()).isTrue();
        assertThat(s.ipv6()).isTrue();
        assertThat(s.exitFd()).isEqualTo(3);
        assertThat(s.readyFd()).isEqualTo(4);
        assertThat(s.pid()).isZero();
        assertThat(s.netns()).isEqualTo(netns);
    }

    @Test
    void slirp4netnsDefaults() throws Exception {
        Settings s = settings(PID, "tap0");
        assertThat(s.mtu()).isEqualTo(1500);
        assertThat(s.readyFd()).isEqualTo(-1);
        assertThat(s.apiSocket()).isNull();
        assertThat(s.notices()).isEmpty();
        assertThat(s.notApplied()).isEmpty();
    }

    @Test
    void getoptSpellingsAllWork() throws Exception {
        Settings s = settings("-c6", "-m1400", "--ready-fd=5", PID,
                "--exit-fd", "6", "tap1", "--conf", "--mtu=1300");
        assertThat(s.configure()).isTrue();
        assertThat(s.ipv6()).isTrue();
        assertThat(s.mtu()).isEqualTo(1300); // the last one wins, as with getopt
        assertThat(s.readyFd()).isEqualTo(5);
        assertThat(s.exitFd()).isEqualTo(6);
        assertThat(s.tapName()).isEqualTo("tap1"); // options after operands, as getopt permutes them
        assertThat(settings("-r", " +7", PID, "tap0").readyFd()).isEqualTo(7); // strtol's leading space and sign
        assertThat(settings("--", PID, "tap0").pid()).isEqualTo(ProcessHandle.current().pid());
    }

    @ParameterizedTest
    @CsvSource({
            "10.0.2.0/24, 10.0.2.2, 10.0.2.3, 10.0.2.15, 10.0.2.100, 255.255.255.0",
            "10.0.3.0/24, 10.0.3.2, 10.0.3.3, 10.0.3.15, 10.0.3.100, 255.255.255.0",
            "192.168.128.0/17, 192.168.128.2, 192.168.128.3, 192.168.128.15, 192.168.128.100, 255.255.128.0",
            "172.16.0.0/12, 172.16.0.2, 172.16.0.3, 172.16.0.15, 172.16.0.100, 255.240.0.0",
            "10.10.10.0/25, 10.10.10.2, 10.10.10.3, 10.10.10.15, 10.10.10.100, 255.255.255.128",
    })
    void cidrMovesEveryAddressAsMainCDoes(String cidr, String host, String dns, String dhcp, String guest, String mask)
            throws Exception {
        Cidr c = settings("--cidr=" + cidr, PID, "tap0").cidr();
        assertThat(Ipv4Address.format(c.host())).isEqualTo(host);
        assertThat(Ipv4Address.format(c.dns())).isEqualTo(dns);
        assertThat(Ipv4Address.format(c.dhcpStart())).isEqualTo(dhcp);
        assertThat(Ipv4Address.format(c.guest())).isEqualTo(guest);
        assertThat(Ipv4Address.format(c.netmask())).isEqualTo(mask);
        assertThat(c.toString()).isEqualTo(cidr);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "10.0.2.100/24 | CIDR needs to be a network address like 10.0.2.0/24, not like 10.0.2.100/24",
            "10.0.2.0/26   | prefix length needs to be 1-25",
            "10.0.0.0/0    | prefix length needs to be 1-25",
            "0.0.0.0/2     | --cidr=0.0.0.0/2: vnet4j's user network needs a prefix length of 4 or more",
            "10.0.2.0      | invalid CIDR: 10.0.2.0",
            "10.0.2.0/024  | invalid CIDR: 10.0.2.0/024",
            "fd00::/64     | invalid CIDR: fd00::/64",
            "300.0.2.0/24  | invalid network address: 300.0.2.0",
            "010.0.2.0/24  | invalid network address: 010.0.2.0",
    })
    void badCidrsAreRefusedWithMainCsLine(String cidr, String message) {
        assertThatThrownBy(() -> settings("--cidr", cidr, PID, "tap0")).isInstanceOf(UsageException.class)
                .hasMessage(message);
    }

    @Test
    void badOptionsAreOneLineEach() throws Exception {
        refused("MTU must be a positive integer (< 65522)", "--mtu=0", PID, "tap0");
        refused("MTU must be a positive integer (< 65522)", "--mtu=65522", PID, "tap0");
        refused("MTU must be a positive integer (< 65522)", "-m", "-1", PID, "tap0");
        refused("MTU must be a positive integer (< 65522)", "-m", "15oo", PID, "tap0");
        refused("--mtu=100: vnet4j's user network takes an MTU of 576 to 65520", "--mtu=100", PID, "tap0");
        refused("--mtu=65521: vnet4j's user network takes an MTU of 576 to 65520", "--mtu=65521", PID, "tap0");
        refused("ready-fd must be a non-negative integer", "-r", "three", PID, "tap0");
        refused("exit-fd must be a non-negative integer", "-e", "-1", PID, "tap0");
        refused("expected PID|PATH and TAPNAME after the options (see --help)", PID);
        refused("expected PID|PATH and TAPNAME after the options (see --help)");
        refused("PID must be a positive integer", "abc", "tap0");
        refused("PID must be a positive integer", "0", "tap0");
        refused("existing path expected when --netns-type=path: No such file or directory",
                "--netns-type=path", dir.resolve("none").toString(), "tap0");
        refused("userns path doesn't exist: " + dir.resolve("none"), "--userns-path", dir.resolve("none").toString(), PID, "tap0");
        refused("--macaddr cannot be specified when --configure or -c is not specified", "--macaddress=02:00:00:00:00:01", PID, "tap0");
        refused("macaddress has to be a valid MAC address (hex string, 6 bytes, each byte separated by a ':').",
                "-c", "--macaddress=02:00:00", PID, "tap0");
        refused("--target-type must be either \"netns\" or \"bess\"", "--target-type=vm", PID, "tap0");
        assertThatThrownBy(() -> settings("--target-type=bess", "/tmp/bess.sock")).hasMessageStartingWith("--target-type=bess");
        refused("outbound-addr has to be valid ipv4 address or interface name.", "--outbound-addr=no-such-if0", PID, "tap0");
        refused("outbound-addr has to be valid ipv4 address or interface name.", "--outbound-addr=::1", PID, "tap0");
        refused("outbound-addr6 has to be valid ipv6 address or interface name.", "--outbound-addr6=127.0.0.1", PID, "tap0");
        refused("unrecognized option '--bogus'", "--bogus", PID, "tap0"); // getopt's words, as slirp4netns prints them
        refused("invalid option -- 'x'", "-cx", PID, "tap0");
        refused("option '--mtu' requires an argument", PID, "tap0", "--mtu");
        refused("option '--mtu' requires an argument", PID, "tap0", "--mt");
        refused("option requires an argument -- 'm'", PID, "tap0", "-6m");
        refused("option '--enable' is ambiguous; possibilities: '--enable-ipv6' '--enable-sandbox' '--enable-seccomp'",
                "--enable", PID, "tap0");
        assertThat(settings("-e", "3", PID, "tap0").exitFd()).isEqualTo(3);
    }

    /**
     * An empty API socket path (a script's unset variable, {@code --api-socket=$SOCK}) is refused by name: it was
     * read as the working directory and refused as "api socket  exists and is not a socket" (the new-user trial,
     * fifty-second pass).
     */
    @Test
    void anEmptyApiSocketPathIsRefusedByName() {
        refused("--api-socket: expected a socket path, got an empty one", "--api-socket=", PID, "tap0");
        refused("--api-socket: expected a socket path, got an empty one", "-a", "", PID, "tap0");
    }

    /** What getopt_long reads and picocli's own matching did not (the new-user trial, twenty-fourth pass). */
    @Test
    void longOptionsAreAbbreviatedAsGetoptAbbreviatesThem() throws Exception {
        refused("PID must be a positive integer", "", "tap0"); // operands, not options: picocli threw on these
        refused("PID must be a positive integer", "-c", "-", "tap0");
        assertThatThrownBy(() -> settings("--d-h", PID, "tap0")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--d-h"); // a prefix of each word is no prefix of the name
        assertThat(settings("--disable-h", PID, "tap0").hostLoopback()).isFalse();
        assertThat(settings("--outbound-addr=127.0.0.1", PID, "tap0").outbound4()).isNotNull(); // exact, though --outbound-addr6 begins with it
        Settings s = settings("-a", "-c", PID, "tap0"); // an option's argument is the next word, whatever it looks like
        assertThat(s.apiSocket()).isEqualTo(Path.of("-c"));
        assertThat(s.configure()).isFalse();
        refused("MTU must be a positive integer (< 65522)", "-6m", "--conf", PID, "tap0"); // -m's argument: "--conf"
    }

    private static void refused(String message, String... args) {
        assertThatThrownBy(() -> settings(args)).isInstanceOf(UsageException.class).hasMessage(message);
    }

    @Test
    void everyOptionIsCarriedOutButTheSandboxWhichSaysOneLine() throws Exception {
        Settings s = settings("-c", "--disable-host-loopback", "--outbound-addr=127.0.0.1", "--outbound-addr6=lo",
                "--disable-dns", "--macaddress=02:00:00:00:00:01", "--userns-path=/proc/self/ns/user",
                "--enable-sandbox", "--enable-seccomp", PID, "tap0");
        assertThat(s.outbound4()).isEqualTo(io.vnet4j.wire.IpAddress.parse("127.0.0.1"));
        assertThat(s.outbound6()).isEqualTo(io.vnet4j.wire.IpAddress.parse("::1")); // lo's IPv6 address
        assertThat(EngineOptions.userNetdev(s)).contains(",outbound-addr=127.0.0.1,outbound-addr6=::1");
        assertThat(EngineOptions.userNetdev(s)).contains(",builtin-dns=off");
        assertThat(EngineOptions.tapNetdev(s)).contains(",userns=/proc/self/ns/user,").endsWith(",mac=02:00:00:00:00:01");
        assertThat(s.notApplied()).containsExactly(
                "--enable-sandbox and --enable-seccomp have no vnet4j counterpart yet: the process keeps its mount "
                        + "namespace, capabilities and system calls");
    }

    @Test
    void deprecatedSpellingsAndExtraOperandsGetSlirp4netnsWarnings() throws Exception {
        Settings s = settings("--no-host-loopback", "--create-sandbox", PID, "tap0", "extra");
        assertThat(s.notices()).containsExactly(
                "WARNING: --no-host-loopback is deprecated and will be removed in future releases, please use "
                        + "--disable-host-loopback instead.",
                "WARNING: --create-sandbox is deprecated and will be removed in future releases, please use "
                        + "--enable-sandbox instead.",
                "WARNING: too many arguments");
        assertThat(s.notApplied()).hasSize(1); // the sandbox; --no-host-loopback is applied
        assertThat(s.hostLoopback()).isFalse();
        assertThat(s.tapName()).isEqualTo("tap0");
    }

    @Test
    void anyNetnsTypeButPidIsAPathAsInMainC() throws Exception {
        Path netns = Files.createFile(dir.resolve("ns"));
        assertThat(settings("--netns-type=pid", PID, "tap0").pid()).isEqualTo(ProcessHandle.current().pid());
        assertThat(settings("--netns-type=file", netns.toString(), "tap0").netns()).isEqualTo(netns);
        assertThat(List.of(settings("--netns-type", "path", netns.toString(), "t").pid())).containsExactly(0L);
    }

    @Test
    void theAotTrainingsCommandLinesAreTaken() {
        Slirp4netnsMain.train(); // rootlesskit's and Podman's: it throws if either were refused
    }
}
