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
class DontWaitSocketTest {
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
            DontWaitSocket sender = DontWaitSocket.of(client, CHUNK, 0);
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

    @Test
    void receivesWhatIsWaitingWithoutBlockingAfterWhatItKeptAndTellsTheEndOfTheStream() throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(dir.resolve("r.sock"));
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address);
             SocketChannel client = SocketChannel.open(address);
             SocketChannel peer = server.accept()) {
            DontWaitSocket socket = DontWaitSocket.of(client, 16, 8);
            assertThat(socket).as("the descriptor (the tests export sun.nio.ch)").isNotNull();
            try (socket) {
                ByteBuffer in = socket.receiveBuffer();
                assertThat(in.capacity()).isEqualTo(8);
                assertThat(socket.receive()).as("nothing waiting: nothing, at once").isZero();

                peer.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
                awaitReceived(socket, 5);
                assertThat(in.position()).isEqualTo(5);

                in.position(2); // the owner kept two bytes
                peer.write(ByteBuffer.wrap(new byte[] {6, 7, 8, 9, 10, 11, 12, 13}));
                awaitReceived(socket, 6); // room for 6 of the 8
                assertThat(in.position()).isEqualTo(8);
                assertThat(new byte[] {in.get(0), in.get(1), in.get(2), in.get(7)}).containsExactly(1, 2, 6, 11);
                assertThat(socket.receive()).as("no room").isZero();

                in.clear();
                awaitReceived(socket, 2);
                assertThat(in.get(0)).isEqualTo((byte) 12);
                peer.close();
                assertThat(socket.receive()).as("the end of the stream").isEqualTo(-1);
                assertThat(in.position()).isEqualTo(2);
            }
        }
    }

    /** Receives until {@code expected} bytes came (the peer's write may not have arrived yet): never blocks. */
    private static void awaitReceived(DontWaitSocket socket, int expected) throws Exception {
        int n = 0;
        for (int tries = 0; n == 0 && tries < 1000; tries++) {
            n = socket.receive();
            if (n == 0) {
                Thread.sleep(1);
            }
        }
        assertThat(n).isEqualTo(expected);
    }
}
