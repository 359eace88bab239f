package io.vnet4j.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UsernetTableTest {
    @Test
    void aConnectionsRecvQIsWhatWaitsForTheHostAndSendQWhatWaitsForTheGuest() {
        // libslirp's slirp_connection_info prints so_rcv (the guest's data for the host socket), then so_snd
        // (soread's: the host's data for the guest)
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("guest-address", "10.0.2.15");
        c.put("guest-port", 40000);
        c.put("remote-address", "10.0.2.2");
        c.put("remote-port", 80);
        c.put("state", "ESTABLISHED");
        c.put("queued-to-guest-bytes", 65536);
        c.put("queued-to-host-bytes", 7);
        StringBuilder sb = new StringBuilder();
        UsernetTable.tcpRow(sb, c);
        assertThat(sb.toString()).isEqualTo(String.format(
                "  TCP[ESTABLISHED]    -       10.0.2.15 40000        10.0.2.2    80     7 65536%n"));
    }
}
