package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A QEMU 7.2 guest on a unix {@code dgram} netdev keeps running while vnet4j is restarted: its link never goes
 * down, so it keeps its SLAAC address and repeats no duplicate address detection, and its web server sends nothing
 * until asked. The restarted gateway had never seen the guest's IPv6 address, and every client of
 * {@code hostfwd=tcp:[::1]:P-:80} (no guest address: learnt) was refused until the guest happened to send something.
 * Now the gateway asks all nodes (an echo request to ff02::1) and holds the client until the guest's answer shows
 * its address.
 */
@Timeout(180)
class SilentGuestAfterRestartIT {
    @Test
    void anIpv6ForwardReachesAGuestThatKeptItsAddressAcrossARestartOfVnet4j() throws Exception {
        Path dir = Files.createTempDirectory("vnet4j-silent-it");
        Path vnetEnd = dir.resolve("vnet.dgram");
        Path guestEnd = dir.resolve("guest.dgram");
        int port = UsernetIpv6IT.freePort6();
        String[] args = {"--control", dir.resolve("control.sock").toString(),
                "-netdev", "user,id=u,ipv4=off,ipv6=on,hostfwd=tcp:[::1]:" + port + "-:80",
                "-netdev", "dgram,id=vm,local.type=unix,local.path=" + vnetEnd + ",remote.type=unix,remote.path=" + guestEnd};
        VnetProcess vnet = VnetProcess.start(args);
        try (QemuGuest guest = QemuGuest.builder(UsernetIpv6IT.NAME).mac(UsernetIpv6IT.MAC)
                .netdev("dgram,local.type=unix,local.path=" + guestEnd + ",remote.type=unix,remote.path=" + vnetEnd)
                .boot()) {
            UsernetIpv6IT.awaitSlaac(guest);
            guest.runOk("httpd -p 80 -h /www");
            assertThat(UsernetIpv6IT.httpGet(port)).contains("200 OK");

            vnet.close();
            vnet = VnetProcess.start(args);
            assertThat(UsernetIpv6IT.httpGet(port)).as("through the restarted daemon").contains("200 OK", "hello from");
            PeerTools.Exec info = VnetProcess.ctl(null, "--control", dir.resolve("control.sock").toString(), "info", "network");
            assertThat(info.output()).contains("hostfwd tcp [::1]:" + port + " -> [" + UsernetIpv6IT.SLAAC + "]:80 (learnt)",
                    "guests asked 1 times, clients refused for want of a guest's IPv6 address 0");
        } finally {
            vnet.close();
            PeerTools.deleteTree(dir);
        }
    }
}
