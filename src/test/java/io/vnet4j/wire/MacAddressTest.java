package io.vnet4j.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MacAddressTest {

    @Test
    void formatsAsLowerCaseColonSeparatedOctets() {
        assertThat(MacAddress.format(0x5254_0012_3456L)).isEqualTo("52:54:00:12:34:56");
        assertThat(MacAddress.format(0x0000_0000_00abL)).isEqualTo("00:00:00:00:00:ab");
    }

    @Test
    void parsesWhatItFormats() {
        assertThat(MacAddress.parse("52:54:00:12:34:56")).isEqualTo(0x5254_0012_3456L);
        assertThat(MacAddress.parse("FF:ff:FF:ff:FF:ff")).isEqualTo(MacAddress.BROADCAST);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "52:54:00:12:34", "52:54:00:12:34:5g", "52-54-00-12-34-56", "52:54:00:12:34:567", "+2:54:00:12:34:56"})
    void rejectsMalformedText(String text) {
        assertThatIllegalArgumentException().isThrownBy(() -> MacAddress.parse(text));
    }

    @Test
    void classifiesBroadcastMulticastAndUnicast() {
        assertThat(MacAddress.isBroadcast(MacAddress.BROADCAST)).isTrue();
        assertThat(MacAddress.isMulticast(MacAddress.BROADCAST)).isTrue();
        assertThat(MacAddress.isMulticast(MacAddress.parse("01:00:5e:00:00:01"))).isTrue();
        assertThat(MacAddress.isBroadcast(MacAddress.parse("01:00:5e:00:00:01"))).isFalse();
        assertThat(MacAddress.isMulticast(MacAddress.parse("52:54:00:12:34:56"))).isFalse();
    }

    @Test
    void readsAndWritesSixBytesAtAnAbsoluteIndex() {
        ByteBuffer buf = ByteBuffer.allocate(10).position(7);
        MacAddress.write(buf, 2, 0x5254_0012_3456L);
        assertThat(buf.array()).containsExactly(0, 0, 0x52, 0x54, 0, 0x12, 0x34, 0x56, 0, 0);
        assertThat(MacAddress.read(buf, 2)).isEqualTo(0x5254_0012_3456L);
        assertThat(buf.position()).isEqualTo(7);
    }
}
