package io.vnet4j.peers;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * A multicast netdev without {@code localaddr=} (dgram's {@code local.host=}) on a host whose routes lead
 * no multicast anywhere: only the loopback up, as on a laptop off every network or in a fresh namespace
 * (cockpit-project/cockpit#12782, where QEMU said "can't add socket to multicast group 230.0.0.1: No such
 * device" and the fix was {@code localaddr=127.0.0.1}). vnet4j refuses in one line that names the option.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class MulticastWithoutRouteIT {
    private NetNamespace ns;

    @BeforeAll
    void namespaceWithOnlyLoopbackUp() {
        ns = NetNamespace.create("vnet4j-it-mroute-" + ProcessHandle.current().pid());
        ns.execOk("ip", "link", "set", "lo", "up");
    }

    @AfterAll
    void deleteTheNamespace() {
        if (ns != null) ns.close();
    }

    private PeerTools.Exec run(String... args) {
        List<String> cmd = PeerTools.concat(List.of("ip", "netns", "exec", ns.name()), VnetProcess.javaCommand());
        return PeerTools.exec(Duration.ofSeconds(60), PeerTools.concat(cmd, List.of(args)));
    }

    @Test
    void aGroupNoRouteLeadsToIsRefusedNamingTheOptionThatPicksTheInterface() {
        PeerTools.Exec socket = run("--control", "none", "-netdev", "socket,id=m,mcast=230.0.0.1:5600");
        assertThat(socket.exitCode()).isNotZero();
        assertThat(socket.output().strip().lines()).singleElement().asString()
                .contains("m: ", "230.0.0.1", "localaddr=127.0.0.1").doesNotContain("Exception");

        PeerTools.Exec dgram = run("--control", "none",
                "-netdev", "dgram,id=d,remote.type=inet,remote.host=230.0.0.1,remote.port=5600");
        assertThat(dgram.exitCode()).isNotZero();
        assertThat(dgram.output().strip().lines()).singleElement().asString()
                .contains("d: ", "230.0.0.1", "local.host=127.0.0.1").doesNotContain("Exception");
    }
}
