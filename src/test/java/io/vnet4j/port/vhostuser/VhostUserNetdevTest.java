package io.vnet4j.port.vhostuser;

import static org.assertj.core.api.Assertions.assertThat;

import io.vnet4j.fabric.Hub;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
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
}
