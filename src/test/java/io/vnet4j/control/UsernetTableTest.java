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

    @Test
    void aFlowsRowGivesTheSecondsLeftAndWhereItsLastDatagramWentAsLibslirpDoes() {
        // slirp_connection_info: "UDP[%d sec]" is (so_expire - curtime) / 1000, the destination so_faddr:so_fport
        Map<String, Object> u = new LinkedHashMap<>();
        u.put("guest-address", "10.0.2.15");
        u.put("guest-port", 40001);
        u.put("remote-address", "10.0.2.2");
        u.put("remote-port", 53);
        u.put("dns", true);
        u.put("idle-seconds", 3);
        u.put("expires-in-seconds", 7);
        StringBuilder sb = new StringBuilder();
        UsernetTable.udpRow(sb, u);
        assertThat(sb.toString()).isEqualTo(String.format(
                "  UDP[7 sec]          -       10.0.2.15 40001        10.0.2.2    53     0     0%n"));
    }

    @Test
    void aConnectionThroughAForwardGoesFromTheForwardsHostEndToTheGuestAsLibslirpShowsIt() {
        // a helper's replay: QEMU shows "127.0.0.1 30300 198.51.100.15 2200"; vnet4j showed guest to gateway
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("guest-address", "10.0.2.15");
        c.put("guest-port", 22);
        c.put("remote-address", "10.0.2.2");
        c.put("remote-port", 60844);
        c.put("state", "ESTABLISHED");
        c.put("queued-to-guest-bytes", 0);
        c.put("queued-to-host-bytes", 0);
        c.put("host-address", "127.0.0.1");
        c.put("host-port", 2222);
        StringBuilder sb = new StringBuilder();
        UsernetTable.tcpRow(sb, c);
        assertThat(sb.toString()).isEqualTo(String.format(
                "  TCP[ESTABLISHED]    -       127.0.0.1  2222       10.0.2.15    22     0     0%n"));
    }
}
