package io.vnet4j.control;

import io.vnet4j.config.ConfigException;
import io.vnet4j.config.OptionString;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * QMP's {@code netdev_add} arguments (a QAPI Netdev object, nested for addresses:
 * {@code {"type":"stream","id":"b","server":true,"addr":{"type":"unix","path":"/tmp/b"}}}) as the
 * {@code -netdev} option they stand for ({@code stream,id=b,server=on,addr.type=unix,addr.path=/tmp/b}),
 * the same flattening as QEMU's keyval: nested keys joined with dots, booleans as on/off, {@code type} first.
 * A list of QAPI {@code String} objects, as {@code user}'s {@code hostfwd}, {@code guestfwd} and
 * {@code dnssearch} are ({@code "hostfwd":[{"str":"tcp::2222-:22"},{"str":"udp::5353-:53"}]}), becomes the
 * key repeated once per element.
 *
 * <p>A member of QEMU's schema (qapi/net.json and sockets.json, 7.2) must have its JSON type there, as QEMU's
 * QMP input visitor checks it (qapi/qobject-input-visitor.c): {@code "ipv4":"yes"} is refused with QEMU's
 * "Invalid parameter type for 'ipv4', expected: boolean", where the option {@code ipv4=yes} would be taken.
 * vnet4j's own members ({@code hubid}, {@code dns-upstream}, a {@code vxlan}'s) take any scalar.
 */
final class NetdevArguments {
    private NetdevArguments() {}

    /** A QAPI member's type as the QMP input visitor checks it. */
    private enum Kind {
        STRING, BOOLEAN, INTEGER, UNSIGNED, OBJECT, STRINGS
    }

    private static final Map<String, Kind> SOCKET_ADDRESS = Map.ofEntries(Map.entry("type", Kind.STRING),
            Map.entry("host", Kind.STRING), Map.entry("port", Kind.STRING), Map.entry("path", Kind.STRING),
            Map.entry("str", Kind.STRING), Map.entry("cid", Kind.STRING), Map.entry("numeric", Kind.BOOLEAN),
            Map.entry("to", Kind.UNSIGNED), Map.entry("ipv4", Kind.BOOLEAN), Map.entry("ipv6", Kind.BOOLEAN),
            Map.entry("keep-alive", Kind.BOOLEAN), Map.entry("keep-alive-count", Kind.UNSIGNED),
            Map.entry("keep-alive-idle", Kind.UNSIGNED), Map.entry("keep-alive-interval", Kind.UNSIGNED), Map.entry("mptcp", Kind.BOOLEAN), Map.entry("abstract", Kind.BOOLEAN),
            Map.entry("tight", Kind.BOOLEAN));

    /**
     * QEMU 7.2's members of each netdev type vnet4j takes (the base's {@code id} is checked first), and stream's
     * {@code reconnect} (8.0) and {@code reconnect-ms} (9.2), both 'int' since 9.2; objects are SocketAddresses.
     */
    private static final Map<String, Map<String, Kind>> SCHEMA = Map.of(
            "user", Map.ofEntries(Map.entry("hostname", Kind.STRING), Map.entry("restrict", Kind.BOOLEAN),
                    Map.entry("ipv4", Kind.BOOLEAN), Map.entry("ipv6", Kind.BOOLEAN), Map.entry("ip", Kind.STRING),
                    Map.entry("net", Kind.STRING), Map.entry("host", Kind.STRING), Map.entry("tftp", Kind.STRING),
                    Map.entry("bootfile", Kind.STRING), Map.entry("dhcpstart", Kind.STRING), Map.entry("dns", Kind.STRING),
                    Map.entry("dnssearch", Kind.STRINGS), Map.entry("domainname", Kind.STRING),
                    Map.entry("ipv6-prefix", Kind.STRING), Map.entry("ipv6-prefixlen", Kind.INTEGER),
                    Map.entry("ipv6-host", Kind.STRING), Map.entry("ipv6-dns", Kind.STRING), Map.entry("smb", Kind.STRING),
                    Map.entry("smbserver", Kind.STRING), Map.entry("hostfwd", Kind.STRINGS), Map.entry("guestfwd", Kind.STRINGS),
                    Map.entry("tftp-server-name", Kind.STRING)),
            "tap", Map.ofEntries(Map.entry("ifname", Kind.STRING), Map.entry("fd", Kind.STRING), Map.entry("fds", Kind.STRING),
                    Map.entry("script", Kind.STRING), Map.entry("downscript", Kind.STRING), Map.entry("br", Kind.STRING),
                    Map.entry("helper", Kind.STRING), Map.entry("sndbuf", Kind.UNSIGNED), Map.entry("vnet_hdr", Kind.BOOLEAN),
                    Map.entry("vhost", Kind.BOOLEAN), Map.entry("vhostfd", Kind.STRING), Map.entry("vhostfds", Kind.STRING),
                    Map.entry("vhostforce", Kind.BOOLEAN), Map.entry("queues", Kind.UNSIGNED), Map.entry("poll-us", Kind.UNSIGNED)),
            "socket", Map.of("fd", Kind.STRING, "listen", Kind.STRING, "connect", Kind.STRING, "mcast", Kind.STRING,
                    "localaddr", Kind.STRING, "udp", Kind.STRING),
            "stream", Map.of("addr", Kind.OBJECT, "server", Kind.BOOLEAN, "reconnect", Kind.INTEGER, "reconnect-ms", Kind.INTEGER),
            "dgram", Map.of("local", Kind.OBJECT, "remote", Kind.OBJECT),
            "vde", Map.of("sock", Kind.STRING, "port", Kind.UNSIGNED, "group", Kind.STRING, "mode", Kind.UNSIGNED),
            "vhost-user", Map.of("chardev", Kind.STRING, "vhostforce", Kind.BOOLEAN, "queues", Kind.INTEGER));

    /**
     * QEMU 7.2's NetClientDriver values in a Linux build (qapi/net.json; vmnet-host, -shared and -bridged are macOS's),
     * and vnet4j's own vxlan: a type QEMU has and vnet4j not (bridge) is refused by vnet4j's parser, naming those it has.
     */
    private static final Set<String> TYPES = Set.of("none", "nic", "user", "tap", "l2tpv3", "socket", "stream", "dgram",
            "vde", "bridge", "hubport", "netmap", "vhost-user", "vhost-vdpa", "vxlan");

    /** QEMU's refusal of a netdev type not in {@link #TYPES}, as its input visitor words it; null for one there. */
    static String typeRefusal(String type) {
        return TYPES.contains(type) ? null : "Parameter 'type' does not accept value '" + type + "'";
    }

    /** The type a {@code -netdev} text gives (its bare first part, or {@code type=}); null when it gives none or cannot be read. */
    static String typeOf(String option) {
        try {
            OptionString o = OptionString.parse("-netdev", option);
            return o.implied() != null ? o.implied() : o.take("type");
        } catch (ConfigException e) {
            return null; // the parser says so when the netdev is added
        }
    }

    /**
     * The option text, or throws IllegalArgumentException naming what is wrong (no id or type, a type QEMU's schema
     * has not, a member's type, a comma in a value).
     */
    static String toOption(Map<?, ?> arguments) {
        if (!arguments.containsKey("id")) { // the Netdev base's first member, which QEMU visits before type
            throw new IllegalArgumentException("Parameter 'id' is missing");
        }
        Object id = arguments.get("id");
        if (!(id instanceof String)) {
            throw new IllegalArgumentException(invalidType("id", "string"));
        }
        Object type = arguments.get("type");
        if (type != null && !(type instanceof String)) {
            throw new IllegalArgumentException(invalidType("type", "string"));
        }
        if (!(type instanceof String name) || name.isEmpty()) {
            throw new IllegalArgumentException("Parameter 'type' is missing");
        }
        if (typeRefusal(name) != null) {
            throw new IllegalArgumentException(typeRefusal(name));
        }
        StringBuilder option = new StringBuilder(name);
        append(option, "", arguments, SCHEMA.getOrDefault(name, Map.of()), true);
        requireMembers(name, arguments);
        return option.toString();
    }

    /**
     * Refuses a stream or dgram netdev that lacks a member QEMU 7.2 requires, in its words (checked): its input
     * visitor's "Parameter 'addr.path' is missing", net/dgram.c's "dgram requires local= parameter". vnet4j's parser
     * said "addr.type= is required (inet or unix)", the -netdev option's name, not the QMP member's.
     */
    private static void requireMembers(String type, Map<?, ?> arguments) {
        switch (type) {
            case "stream" -> socketAddress("addr", arguments, true);
            case "dgram" -> {
                socketAddress("local", arguments, false);
                socketAddress("remote", arguments, false);
                if (!arguments.containsKey("local")) {
                    throw new IllegalArgumentException("dgram requires local= parameter");
                }
            }
            default -> { }
        }
    }

    /** A SocketAddress member's required members, by its type, in QEMU's order (qapi/sockets.json). */
    private static void socketAddress(String key, Map<?, ?> arguments, boolean required) {
        if (!(arguments.get(key) instanceof Map<?, ?> address)) {
            if (required && !arguments.containsKey(key)) {
                throw new IllegalArgumentException("Parameter '" + key + "' is missing");
            }
            return; // another JSON type: refused already
        }
        if (!address.containsKey("type")) {
            throw new IllegalArgumentException("Parameter '" + key + ".type' is missing");
        }
        List<String> members = switch (String.valueOf(address.get("type"))) {
            case "inet" -> List.of("host", "port");
            case "unix" -> List.of("path");
            case "vsock" -> List.of("cid", "port");
            case "fd" -> List.of("str");
            default -> throw new IllegalArgumentException("Parameter 'type' does not accept value '" + address.get("type") + "'");
        };
        for (String member : members) {
            if (!address.containsKey(member)) {
                throw new IllegalArgumentException("Parameter '" + key + "." + member + "' is missing");
            }
        }
    }

    private static void append(StringBuilder option, String prefix, Map<?, ?> map, Map<String, Kind> schema, boolean top) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            if (top && key.equals("type")) {
                continue;
            }
            Kind kind = schema.get(String.valueOf(e.getKey()));
            if (kind != null) {
                check(key, kind, e.getValue());
            }
            switch (e.getValue()) {
                case Map<?, ?> nested -> append(option, key + ".", nested, kind == Kind.OBJECT ? SOCKET_ADDRESS : Map.of(), false);
                case List<?> list -> {
                    for (int i = 0; i < list.size(); i++) {
                        option.append(',').append(key).append('=').append(checked(key, stringElement(key, i, list.get(i))));
                    }
                }
                case Boolean b -> option.append(',').append(key).append('=').append(b ? "on" : "off");
                case String s -> option.append(',').append(key).append('=').append(checked(key, s));
                case Number n -> option.append(',').append(key).append('=').append(n);
                case null, default -> throw new IllegalArgumentException("Parameter '" + key + "' expects a string, "
                        + "number, boolean, object or list");
            }
        }
    }

    /** Refuses {@code value} for the member {@code key} of {@code kind} when its JSON type is not the schema's. */
    private static void check(String key, Kind kind, Object value) {
        boolean fits = switch (kind) {
            case STRING -> value instanceof String;
            case BOOLEAN -> value instanceof Boolean;
            case INTEGER, UNSIGNED -> value instanceof Long;
            case OBJECT -> value instanceof Map;
            case STRINGS -> value instanceof List;
        };
        if (fits) {
            return;
        }
        throw new IllegalArgumentException(switch (kind) {
            case STRING -> invalidType(key, "string");
            case BOOLEAN -> invalidType(key, "boolean");
            case INTEGER -> invalidType(key, "integer");
            case UNSIGNED -> "Parameter '" + key + "' expects uint64"; // QEMU's own words for an unsigned member
            case OBJECT -> invalidType(key, "object");
            case STRINGS -> invalidType(key, "array");
        });
    }

    private static String invalidType(String key, String expected) {
        return "Invalid parameter type for '" + key + "', expected: " + expected;
    }

    /**
     * Element {@code i} of a QAPI {@code ['String']} list: {@code {"str": "..."}}, or a bare string (vnet4j's
     * shorthand, which QEMU refuses); anything else in QEMU's words.
     */
    private static String stringElement(String key, int i, Object element) {
        if (element instanceof String s) {
            return s;
        }
        if (!(element instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(invalidType(key + "[" + i + "]", "object"));
        }
        if (!(m.get("str") instanceof String s)) {
            throw new IllegalArgumentException(m.containsKey("str") ? invalidType(key + "[" + i + "].str", "string")
                    : "Parameter '" + key + "[" + i + "].str' is missing");
        }
        if (m.size() > 1) {
            String extra = m.keySet().stream().map(String::valueOf).filter(k -> !k.equals("str")).findFirst().orElseThrow();
            throw new IllegalArgumentException("Parameter '" + key + "[" + i + "]." + extra + "' is unexpected");
        }
        return s;
    }

    private static String checked(String key, String value) {
        if (value.indexOf(',') >= 0) {
            throw new IllegalArgumentException("Parameter '" + key + "': a comma in a value is not supported");
        }
        return value;
    }
}
