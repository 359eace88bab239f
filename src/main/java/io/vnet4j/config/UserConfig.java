package io.vnet4j.config;

import io.vnet4j.wire.IpAddress;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The settings of a {@code -netdev user} gateway, checked. IPv4 addresses are {@code int}, inside
 * {@code network/prefixLength} where QEMU requires it; they hold QEMU's values (defaults 10.0.2.0/24, host
 * 10.0.2.2, DNS 10.0.2.3, first lease 10.0.2.15) also when {@code ipv4} is false, as QEMU's do. The IPv6
 * settings are present exactly when IPv6 is on; at least one of the two families is on.
 *
 * @param ipv4 the guest network carries IPv4 ({@code ipv4=on}, the default)
 * @param network the IPv4 network's address ({@code net=}, default 10.0.2.0)
 * @param prefixLength the IPv4 network's prefix length (default 24)
 * @param host the gateway's IPv4 address, standing for the host's loopback ({@code host=}, default 10.0.2.2)
 * @param dns the IPv4 address the gateway answers DNS on ({@code dns=}, default 10.0.2.3)
 * @param dhcpStart the first address leased by DHCP ({@code dhcpstart=}, default 10.0.2.15)
 * @param ipv6 the IPv6 side ({@code ipv6-net}, {@code ipv6-host}, {@code ipv6-dns}); empty when {@code ipv6=off}
 * @param hostname the host name given to guests by DHCP ({@code hostname=}), or null
 * @param domainName the domain name given by DHCP and local to the gateway's DNS ({@code domainname=}), or null
 * @param dnsSearch the DNS search list ({@code dnssearch=}, repeatable), or empty
 * @param tftpRoot the directory the TFTP server serves read-only ({@code tftp=}), or null for no TFTP
 * @param tftpServerName the TFTP server name given by DHCP ({@code tftp-server-name=}), or null
 * @param bootFile the boot file name given by DHCP and BOOTP ({@code bootfile=}), or null
 * @param hostForwards the host forwards ({@code hostfwd=}, repeatable)
 * @param guestForwards the guest forwards ({@code guestfwd=}, repeatable)
 * @param dnsUpstreams the resolvers DNS queries are forwarded to ({@code dns-upstream=}); empty: the
 *     nameservers of /etc/resolv.conf
 * @param mtu the guest network's MTU ({@code mtu=}, default {@value #DEFAULT_MTU})
 * @param dhcpStatic fixed leases ({@code dhcp-static=MAC=IP}): IPv4 addresses by MAC, the MAC's 48 bits in a long
 * @param forwardTarget where an IPv4 host forward that names no guest address goes: {@code dhcpstart} as in
 *     QEMU, or the address of a {@code configure=on} TAP on the hub ({@link #withForwardTarget})
 * @param reach what the guest can reach through the gateway, and from which host address
 */
public record UserConfig(boolean ipv4, int network, int prefixLength, int host, int dns, int dhcpStart,
                         Optional<Ipv6> ipv6, String hostname, String domainName,
                         List<String> dnsSearch, Path tftpRoot, String tftpServerName, String bootFile,
                         List<HostForward> hostForwards, List<GuestForward> guestForwards,
                         List<DnsUpstream> dnsUpstreams, int mtu, Map<Long, Integer> dhcpStatic, int forwardTarget,
                         Reach reach, Path leaseFile) {
    /** Where {@code smb=} finds Samba's smbd: QEMU's CONFIG_SMBD_COMMAND, Debian's path. */
    public static final Path SMBD = Path.of("/usr/sbin/smbd");

    /** The guest network's MTU without {@code mtu=}. */
    public static final int DEFAULT_MTU = 1500;

    /**
     * Checks that one family is on and copies the lists and the map, so that the record is immutable.
     *
     * @param ipv4 the guest network carries IPv4 ({@code ipv4=on}, the default)
     * @param network the IPv4 network's address ({@code net=}, default 10.0.2.0)
     * @param prefixLength the IPv4 network's prefix length (default 24)
     * @param host the gateway's IPv4 address, standing for the host's loopback ({@code host=}, default 10.0.2.2)
     * @param dns the IPv4 address the gateway answers DNS on ({@code dns=}, default 10.0.2.3)
     * @param dhcpStart the first address leased by DHCP ({@code dhcpstart=}, default 10.0.2.15)
     * @param ipv6 the IPv6 side ({@code ipv6-net}, {@code ipv6-host}, {@code ipv6-dns}); empty when {@code ipv6=off}
     * @param hostname the host name given to guests by DHCP ({@code hostname=}), or null
     * @param domainName the domain name given by DHCP and local to the gateway's DNS ({@code domainname=}), or null
     * @param dnsSearch the DNS search list ({@code dnssearch=}, repeatable), or empty
     * @param tftpRoot the directory the TFTP server serves read-only ({@code tftp=}), or null for no TFTP
     * @param tftpServerName the TFTP server name given by DHCP ({@code tftp-server-name=}), or null
     * @param bootFile the boot file name given by DHCP and BOOTP ({@code bootfile=}), or null
     * @param hostForwards the host forwards ({@code hostfwd=}, repeatable)
     * @param guestForwards the guest forwards ({@code guestfwd=}, repeatable)
     * @param dnsUpstreams the resolvers DNS queries are forwarded to ({@code dns-upstream=}); empty: the
     *     nameservers of /etc/resolv.conf
     * @param mtu the guest network's MTU ({@code mtu=}, default {@value #DEFAULT_MTU})
     * @param dhcpStatic fixed leases ({@code dhcp-static=MAC=IP}): IPv4 addresses by MAC, the MAC's 48 bits in a long
     * @param forwardTarget where an IPv4 host forward that names no guest address goes: {@code dhcpstart} as in
     *     QEMU, or the address of a {@code configure=on} TAP on the hub ({@link #withForwardTarget})
     * @param reach what the guest can reach through the gateway, and from which host address
     * @param leaseFile where the DHCP bindings are kept across runs ({@code leasefile=}, an absolute path), or null
     * @throws IllegalArgumentException when both IPv4 and IPv6 are off
     */
    public UserConfig {
        Objects.requireNonNull(ipv6, "ipv6");
        Objects.requireNonNull(reach, "reach");
        if (!ipv4 && ipv6.isEmpty()) {
            throw new IllegalArgumentException("IPv4 and IPv6 disabled");
        }
        dnsSearch = List.copyOf(dnsSearch);
        hostForwards = List.copyOf(hostForwards);
        guestForwards = List.copyOf(guestForwards);
        dnsUpstreams = List.copyOf(dnsUpstreams);
        dhcpStatic = Map.copyOf(dhcpStatic);
    }

    /**
     * QEMU's {@code dhcpstart} when none is given (net/slirp.c: the network's address with 0x20f in its host bits, so
     * 10.0.2.15 in 10.0.2.0/24, 10.0.2.15 in 10.0.0.0/16 too).
     *
     * @param network the network's address, an int in network order
     * @param mask its mask, e.g. 0xffffff00 for /24
     */
    public static int defaultDhcpStart(int network, int mask) {
        return network | (0x020f & ~mask);
    }

    /**
     * The IPv4 network's mask.
     *
     * @return the mask of {@code prefixLength} bits, e.g. 0xffffff00 for /24
     */
    public int netmask() {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    /**
     * Whether an IPv4 address lies in the guest network.
     *
     * @param address the address, as an {@code int}
     * @return true when it is in {@code network/prefixLength}
     */
    public boolean inNetwork(int address) {
        return (address & netmask()) == network;
    }

    /**
     * Whether an address lies in the IPv6 prefix.
     *
     * @param address the address, of either family
     * @return true when IPv6 is on and {@code address} lies in its prefix
     */
    public boolean inIpv6Network(IpAddress address) {
        return ipv6.isPresent() && ipv6.get().inNetwork(address);
    }

    /**
     * Whether an address of either family lies in the virtual network: the IPv4 network, the IPv6 prefix, or
     * IPv6's link-local range (the guests' link).
     *
     * @param address the address
     * @return true when a guest, or the gateway, could have it on the guests' link
     */
    public boolean inVirtualNetwork(IpAddress address) {
        return address.isIpv4() ? inNetwork(address.ipv4()) : inIpv6Network(address) || address.isLinkLocal();
    }

    /**
     * Whether the gateway holds this IPv4 address: its host, its DNS (advertised or not) or a guestfwd
     * address. It answers ARP for them, and no guest may lease one. Allocates nothing (the frame path asks).
     */
    public boolean gatewayHolds(int address) {
        if (address == host || address == dns) {
            return true;
        }
        for (GuestForward g : guestForwards) {
            if (g.address() == address) {
                return true;
            }
        }
        return false;
    }

    /** The addresses {@link #gatewayHolds} is true for. */
    public java.util.Set<Integer> gatewayIpv4Addresses() {
        java.util.Set<Integer> addresses = new java.util.HashSet<>(List.of(host, dns));
        guestForwards.forEach(g -> addresses.add(g.address()));
        return addresses;
    }

    /**
     * The same settings with IPv4 host forwards that name no guest address aimed at {@code address}, those
     * given now and those added at run time ({@link HostForward#parse}).
     *
     * @param address the IPv4 address such forwards go to
     * @return the settings with that forward target
     */
    public UserConfig withForwardTarget(int address) {
        IpAddress target = IpAddress.ofIpv4(address);
        List<HostForward> forwards = hostForwards.stream()
                .map(f -> f.guestDefaulted() && f.guestAddress().isIpv4() ? f.towards(target) : f).toList();
        return new UserConfig(ipv4, network, prefixLength, host, dns, dhcpStart, ipv6, hostname, domainName,
                dnsSearch, tftpRoot, tftpServerName, bootFile, forwards, guestForwards, dnsUpstreams, mtu, dhcpStatic,
                address, reach, leaseFile);
    }

    /**
     * What the guest reaches through the gateway: the options libslirp and slirp4netns add to QEMU's
     * {@code restrict=}.
     *
     * @param restricted    {@code restrict=on}: nothing leaves the virtual network but host forwards and
     *                      guestfwd (QEMU's {@code restrict})
     * @param hostLoopback  {@code host-loopback=on} (the default): {@code host} and {@code ipv6-host} reach the
     *                      host's loopback; off, they refuse as an unreachable network (libslirp's
     *                      disable_host_loopback, slirp4netns's {@code --disable-host-loopback}), while NAT to
     *                      other hosts, DNS and host forwards work
     * @param builtinDns    {@code builtin-dns=on} (the default): the gateway answers DNS on {@code dns} and
     *                      {@code ipv6-dns} and advertises them (DHCP, RDNSS); off, it neither answers nor
     *                      advertises, and what the guest sends there is dropped and counted (libslirp's
     *                      disable_dns, slirp4netns's {@code --disable-dns})
     * @param outboundAddr4 {@code outbound-addr=}: the host address NAT'd IPv4 sockets are bound to (libslirp's
     *                      outbound_addr, slirp4netns's {@code --outbound-addr}); null: the kernel picks
     * @param outboundAddr6 {@code outbound-addr6=}, the same for IPv6; null: the kernel picks
     */
    public record Reach(boolean restricted, boolean hostLoopback, boolean builtinDns, IpAddress outboundAddr4,
                        IpAddress outboundAddr6) {
        /**
         * What differs from the defaults (the host's loopback reachable, DNS answered, the kernel picks the
         * source address), {@code restrict} aside, as options after a comma
         * ({@code ",host-loopback=off,builtin-dns=off,outbound-addr=192.0.2.2"}).
         *
         * @return the changes, or empty when nothing differs
         */
        public String describeChanges() {
            return (hostLoopback ? "" : ",host-loopback=off") + (builtinDns ? "" : ",builtin-dns=off")
                    + (outboundAddr4 == null ? "" : ",outbound-addr=" + outboundAddr4)
                    + (outboundAddr6 == null ? "" : ",outbound-addr6=" + outboundAddr6);
        }
    }

    /**
     * The IPv6 side of the gateway, QEMU's {@code ipv6-net=PREFIX/LEN}, {@code ipv6-host=} and
     * {@code ipv6-dns=} (defaults fec0::/64, fec0::2, fec0::3). The prefix is held masked to its length;
     * the length is at most 126, so that PREFIX::2 and PREFIX::3 exist, as QEMU requires.
     *
     * @param prefix the prefix's address, masked to its length ({@code ipv6-net=}, default fec0::)
     * @param prefixLength the prefix's length, at most {@value #MAX_PREFIX_LENGTH} (default 64)
     * @param host the gateway's own address, in the prefix
     * @param dns  the DNS address the gateway answers on; outside the prefix only without {@code restrict=on}
     */
    public record Ipv6(IpAddress prefix, int prefixLength, IpAddress host, IpAddress dns) {
        /** The longest prefix: PREFIX::2 and PREFIX::3 must exist. */
        public static final int MAX_PREFIX_LENGTH = 126;

        /**
         * Checks the addresses' family, the prefix and that the host address is in it.
         *
         * @param prefix the prefix's address, masked to its length
         * @param prefixLength the prefix's length, 0 to {@value #MAX_PREFIX_LENGTH}
         * @param host the gateway's own address, in the prefix
         * @param dns the DNS address the gateway answers on
         * @throws IllegalArgumentException with QEMU's message when one of them does not fit
         */
        public Ipv6 {
            for (IpAddress a : new IpAddress[] {prefix, host, dns}) {
                if (Objects.requireNonNull(a).isIpv4()) {
                    throw new IllegalArgumentException("not an IPv6 address: " + a);
                }
            }
            if (prefixLength < 0 || prefixLength > MAX_PREFIX_LENGTH) {
                throw new IllegalArgumentException("IPv6 prefix length must be between 0 and 126, got " + prefixLength);
            }
            if (!prefix.equals(prefix.masked(prefixLength))) {
                throw new IllegalArgumentException("the prefix " + prefix + "/" + prefixLength + " has bits set after its length");
            }
            if (!host.inPrefix(prefix, prefixLength)) {
                throw new IllegalArgumentException("IPv6 Host doesn't belong to network: " + host);
            }
        }

        /**
         * Whether an address lies in the prefix.
         *
         * @param address the address, of either family
         * @return true when {@code address} is IPv6 and in {@code prefix/prefixLength}
         */
        public boolean inNetwork(IpAddress address) {
            return address.inPrefix(prefix, prefixLength);
        }

        /**
         * The prefix as text.
         *
         * @return {@code prefix/prefixLength}, e.g. {@code fec0::/64}
         */
        public String network() {
            return prefix + "/" + prefixLength;
        }
    }

    /**
     * A host listener forwarding into the guest:
     * {@code hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport}, IPv6 addresses in brackets
     * ({@code hostfwd=tcp:[::1]:2222-[fec0::15]:22}). The two sides are independent: an IPv4 host address
     * may forward to an IPv6 guest and the other way round.
     *
     * @param udp            true for UDP, false for TCP
     * @param hostAddress    where the host socket listens, IPv4 or IPv6
     * @param hostPort       the port the host socket listens on
     * @param guestAddress   an IPv4 address, or an IPv6 address in the IPv6 prefix, or
     *                       {@link IpAddress#IPV6_ANY}: the guest's own IPv6 address as the gateway learns it
     *                       from the guest's traffic (SLAAC), resolved when a connection or datagram arrives,
     *                       as libslirp's {@code slirp_add_hostxfwd} does for an IPv6 "any" guest address
     * @param guestDefaulted the rule named no guest address (or the unspecified one, {@code 0.0.0.0} or
     *                       {@code [::]}), so {@code guestAddress} is a default: for IPv4 QEMU's
     *                       {@code dhcpstart} or the address of a {@code configure=on} TAP on the hub, for
     *                       IPv6 {@link IpAddress#IPV6_ANY}
     * @param guestPort      the guest's port that connections and datagrams go to
     * @param ipv6Only       the host socket, of an IPv6 {@code hostAddress}, takes IPv6 only (ipv6(7) IPV6_V6ONLY),
     *                       so that {@code [::]} binds beside {@code 0.0.0.0} on the same port, as Docker's and
     *                       Podman's {@code -p [::]:8080:80} does (the slirp4netns drop-in's IPv6 forwards);
     *                       otherwise {@code [::]} takes IPv4 too (Linux's net.ipv6.bindv6only 0)
     */
    public record HostForward(boolean udp, IpAddress hostAddress, int hostPort, IpAddress guestAddress, int guestPort,
                              boolean guestDefaulted, boolean ipv6Only) {
        /**
         * Checks that both addresses are given, and that only an IPv6 host address is IPv6 only.
         *
         * @param udp true for UDP, false for TCP
         * @param hostAddress where the host socket listens
         * @param hostPort the port the host socket listens on
         * @param guestAddress where it forwards to in the guest network, or {@link IpAddress#IPV6_ANY}
         * @param guestPort the guest's port
         * @param guestDefaulted whether the rule named no guest address
         * @param ipv6Only whether the host socket takes IPv6 only
         * @throws IllegalArgumentException for an IPv4 host address that is to be IPv6 only
         */
        public HostForward {
            Objects.requireNonNull(hostAddress, "hostAddress");
            Objects.requireNonNull(guestAddress, "guestAddress");
            if (ipv6Only && hostAddress.isIpv4()) {
                throw new IllegalArgumentException("an IPv4 host address cannot be IPv6 only: " + hostAddress);
            }
        }

        /** A rule whose host socket takes what its address family's bind gives ({@code ipv6Only} false). */
        public HostForward(boolean udp, IpAddress hostAddress, int hostPort, IpAddress guestAddress, int guestPort,
                           boolean guestDefaulted) {
            this(udp, hostAddress, hostPort, guestAddress, guestPort, guestDefaulted, false);
        }

        /**
         * The same rule on the port its socket was bound to: a rule on port 0 takes the one the kernel picked,
         * which is the one to report and to remove it by (libslirp's {@code info usernet} shows it too).
         *
         * @param port the bound port
         * @return the rule with {@code hostPort} {@code port}
         */
        public HostForward boundTo(int port) {
            return port == hostPort ? this : new HostForward(udp, hostAddress, port, guestAddress, guestPort, guestDefaulted,
                    ipv6Only);
        }

        /**
         * Whether this rule's host socket is the one {@code hostfwd_remove} names.
         *
         * @param address the host address
         * @param port the host port
         * @return true when the rule listens on {@code address:port}
         */
        public boolean listensOn(IpAddress address, int port) {
            return hostAddress.equals(address) && hostPort == port;
        }

        /**
         * Whether the guest's IPv6 address is to be learned.
         *
         * @return true when {@code guestAddress} is {@code ::}
         */
        public boolean guestLearned() {
            return guestAddress.equals(IpAddress.IPV6_ANY);
        }

        /**
         * A rule given at run time (QEMU's HMP {@code hostfwd_add}, slirp4netns's {@code add_hostfwd}) for a
         * user network of {@code network}'s settings, read as {@code hostfwd=} is.
         *
         * @param rule the rule, {@code [tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport}
         * @param network the settings of the user network it is for
         * @return the rule
         * @throws ConfigException with QEMU's line, {@code Invalid host forwarding rule 'RULE' (REASON)}
         */
        public static HostForward parse(String rule, UserConfig network) throws ConfigException {
            return ForwardRules.hostForward(ConfigException::new, rule, ipv4Side(network), network.ipv6());
        }

        /**
         * Why no guest of {@code network} can have IPv4 address {@code guest} (outside the network, its own or
         * broadcast address, the gateway's or its DNS address), as {@link #parse} refuses it; null when one can.
         */
        public static String unreachableIpv4Guest(int guest, UserConfig network) {
            return ForwardRules.wrongIpv4Guest(guest, ipv4Side(network));
        }

        private static ForwardRules.Ipv4Side ipv4Side(UserConfig network) {
            return new ForwardRules.Ipv4Side(network.ipv4(), network.network(), network.netmask(), network.host(),
                    network.dns(), network.forwardTarget());
        }

        /**
         * The same rule aimed at another guest address, still counted as a default.
         *
         * @param guest the guest address
         * @return the rule with that guest address
         */
        public HostForward towards(IpAddress guest) {
            return new HostForward(udp, hostAddress, hostPort, guest, guestPort, guestDefaulted, ipv6Only);
        }
    }

    /**
     * Guest connections to {@code address:port} (a virtual address) go to {@code target}
     * ({@code guestfwd=[tcp]:[addr]:port-TARGET}).
     *
     * @param address the virtual IPv4 address guests connect to, as an {@code int}
     * @param port the port guests connect to
     * @param target where each connection goes
     */
    public record GuestForward(int address, int port, GuestForwardTarget target) {}

    /** Where a guestfwd connection goes: a command's stdin/stdout, a TCP address, a unix socket, or smbd. */
    public sealed interface GuestForwardTarget {
        /**
         * {@code cmd:COMMAND}: the command runs per connection, the connection as its standard input, output and
         * error.
         *
         * @param command the command line, run by the shell
         */
        record Command(String command) implements GuestForwardTarget {}

        /**
         * {@code tcp:HOST:PORT}: a TCP connection to that address.
         *
         * @param host the host name or address
         * @param port the TCP port
         */
        record Tcp(String host, int port) implements GuestForwardTarget {}

        /**
         * {@code unix:PATH}: a connection to that unix socket.
         *
         * @param path the socket's path
         */
        record Unix(Path path) implements GuestForwardTarget {}

        /**
         * {@code smb=DIR}: Samba's smbd, run per connection as QEMU runs it (a private configuration that shares
         * DIR as {@code \\\\SERVER\\qemu} to guests, read-write, as this process's user), on the ports 139 and 445 of
         * {@code smbserver=}.
         *
         * @param share the directory shared
         */
        record Smb(Path share) implements GuestForwardTarget {}
    }

    /**
     * An upstream DNS resolver the gateway forwards queries to.
     *
     * @param address the resolver's address, IPv4 or IPv6
     * @param port its port (53 unless {@code dns-upstream=ADDR:PORT} says otherwise)
     */
    public record DnsUpstream(InetAddress address, int port) {}
}
