package io.vnet4j.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The settings of a {@code -netdev user} gateway, checked: addresses are IPv4 as {@code int}, inside
 * {@code network/prefixLength} where QEMU requires it. Defaults are QEMU's (10.0.2.0/24, host 10.0.2.2,
 * DNS 10.0.2.3, first lease 10.0.2.15).
 */
public record UserConfig(int network, int prefixLength, int host, int dns, int dhcpStart, boolean restricted,
                         String hostname, String domainName, List<String> dnsSearch, Path tftpRoot,
                         String tftpServerName, String bootFile, List<HostForward> hostForwards,
                         List<GuestForward> guestForwards, List<DnsUpstream> dnsUpstreams, int mtu,
                         Map<Long, Integer> dhcpStatic) {
    public static final int DEFAULT_MTU = 1500;

    public UserConfig {
        dnsSearch = List.copyOf(dnsSearch);
        hostForwards = List.copyOf(hostForwards);
        guestForwards = List.copyOf(guestForwards);
        dnsUpstreams = List.copyOf(dnsUpstreams);
        dhcpStatic = Map.copyOf(dhcpStatic);
    }

    public int netmask() {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public boolean inNetwork(int address) {
        return (address & netmask()) == network;
    }

    /** The same settings with other host forwards. */
    public UserConfig withHostForwards(List<HostForward> forwards) {
        return new UserConfig(network, prefixLength, host, dns, dhcpStart, restricted, hostname, domainName, dnsSearch,
                tftpRoot, tftpServerName, bootFile, forwards, guestForwards, dnsUpstreams, mtu, dhcpStatic);
    }

    /**
     * A host listener forwarding into the guest: {@code hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport}.
     *
     * @param guestDefaulted the rule named no guest address, so {@code guestAddress} is a default: QEMU's
     *                       {@code dhcpstart}, or the address of a {@code configure=on} TAP on the hub
     */
    public record HostForward(boolean udp, InetAddress hostAddress, int hostPort, int guestAddress, int guestPort,
                              boolean guestDefaulted) {
        /** The same rule aimed at another guest address, still counted as a default. */
        public HostForward towards(int guest) {
            return new HostForward(udp, hostAddress, hostPort, guest, guestPort, guestDefaulted);
        }
    }

    /** Guest connections to {@code address:port} (a virtual address) go to {@code target}. */
    public record GuestForward(int address, int port, GuestForwardTarget target) {}

    /** Where a guestfwd connection goes: a command's stdin/stdout, a TCP address, or a unix socket. */
    public sealed interface GuestForwardTarget {
        record Command(String command) implements GuestForwardTarget {}

        record Tcp(String host, int port) implements GuestForwardTarget {}

        record Unix(Path path) implements GuestForwardTarget {}
    }

    /** An upstream DNS resolver the gateway forwards queries to. */
    public record DnsUpstream(InetAddress address, int port) {}
}
