package io.vnet4j.os;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class DontWaitSenderTest {
    private static final int CHUNK = 65536;

    @TempDir
    Path dir;

    @Test
    void aBlockingChannelsSocketTakesWhatFitsThenNothingWithoutBlockingAndReportsAGonePeer() throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("s.sock"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address);
             SocketChannel client = SocketChannel.open(address);
             SocketChannel peer = server.accept()) {
            assertThat(client.isBlocking()).isTrue();
            DontWaitSender sender = DontWaitSender.of(client, CHUNK);
            assertThat(sender).as("the descriptor (the tests export sun.nio.ch)").isNotNull();
            try (sender) {
                for (int i = 0; i < CHUNK; i++) {
                    sender.buffer().put(i, (byte) i);
                }
                long sent = 0;
                int n;
                while ((n = sender.send(CHUNK)) == CHUNK) {
                    sent += n;
                }
                sent += n;
                assertThat(n).as("a part, or nothing, once the socket is full").isBetween(0, CHUNK - 1);
                assertThat(sender.send(CHUNK)).as("a full socket: nothing, at once").isZero();

                ByteBuffer in = ByteBuffer.allocate(CHUNK);
                long received = 0;
                while (received < sent) {
                    in.clear();
                    received += peer.read(in);
                    assertThat(in.get(0)).isEqualTo((byte) ((received - in.position()) % CHUNK));
                }
                assertThat(received).isEqualTo(sent);

                client.close(); // the JDK's descriptor: the duplicate keeps the socket open
                assertThat(sender.send(1)).isEqualTo(1);
                peer.close();
                assertThat(sender.send(1)).as("the peer gone: EPIPE, no SIGPIPE").isEqualTo(-1);
            }
        }
    }
}
