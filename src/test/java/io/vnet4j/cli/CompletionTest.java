package io.vnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The completion script the build writes (pom.xml, the exec plugin's {@code completion} execution, before the
 * tests): it is there, current, and bash completes vnet4j's options and {@code ctl} with it.
 */
class CompletionTest {
    private static final Path SCRIPT = Path.of("target/completion/vnet4j");

    @Test
    void theBuildWroteTheScriptFromTheCommandSpec() throws IOException {
        assertThat(SCRIPT).as("written by mvn process-classes (exec plugin, execution 'completion')").isRegularFile();
        String script = Files.readString(SCRIPT);
        assertThat(script).contains("'-netdev'", "'--http'", "'--control'", "'--no-warm-up'", "local commands=\"ctl\"",
                "complete -F _complete_vnet4j", "bashcompinit");
        assertThat(script).isEqualTo(Completion.script());
    }

    @Test
    void bashCompletesOptionsAndCtl() throws Exception {
        assertThat(complete("vnet4j --ht")).isEqualTo("--http");
        assertThat(complete("vnet4j -netd")).isEqualTo("-netdev");
        assertThat(complete("vnet4j c")).isEqualTo("ctl");
        assertThat(complete("vnet4j ctl --con")).isEqualTo("--control");
        assertThat(complete("vnet4j ctl --h")).isEqualTo("--help");
        assertThat(complete("vnet4j ctl host")).isEqualTo("hostfwd_add hostfwd_remove");
        assertThat(complete("vnet4j ctl info net").split(" ")).contains("network"); // one list for every word
        assertThat(complete("vnet4j ctl query")).isEqualTo("query-network");
    }

    /** What bash's completion function offers for the last word of {@code line}, space-separated. */
    private static String complete(String line) throws Exception {
        String program = "source \"$1\" 2>/dev/null; read -ra COMP_WORDS <<<\"$2\"; COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); "
                + "COMP_LINE=\"$2\"; COMP_POINT=${#COMP_LINE}; _complete_vnet4j 2>/dev/null; echo \"${COMPREPLY[*]}\"";
        Process p = new ProcessBuilder("bash", "--norc", "-c", program, "bash", SCRIPT.toString(), line)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
