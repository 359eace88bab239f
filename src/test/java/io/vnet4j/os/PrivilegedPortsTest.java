package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A refused bind of a privileged port says what would let it through (helper-140's note on openbmc/docs#60). */
class PrivilegedPortsTest {
    @Test
    void aPermissionDeniedBelowTheUnprivilegedPortStartNamesTheWayThrough() throws Exception {
        int start = Integer.parseInt(Sysctl.words("net/ipv4/ip_unprivileged_port_start")[0]);
        assertThat(PrivilegedPorts.hint("Permission denied", start - 1))
                .isEqualTo(" (ports below " + start + " need root or CAP_NET_BIND_SERVICE; net.ipv4.ip_unprivileged_port_start is "
                        + start + ")");
        assertThat(PrivilegedPorts.hint("bind 0.0.0.0:80: Permission denied", 80)).isNotEmpty();
    }

    @Test
    void theFirstUnprivilegedPortIsReadWhole() {
        // Files.readString of this sysctl file gives its first byte alone: "1" for 1024, and every port looked unprivileged
        assertThat(PrivilegedPorts.firstUnprivileged()).isGreaterThan(9);
    }

    @Test
    void otherFailuresAndOtherPortsGetNoHint() {
        assertThat(PrivilegedPorts.hint("Address already in use", 80)).isEmpty();
        assertThat(PrivilegedPorts.hint("Permission denied", 65535)).isEmpty();
        assertThat(PrivilegedPorts.hint("Permission denied", 0)).isEmpty();
        assertThat(PrivilegedPorts.hint(null, 80)).isEmpty();
    }
}
