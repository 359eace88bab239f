package io.vnet4j.slirp4netns;

import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.MacAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A slirp4netns command line, checked as main.c's {@code parse_args} and {@code slirp4netns_config_from_options}
 * check it (slirp4netns 1.2), with their messages; plus the bounds of vnet4j's engine (an MTU of 576 to 65520).
 *
 * @param configure  {@code -c}: vnet4j brings the TAP up with {@link Cidr#guest()}, the netmask, the MTU and
 *                   a default route via {@link Cidr#host()} (and {@code lo} up)
 * @param mtu        {@code -m}, bytes; default 1500
 * @param cidr       {@code --cidr}, default 10.0.2.0/24
 * @param ipv6       {@code -6}: IPv6 on fd00::/64, gateway fd00::2, DNS fd00::3 (slirp4netns's fixed values)
 * @param hostLoopback false with {@code --disable-host-loopback}: the gateway no longer leads to the host's
 *                   127.0.0.1 (vnet4j's {@code host-loopback=off})
 * @param pid        the target process (PID type), or 0 with {@code --netns-type=path}
 * @param netns      the network namespace file: {@code /proc/PID/ns/net}, or the PATH given
 * @param tapName    the TAP interface to create or attach to in that namespace
 * @param readyFd    {@code -r}: an inherited descriptor to write "1" to once ready; -1 when none
 * @param exitFd     {@code -e}: an inherited descriptor whose end (EOF, hang-up) stops the process; -1 when none
 * @param apiSocket  {@code -a}: the unix socket path of the JSON API; null when none
 * @param notices    slirp4netns's own {@code WARNING:} lines for what was given (deprecated spellings, extra
 *                   operands), printed on standard output as it prints them
 * @param notApplied one line for each option that vnet4j accepts but does not carry out yet
 * @param outbound4  {@code --outbound-addr}, an address or an interface's first IPv4 address; null when absent
 * @param outbound6  {@code --outbound-addr6}, likewise for IPv6; null when absent
 * @param userns     {@code --userns-path}: the user namespace that owns the target, entered when this process
 *                   cannot enter the target directly; null: found from the target
 * @param builtinDns false with {@code --disable-dns}: nothing answers on the DNS address (vnet4j's
 *                   {@code builtin-dns=off})
 * @param mac        {@code --macaddress} (only with {@code -c}): the TAP's MAC, 48 bits; null: the kernel's
 */
record Settings(boolean configure, int mtu, Cidr cidr, boolean ipv6, boolean hostLoopback, long pid, Path netns, String tapName,
                int readyFd, int exitFd, Path apiSocket, List<String> notices, List<String> notApplied,
                IpAddress outbound4, IpAddress outbound6, Path userns, boolean builtinDns, Long mac) {
    static final int DEFAULT_MTU = 1500;
    /** slirp4netns's bound: "MTU must be a positive integer (< 65522)". */
    static final int SLIRP_MAX_MTU = 65521;
    /** The MTUs vnet4j's user network takes ({@code -netdev user,mtu=}). */
    static final int ENGINE_MIN_MTU = 576;
    static final int ENGINE_MAX_MTU = 65520;
    /** slirp4netns's IPv6 network with {@code --enable-ipv6} (slirp4netns.c {@code create_slirp}). */
    static final String IPV6_NETWORK = "fd00::/64";
    static final String IPV6_HOST = "fd00::2";
    static final String IPV6_DNS = "fd00::3";

    Settings {
        notices = List.copyOf(notices);
        notApplied = List.copyOf(notApplied);
    }

    /**
     * Checks the options read by {@link Slirp4netnsOptions#parse}; not to be called for {@code --help} or
     * {@code --version}, which stop before any check.
     *
     * @throws UsageException with slirp4netns's line for the first thing wrong
     */
    static Settings of(Slirp4netnsOptions o) throws UsageException {
        List<String> notices = new ArrayList<>();
        List<String> notApplied = new ArrayList<>();
        int exitFd = o.exitFd == null ? -1 : descriptor(o.exitFd, "exit-fd must be a non-negative integer");
        int readyFd = o.readyFd == null ? -1 : descriptor(o.readyFd, "ready-fd must be a non-negative integer");
        int mtu = o.mtu == null ? DEFAULT_MTU : mtu(o.mtu);
        if (o.noHostLoopback) {
            notices.add("WARNING: --no-host-loopback is deprecated and will be removed in future releases, please use "
                    + "--disable-host-loopback instead.");
        }
        if (o.createSandbox) {
            notices.add("WARNING: --create-sandbox is deprecated and will be removed in future releases, please use "
                    + "--enable-sandbox instead.");
        }
        if (o.usernsPath != null && !Files.exists(Path.of(o.usernsPath))) {
            throw new UsageException("userns path doesn't exist: " + o.usernsPath);
        }
        if (o.apiSocket != null && o.apiSocket.isEmpty()) { // Path.of("") is the working directory
            throw new UsageException("--api-socket: expected a socket path, got an empty one");
        }
        if (o.macAddress != null && !o.configure) {
            throw new UsageException("--macaddr cannot be specified when --configure or -c is not specified");
        }
        if (o.targetType != null && o.targetType.equals("bess")) {
            throw new UsageException("--target-type=bess (User Mode Linux) is not supported by vnet4j-slirp4netns; "
                    + "vnet4j's -netdev stream or vde serve such guests");
        }
        if (o.targetType != null && !o.targetType.equals("netns")) {
            throw new UsageException("--target-type must be either \"netns\" or \"bess\"");
        }
        if (o.operands.size() < 2) {
            throw new UsageException("expected PID|PATH and TAPNAME after the options (see --help)");
        }
        if (o.operands.size() > 2) {
            notices.add("WARNING: too many arguments"); // not an error in slirp4netns either
        }
        long pid = 0;
        Path netns;
        if (o.netnsType == null || o.netnsType.equals("pid")) {
            Long p = StrictDecimal.parse(o.operands.get(0));
            if (p == null || p <= 0 || p > Integer.MAX_VALUE) {
                throw new UsageException("PID must be a positive integer");
            }
            pid = p;
            netns = Path.of("/proc", Long.toString(pid), "ns", "net");
        } else { // main.c takes any type other than "pid" as a path
            netns = Path.of(o.operands.get(0));
            if (!Files.exists(netns)) {
                throw new UsageException("existing path expected when --netns-type=path: No such file or directory");
            }
        }
        Cidr cidr = o.cidr == null ? Cidr.DEFAULT : Cidr.parse(o.cidr);
        IpAddress outbound4 = o.outboundAddr == null ? null : outbound(o.outboundAddr, false);
        IpAddress outbound6 = o.outboundAddr6 == null ? null : outbound(o.outboundAddr6, true);
        Long mac = null;
        if (o.macAddress != null) {
            try {
                mac = MacAddress.parse(o.macAddress);
            } catch (IllegalArgumentException e) {
                throw new UsageException("macaddress has to be a valid MAC address (hex string, 6 bytes, each byte "
                        + "separated by a ':').");
            }
        }
        if (o.enableSandbox || o.createSandbox || o.enableSeccomp) {
            notApplied.add("--enable-sandbox and --enable-seccomp have no vnet4j counterpart yet: the process keeps its "
                    + "mount namespace, capabilities and system calls");
        }
        return new Settings(o.configure, mtu, cidr, o.enableIpv6, !(o.disableHostLoopback || o.noHostLoopback), pid,
                netns, o.operands.get(1), readyFd, exitFd, o.apiSocket == null ? null : Path.of(o.apiSocket), notices,
                notApplied, outbound4, outbound6, o.usernsPath == null ? null : Path.of(o.usernsPath), !o.disableDns, mac);
    }

    /** The namespace's IPv4 address that {@code add_hostfwd} forwards to when it names none. */
    IpAddress defaultGuest() {
        return IpAddress.ofIpv4(cidr.guest());
    }

    private static int descriptor(String text, String message) throws UsageException {
        Long fd = StrictDecimal.parse(text);
        if (fd == null || fd < 0 || fd > Integer.MAX_VALUE) {
            throw new UsageException(message);
        }
        return fd.intValue();
    }

    private static int mtu(String text) throws UsageException {
        Long mtu = StrictDecimal.parse(text);
        if (mtu == null || mtu <= 0 || mtu > SLIRP_MAX_MTU) {
            throw new UsageException("MTU must be a positive integer (< 65522)");
        }
        if (mtu < ENGINE_MIN_MTU || mtu > ENGINE_MAX_MTU) {
            throw new UsageException("--mtu=" + mtu + ": vnet4j's user network takes an MTU of " + ENGINE_MIN_MTU
                    + " to " + ENGINE_MAX_MTU);
        }
        return mtu.intValue();
    }

    /**
     * {@code --outbound-addr(6)}: an address of the family, or an interface name whose first address of the
     * family is taken (as slirp4netns takes it, main.c's {@code get_interface_addr}); slirp4netns's message
     * otherwise.
     */
    private static IpAddress outbound(String value, boolean v6) throws UsageException {
        try {
            IpAddress address = IpAddress.parse(value);
            if (address.isIpv6() == v6) {
                return address;
            }
        } catch (IllegalArgumentException notAnAddress) {
            try {
                NetworkInterface nic = NetworkInterface.getByName(value);
                if (nic != null) {
                    for (var a : java.util.Collections.list(nic.getInetAddresses())) {
                        IpAddress address = IpAddress.of(a);
                        if (address.isIpv6() == v6 && !address.isLinkLocal()) {
                            return address;
                        }
                    }
                }
            } catch (SocketException e) {
                // as if it were not there
            }
        }
        throw new UsageException(v6 ? "outbound-addr6 has to be valid ipv6 address or interface name."
                : "outbound-addr has to be valid ipv4 address or interface name.");
    }
}
