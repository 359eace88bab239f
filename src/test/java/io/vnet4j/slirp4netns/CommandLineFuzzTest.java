package io.vnet4j.slirp4netns;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * The drop-in's command line: UTF-8 lines, one argument each, through {@link Slirp4netnsOptions#parse} and
 * {@link Settings#of}. Only a {@link UsageException} of one non-blank line comes out of a bad one, and the
 * same arguments with their long options written in full ({@link Slirp4netnsOptions#withLongNamesInFull})
 * read the same: the same settings, or the same refusal. Nothing is looked up: addresses are literals, an
 * outbound interface is a local name. An argument never holds a NUL, as none can reach a process.
 */
class CommandLineFuzzTest {
    @FuzzTest
    void argumentsGiveSettingsOrOneUsageLine(byte[] input) throws Exception {
        String text = new String(input, StandardCharsets.UTF_8);
        if (text.indexOf('\0') >= 0) {
            return; // execve(2)'s arguments are C strings: none holds a NUL (crash-nul-in-an-argument)
        }
        String[] args = text.split("\n", -1);
        Object read = read(args);
        if (read instanceof String message) {
            assertThat(message).isNotBlank().doesNotContain("\n");
        }
        String[] full;
        try {
            full = Slirp4netnsOptions.withLongNamesInFull(Slirp4netnsOptions.spec(), args);
        } catch (UsageException ambiguous) {
            assertThat(read).isEqualTo(ambiguous.getMessage());
            return;
        }
        assertThat(read(full)).isEqualTo(read);
    }

    /** The settings, or the refusal's message. */
    private static Object read(String... args) {
        try {
            return Settings.of(Slirp4netnsOptions.parse(args));
        } catch (UsageException e) {
            return e.getMessage();
        }
    }
}
