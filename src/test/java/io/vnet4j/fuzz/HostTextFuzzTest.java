package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.base.HostText;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hosts as users write them ({@link HostText}): any text is a literal, a name or refused with a message;
 * a literal, good or bad, never reaches a resolver (the {@link NoLookupResolver} counts), and a literal
 * that parses formats back to an address that parses to itself.
 */
@ExtendWith(NoLookupResolver.Refusing.class)
class HostTextFuzzTest {
    @FuzzTest
    void aHostIsALiteralANameOrRefusedAndLiteralsAreNeverLookedUp(byte[] input) {
        String host = new String(input, StandardCharsets.UTF_8);
        long before = NoLookupResolver.lookups();
        boolean literal = HostText.isLiteral(host);
        try {
            var address = HostText.resolve(host);
            if (literal) {
                String text = address.getHostAddress();
                assertThat(HostText.literal(text.indexOf(':') >= 0 && text.indexOf('%') < 0 ? "[" + text + "]" : text))
                        .isEqualTo(address);
            }
        } catch (IllegalArgumentException refused) {
            assertThat(refused.getMessage()).isNotBlank().doesNotContain("\n");
        } catch (UnknownHostException unknown) {
            assertThat(literal).as("a literal was looked up: " + host).isFalse();
        }
        if (literal) {
            assertThat(NoLookupResolver.lookups()).as(host).isEqualTo(before);
        }
    }
}
