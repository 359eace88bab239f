package io.vnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line {@code vnet4j ctl} sends for its words. */
class CtlCommandTest {
    /** A helper's finding: ctl capture start t "/tmp/a b.pcap" was sent as five words, and refused with the usage. */
    @Test
    void aWordWithASpaceStaysOneWord() {
        assertThat(CtlCommand.commandLine(List.of("capture", "start", "t", "/tmp/a b.pcap")))
                .isEqualTo("capture start t \"/tmp/a b.pcap\"");
        assertThat(CtlCommand.commandLine(List.of("capture", "start", "t", "/tmp/a \"b\"\\c.pcap")))
                .isEqualTo("capture start t \"/tmp/a \\\"b\\\"\\\\c.pcap\"");
    }

    @Test
    void plainWordsAndASingleArgumentGoAsTheyAre() {
        assertThat(CtlCommand.commandLine(List.of("info", "network"))).isEqualTo("info network");
        assertThat(CtlCommand.commandLine(List.of("info network"))).isEqualTo("info network");
        assertThat(CtlCommand.commandLine(List.of("hostfwd_add", "tcp::2222-:22"))).isEqualTo("hostfwd_add tcp::2222-:22");
        assertThat(CtlCommand.commandLine(List.of("{\"execute\": \"query-network\"}")))
                .isEqualTo("{\"execute\": \"query-network\"}");
    }
}
