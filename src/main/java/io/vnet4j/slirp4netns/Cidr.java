package io.vnet4j.slirp4netns;

import io.vnet4j.wire.Ipv4Address;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * slirp4netns's {@code --cidr=A.B.C.D/N} and the addresses it derives from it, as main.c's
 * {@code parse_cidr} and {@code slirp4netns_config_from_cidr} do (slirp4netns 1.2): the gateway is the
 * network address + 2, DNS + 3, the first DHCP lease + 15 and the address {@code --configure} gives the
 * TAP (and {@code add_hostfwd} forwards to by default) + 100. The prefix is 1 to 25 there (+100 must fit);
 * vnet4j's user network takes prefixes of 4 and longer, so 1 to 3 are refused here with a line of their own.
 *
 * @param network      the network address, IPv4 as an {@code int} (first octet high), no host bits set
 * @param prefixLength the prefix length in bits, 4 to 25
 */
record Cidr(int network, int prefixLength) {
    /** slirp4netns's default, {@code DEFAULT_CIDR}. */
    static final Cidr DEFAULT = new Cidr(Ipv4Address.parse("10.0.2.0"), 24);
    private static final Pattern FORM = Pattern.compile("^(([0-9]{1,3}\\.){3}[0-9]{1,3})/([0-9]{1,2})$");
    private static final int PREFIX_MIN = 1;
    private static final int PREFIX_MAX = 25;
    /** The shortest prefix vnet4j's {@code -netdev user,net=} takes (QEMU's rule). */
    private static final int ENGINE_PREFIX_MIN = 4;

    /**
     * Parses {@code text} with main.c's checks and messages.
     *
     * @throws UsageException with slirp4netns's line: {@code invalid CIDR: X}, {@code invalid network address: X},
     *     {@code prefix length needs to be 1-25}, or that the address has host bits set
     */
    static Cidr parse(String text) throws UsageException {
        Matcher m = FORM.matcher(text);
        if (!m.matches()) {
            throw new UsageException("invalid CIDR: " + text);
        }
        int network;
        try {
            network = Ipv4Address.parse(m.group(1));
        } catch (IllegalArgumentException e) {
            throw new UsageException("invalid network address: " + m.group(1));
        }
        int prefix = Integer.parseInt(m.group(3));
        if (prefix < PREFIX_MIN || prefix > PREFIX_MAX) {
            throw new UsageException("prefix length needs to be " + PREFIX_MIN + "-" + PREFIX_MAX);
        }
        if (prefix < ENGINE_PREFIX_MIN) {
            throw new UsageException("--cidr=" + text + ": vnet4j's user network needs a prefix length of "
                    + ENGINE_PREFIX_MIN + " or more");
        }
        Cidr cidr = new Cidr(network, prefix);
        if ((network & cidr.netmask()) != network) {
            throw new UsageException("CIDR needs to be a network address like 10.0.2.0/24, not like 10.0.2.100/24");
        }
        return cidr;
    }

    int netmask() {
        return -1 << (32 - prefixLength);
    }

    /** The gateway, which is also the host's loopback to the guest: network + 2. */
    int host() {
        return network + 2;
    }

    /** The DNS forwarder: network + 3. */
    int dns() {
        return network + 3;
    }

    /** The first DHCP lease: network + 15. */
    int dhcpStart() {
        return network + 15;
    }

    /** The "recommended" guest address, {@code --configure}'s and {@code add_hostfwd}'s default: network + 100. */
    int guest() {
        return network + 100;
    }

    @Override
    public String toString() {
        return Ipv4Address.format(network) + "/" + prefixLength;
    }
}
