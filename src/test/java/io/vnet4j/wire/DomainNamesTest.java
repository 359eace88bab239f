package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

class DomainNamesTest {
    /** vnet.test and lab.vnet.test as dnsmasq's DHCPv6 Reply carries them (option 24, uncompressed). */
    private static final byte[] SEARCH_LIST = Golden.hex(
            "04 76 6e 65 74 04 74 65 73 74 00 03 6c 61 62 04 76 6e 65 74 04 74 65 73 74 00");

    @Test
    void encodesNamesUncompressedAsDnsmasqDoes() {
        assertThat(DomainNames.encode(List.of("vnet.test", "lab.vnet.test."))).isEqualTo(SEARCH_LIST);
        assertThat(DomainNames.encode(List.of())).isEmpty();
    }

    @Test
    void decodesNamesWithAndWithoutPadding() {
        assertThat(DomainNames.decode(ByteBuffer.wrap(SEARCH_LIST), 0, SEARCH_LIST.length, false))
                .containsExactly("vnet.test", "lab.vnet.test");
        ByteBuffer padded = ByteBuffer.allocate(SEARCH_LIST.length + 6).put(0, SEARCH_LIST);
        assertThat(DomainNames.decode(padded, 0, padded.capacity(), true)).containsExactly("vnet.test", "lab.vnet.test");
        assertThat(DomainNames.decode(padded, 0, padded.capacity(), false)).as("padding only where allowed").isNull();
        padded.put(padded.capacity() - 1, (byte) 1);
        assertThat(DomainNames.decode(padded, 0, padded.capacity(), true)).as("padding must be zero").isNull();
    }

    @Test
    void refusesCompressionPointersAndLabelsPastTheEnd() {
        assertThat(DomainNames.decode(ByteBuffer.wrap(Golden.hex("03 6c 61 62 c0 00")), 0, 6, false)).isNull();
        assertThat(DomainNames.decode(ByteBuffer.wrap(Golden.hex("05 6c 61 62 00")), 0, 5, false)).isNull();
        assertThat(DomainNames.decode(ByteBuffer.wrap(Golden.hex("03 6c 61 62")), 0, 4, false)).as("no root label").isNull();
    }

    /** Found by Ipv6FuzzTest: a label holding a dot read as text that encoded differently ("ntv." became "ntv"). */
    @Test
    void refusesLabelsTheTextCannotHoldFaithfully() {
        assertThat(DomainNames.decode(ByteBuffer.wrap(Golden.hex("04 6e 74 76 2e 00")), 0, 6, false)).isNull();
        assertThat(DomainNames.decode(ByteBuffer.wrap(Golden.hex("03 61 20 62 00")), 0, 5, false)).isNull();
        assertThat(DomainNames.decode(ByteBuffer.wrap(Golden.hex("03 61 e9 62 00")), 0, 5, false)).isNull();
    }

    @Test
    void takesNamesUpTo255BytesEncoded() {
        String label = "a".repeat(63);
        String longest = label + "." + label + "." + label + "." + "a".repeat(61); // 64 * 3 + 62 + 1 = 255 bytes
        byte[] encoded = DomainNames.encode(List.of(longest));
        assertThat(encoded).hasSize(255);
        assertThat(DomainNames.decode(ByteBuffer.wrap(encoded), 0, 255, false)).containsExactly(longest);
        assertThatThrownBy(() -> DomainNames.encode(List.of(longest + "a"))).isInstanceOf(IllegalArgumentException.class);
        ByteBuffer tooLong = ByteBuffer.allocate(256); // labels of 63, 63, 63 and 62 bytes and the root: 256 bytes
        for (int at = 0; at < 192; at += 64) {
            tooLong.put(at, (byte) 63);
        }
        tooLong.put(192, (byte) 62);
        for (int at = 0; at < 255; at++) {
            if (at % 64 != 0) {
                tooLong.put(at, (byte) 'a');
            }
        }
        assertThat(DomainNames.decode(tooLong, 0, 256, false)).isNull();
    }

    @Test
    void refusesNamesThatCannotBeEncoded() {
        for (String bad : List.of("", ".", "a..b", "a".repeat(64) + ".test", "caf\u00e9.test", "tab\there.test")) {
            assertThatThrownBy(() -> DomainNames.encode(List.of(bad))).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
