package io.vnet4j.usernet.dhcp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Encodes a domain search list as the value of option 119 (RFC 3397): the names one after another in
 * DNS wire format, a suffix already written replaced by a compression pointer (RFC 1035 §4.1.4) whose
 * offset counts from the start of the list.
 */
final class SearchListEncoder {
    private static final int POINTER = 0xC000;
    private static final int MAX_POINTER_OFFSET = 0x3FFF;

    private SearchListEncoder() {}

    /** The encoded list; names are dot-separated, a trailing dot is ignored. */
    static byte[] encode(List<String> domains) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, Integer> suffixOffsets = new HashMap<>();
        for (String domain : domains) {
            String name = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
            writeName(out, name, suffixOffsets);
        }
        return out.toByteArray();
    }

    private static void writeName(ByteArrayOutputStream out, String name, Map<String, Integer> suffixOffsets) {
        String rest = name;
        while (!rest.isEmpty()) {
            String key = rest.toLowerCase(Locale.ROOT);
            Integer earlier = suffixOffsets.get(key);
            if (earlier != null) {
                int pointer = POINTER | earlier;
                out.write(pointer >>> 8);
                out.write(pointer & 0xFF);
                return;
            }
            if (out.size() <= MAX_POINTER_OFFSET) {
                suffixOffsets.put(key, out.size());
            }
            int dot = rest.indexOf('.');
            String label = dot < 0 ? rest : rest.substring(0, dot);
            byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
            out.write(bytes.length);
            out.writeBytes(bytes);
            rest = dot < 0 ? "" : rest.substring(dot + 1);
        }
        out.write(0);
    }
}
