package io.vnet4j.usernet.dhcp;

import static io.vnet4j.usernet.dhcp.Hex.ascii;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SearchListEncoderTest {

    @Test
    void encodesTheRfc3397ExampleWithPointersFromTheListStart() {
        assertThat(SearchListEncoder.encode(List.of("eng.apple.com", "marketing.apple.com"))).isEqualTo(Hex.bytes(
                "03", ascii("eng"), "05", ascii("apple"), "03", ascii("com"), "00",
                "09", ascii("marketing"), "c0 04"));
    }

    @Test
    void pointsAtAWholeEarlierNameAndIgnoresCaseAndTrailingDots() {
        assertThat(SearchListEncoder.encode(List.of("vnet.test.", "VNET.test"))).isEqualTo(Hex.bytes(
                "04", ascii("vnet"), "04", ascii("test"), "00", "c0 00"));
    }

    @Test
    void encodesNothingForAnEmptyList() {
        assertThat(SearchListEncoder.encode(List.of())).isEmpty();
    }
}
