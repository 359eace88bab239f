package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.control.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * A line from a control-socket client, decoded as UTF-8. {@link Json#parse} either returns a value or
 * throws IllegalArgumentException (what the control server answers as an error), nothing else, however
 * deep or long the text; a parsed value written and parsed again is the same value (numbers too large for
 * a double, written as null, excepted).
 */
class JsonFuzzTest {
    @FuzzTest
    void parsesOrRefusesAndRoundTrips(byte[] line) {
        String text = new String(line, StandardCharsets.UTF_8);
        Object value;
        try {
            value = Json.parse(text);
        } catch (IllegalArgumentException refused) {
            return;
        }
        if (hasInfinity(value)) {
            return;
        }
        String written = Json.write(value);
        assertThat(Json.parse(written)).isEqualTo(value);
        assertThat(Json.write(Json.parse(written))).isEqualTo(written);
    }

    private static boolean hasInfinity(Object value) {
        return switch (value) {
            case Double d -> d.isInfinite();
            case Map<?, ?> map -> map.values().stream().anyMatch(JsonFuzzTest::hasInfinity);
            case List<?> list -> list.stream().anyMatch(JsonFuzzTest::hasInfinity);
            case null, default -> false;
        };
    }
}
