package io.vnet4j.slirp4netns;

import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.MacAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The lines slirp4netns prints on standard output once its network is up (main.c's {@code parent}, slirp4netns
 * 1.2), for a drop-in's settings, in main.c's order and spacing: the outbound addresses are the ones
 * taken, an interface name's first address of the family. One line differs on purpose: "DHCP end" is
 * the end of vnet4j's pool, the address before the broadcast address, where libslirp's pool ends 16
 * addresses after its start (main.c prints that fixed end).
 */
final class StartLines {
    private StartLines() {}

    /** The lines for {@code s}; {@code apiSocket} is the bound API socket's path, null when none. */
    static List<String> of(Settings s, Path apiSocket) {
        Cidr c = s.cidr();
        List<String> lines = new ArrayList<>();
        lines.add("Starting slirp");
        lines.add("* MTU:             " + s.mtu());
        lines.add("* Network:         " + Ipv4Address.format(c.network()));
        lines.add("* Netmask:         " + Ipv4Address.format(c.netmask()));
        lines.add("* Gateway:         " + Ipv4Address.format(c.host()));
        lines.add("* DNS:             " + Ipv4Address.format(c.dns()));
        lines.add("* DHCP begin:      " + Ipv4Address.format(c.dhcpStart()));
        lines.add("* DHCP end:        " + Ipv4Address.format((c.network() | ~c.netmask()) - 1));
        lines.add("* Recommended IP:  " + Ipv4Address.format(c.guest()));
        if (apiSocket != null) {
            lines.add("* API Socket:      " + apiSocket);
        }
        if (s.outbound4() != null) { // main.c's spacing, four blanks after the colon
            lines.add("* Outbound IPv4:    " + s.outbound4());
        }
        if (s.outbound6() != null) {
            lines.add("* Outbound IPv6:    " + s.outbound6());
        }
        if (s.mac() != null) {
            lines.add("* MAC address:     " + MacAddress.format(s.mac()));
        }
        if (s.hostLoopback()) {
            lines.add("WARNING: 127.0.0.1:* on the host is accessible as " + Ipv4Address.format(c.host())
                    + " (set --disable-host-loopback to prohibit connecting to 127.0.0.1:*)");
        }
        return lines;
    }
}
