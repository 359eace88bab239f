package io.vnet4j.usernet.dhcp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/** Byte helpers for the golden messages: hex text, runs of zeros, ASCII, poisoned buffers. */
final class Hex {
    private static final HexFormat SPACED = HexFormat.ofDelimiter(" ");

    private Hex() {}

    /** Bytes from space-separated hex parts. */
    static byte[] bytes(String... parts) {
        return SPACED.parseHex(String.join(" ", parts).strip());
    }

    /** Hex text of {@code count} zero bytes. */
    static String zeros(int count) {
        return SPACED.formatHex(new byte[count]);
    }

    /** Hex text of an ASCII string. */
    static String ascii(String text) {
        return SPACED.formatHex(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** A heap buffer of {@code length} bytes all 0xa5, so a reply that skips a byte shows. */
    static ByteBuffer poisoned(int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 0xa5);
        return ByteBuffer.wrap(bytes);
    }
}
