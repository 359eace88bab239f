package io.vnet4j.config;

import io.vnet4j.os.InterfaceSetup;
import io.vnet4j.os.NetworkNamespace;
import io.vnet4j.wire.MacAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * QEMU's {@code -netdev tap,ifname=NAME[,script=PATH|no][,downscript=PATH|no][,vnet_hdr=on|off]} (net/tap.c,
 * net/tap-linux.c; qapi/net.json's NetdevTapOptions), and vnet4j's {@code mtu=}, {@code netns=}, {@code userns=}
 * (the TAP made inside another network namespace) and {@code configure=on[,mac=MAC]} (slirp4netns's
 * {@code --configure}). QEMU's keys for descriptors, bridges and vhost are {@link QemuOnlyKeys}'.
 */
final class TapOptionParser {
    static final Set<String> KEYS = Set.of("id", "hubid", "vlan", "trunk", "ifname", "script", "downscript", "vnet_hdr",
            "mtu", "netns", "userns", "configure", "mac");

    private TapOptionParser() {}

    /**
     * A TAP's options as given.
     *
     * @param netdev its settings, {@code configure} not yet resolved (null)
     * @param configure whether {@code configure=on} was given
     * @param mac {@code mac=}, or {@link InterfaceSetup#KERNEL_MAC} (the kernel's)
     */
    record Parsed(NetdevConfig.Tap netdev, boolean configure, long mac) {}

    /**
     * The netdev's options; a trunk's TAP ({@code trunk=} given) takes no {@code vnet_hdr}. {@code configure=on}'s
     * address is left out (null): the caller gives it from the user network on the hub.
     */
    static Parsed parse(OptionString o, String id, int hub, boolean trunk) throws ConfigException {
        String ifname = o.take("ifname");
        if (ifname == null) {
            ifname = "";
        } else if (!ifname.matches("[A-Za-z0-9_.-]{1,15}") || ifname.equals(".") || ifname.equals("..")) {
            // "." and "..": the kernel's dev_valid_name refuses them too (a directory's names in sysfs)
            throw o.error("ifname: expected 1 to 15 letters, digits, '_', '.' or '-', other than '.' and '..', got '"
                    + ifname + "'");
        }
        // as QEMU: used unless vnet_hdr=off. Not on a trunk: the hub takes tagged large segments (a vhost-user
        // trunk's guest sends them), but a namespace's VLAN sub-interfaces cannot be made on the test machines
        // (no CONFIG_VLAN_8021Q), so the kernel's tagged segments through a TAP are untried
        boolean vnetHeader = o.takeBoolean("vnet_hdr", !trunk);
        if (trunk && vnetHeader) {
            throw o.error("vnet_hdr=on: a trunk TAP carries 802.1Q-tagged frames, which come without offloads "
                    + "(leave vnet_hdr out)");
        }
        int mtu = (int) o.takeLong("mtu", 0, 68, 65520);
        String netns = o.take("netns");
        Path namespace = null;
        if (netns != null) {
            namespace = namespaceFile(o, "netns", netns, NetworkNamespace.Kind.NETWORK, "/run/netns/NAME or /proc/PID/ns/net");
        }
        String userns = o.take("userns");
        Path userNamespace = null;
        if (userns != null) {
            if (namespace == null) {
                throw o.error("userns: only with netns= (the user namespace that owns that network namespace)");
            }
            userNamespace = namespaceFile(o, "userns", userns, NetworkNamespace.Kind.USER, "/proc/PID/ns/user or a bind-mounted one");
        }
        boolean configure = o.takeBoolean("configure", false);
        long mac = tapMac(o, configure);
        // QEMU's /etc/qemu-ifup bridges a host interface; a namespace's interface, or one vnet4j
        // configures itself, is no such thing: there the scripts run only when named
        boolean hostBridge = namespace == null && !configure;
        Path script = script(o, "script", hostBridge ? "/etc/qemu-ifup" : null);
        Path downscript = script(o, "downscript", hostBridge ? "/etc/qemu-ifdown" : null);
        o.finish(KEYS);
        String settings = "ifname=" + ifname + (netns == null ? "" : ",netns=" + netns)
                + (userns == null ? "" : ",userns=" + userns) + (vnetHeader ? "" : ",vnet_hdr=off");
        return new Parsed(new NetdevConfig.Tap(id, "tap", hub, settings, ifname, script, downscript, namespace, userNamespace,
                null, mtu, vnetHeader), configure, mac);
    }

    /**
     * {@code mac=}: the MAC address {@code configure=on} gives the TAP itself (slirp4netns's
     * {@code --macaddress}, which also needs {@code -c}); a unicast address, not all zeros.
     */
    private static long tapMac(OptionString o, boolean configure) throws ConfigException {
        String text = o.take("mac");
        if (text == null) {
            return InterfaceSetup.KERNEL_MAC;
        }
        if (!configure) {
            throw o.error("mac: only with configure=on (it sets the TAP's own address, which vnet4j sets up only then)");
        }
        long mac;
        try {
            mac = MacAddress.parse(text);
        } catch (IllegalArgumentException e) {
            mac = InterfaceSetup.KERNEL_MAC;
        }
        if (mac == InterfaceSetup.KERNEL_MAC || MacAddress.isMulticast(mac)) {
            throw o.error("mac: expected a unicast MAC address like 52:54:00:12:34:56, got '" + text + "'");
        }
        return mac;
    }

    /**
     * A namespace file given as {@code key}: it must be there, readable (a /proc/PID/ns link of another
     * user's process is there but cannot be followed, which is said as such) and a namespace of
     * {@code kind}, so that a wrong file is named now rather than when the port enters it after the start.
     */
    private static Path namespaceFile(OptionString o, String key, String value, NetworkNamespace.Kind kind,
            String expected) throws ConfigException {
        Path path = Path.of(value);
        if (!Files.exists(path)) {
            throw o.error(key + ": '" + value + "' " + (Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                    ? "cannot be read by this user (the namespace's process belongs to another user)"
                    : "does not exist (expected " + expected + ")"));
        }
        try {
            if (NetworkNamespace.kindOf(path) != kind) {
                throw o.error(key + ": '" + value + "' is not a " + (kind == NetworkNamespace.Kind.NETWORK ? "network" : "user")
                        + " namespace (expected " + expected + ")");
            }
        } catch (java.io.IOException e) {
            throw o.error(key + ": " + e.getMessage());
        }
        return path;
    }

    /** QEMU's rule: a path, or "no"; absent means the default (null: none) when that file exists. */
    private static Path script(OptionString o, String key, String defaultPath) throws ConfigException {
        String v = o.take(key);
        if (v == null) {
            Path d = defaultPath == null ? null : Path.of(defaultPath);
            return d != null && Files.isExecutable(d) ? d : null;
        }
        if (v.equals("no") || v.isEmpty()) {
            return null;
        }
        Path p = Path.of(v);
        if (!Files.isExecutable(p)) {
            throw o.error(key + ": '" + v + "' is not an executable file (or use " + key + "=no)");
        }
        return p;
    }
}
