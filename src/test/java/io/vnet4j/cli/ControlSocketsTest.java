package io.vnet4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vnet4j.control.ControlServer;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class ControlSocketsTest {
    @TempDir
    Path dir;

    private final List<ControlServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        servers.forEach(ControlServer::close);
    }

    private ControlServer daemon() throws IOException {
        ControlServer server = ControlSockets.startFirstFree(dir, path -> new ControlServer(path, List::of, "t"));
        servers.add(server);
        return server;
    }

    @Test
    void theFirstDaemonGetsControlSockAndTheNextOnesANumberedName() throws Exception {
        assertThat(daemon().path()).isEqualTo(dir.resolve("control.sock"));
        assertThat(daemon().path()).isEqualTo(dir.resolve("control-2.sock"));
        assertThat(daemon().path()).isEqualTo(dir.resolve("control-3.sock"));
    }

    @Test
    void aStaleControlSockIsTakenAgain() throws Exception {
        try (ServerSocketChannel gone = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            gone.bind(UnixDomainSocketAddress.of(dir.resolve("control.sock")));
        } // a daemon that died without removing its socket
        assertThat(daemon().path()).isEqualTo(dir.resolve("control.sock"));
    }

    @Test
    void ctlPrefersControlSockWhenItAnswers() throws Exception {
        daemon();
        daemon();
        assertThat(ControlSockets.find(dir)).isEqualTo(new ControlSockets.Found(dir.resolve("control.sock"),
                java.util.List.of(dir.resolve("control-2.sock")))); // the other, for ctl to name
    }

    @Test
    void ctlFindsTheOnlyNumberedSocketThatAnswers() throws Exception {
        ControlServer first = daemon();
        daemon();
        first.close();
        assertThat(ControlSockets.find(dir)).isEqualTo(new ControlSockets.Found(dir.resolve("control-2.sock"), java.util.List.of()));
    }

    @Test
    void ctlListsTheCandidatesWhenSeveralNumberedSocketsAnswer() throws Exception {
        ControlServer first = daemon();
        daemon();
        daemon();
        first.close();
        assertThatThrownBy(() -> ControlSockets.find(dir)).isInstanceOf(IOException.class)
                .hasMessage("several vnet4j daemons answer: " + dir.resolve("control-2.sock") + ", "
                        + dir.resolve("control-3.sock") + "; choose one with --control PATH");
    }

    @Test
    void ctlSaysSoWhenNoDaemonAnswers() {
        assertThatThrownBy(() -> ControlSockets.find(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("is vnet4j running?").hasMessageContaining(dir.resolve("control.sock").toString());
    }
}
