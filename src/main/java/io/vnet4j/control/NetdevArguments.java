package io.vnet4j.control;

import java.util.List;
import java.util.Map;

/**
 * QMP's {@code netdev_add} arguments (a QAPI Netdev object, nested for addresses:
 * {@code {"type":"stream","id":"b","server":true,"addr":{"type":"unix","path":"/tmp/b"}}}) as the
 * {@code -netdev} option they stand for ({@code stream,id=b,server=on,addr.type=unix,addr.path=/tmp/b}),
 * the same flattening as QEMU's keyval: nested keys joined with dots, booleans as on/off, {@code type} first.
 * A list of QAPI {@code String} objects, as {@code user}'s {@code hostfwd}, {@code guestfwd} and
 * {@code dnssearch} are ({@code "hostfwd":[{"str":"tcp::2222-:22"},{"str":"udp::5353-:53"}]}), becomes the
 * key repeated once per element.
 */
final class NetdevArguments {
    private NetdevArguments() {}

    /** The option text, or throws IllegalArgumentException naming what is wrong (no type, a list, a comma in a value). */
    static String toOption(Map<?, ?> arguments) {
        if (!(arguments.get("type") instanceof String type) || type.isEmpty()) {
            throw new IllegalArgumentException("Parameter 'type' is missing");
        }
        StringBuilder option = new StringBuilder(type);
        append(option, "", arguments, true);
        return option.toString();
    }

    private static void append(StringBuilder option, String prefix, Map<?, ?> map, boolean top) {
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String key = prefix + e.getKey();
            if (top && key.equals("type")) {
                continue;
            }
            switch (e.getValue()) {
                case Map<?, ?> nested -> append(option, key + ".", nested, false);
                case List<?> list -> {
                    for (Object element : list) {
                        option.append(',').append(key).append('=').append(checked(key, stringElement(key, element)));
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

    /** One element of a QAPI {@code ['String']} list: {@code {"str": "..."}}, or a bare string. */
    private static String stringElement(String key, Object element) {
        if (element instanceof Map<?, ?> m && m.size() == 1 && m.get("str") instanceof String s) {
            return s;
        }
        if (element instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException("Parameter '" + key + "' expects a list of {\"str\": STRING} objects");
    }

    private static String checked(String key, String value) {
        if (value.indexOf(',') >= 0) {
            throw new IllegalArgumentException("Parameter '" + key + "': a comma in a value is not supported");
        }
        return value;
    }
}
