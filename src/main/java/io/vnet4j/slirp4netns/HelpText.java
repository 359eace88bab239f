package io.vnet4j.slirp4netns;

/**
 * What {@code --help} and {@code --version} print. The option lines are slirp4netns 1.2's {@code usage()}
 * word for word (tabs included): rootlesskit and Podman look for option names in {@code --help}'s output to
 * learn what the binary supports. A section after them says what vnet4j does in slirp4netns's place.
 */
final class HelpText {
    /** The slirp4netns release whose command line and API socket this drop-in follows. */
    static final String SLIRP4NETNS_VERSION = "1.2.0";

    private HelpText() {}

    /** The help, for the program name {@code argv0}. */
    static String usage(String argv0) {
        return "Usage: " + argv0 + " [OPTION]... PID|PATH TAPNAME\n"
                + "User-mode networking for unprivileged network namespaces.\n\n"
                + "-c, --configure          bring up the interface\n"
                + "-e, --exit-fd=FD         specify the FD for terminating slirp4netns\n"
                + "-r, --ready-fd=FD        specify the FD to write to when the network is configured\n"
                + "-m, --mtu=MTU            specify MTU (default=1500, max=65521)\n"
                + "-6, --enable-ipv6        enable IPv6 (experimental)\n"
                + "-a, --api-socket=PATH    specify API socket path\n"
                + "--cidr=CIDR              specify network address CIDR (default=10.0.2.0/24)\n"
                + "--disable-host-loopback  prohibit connecting to 127.0.0.1:* on the host namespace\n"
                + "--netns-type=TYPE \t specify network namespace type ([path|pid], default=pid)\n"
                + "--userns-path=PATH\t specify user namespace path\n"
                + "--enable-sandbox         create a new mount namespace (and drop all caps except "
                + "CAP_NET_BIND_SERVICE if running as the root)\n"
                + "--enable-seccomp         enable seccomp to limit syscalls (experimental)\n"
                + "--outbound-addr=IPv4     sets outbound ipv4 address to bound to (experimental)\n"
                + "--outbound-addr6=IPv6    sets outbound ipv6 address to bound to (experimental)\n"
                + "--disable-dns            disables 10.0.2.3 (or configured internal ip) to host dns redirect "
                + "(experimental)\n"
                + "--macaddress=MAC         specify the MAC address of the TAP (only valid with -c)\n"
                + "--target-type=TYPE       specify the target type ([netns|bess], default=netns)\n"
                + "-h, --help               show this help and exit\n"
                + "-v, --version            show version and exit\n"
                + "\n"
                + argv0 + " is vnet4j in place of slirp4netns " + SLIRP4NETNS_VERSION + ": the same command line, ready\n"
                + "and exit descriptors and API socket (add_hostfwd, list_hostfwd, remove_hostfwd), on vnet4j's user\n"
                + "network (-netdev user) and a TAP in the target namespace (-netdev tap,netns=...,configure=on|off).\n"
                + "rootlesskit: --net=slirp4netns --slirp4netns-binary=PATH; Podman: network_cmd_path=PATH in the\n"
                + "[engine] table of containers.conf.\n"
                + "--enable-sandbox, --enable-seccomp: vnet4j has no sandbox or seccomp filter of its own yet; the\n"
                + "  options are accepted and the process keeps its mount namespace, capabilities and system calls.\n"
                + "--target-type=bess is refused. --mtu takes 576 to 65520 (the user network's range; slirp4netns's\n"
                + "  own bound, above, is 65521).\n";
    }

    /**
     * The version, in slirp4netns's shape: tools read the first line, {@code slirp4netns version X}; X is the
     * slirp4netns release followed, as semver build metadata, by vnet4j's version.
     */
    static String version(String vnet4jVersion) {
        return "slirp4netns version " + SLIRP4NETNS_VERSION + "+vnet4j." + vnet4jVersion + "\n"
                + "vnet4j: " + vnet4jVersion + " (Java " + Runtime.version() + "), vnet4j-slirp4netns in place of "
                + "slirp4netns and libslirp\n";
    }
}
