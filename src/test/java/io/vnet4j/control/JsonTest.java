package io.vnet4j.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parsesEveryKindOfValue() {
        Object v = Json.parse(" {\"s\":\"x\",\"i\":-12,\"d\":1.5e2,\"t\":true,\"f\":false,\"n\":null,"
                + "\"a\":[1,[],{}],\"o\":{\"k\":\"v\"}} ");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("s", "x");
        expected.put("i", -12L);
        expected.put("d", 150.0);
        expected.put("t", true);
        expected.put("f", false);
        expected.put("n", null);
        expected.put("a", List.of(1L, List.of(), Map.of()));
        expected.put("o", Map.of("k", "v"));
        assertThat(v).isEqualTo(expected);
        assertThat(List.copyOf(((Map<?, ?>) v).keySet())).isEqualTo(List.of("s", "i", "d", "t", "f", "n", "a", "o"));
    }

    @Test
    void writesCompactJsonKeepingMapOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1);
        m.put("a", List.of("x", true, 2.5));
        m.put("n", null);
        m.put("e", Map.of());
        assertThat(Json.write(m)).isEqualTo("{\"z\":1,\"a\":[\"x\",true,2.5],\"n\":null,\"e\":{}}");
    }

    @Test
    void roundTripsNestedValues() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("execute", "query-network");
        m.put("arguments", new ArrayList<>(List.of(Map.of("deep", List.of(List.of(List.of(-1L, 0L, Long.MAX_VALUE)))), "s")));
        m.put("pi", 3.25);
        String text = Json.write(m);
        assertThat(Json.parse(text)).isEqualTo(m);
        assertThat(Json.write(Json.parse(text))).isEqualTo(text);
    }

    @Test
    void escapesQuotesBackslashesAndControlCharactersAndReadsThemBack() {
        String s = "q\"b\\n\nr\rt\tbs\bff\fnul\u0000us\u001f/é€😀";
        String written = Json.write(s);
        assertThat(written).isEqualTo("\"q\\\"b\\\\n\\nr\\rt\\tbs\\bff\\fnul\\u0000us\\u001F/\\u00E9\\u20AC\\uD83D\\uDE00\"");
        assertThat(written).doesNotContain("\n", "\r", "\t", "\u0000");
        assertThat(Json.parse(written)).isEqualTo(s);
    }

    @Test
    void readsEveryStandardEscape() {
        assertThat(Json.parse("\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t\"")).isEqualTo("\" \\ / \b \f \n \r \t");
    }

    @Test
    void readsUnicodeEscapesIncludingSurrogatePairs() {
        assertThat(Json.parse("\"\\u0041\\u00e9\\u20AC\"")).isEqualTo("Aé€");
        assertThat(Json.parse("\"\\ud83d\\ude00\"")).isEqualTo("😀");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\\u12\"", "\"\\u12", "\"\\uzzzz\"", "\"\\u00g0\""})
    void rejectsBadUnicodeEscapes(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("JSON at");
    }

    @Test
    void aNameTwiceInOneObjectIsRefusedAsQemuDoes() {
        assertThatThrownBy(() -> Json.parse("{\"id\":\"a\",\"id\":\"b\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Duplicate field 'id'");
        assertThat(Json.parse("{\"a\":{\"id\":1},\"b\":{\"id\":2}}")).isInstanceOf(Map.class); // in two objects: fine
    }

    @Test
    void acceptsNestingUpTo32Levels() {
        String ok = "[".repeat(32) + "]".repeat(32);
        assertThat(Json.parse(ok)).isInstanceOf(List.class);
        assertThatThrownBy(() -> Json.parse("[".repeat(33) + "]".repeat(33)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("JSON at 33: nested too deeply or too long: Document nesting depth (33) exceeds the maximum allowed (32)");
        assertThatThrownBy(() -> Json.parse("1".repeat(1001)))
                .hasMessageEndingWith("exceeds the maximum allowed (1000)").hasMessageNotContaining("StreamReadConstraints");
    }

    @Test
    void deepNestingIsAnIllegalArgumentNotAStackOverflow() {
        assertThatThrownBy(() -> Json.parse("[".repeat(1_000_000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested too deeply");
        assertThatThrownBy(() -> Json.parse("{\"a\":".repeat(100_000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested too deeply");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "{", "[", "[1,", "{\"a\"", "{\"a\":", "{\"a\":1", "\"abc", "\"abc\\", "tru", "nul",
            "fals", "[1 2]", "{\"a\" 1}", "{a:1}", "{\"a\":1,}", "[1,]", "]", "}", "1 2", "{}x", "@", "-", "1.2.3",
            "--1", "[\"a\"", "{\"execute\":\"qmp_capabilities\"", "\u0000"})
    void rejectsTruncatedAndGarbageInput(String text) {
        assertThatThrownBy(() -> Json.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("JSON at ");
    }

    @Test
    void rejectsEveryTruncationOfAValidDocument() {
        String doc = Json.write(Map.of("execute", "human-monitor-command",
                "arguments", Map.of("command-line", "info network", "list", Arrays.asList(1, null, true))));
        for (int cut = 0; cut < doc.length(); cut++) {
            String prefix = doc.substring(0, cut);
            assertThatThrownBy(() -> Json.parse(prefix)).as("prefix %s", prefix)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(Json.parse(doc)).isInstanceOf(Map.class);
    }

    @Test
    void numbersAreLongsOrDoubles() {
        assertThat(Json.parse("0")).isEqualTo(0L);
        assertThat(Json.parse("-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(Json.parse("2.5")).isEqualTo(2.5);
        assertThat(Json.parse("1E3")).isEqualTo(1000.0);
        assertThatThrownBy(() -> Json.parse("9223372036854775808")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsEscapesThatAreNotJson() {
        assertThatThrownBy(() -> Json.parse("\"\\u+123\"")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.parse("\"\\x\"")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Json.parse("\"\\/\"")).isEqualTo("/");
    }

    @Test
    void writesNonFiniteNumbersAsNull() {
        assertThat(Json.write(java.util.List.of(Double.NaN, Double.POSITIVE_INFINITY))).isEqualTo("[null,null]");
    }

    /** A reviewer's finding: a guest's C1 controls and bidi overrides reached the terminal through vnet4j ctl's JSON. */
    @Test
    void everyNonAsciiCharacterIsWrittenEscapedAsQemuWritesIt() {
        String written = Json.write(java.util.Map.of("hostname", "a\u009b31m\u202eb\u00e9"));
        assertThat(written).doesNotContain("\u009b", "\u202e", "\u00e9").isEqualToIgnoringCase("{\"hostname\":\"a\\u009B31m\\u202Eb\\u00E9\"}");
        assertThat(Json.parse(written)).isEqualTo(java.util.Map.of("hostname", "a\u009b31m\u202eb\u00e9"));
    }
}
