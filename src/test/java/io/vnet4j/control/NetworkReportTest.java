package io.vnet4j.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HMP text of {@code info network}, from the structured form. */
class NetworkReportTest {
    /**
     * A helper's replay of hostile guests and peers: a DHCP hostname and a stream peer's socket path with a
     * newline forged a "vnet4j: warning:" line in {@code vnet4j ctl info network}, and their escape sequences
     * recoloured the operator's terminal and set its title.
     */
    @Test
    void whatGuestsAndPeersChoseCannotEndItsLineNorReachTheTerminal() {
        Map<String, Object> port = new LinkedHashMap<>();
        port.put("id", "vms.1");
        port.put("link", "up");
        port.put("info", "addr.path=/tmp/q.sock,peer=/tmp/sp\u001b]0;pwn\u0007\nvnet4j: warning: forged");
        port.put("rx-frames", 0L);
        port.put("rx-bytes", 0L);
        port.put("tx-frames", 0L);
        port.put("tx-bytes", 0L);
        port.put("tx-dropped", 0L);
        port.put("rx-errors", 0L);
        Map<String, Object> netdev = new LinkedHashMap<>();
        netdev.put("id", "vms");
        netdev.put("type", "stream");
        netdev.put("info", "addr.path=/tmp/q.sock (1 connection)");
        netdev.put("ports", List.of(port));
        netdev.put("details", List.of("lease 10.0.2.15 to 52:54:00:12:34:56 (evil\nvnet4j: warning: forged\u001b[31m)"));
        String text = NetworkReport.text(List.of(Map.of("hub", 0, "netdevs", List.of(netdev))));

        assertThat(text.lines()).noneMatch(line -> line.startsWith("vnet4j"));
        assertThat(text).doesNotContain("\u001b", "\u0007");
        assertThat(text).contains("peer=/tmp/sp\\x1b]0;pwn\\x07\\nvnet4j: warning: forged,link=up",
                "(evil\\nvnet4j: warning: forged\\x1b[31m)");
    }
}
