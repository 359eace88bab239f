package io.vnet4j.slirp4netns;

import io.vnet4j.config.UserConfig;
import io.vnet4j.control.Json;
import io.vnet4j.usernet.UsernetNetdev;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.Ipv4Address;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests of slirp4netns's API socket, answered as its api.c answers them (slirp4netns 1.2, checked
 * against the binary): {@code add_hostfwd} → {@code {"return":{"id":N}}}, {@code list_hostfwd} →
 * {@code {"entries":[{"id","proto","host_addr","host_port","guest_addr","guest_port"}...]}} (api.c writes
 * it without a {@code "return"} around it, although its manual shows one), {@code remove_hostfwd} →
 * {@code {"return":{}}}, and every failure as {@code {"error":{"desc":"bad request: ..."}}} with api.c's
 * words; where vnet4j knows more than api.c's words say (the kernel refused the bind, the guest address is no
 * guest's), the reason follows them after {@code ": "}. Replies are compact JSON without a newline, as api.c's.
 * One extension: a {@code host_port} of 0, which api.c refuses (slirp4netns#354 asks for it), binds a port the
 * kernel picks, and the reply gives it: {@code {"return":{"id":N,"host_port":P}}}; {@code list_hostfwd} and
 * {@code remove_hostfwd} know the forward by that port.
 *
 * <p>A second extension: the host address may be IPv6 ({@code "::"}, {@code "::1"}), which api.c refuses with
 * "bad arguments.host_addr" (podman#13229: Podman's {@code -p [::]:8080:80} failed the container's start). Such a
 * forward listens on IPv6 only (IPV6_V6ONLY), so that Podman's usual pair {@code -p 8080:80 -p [::]:8080:80}
 * binds both, and goes to the guest's IPv4 address, as the slirp4netns maintainers' IPv6 plan put first
 * (slirp4netns#253). The guest address is IPv4, as in api.c: the host address defaults to 0.0.0.0 (every interface)
 * and the guest address to the namespace's address ({@link Settings#defaultGuest()}, 10.0.2.100 or +100 of
 * {@code --cidr}), with or without {@code --configure}. Ids count from 1 and are never reused; the id → rule
 * table lives here, the listeners in the user network ({@link UsernetNetdev#addHostForward}). Arguments are
 * read as api.c's parson calls read them: a member of the wrong type counts as absent, numbers are
 * truncated to integers; a guest port outside 1-65535 and a host port outside 0-65535 are refused (api.c
 * refuses 0 and passes the rest on truncated), and so is a guest address no guest can have (outside the
 * network, its own or broadcast address, the gateway's or its DNS address: api.c takes those, and a
 * client's connection then hangs), with api.c's "bad arguments.guest_addr". One
 * request at a time.
 */
final class ApiHandler {
    static final String CANNOT_PARSE = error("cannot parse JSON");
    static final String NOT_AN_OBJECT = error("json_object() failed");
    static final String NO_EXECUTE = error("no execute found");
    static final String UNKNOWN_EXECUTE = error("unknown execute");
    static final String TOO_LARGE = error("too large message");

    private final UsernetNetdev usernet;
    private final IpAddress defaultGuest;
    private final List<Entry> entries = new ArrayList<>();
    private int nextId = 1;

    /** One forward added through the API, under its id. */
    private record Entry(int id, UserConfig.HostForward forward) {}

    ApiHandler(UsernetNetdev usernet, IpAddress defaultGuest) {
        this.usernet = usernet;
        this.defaultGuest = defaultGuest;
    }

    /** The reply to one request's text, its first JSON value (what follows is ignored, as in api.c); never throws on bad input. */
    synchronized String handle(String request) {
        Object parsed;
        try {
            parsed = Json.parseFirst(request);
        } catch (IllegalArgumentException e) {
            return CANNOT_PARSE;
        }
        if (!(parsed instanceof Map<?, ?> root)) {
            return NOT_AN_OBJECT;
        }
        if (!(root.get("execute") instanceof String execute)) {
            return NO_EXECUTE;
        }
        Map<?, ?> arguments = root.get("arguments") instanceof Map<?, ?> m ? m : Map.of();
        return switch (execute) {
            case "add_hostfwd" -> add(arguments);
            case "list_hostfwd" -> list();
            case "remove_hostfwd" -> remove(arguments);
            default -> UNKNOWN_EXECUTE;
        };
    }

    private String add(Map<?, ?> arguments) {
        Object proto = arguments.get("proto");
        if (!"tcp".equals(proto) && !"udp".equals(proto)) {
            return error("add_hostfwd: bad arguments.proto");
        }
        boolean udp = proto.equals("udp");
        IpAddress host = address(arguments.get("host_addr"), IpAddress.IPV4_ANY);
        if (host == null) {
            return error("add_hostfwd: bad arguments.host_addr");
        }
        boolean anyPort = isZero(arguments.get("host_port"));
        int hostPort = port(arguments.get("host_port"));
        if (hostPort == 0 && !anyPort) {
            return error("add_hostfwd: bad arguments.host_port");
        }
        IpAddress guest = ipv4(arguments.get("guest_addr"), defaultGuest);
        if (guest == null) {
            return error("add_hostfwd: bad arguments.guest_addr");
        }
        String unreachable = UserConfig.HostForward.unreachableIpv4Guest(guest.ipv4(), usernet.config());
        if (unreachable != null) { // api.c takes it, and a client's connection then hangs: refused in its words
            Messages.warn("add_hostfwd: guest_addr " + guest + " " + unreachable);
            return error("add_hostfwd: bad arguments.guest_addr", guest + " " + unreachable);
        }
        int guestPort = port(arguments.get("guest_port"));
        if (guestPort == 0) {
            return error("add_hostfwd: bad arguments.guest_port");
        }
        UserConfig.HostForward bound;
        try {
            bound = usernet.addHostForward(new UserConfig.HostForward(udp, host, hostPort, guest, guestPort, false,
                    host.isIpv6()));
        } catch (IOException e) {
            Messages.warn("add_hostfwd: " + e.getMessage());
            return error("add_hostfwd: slirp_add_hostfwd failed", e.getMessage());
        }
        int id = nextId++;
        entries.add(new Entry(id, bound));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("id", id);
        if (anyPort) { // the port the kernel picked, which api.c has no way to tell (slirp4netns#354)
            result.put("host_port", bound.hostPort());
        }
        return Json.write(Map.of("return", result));
    }

    private String list() {
        List<Object> list = new ArrayList<>();
        for (Entry e : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.id());
            m.put("proto", e.forward().udp() ? "udp" : "tcp");
            m.put("host_addr", e.forward().hostAddress().toString());
            m.put("host_port", e.forward().hostPort());
            m.put("guest_addr", Ipv4Address.format(e.forward().guestAddress().ipv4()));
            m.put("guest_port", e.forward().guestPort());
            list.add(m);
        }
        return Json.write(Map.of("entries", list));
    }

    private String remove(Map<?, ?> arguments) {
        int id = integer(arguments.get("id"));
        Entry entry = entries.stream().filter(e -> e.id() == id).findFirst().orElse(null);
        if (entry == null) {
            return error("remove_hostfwd: bad arguments.id");
        }
        UserConfig.HostForward f = entry.forward();
        boolean removed;
        String why = null;
        try {
            removed = usernet.removeHostForward(f.udp(), f.hostAddress(), f.hostPort());
        } catch (IOException e) {
            Messages.warn("remove_hostfwd " + id + ": " + e.getMessage());
            why = e.getMessage();
            removed = false;
        }
        if (!removed) {
            return why == null ? error("remove_hostfwd: slirp_remove_hostfwd failed")
                    : error("remove_hostfwd: slirp_remove_hostfwd failed", why);
        }
        entries.remove(entry);
        return Json.write(Map.of("return", Map.of()));
    }

    /** An IPv4 or IPv6 address member: absent, empty or not a string gives {@code absent}; anything else not an address, null. */
    private static IpAddress address(Object value, IpAddress absent) {
        if (!(value instanceof String text) || text.isEmpty()) {
            return absent;
        }
        try {
            return IpAddress.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** An IPv4 address member: as {@link #address}, and an IPv6 address (but an IPv4-mapped one) null too. */
    private static IpAddress ipv4(Object value, IpAddress absent) {
        IpAddress address = address(value, absent);
        return address != null && address.isIpv4() ? address : null;
    }

    /** A port member, 1 to 65535; 0 when absent, not a number or out of range. */
    private static int port(Object value) {
        int port = integer(value);
        return port >= 1 && port <= 0xFFFF ? port : 0;
    }

    /** Whether a member is the number 0: a host port the kernel is to pick. */
    private static boolean isZero(Object value) {
        return (value instanceof Long || value instanceof Double) && integer(value) == 0;
    }

    /** A number member truncated to an int as C's {@code (int)} cast does; 0 when absent, not a number or beyond int. */
    private static int integer(Object value) {
        double d = value instanceof Long l ? l : value instanceof Double x ? x : 0;
        return d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE ? (int) d : 0;
    }

    private static String error(String what) {
        return Json.write(Map.of("error", Map.of("desc", "bad request: " + what)));
    }

    /**
     * api.c's error {@code what}, followed by why vnet4j knows it failed ({@code ": " + why}, on one line): the
     * desc is all that rootlesskit, Docker and Podman show of a failed request, and api.c's words alone
     * ("slirp_add_hostfwd failed") left users guessing (rootless-containers/slirp4netns#251: a port below 1024).
     * A client matching api.c's words finds them at the start, as before.
     */
    private static String error(String what, String why) {
        return why == null || why.isEmpty() ? error(what) : error(what + ": " + why.replace('\n', ' '));
    }
}
