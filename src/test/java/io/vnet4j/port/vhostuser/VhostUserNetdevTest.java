package io.vnet4j.port.vhostuser;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.base.LogCapture;
import io.vnet4j.fabric.Hub;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One front-end at a time on a vhost-user socket: which connection is served and which refused. */
@Timeout(30)
class VhostUserNetdevTest {
    /** VHOST_USER_GET_FEATURES (request 1, flags: version 1), no payload: the back-end answers with 8 bytes. */
    private static boolean served(SocketChannel c) {
        try {
            c.write(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putInt(1).putInt(0).flip());
            ByteBuffer reply = ByteBuffer.allocate(20);
            while (reply.hasRemaining()) {
                if (c.read(reply) < 0) {
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            return false; // closed on it: refused
        }
    }

    private static SocketChannel connect(Path path) throws IOException {
        SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
        c.connect(UnixDomainSocketAddress.of(path));
        return c;
    }

    /**
     * A helper's replay: a front-end that closes and connects again at once (QEMU does when it gives up on a
     * connection) found its old connection still being taken down and was refused as a second front-end,
     * each time with the warning said once per connection.
     */
    @Test
    void aFrontEndReconnectingAtOnceIsServedAndOnlyASecondOneIsRefused(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("vu.sock");
        try (VhostUserNetdev netdev = new VhostUserNetdev("vu", "path=" + path, path, new Hub(0))) {
            netdev.start();
            for (int i = 0; i < 5; i++) {
                try (SocketChannel first = connect(path)) {
                    assertThat(served(first)).isTrue();
                }
                try (SocketChannel again = connect(path)) {
                    assertThat(served(again)).as("reconnection %d", i).isTrue();
                }
            }
            try (SocketChannel first = connect(path); SocketChannel second = connect(path)) {
                assertThat(served(first)).isTrue();
                assertThat(served(second)).as("a second front-end while the first is served").isFalse();
            }
        }
    }

    /** VHOST_USER_SET_OWNER (request 3), no payload and no reply. */
    private static void setOwner(SocketChannel c) throws IOException {
        c.write(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putInt(3).putInt(1).putInt(0).flip());
    }


    /** The warnings said while {@code task} runs (the library's System.Logger, as without the command line). */
    private static List<String> warnings(LogCapture.Task task) throws Exception {
        return LogCapture.during(java.util.logging.Level.WARNING, task);
    }

    /**
     * A helper's trial: QEMU 7.2 under TCG with a vhost-user NIC that has MSI-X crashes when the guest's driver
     * starts it (seconds after connecting, before SET_FEATURES), and the warning told the user to give queues=1,
     * which they had: the advice on queues is for a front-end that gives up at once, and this one names vectors=0.
     */
    @Test
    void aFrontEndGoneLaterBeforeSetFeaturesIsNotToldAboutQueues(@TempDir Path dir) throws Exception {
        // 1.2 s: the guest booting until its driver starts the NIC
        assertThat(warningsOfAFrontEndThatLeavesAfter(dir.resolve("vu.sock"), 1200)).singleElement().asString()
                .contains("vectors=0").doesNotContain("queues=1");
    }

    /**
     * A front-end that gives up at once, after SET_OWNER (QEMU 7.2 with queues=2: the first pair's handshake,
     * then its own refusal of the second, some 30 ms after connecting), is told about queues=1.
     */
    @Test
    void aFrontEndGoneAtOnceIsToldAboutQueues(@TempDir Path dir) throws Exception {
        assertThat(warningsOfAFrontEndThatLeavesAfter(dir.resolve("vu.sock"), 0)).singleElement().asString()
                .contains("queues=1");
    }

    /**
     * The warnings said when a front-end connects, sends SET_OWNER and leaves {@code millis} ms later without setting
     * features; a second front-end is then served (the first one's end was seen).
     */
    private List<String> warningsOfAFrontEndThatLeavesAfter(Path path, long millis) throws Exception {
        return warnings(() -> {
            try (VhostUserNetdev netdev = new VhostUserNetdev("vu", "path=" + path, path, new Hub(0))) {
                netdev.start();
                try (SocketChannel c = connect(path)) {
                    assertThat(served(c)).isTrue();
                    setOwner(c);
                    assertThat(served(c)).isTrue();
                    Thread.sleep(millis);
                }
                try (SocketChannel c = connect(path)) {
                    assertThat(served(c)).isTrue();
                }
            }
        });
    }
}
