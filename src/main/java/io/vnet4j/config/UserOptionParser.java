package io.vnet4j.config;

import io.vnet4j.base.HostText;
import io.vnet4j.base.Log;
import io.vnet4j.base.SymbolicLinks;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.MacAddress;
import java.net.InetAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses the options of {@code -netdev user} with QEMU's names, defaults and consistency rules (the
 * messages follow QEMU's net/slirp.c {@code net_slirp_init} and {@code net_init_slirp}, and net/net.c
 * {@code net_client_init} for {@code ipv6-net}), plus vnet4j's {@code dns-upstream=}, {@code mtu=} and
 * {@code dhcp-static=}. Differences, on purpose: {@code hostfwd} without a host address listens on
 * 127.0.0.1, not on every interface; {@code hostfwd} takes IPv6 addresses in brackets; the IPv6 prefix is
 * masked to its length (QEMU keeps the bits after it, and derives ::2 and ::3 from them);
 * {@code ipv6-net} together with {@code ipv6-prefix} or {@code ipv6-prefixlen} is refused (QEMU lets
 * {@code ipv6-net} win); the IPv6 DNS address must differ from the IPv6 host, as the IPv4 ones must.
 */
final class UserOptionParser {
    static final Set<String> KEYS = Set.of("id", "hubid", "vlan", "net", "host", "dhcpstart", "dns", "restrict", "host-loopback", "builtin-dns",
            "hostname", "domainname", "dnssearch", "tftp", "tftp-server-name", "bootfile", "hostfwd", "guestfwd", "smb", "smbserver",
            "dns-upstream", "mtu", "dhcp-static", "leasefile", "ipv4", "ipv6", "ip", "ipv6-net", "ipv6-prefix", "ipv6-prefixlen",
            "ipv6-host", "ipv6-dns", "outbound-addr", "outbound-addr6");
    /** QEMU's IPv6 defaults: fec0::/64 (net_slirp_init), the host ::2, DNS ::3. */
    static final IpAddress DEFAULT_IPV6_PREFIX = IpAddress.parse("fec0::");
    static final int DEFAULT_IPV6_PREFIX_LENGTH = 64;

    private final OptionString o;

    private UserOptionParser(OptionString o) {
        this.o = o;
    }

    static UserConfig parse(OptionString o) throws ConfigException {
        return new UserOptionParser(o).parse();
    }

    /** The {@code -netdev user} netdev: {@link #parse(OptionString)}'s settings, every key taken, and their summary. */
    static NetdevConfig.User parse(OptionString o, String id, int hub) throws ConfigException {
        UserConfig user = parse(o);
        o.finish(KEYS);
        String settings = (user.ipv4() ? "net=" + Ipv4Address.format(user.network()) + "/" + user.prefixLength() : "ipv4=off")
                + ",restrict=" + (user.reach().restricted() ? "on" : "off") + user.reach().describeChanges();
        return new NetdevConfig.User(id, "user", hub, settings, user);
    }

    private UserConfig parse() throws ConfigException {
        // net_client_init turns ipv6-net=ADDR[/LEN] into ipv6-prefix and ipv6-prefixlen before anything else
        String ipv6Net = o.take("ipv6-net");
        String ipv6Prefix = o.take("ipv6-prefix");
        String ipv6PrefixLength = o.take("ipv6-prefixlen");
        String ipv6PrefixKey = "ipv6-prefix";
        int ipv6Length = 0; // QEMU's "not given": 64
        if (ipv6Net != null) {
            if (ipv6Prefix != null || ipv6PrefixLength != null) {
                throw o.error("ipv6-net: expected either ipv6-net=ADDR[/LEN] or ipv6-prefix=ADDR,ipv6-prefixlen=LEN, not both");
            }
            if (ipv6Net.isEmpty()) {
                throw o.error("Parameter 'ipv6-net' expects a valid IPv6 prefix");
            }
            int slash = ipv6Net.indexOf('/');
            ipv6Prefix = slash < 0 ? ipv6Net : ipv6Net.substring(0, slash);
            ipv6PrefixKey = "ipv6-net";
            if (slash >= 0) {
                ipv6Length = wholeNumber(ipv6Net.substring(slash + 1), "parameter 'ipv6-net' expects a number after '/'");
            }
        } else if (ipv6PrefixLength != null) {
            ipv6Length = cWholeNumber(ipv6PrefixLength, "Parameter 'ipv6-prefixlen' expects an int64 value");
        }

        // net_init_slirp: naming one family on and not the other turns the other off
        Boolean v4 = o.has("ipv4") ? o.takeBoolean("ipv4", true) : null;
        Boolean v6 = o.has("ipv6") ? o.takeBoolean("ipv6", true) : null;
        boolean ipv4 = !(Boolean.FALSE.equals(v4) || Boolean.TRUE.equals(v6) && v4 == null);
        boolean ipv6 = !(Boolean.FALSE.equals(v6) || Boolean.TRUE.equals(v4) && v6 == null);
        // QEMU's deprecated ip=ADDR is net=ADDR/24, unless net= is given too (net_init_slirp)
        String net = o.take("net");
        String legacyIp = o.take("ip");
        if (net == null && legacyIp != null) {
            net = legacyIp + "/24";
        }
        if (!ipv4 && (net != null || o.has("host") || o.has("dns"))) {
            throw o.error("IPv4 disabled but netmask/host/dns provided");
        }
        if (!ipv6 && (ipv6Prefix != null || o.has("ipv6-host") || o.has("ipv6-dns"))) {
            throw o.error("IPv6 disabled but prefix/host6/dns6 provided");
        }
        if (!ipv4 && !ipv6) {
            throw o.error("IPv4 and IPv6 disabled");
        }
        // vnet4j's own keys, refused as QEMU refuses its own above: a source address for a family that is off
        if (!ipv4 && o.has("outbound-addr")) {
            throw o.error("outbound-addr: IPv4 is off (ipv4=off, or ipv6=on alone), so nothing leaves from an IPv4 address");
        }
        if (!ipv6 && o.has("outbound-addr6")) {
            throw o.error("outbound-addr6: IPv6 is off (ipv6=off, or ipv4=on alone), so nothing leaves from an IPv6 address");
        }

        int network = Ipv4Address.parse("10.0.2.0");
        int prefix = 24;
        if (net != null) {
            int slash = net.indexOf('/');
            network = address("net", slash < 0 ? net : net.substring(0, slash), "Failed to parse netmask");
            prefix = slash < 0 ? classfulPrefix(network) : prefix(net.substring(slash + 1));
        }
        int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
        network &= mask;
        int host = network | (0x0202 & ~mask);
        int dns = network | (0x0203 & ~mask);
        int dhcpStart = UserConfig.defaultDhcpStart(network, mask);
        boolean restricted = o.takeBoolean("restrict", false);
        UserConfig.Reach reach = new UserConfig.Reach(restricted, o.takeBoolean("host-loopback", true),
                o.takeBoolean("builtin-dns", true), outbound(o, "outbound-addr", true), outbound(o, "outbound-addr6", false));

        String v = o.take("host");
        if (v != null) {
            host = address("host", v, "Failed to parse host");
        }
        if ((host & mask) != network) {
            throw o.error("Host doesn't belong to network");
        }
        v = o.take("dns");
        if (v != null) {
            dns = address("dns", v, "Failed to parse DNS");
        }
        if (restricted && (dns & mask) != network) {
            throw o.error("DNS doesn't belong to network");
        }
        if (dns == host) {
            throw o.error("DNS must be different from host");
        }
        v = o.take("dhcpstart");
        boolean dhcpStartGiven = v != null;
        if (v != null) {
            dhcpStart = address("dhcpstart", v, "Failed to parse DHCP start address");
        }
        if ((dhcpStart & mask) != network) {
            throw o.error("DHCP doesn't belong to network");
        }
        if (dhcpStart == host || dhcpStart == dns) {
            throw o.error("DHCP must be different from host and DNS" + (dhcpStartGiven ? ""
                    : " (dhcpstart's default in this network, " + Ipv4Address.format(dhcpStart) + ", is one of them; give one)"));
        }
        // QEMU takes these, and then no guest reaches the address or the pool is empty (a /31 or /32 cannot get
        // here: host, DNS and the pool's start are three addresses, all different)
        notNetworkOrBroadcast(o, "host", host, network, mask);
        notNetworkOrBroadcast(o, "dns", dns, network, mask);
        notNetworkOrBroadcast(o, dhcpStartGiven ? "dhcpstart" : "dhcpstart (its default in this network; give one)",
                dhcpStart, network, mask);

        UserConfig.Ipv6 v6Settings = ipv6(ipv6PrefixKey, ipv6Prefix, ipv6Length, restricted);
        Optional<UserConfig.Ipv6> ipv6Config = ipv6 ? Optional.of(v6Settings) : Optional.empty();

        String hostname = dnsName("hostname", name("hostname", o.take("hostname")), "host");
        String domain = o.take("domainname");
        if (domain != null && domain.isEmpty()) {
            throw o.error("'domainname' parameter cannot be empty");
        }
        domain = dnsName("domainname", domain, "domain");
        List<String> search = new ArrayList<>();
        for (String s : o.takeAll("dnssearch")) {
            search.add(dnsName("dnssearch", s, "domain"));
        }
        Path tftp = null;
        v = o.take("tftp");
        if (v != null) {
            if (v.isEmpty()) { // Path.of("") is the daemon's working directory
                throw o.error("tftp: expected the directory to serve, got an empty value");
            }
            tftp = Path.of(v);
            if (!Files.isDirectory(tftp)) {
                throw o.error("tftp: '" + v + "' " + (Files.exists(tftp) ? "is not a directory" : "does not exist"));
            }
        }
        String tftpServerName = dnsName("tftp-server-name", name("tftp-server-name", o.take("tftp-server-name")), "host");
        String bootFile = o.take("bootfile");
        if (bootFile != null && bootFile.chars().anyMatch(c -> c < 0x20 || c == 0x7F)) {
            throw o.error("bootfile: a control character is not allowed in a file name, got '" + Log.printable(bootFile) + "'");
        }
        if (bootFile != null && bootFile.length() > 127) {
            throw o.error("bootfile: at most 127 characters (the BOOTP file field), got " + bootFile.length());
        }

        List<UserConfig.HostForward> hostForwards = new ArrayList<>();
        for (String rule : o.takeAll("hostfwd")) {
            hostForwards.add(ForwardRules.hostForward(ForwardRules.ofOption(o), rule,
                    new ForwardRules.Ipv4Side(ipv4, network, mask, host, dns, dhcpStart), ipv6Config));
        }
        List<UserConfig.GuestForward> guestForwards = new ArrayList<>();
        int defaultServer = network | (0x0204 & ~mask); // libslirp's check_guestfwd: the network's .4
        for (String rule : o.takeAll("guestfwd")) {
            UserConfig.GuestForward g = ForwardRules.guestForward(o, rule, defaultServer);
            String conflict = serverConflict(g.address(), g.port(), network, mask, host, dns, guestForwards);
            if (conflict != null) {
                throw o.error("Conflicting/invalid host:port in guest forwarding rule '" + rule + "' (" + conflict + ")");
            }
            guestForwards.add(g);
        }
        guestForwards.addAll(smb(ipv4, defaultServer, network, mask, host, dns, guestForwards));
        List<UserConfig.DnsUpstream> upstreams = new ArrayList<>();
        for (String u : o.takeAll("dns-upstream")) {
            upstreams.add(dnsUpstream(u));
        }
        int mtu = (int) o.takeLong("mtu", UserConfig.DEFAULT_MTU, 576, 65520);
        Map<Long, Integer> statics = new LinkedHashMap<>();
        for (String s : o.takeAll("dhcp-static")) {
            int eq = s.indexOf('=');
            long mac;
            try {
                mac = MacAddress.parse(eq < 0 ? s : s.substring(0, eq));
            } catch (IllegalArgumentException e) {
                throw o.error("dhcp-static: expected MAC=IP, got '" + s + "'");
            }
            int ip = address("dhcp-static", eq < 0 ? "" : s.substring(eq + 1), "dhcp-static: expected MAC=IP");
            if ((ip & mask) != network || ip == host || ip == dns || Ipv4Address.isNetworkOrBroadcast(ip, network, mask)
                    || guestForwards.stream().anyMatch(g -> g.address() == ip)) {
                throw o.error("dhcp-static: " + Ipv4Address.format(ip) + " must be in the network and not the host, DNS"
                        + " or a guestfwd address, nor the network's own or broadcast address");
            }
            if ((mac >>> 40 & 1) != 0) {
                throw o.error("dhcp-static: " + MacAddress.format(mac) + " is a multicast or broadcast MAC, not a NIC's");
            }
            if (statics.containsKey(mac)) {
                throw o.error("dhcp-static: " + MacAddress.format(mac) + " is given twice");
            }
            if (statics.containsValue(ip)) {
                throw o.error("dhcp-static: " + Ipv4Address.format(ip) + " is given to two MACs");
            }
            statics.put(mac, ip);
        }
        Path leaseFile = leaseFile(o, ipv4);
        return new UserConfig(ipv4, network, prefix, host, dns, dhcpStart, ipv6Config, hostname, domain,
                search, tftp, tftpServerName, bootFile, hostForwards, guestForwards, upstreams, mtu, statics, dhcpStart,
                reach, leaseFile);
    }

    /**
     * {@code leasefile=PATH}: where the DHCP bindings are kept across runs, as dnsmasq's {@code --dhcp-leasefile}; null
     * when absent. The file need not exist (the first run makes it); its directory must.
     */
    private static Path leaseFile(OptionString o, boolean ipv4) throws ConfigException {
        String v = o.take("leasefile");
        if (v == null) {
            return null;
        }
        if (v.isEmpty()) {
            throw o.error("leasefile: expected a file path, got an empty value");
        }
        if (!ipv4) {
            throw o.error("leasefile: IPv4 is off (ipv4=off), so there are no DHCP leases to keep");
        }
        Path path = Path.of(v).toAbsolutePath();
        if (Files.isDirectory(path)) {
            throw o.error("leasefile: '" + Log.printable(v) + "' is a directory, expected a file in one");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) { // a FIFO would hang the read at start
            throw o.error("leasefile: '" + Log.printable(v) + "' is not a regular file");
        }
        Path directory = path.getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            throw o.error("leasefile: the directory of '" + Log.printable(v) + "' does not exist");
        }
        // each write is a new file there renamed over the old one (the link's target's directory for a symbolic
        // link): tried now, as dnsmasq refuses to start without a lease file it can write
        try {
            Path target = SymbolicLinks.target(path);
            Files.delete(Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".tmp"));
        } catch (IOException | UnsupportedOperationException e) {
            throw o.error("leasefile: cannot write in the directory of '" + Log.printable(v) + "': "
                    + Log.printable(Log.reason(e)));
        }
        return path;
    }

    /** {@code outbound-addr=} (IPv4) or {@code outbound-addr6=} (IPv6): the source address of NAT'd sockets; null when absent. */
    private static IpAddress outbound(OptionString o, String key, boolean ipv4) throws ConfigException {
        String v = o.take(key);
        if (v == null) {
            return null;
        }
        IpAddress address = null;
        try {
            address = IpAddress.parse(v);
        } catch (IllegalArgumentException e) {
            // said below
        }
        if (address == null || address.isIpv4() != ipv4 || address.isUnspecified() || address.isMulticastOrBroadcast()) {
            throw o.error("Parameter '" + key + "' expects " + (ipv4 ? "an IPv4" : "an IPv6") + " unicast address of this host");
        }
        // each NAT'd socket binds there: an address the host does not have would fail every connection
        // of the address's own family: the JDK's default family is INET when it found no IPv6 at its start, and
        // such a socket's bind threw UnsupportedAddressTypeException for an IPv6 address (seen in a test run)
        try (java.nio.channels.DatagramChannel probe = io.vnet4j.base.HostSockets.udp(
                ipv4 ? java.net.StandardProtocolFamily.INET : java.net.StandardProtocolFamily.INET6)) {
            probe.bind(new java.net.InetSocketAddress(address.toInetAddress(), 0));
        } catch (java.io.IOException e) {
            throw o.error(key + ": " + v + " is not an address of this host (bind: " + e.getMessage() + ")");
        }
        return address;
    }

    /**
     * The IPv6 settings as net_slirp_init reads them, also when IPv6 is off (then only the defaults and
     * the prefix length can be given): the prefix (default fec0::), its length (0 or absent: 64; at most
     * 126), {@code ipv6-host} in the prefix (default PREFIX::2), {@code ipv6-dns} (default PREFIX::3) in
     * the prefix when restricted.
     */
    private UserConfig.Ipv6 ipv6(String prefixKey, String prefixText, int length, boolean restricted)
            throws ConfigException {
        IpAddress prefix = prefixText == null ? DEFAULT_IPV6_PREFIX
                : ipv6Address(prefixKey, prefixText, "Failed to parse IPv6 prefix");
        if (length == 0) {
            length = DEFAULT_IPV6_PREFIX_LENGTH;
        }
        if (length < 0 || length > UserConfig.Ipv6.MAX_PREFIX_LENGTH) {
            throw o.error("Invalid IPv6 prefix provided (IPv6 prefix length must be between 0 and 126)");
        }
        prefix = prefix.masked(length);
        if (prefix.isMulticastOrBroadcast() || prefix.isLinkLocal() || (length < 10 && IpAddress.parse("fe80::")
                .inPrefix(prefix, length)) || (length < 8 && IpAddress.parse("ff00::").inPrefix(prefix, length))) {
            // guests cannot take addresses from a multicast prefix, and fe80::/10 is the link's own (fe80::2
            // is the gateway's link-local address there already)
            throw o.error(prefixKey + ": expected a unicast prefix outside fe80::/10 and ff00::/8, got '" + prefix + "/"
                    + length + "'");
        }
        IpAddress host = IpAddress.ofIpv6(prefix.high(), prefix.low() | 2);
        String v = o.take("ipv6-host");
        if (v != null) {
            host = ipv6Address("ipv6-host", v, "Failed to parse IPv6 host");
            if (!host.inPrefix(prefix, length)) {
                throw o.error("IPv6 Host doesn't belong to network");
            }
        }
        IpAddress dns = IpAddress.ofIpv6(prefix.high(), prefix.low() | 3);
        v = o.take("ipv6-dns");
        if (v != null) {
            dns = ipv6Address("ipv6-dns", v, "Failed to parse IPv6 DNS");
            if (restricted && !dns.inPrefix(prefix, length)) {
                throw o.error("IPv6 DNS doesn't belong to network");
            }
        }
        if (dns.equals(host)) {
            throw o.error("IPv6 DNS must be different from host");
        }
        return new UserConfig.Ipv6(prefix, length, host, dns);
    }

    private IpAddress ipv6Address(String key, String text, String message) throws ConfigException {
        IpAddress a;
        try {
            a = IpAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw o.error(message + " ('" + key + "=" + text + "': expected an IPv6 address)");
        }
        if (a.isIpv4()) {
            throw o.error(message + " ('" + key + "=" + text + "': expected an IPv6 address, not IPv4"
                    + (text.indexOf(':') >= 0 ? "-mapped" : "") + ")");
        }
        return a;
    }

    /**
     * A whole number as QEMU's input visitor reads an integer option (base 0: {@code 010} is 8, {@code 0x40} 64);
     * beyond int, a number out of any range.
     */
    private int cWholeNumber(String text, String message) throws ConfigException {
        long n;
        try {
            n = OptionString.cInteger(text);
        } catch (NumberFormatException e) {
            if (!text.matches("[+-]?(0[xX][0-9a-fA-F]+|0[0-7]+|[1-9][0-9]*)")) {
                throw o.error(message + OptionString.octalHint(text));
            }
            n = text.startsWith("-") ? Long.MIN_VALUE : Long.MAX_VALUE; // beyond a long
        }
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n));
    }

    /** A whole number in decimal, as QEMU's strtol family reads one with base 10; beyond int, a number out of any range. */
    private int wholeNumber(String text, String message) throws ConfigException {
        if (!text.matches("-?\\d+")) {
            throw o.error(message);
        }
        String digits = text.replaceFirst("^-?0*", "");
        if (digits.length() > 9) {
            return text.startsWith("-") ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        }
        return Integer.parseInt(text);
    }

    private UserConfig.DnsUpstream dnsUpstream(String text) throws ConfigException {
        String host = text;
        int port = 53;
        int colon = text.lastIndexOf(':');
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0 || close + 1 < text.length() && text.charAt(close + 1) != ':') {
                throw o.error("dns-upstream: expected ADDR[:PORT], got '" + text + "'");
            }
            host = text.substring(1, close);
            if (close + 1 < text.length()) {
                port = Addresses.port(o, "dns-upstream", text.substring(close + 2), 1);
            }
        } else if (colon >= 0 && text.indexOf(':') == colon) {
            host = text.substring(0, colon);
            port = Addresses.port(o, "dns-upstream", text.substring(colon + 1), 1);
        }
        InetAddress address = Addresses.literal(o, "dns-upstream", host);
        // one resolver, asked over UDP and TCP: a group would take every guest's queries out on the host's networks
        // (the broadcast address sends nothing: the kernel refuses each send and connect, counted as for no route)
        if (address.isMulticastAddress()) {
            throw o.error("dns-upstream: " + IpAddress.of(address) + " is a multicast group, not a resolver (expected a"
                    + " unicast address)");
        }
        if (address instanceof java.net.Inet6Address v6 && v6.isLinkLocalAddress() && v6.getScopeId() == 0) {
            // without its interface every query would fail to leave (EINVAL), counted but never said
            throw o.error("dns-upstream: the link-local address '" + host + "' needs its interface, as in [" + host
                    + "%eth0]:" + port);
        }
        return new UserConfig.DnsUpstream(address, port);
    }

    private int address(String key, String text, String message) throws ConfigException {
        try {
            return Ipv4Address.parse(text);
        } catch (IllegalArgumentException e) {
            throw o.error(message + " ('" + key + "=" + text + "': expected an IPv4 address)");
        }
    }

    private int prefix(String text) throws ConfigException {
        if (text.matches("\\d{1,2}")) {
            int shift = Integer.parseInt(text);
            if (shift < 4 || shift > 32) {
                throw o.error("Invalid netmask provided (must be in range 4-32)");
            }
            return shift;
        }
        int mask = address("net", text, "Failed to parse netmask (trailing chars)");
        int prefix = Integer.bitCount(mask);
        if (prefix < 4 || mask != (prefix == 0 ? 0 : -1 << (32 - prefix))) {
            throw o.error("Failed to parse netmask: '" + text + "' is not a contiguous mask of 4 to 32 bits");
        }
        return prefix;
    }

    private static void notNetworkOrBroadcast(OptionString o, String key, int address, int network, int mask)
            throws ConfigException {
        if (Ipv4Address.isNetworkOrBroadcast(address, network, mask)) {
            throw o.error(key + ": " + Ipv4Address.format(address) + " is the network's own or broadcast address (expected one "
                    + "from " + Ipv4Address.format(network + 1) + " to " + Ipv4Address.format((network | ~mask) - 1) + ")");
        }
    }

    /** QEMU's default mask for {@code net=} without one: by address class and well-known private ranges. */
    static int classfulPrefix(int addr) {
        if ((addr & 0x80000000) == 0) {
            return 8;
        } else if ((addr & 0xfff00000) == 0xac100000) {
            return 12;
        } else if ((addr & 0xc0000000) == 0x80000000) {
            return 16;
        } else if ((addr & 0xffff0000) == 0xc0a80000) {
            return 16;
        } else if ((addr & 0xffff0000) == 0xc6120000) {
            return 15;
        } else if ((addr & 0xe0000000) == 0xe0000000) {
            return 24;
        }
        return 28;
    }

    /**
     * A name the guests are told, checked here rather than left out later: a domain (DHCP options 15 and 119,
     * DHCPv6's search list, the router advertisement's DNSSL, the names the built-in DNS answers in) or a host
     * (DHCP option 12, the client's host name; option 66, the TFTP server), an RFC 1123 name, as RFC 2132
     * section 3.14 asks; so no other text reaches a guest.
     *
     * @param kind "domain" or "host", for the message
     */
    private String dnsName(String key, String value, String kind) throws ConfigException {
        if (value != null && !HostText.isName(value)) {
            throw o.error(key + ": expected a " + kind + " name (labels of 1 to 63 letters, digits and inner '-', joined by '.',"
                    + " at most 253 characters), got '" + Log.printable(value) + "'");
        }
        return value;
    }

    private String name(String key, String value) throws ConfigException {
        if (value != null && value.length() > 255) {
            throw o.error("'" + key + "' parameter cannot exceed 255 bytes");
        }
        return value;
    }

    /**
     * Why a virtual server ({@code guestfwd=}, {@code smbserver=}) cannot take {@code address:port}, or null when
     * it can: libslirp's check_guestfwd (slirp.c) wants the address in the network, not the host's or DNS's, and
     * the port not taken on it by an earlier rule (QEMU's words for either: "Conflicting/invalid").
     */
    private static String serverConflict(int address, int port, int network, int mask, int host, int dns,
            List<UserConfig.GuestForward> earlier) {
        if ((address & mask) != network || address == host || address == dns) {
            return Ipv4Address.format(address) + " must be in the network and not the host or DNS address";
        }
        if (earlier.stream().anyMatch(g -> g.address() == address && g.port() == port)) {
            return "an earlier guestfwd takes " + Ipv4Address.format(address) + ":" + port;
        }
        return null;
    }

    /**
     * {@code smb=DIR[,smbserver=ADDR]}: the guest forwards of QEMU's built-in SMB server, ADDR's TCP ports 139
     * and 445 (default ADDR: the network's .4, as libslirp's guestfwd), each to smbd sharing DIR; checked as
     * QEMU does (net/slirp.c slirp_smb): smbd installed, DIR readable and searchable, ADDR as a guestfwd's.
     */
    private List<UserConfig.GuestForward> smb(boolean ipv4, int defaultServer, int network, int mask, int host,
            int dns, List<UserConfig.GuestForward> guestForwards) throws ConfigException {
        String dir = o.take("smb");
        String server = o.take("smbserver");
        if (dir == null) {
            return List.of(); // QEMU takes smbserver= alone and does nothing with it
        }
        if (!ipv4) {
            throw o.error("smb: the SMB server is on IPv4 (ipv4=off)");
        }
        Path share = Path.of(dir); // Path.of("") would be the daemon's working directory: QEMU's access("") fails
        if (dir.isEmpty() || !Files.isDirectory(share) || !Files.isReadable(share) || !Files.isExecutable(share)) {
            throw o.error("smb: Error accessing shared directory '" + dir + "': " + (dir.isEmpty() ? "an empty path"
                    : Files.exists(share) ? "not a directory this user can read and search" : "does not exist"));
        }
        Path shared = share.toAbsolutePath();
        String absolute = shared.toString();
        if (absolute.chars().anyMatch(c -> c < 0x20 || c == 0x7F || c == '%') || !absolute.equals(absolute.strip())) {
            // smb.conf has one line per setting, trims values and expands %U, %m, ... in a share's path
            throw o.error("smb: '" + Log.printable(absolute) + "' cannot be written as an smb.conf path (a control"
                    + " character, a '%' or a space at its end): share a directory whose path has none");
        }
        int address = server == null ? defaultServer : address("smbserver", server, "Failed to parse SMB address");
        List<UserConfig.GuestForward> forwards = new ArrayList<>();
        for (int port : new int[] {139, 445}) {
            String conflict = serverConflict(address, port, network, mask, host, dns, guestForwards);
            if (conflict != null) {
                throw o.error("smbserver: Conflicting/invalid smbserver address (" + conflict + ")");
            }
            forwards.add(new UserConfig.GuestForward(address, port, new UserConfig.GuestForwardTarget.Smb(shared)));
        }
        if (!Files.isExecutable(UserConfig.SMBD)) {
            throw o.error("smb: Could not find '" + UserConfig.SMBD + "', please install it (Samba's smbd, as QEMU's smb= runs:"
                    + " apt-get install samba)");
        }
        return forwards;
    }
}
