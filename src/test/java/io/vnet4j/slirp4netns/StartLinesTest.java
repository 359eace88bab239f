package io.vnet4j.slirp4netns;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The start-up lines, as slirp4netns 1.2 prints them (checked against the binary, {@code stdbuf -oL slirp4netns}). */
class StartLinesTest {
    private static final String PID = Long.toString(ProcessHandle.current().pid());

    @Test
    void podmansCommandLineWithAnApiSocketAndAMac() throws Exception {
        Settings s = SettingsTest.settings("--mtu=65520", "-c", "--macaddress=52:54:00:12:34:99", "--cidr=10.0.3.0/24",
                PID, "tap0");
        assertThat(StartLines.of(s, Path.of("/run/user/1000/libpod/tmp/x.net"))).containsExactly(
                "Starting slirp",
                "* MTU:             65520",
                "* Network:         10.0.3.0",
                "* Netmask:         255.255.255.0",
                "* Gateway:         10.0.3.2",
                "* DNS:             10.0.3.3",
                "* DHCP begin:      10.0.3.15",
                "* DHCP end:        10.0.3.254", // vnet4j's pool; slirp4netns prints 10.0.3.30
                "* Recommended IP:  10.0.3.100",
                "* API Socket:      /run/user/1000/libpod/tmp/x.net",
                "* MAC address:     52:54:00:12:34:99",
                "WARNING: 127.0.0.1:* on the host is accessible as 10.0.3.2 (set --disable-host-loopback to prohibit "
                        + "connecting to 127.0.0.1:*)");
    }

    @Test
    void noHostLoopbackWarningWithDisableHostLoopback() throws Exception {
        Settings s = SettingsTest.settings("--disable-host-loopback", PID, "tap0");
        assertThat(StartLines.of(s, null)).hasSize(9).last().isEqualTo("* Recommended IP:  10.0.2.100");
    }

    /**
     * slirp4netns#267 and #346 ("outbound address not applied"): the reporters show slirp4netns's
     * "* Outbound IPv4:" line to say which address was taken, an interface name's included. main.c prints
     * it after the API socket's line with four spaces after the colon, and "* Outbound IPv6:" likewise.
     */
    @Test
    void outboundAddressesAreShownAsMainCShowsThem() throws Exception {
        Settings s = SettingsTest.settings("-c", "-6", "--disable-host-loopback", "--outbound-addr=127.0.0.2",
                "--outbound-addr6=lo", "--macaddress=52:54:00:12:34:99", PID, "tap0");
        assertThat(StartLines.of(s, Path.of("/tmp/api.sock"))).containsSequence(
                "* API Socket:      /tmp/api.sock",
                "* Outbound IPv4:    127.0.0.2",
                "* Outbound IPv6:    ::1", // lo's IPv6 address
                "* MAC address:     52:54:00:12:34:99");
        assertThat(StartLines.of(SettingsTest.settings("--outbound-addr=lo", PID, "tap0"), null))
                .contains("* Outbound IPv4:    127.0.0.1").noneMatch(l -> l.startsWith("* Outbound IPv6"));
    }
}
