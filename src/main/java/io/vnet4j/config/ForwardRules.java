package io.vnet4j.config;

import io.vnet4j.base.HostText;
import io.vnet4j.os.SocketFiles;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Parses QEMU's forwarding rules: {@code hostfwd=[tcp|udp]:[hostaddr]:hostport-[guestaddr]:guestport}
 * (either address may be IPv6 in brackets, {@code [::1]}, the form libslirp's IPv6 host forwarding was
 * proposed with for QEMU; QEMU itself reads IPv4 only) and {@code guestfwd=[tcp]:[server]:port-TARGET} with TARGET {@code cmd:COMMAND}, {@code tcp:HOST:PORT}
 * or {@code unix:PATH}. Errors read like QEMU's: {@code Invalid host forwarding rule 'RULE' (REASON)}.
 */
final class ForwardRules {
    private ForwardRules() {}

    /** Makes the error for a message: an option's ({@code OPTION VALUE: message}) or a bare one at run time. */
    interface Errors {
        ConfigException error(String message);

        /** What a rule that holds a comma is told besides its reason: nothing for a rule given as it is. */
        default String commaHint() {
            return "";
        }
    }

    /**
     * The errors of a rule in an option string ({@code hostfwd=}), which holds a comma only through
     * {@code ,,}, QEMU's escaped comma: a rule that ran on into the next ({@code hostfwd=A,,hostfwd=B})
     * says so. A rule given at run time (HMP {@code hostfwd_add}, slirp4netns's API) holds its commas as
     * typed, and is told QEMU's line alone.
     */
    static Errors ofOption(OptionString o) {
        return new Errors() {
            @Override
            public ConfigException error(String message) {
                return o.error(message);
            }

            @Override
            public String commaHint() {
                return "; ',,' is an escaped comma, so this rule ran on into the next: separate hostfwd= rules with one comma";
            }
        };
    }

    /**
     * The user network's IPv4 side as a forwarding rule needs it.
     *
     * @param on whether the network carries IPv4 ({@code ipv4=on})
     * @param network the network's address; {@code mask} its netmask
     * @param host the gateway's address ({@code host=}); {@code dns} its DNS address
     * @param target where a rule that names no IPv4 guest address goes ({@code dhcpstart}, or a
     *     {@code configure=on} TAP's address)
     */
    record Ipv4Side(boolean on, int network, int mask, int host, int dns, int target) {}

    /**
     * One {@code hostfwd} rule. Either address may be IPv6 in brackets. No host address: 127.0.0.1. No
     * guest address (or the unspecified one): the family of the host address, or the other when that one
     * is off, decides: IPv4 goes to {@code ipv4.target()}, IPv6 to {@link IpAddress#IPV6_ANY} (the guest's
     * learned address). A guest address of a family that is off is refused; one given must lie in its
     * family's network and be neither the network's own nor its broadcast address nor the gateway's or
     * its DNS address: nothing there could answer.
     */
    static UserConfig.HostForward hostForward(Errors o, String rule, Ipv4Side ipv4,
            Optional<UserConfig.Ipv6> ipv6) throws ConfigException {
        String[] protoRest = splitFirst(rule, ':');
        if (protoRest == null) {
            throw hostError(o, rule, "No : separators");
        }
        boolean udp;
        switch (protoRest[0]) {
            case "", "tcp" -> udp = false;
            case "udp" -> udp = true;
            default -> throw hostError(o, rule, "Bad protocol name");
        }
        String[] hostRest = splitAddress(o, rule, protoRest[1], "host");
        if (hostRest == null) {
            throw hostError(o, rule, "Missing : separator");
        }
        String[] portRest = splitFirst(hostRest[1], '-');
        if (portRest == null) {
            // no '-' after the host address: QEMU's words, whatever else the rule holds. More colons
            // ('tcp:2222::22', meant as tcp::2222-:22) are no unbracketed IPv6 address without a '-' after it
            throw hostError(o, rule, "Bad host port separator");
        }
        if (portRest[0].indexOf(':') >= 0) {
            throw hostError(o, rule, anotherColon(hostRest[0], portRest[0], protoRest[1].startsWith("["), "host"));
        }
        IpAddress hostAddress = hostRest[0].isEmpty() ? IpAddress.IPV4_LOOPBACK : address(o, rule, hostRest[0], "host");
        if (hostAddress.isLinkLocal()) {
            throw hostError(o, rule, "Bad host address: a link-local address needs an interface, which a rule cannot "
                    + "name; use [::1], [::] or a global address");
        }
        int hostPort = OptionString.cNumber(portRest[0], 0, 65535); // qemu_strtoi with base 0, as QEMU's slirp_hostfwd: 010 is 8
        if (hostPort < 0) {
            throw hostError(o, rule, "Bad host port");
        }
        String[] guestRest = splitAddress(o, rule, portRest[1], "guest");
        if (guestRest == null) {
            throw hostError(o, rule, "Missing guest address");
        }
        if (guestRest[1].indexOf(':') >= 0) {
            throw hostError(o, rule, anotherColon(guestRest[0], guestRest[1], portRest[1].startsWith("["), "guest"));
        }
        int guestPort = OptionString.cNumber(guestRest[1], 1, 65535);
        IpAddress guest = guestRest[0].isEmpty() ? null : address(o, rule, guestRest[0], "guest");
        if (guestPort < 0) {
            throw hostError(o, rule, "Bad guest port");
        }
        boolean defaulted = guest == null || guest.isUnspecified();
        boolean toIpv6 = guest != null ? guest.isIpv6() : hostAddress.isIpv6() ? ipv6.isPresent() : !ipv4.on();
        if (toIpv6 && ipv6.isEmpty()) {
            throw hostError(o, rule, "IPv6 guest address while ipv6=off");
        }
        if (!toIpv6 && !ipv4.on()) {
            throw hostError(o, rule, "IPv4 guest address while ipv4=off");
        }
        if (defaulted) {
            guest = toIpv6 ? IpAddress.IPV6_ANY : IpAddress.ofIpv4(ipv4.target());
        } else {
            String wrong = toIpv6 ? wrongIpv6Guest(guest, ipv6.get()) : wrongIpv4Guest(guest.ipv4(), ipv4);
            if (wrong != null) {
                throw hostError(o, rule, "guest address " + guest + " " + wrong);
            }
        }
        return new UserConfig.HostForward(udp, hostAddress, hostPort, guest, guestPort, defaulted);
    }

    /** Why no guest can have {@code guest}, or null when one can. */
    static String wrongIpv4Guest(int guest, Ipv4Side net) {
        if ((guest & net.mask()) != net.network()) {
            return "is outside the IPv4 network " + Ipv4Address.format(net.network()) + "/" + Integer.bitCount(net.mask());
        }
        if (Ipv4Address.isNetworkOrBroadcast(guest, net.network(), net.mask())) {
            return "is the network's own or broadcast address";
        }
        return guest == net.host() || guest == net.dns() ? GATEWAY_OWN : null;
    }

    private static String wrongIpv6Guest(IpAddress guest, UserConfig.Ipv6 net) {
        if (!net.inNetwork(guest)) {
            return "is outside the IPv6 network " + net.network();
        }
        return guest.equals(net.host()) || guest.equals(net.dns()) ? GATEWAY_OWN : null;
    }

    private static final String GATEWAY_OWN = "is the gateway's own: a rule forwards to a guest";

    private static final String BRACKETS_HINT = ": an IPv6 address goes in brackets, as in [::1]:2222";

    /**
     * What a port holding another {@code :} after {@code address} (the text before the first one) means: an
     * IPv6 address without brackets when the text up to the last colon is one ({@code fec0::15:22}), else a port
     * with a stray colon, QEMU's "Bad host port" or "Bad guest port" (its slirp_hostfwd splits at the first colon,
     * and the port's qemu_strtoi must take the whole rest): vagrant-qemu wrote {@code tcp:127.0.0.1::55985-:5985}
     * until ppggff/vagrant-qemu#49 (#39), and a rule may end in a colon ({@code tcp::2222-:22:}); both were told
     * to bracket an IPv6 address. An address given in brackets ({@code bracketed}) leaves the colon to the port:
     * {@code tcp::2222-[fec0::15]:22:} was told to bracket the address it had bracketed.
     */
    private static String anotherColon(String address, String port, boolean bracketed, String side) {
        if (bracketed) {
            return "Bad " + side + " port";
        }
        String text = address + ":" + port;
        String upToLastColon = text.substring(0, text.lastIndexOf(':'));
        boolean ipv6 = upToLastColon.indexOf(':') >= 0; // IPv6 text, whichever family it names (::ffff:10.0.2.15)
        try {
            IpAddress.parse(upToLastColon);
        } catch (IllegalArgumentException e) {
            ipv6 = false;
        }
        return ipv6 ? "Bad " + side + " address" + BRACKETS_HINT : "Bad " + side + " port";
    }

    /**
     * Splits {@code ADDR:REST} or {@code [IPV6]:REST} into the address (without brackets) and the rest;
     * null when the {@code :} is missing.
     */
    private static String[] splitAddress(Errors o, String rule, String s, String side) throws ConfigException {
        if (!s.startsWith("[")) {
            return splitFirst(s, ':');
        }
        int close = s.indexOf(']');
        if (close < 0) {
            throw hostError(o, rule, "Bad " + side + " address: '[' without ']'");
        }
        String inside = s.substring(1, close);
        if (inside.indexOf(':') < 0) {
            throw hostError(o, rule, "Bad " + side + " address: brackets are for IPv6 addresses, got '" + s.substring(0, close + 1) + "'");
        }
        if (close + 1 >= s.length() || s.charAt(close + 1) != ':') {
            return null;
        }
        return new String[] {inside, s.substring(close + 2)};
    }

    private static IpAddress address(Errors o, String rule, String text, String side) throws ConfigException {
        try {
            return IpAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw hostError(o, rule, "Bad " + side + " address");
        }
    }

    static UserConfig.GuestForward guestForward(OptionString o, String rule, int defaultServer) throws ConfigException {
        String[] protoRest = splitFirst(rule, ':');
        if (protoRest == null || !(protoRest[0].isEmpty() || protoRest[0].equals("tcp"))) {
            throw guestError(o, rule, "expected [tcp]:[server]:port-TARGET");
        }
        String[] serverRest = splitFirst(protoRest[1], ':');
        if (serverRest == null) {
            throw guestError(o, rule, "missing the server address");
        }
        int server = defaultServer;
        if (!serverRest[0].isEmpty()) {
            try {
                server = Ipv4Address.parse(serverRest[0]);
            } catch (IllegalArgumentException e) {
                throw guestError(o, rule, "bad server address");
            }
        }
        String[] portRest = splitFirst(serverRest[1], '-');
        if (portRest == null) {
            throw guestError(o, rule, "missing '-' before the target");
        }
        int port = number(portRest[0], 1);
        if (port < 0) {
            throw guestError(o, rule, "bad port");
        }
        String target = portRest[1];
        UserConfig.GuestForwardTarget t;
        if (target.startsWith("cmd:") && target.length() > 4) {
            t = new UserConfig.GuestForwardTarget.Command(target.substring(4));
        } else if (target.startsWith("unix:") && target.length() > 5) {
            if (!SocketFiles.fits(target.substring(5))) { // the JDK's connect would refuse it at each connection
                throw guestError(o, rule, "the unix socket's path is longer than " + SocketFiles.PATH_MAX_BYTES + " bytes");
            }
            t = new UserConfig.GuestForwardTarget.Unix(Path.of(target.substring(5)));
        } else if (target.startsWith("tcp:")) {
            int colon = target.lastIndexOf(':');
            int targetPort = colon > 4 ? number(target.substring(colon + 1), 1) : -1;
            if (targetPort < 0 || colon <= 4) {
                throw guestError(o, rule, "expected tcp:HOST:PORT as the target");
            }
            String host = target.substring(4, colon);
            try {
                HostText.check(host); // a name is looked up at start, a bad address never
            } catch (IllegalArgumentException e) {
                throw guestError(o, rule, "the target's host: " + e.getMessage());
            }
            String why = HostText.isLiteral(host) ? Addresses.noStreamPeer(HostText.literal(host)) : null;
            if (why != null) {
                throw guestError(o, rule, "the target's host: " + why + " (expected a unicast address)");
            }
            t = new UserConfig.GuestForwardTarget.Tcp(host, targetPort);
        } else {
            throw guestError(o, rule, "expected the target cmd:COMMAND, tcp:HOST:PORT or unix:PATH");
        }
        return new UserConfig.GuestForward(server, port, t);
    }

    private static String[] splitFirst(String s, char separator) {
        int i = s.indexOf(separator);
        return i < 0 ? null : new String[] {s.substring(0, i), s.substring(i + 1)};
    }

    /** A port number from {@code min} to 65535 in decimal (QEMU's guestfwd reads its port with base 10), or -1. */
    private static int number(String s, int min) {
        if (!s.matches("\\d{1,5}")) {
            return -1;
        }
        int n = Integer.parseInt(s);
        return n >= min && n <= 65535 ? n : -1;
    }

    /** QEMU's line, with {@link Errors#commaHint} for a rule that holds a comma. */
    private static ConfigException hostError(Errors o, String rule, String reason) {
        String comma = rule.indexOf(',') < 0 ? "" : o.commaHint();
        return o.error("Invalid host forwarding rule '" + rule + "' (" + reason + comma + ")");
    }

    private static ConfigException guestError(OptionString o, String rule, String reason) {
        return o.error("Invalid guest forwarding rule '" + rule + "' (" + reason + ")");
    }
}
