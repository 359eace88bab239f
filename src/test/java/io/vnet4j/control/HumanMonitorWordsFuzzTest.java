package io.vnet4j.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An HMP command line's words ({@link HumanMonitor#words}): any text gives words or a one-line failure,
 * never another exception; the words, quoted back, read as themselves.
 */
class HumanMonitorWordsFuzzTest {
    @FuzzTest
    void anyLineGivesWordsOrALineAndTheWordsQuoteBack(byte[] input) {
        String line = new String(input, StandardCharsets.UTF_8);
        String[] words;
        try {
            words = HumanMonitor.words(line);
        } catch (HumanMonitor.Failure refused) {
            assertThat(refused.getMessage()).isNotBlank().doesNotContain("\n");
            return;
        }
        assertThat(words).isNotEmpty();
        List<String> quoted = new ArrayList<>();
        for (String word : words) {
            quoted.add('"' + word.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r")
                    + '"');
        }
        try {
            String[] again = HumanMonitor.words(String.join(" ", quoted));
            assertThat(again).containsExactly(words.length == 1 && words[0].isEmpty() ? new String[] {""} : words);
        } catch (HumanMonitor.Failure e) {
            throw new AssertionError("quoted words refused: " + e.getMessage(), e);
        }
    }
}
