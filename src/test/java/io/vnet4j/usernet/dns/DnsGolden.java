package io.vnet4j.usernet.dns;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Golden messages: queries as busybox nslookup sends them for {@code vm1.example.test} (RD set, no
 * EDNS), and the responses of a resolver for domain {@code example.test} that knows vm1 as 10.0.2.15.
 */
public final class DnsGolden {
    static final String HEADER_OF_QUERY = "b7 4e 01 00 00 01 00 00 00 00 00 00";
    static final String VM1_EXAMPLE_TEST = "03 76 6d 31 07 65 78 61 6d 70 6c 65 04 74 65 73 74 00";
    static final int VM1_ADDRESS = 0x0a00_020f;

    static final byte[] A_QUERY = bytes(HEADER_OF_QUERY, VM1_EXAMPLE_TEST, "00 01 00 01");

    /** QR, AA, RD, RA; one answer: pointer to the question name, A, IN, TTL 60, 10.0.2.15. */
    static final byte[] A_RESPONSE = bytes(
            "b7 4e 85 80 00 01 00 01 00 00 00 00",
            VM1_EXAMPLE_TEST, "00 01 00 01",
            "c0 0c 00 01 00 01 00 00 00 3c 00 04 0a 00 02 0f");

    static final byte[] AAAA_QUERY = bytes(HEADER_OF_QUERY, VM1_EXAMPLE_TEST, "00 1c 00 01");

    /** NODATA: NOERROR, authoritative, no answer. */
    static final byte[] AAAA_RESPONSE = bytes(
            "b7 4e 85 80 00 01 00 00 00 00 00 00",
            VM1_EXAMPLE_TEST, "00 1c 00 01");

    private DnsGolden() {}

    static byte[] bytes(String... parts) {
        return HexFormat.ofDelimiter(" ").parseHex(String.join(" ", parts));
    }

    /** A heap buffer of {@code length} bytes all 0xa5, so a response that skips a byte shows. */
    static ByteBuffer poisoned(int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 0xa5);
        return ByteBuffer.wrap(bytes);
    }

    /** A resolver for {@code example.test} that knows vm1 (10.0.2.15) and db (10.0.2.16). */
    static LocalResolver resolver() {
        return new LocalResolver("example.test",
                ipv4Names(host -> switch (host) {
                    case "vm1" -> VM1_ADDRESS;
                    case "db" -> 0x0a00_0210;
                    default -> null;
                }));
    }

    /** Guests with one IPv4 address each, by name ({@code lookup} gives null for no such guest); no reverse names. */
    public static GuestNames ipv4Names(java.util.function.Function<String, Integer> lookup) {
        return new GuestNames() {
            @Override
            public java.util.List<io.vnet4j.wire.IpAddress> addresses(String host) {
                Integer a = lookup.apply(host);
                return a == null ? null : java.util.List.of(io.vnet4j.wire.IpAddress.ofIpv4(a));
            }

            @Override
            public String name(io.vnet4j.wire.IpAddress address) {
                return null;
            }

            @Override
            public boolean inVirtualNetwork(io.vnet4j.wire.IpAddress address) {
                return false;
            }
        };
    }
}
