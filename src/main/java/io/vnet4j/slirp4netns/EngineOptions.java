package io.vnet4j.slirp4netns;

import io.vnet4j.config.Config;
import io.vnet4j.config.ConfigException;
import io.vnet4j.config.ConfigParser;
import io.vnet4j.wire.Ipv4Address;
import io.vnet4j.wire.MacAddress;

/**
 * What a slirp4netns command line is in vnet4j's own terms: one user network and one TAP on hub 0, as
 * QEMU-style {@code -netdev} options, so the drop-in runs exactly what {@code vnet4j -netdev user,... -netdev
 * tap,...} runs and {@code ConfigParser} does the checking.
 *
 * <ul>
 *   <li>{@code -netdev user,id=slirp,net=CIDR,host=+2,dns=+3,dhcpstart=+15,mtu=MTU} with {@code ipv6=off}
 *       (slirp4netns has no IPv6 unless asked), or with {@code -6}
 *       {@code ipv6-net=fd00::/64,ipv6-host=fd00::2,ipv6-dns=fd00::3}; and {@code host-loopback=off} with
 *       {@code --disable-host-loopback}; {@code builtin-dns=off} with {@code --disable-dns};
 *       {@code outbound-addr=}/{@code outbound-addr6=} with {@code --outbound-addr}/{@code --outbound-addr6};</li>
 *   <li>{@code -netdev tap,id=tap,ifname=TAPNAME,netns=/proc/PID/ns/net|PATH,mtu=MTU,configure=on|off}:
 *       with {@code configure=on} the TAP gets the user network's .100 (+100 of the CIDR), its prefix, the
 *       MTU and a default route via the gateway (and {@code mac=} with {@code --macaddress}), and {@code lo}
 *       comes up, as {@code slirp4netns -c} does.
 *       Without it the interface is left to whoever set it up (rootlesskit configures tap0 itself), but its
 *       MTU is set, so the TAP's large segments are cut to the MTU the namespace uses.</li>
 * </ul>
 */
final class EngineOptions {
    static final String USER_ID = "slirp";
    static final String TAP_ID = "tap";

    private EngineOptions() {}

    /** The {@code -netdev user} option for {@code s}. */
    static String userNetdev(Settings s) {
        Cidr c = s.cidr();
        return "user,id=" + USER_ID + ",net=" + c + ",host=" + Ipv4Address.format(c.host()) + ",dns="
                + Ipv4Address.format(c.dns()) + ",dhcpstart=" + Ipv4Address.format(c.dhcpStart()) + ",mtu=" + s.mtu()
                + (s.ipv6() ? ",ipv6-net=" + Settings.IPV6_NETWORK + ",ipv6-host=" + Settings.IPV6_HOST + ",ipv6-dns="
                        + Settings.IPV6_DNS : ",ipv6=off")
                + (s.hostLoopback() ? "" : ",host-loopback=off")
                + (s.builtinDns() ? "" : ",builtin-dns=off")
                + (s.outbound4() == null ? "" : ",outbound-addr=" + s.outbound4())
                + (s.outbound6() == null ? "" : ",outbound-addr6=" + s.outbound6());
    }

    /** The {@code -netdev tap} option for {@code s}. */
    static String tapNetdev(Settings s) {
        return "tap,id=" + TAP_ID + ",ifname=" + escaped(s.tapName()) + ",netns=" + escaped(s.netns().toString())
                + (s.userns() == null ? "" : ",userns=" + escaped(s.userns().toString()))
                + ",mtu=" + s.mtu() + ",configure=" + (s.configure() ? "on" : "off")
                + (s.mac() == null ? "" : ",mac=" + MacAddress.format(s.mac()));
    }

    /**
     * Both netdevs, checked and resolved ({@code configure=on} takes its address from the user network).
     *
     * @throws ConfigException with ConfigParser's reason when the engine refuses them (a TAP name the kernel
     *     would not take, a namespace that is not there), without the {@code -netdev ...} the user never wrote
     */
    static Config config(Settings s) throws ConfigException {
        ConfigParser parser = new ConfigParser();
        try {
            parser.netdev(userNetdev(s));
            parser.netdev(tapNetdev(s));
            return parser.build();
        } catch (ConfigException e) {
            throw new ConfigException(e.reason());
        }
    }

    /** QEMU's option syntax doubles a comma inside a value. */
    private static String escaped(String value) {
        return value.replace(",", ",,");
    }
}
