package io.vnet4j.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vnet4j.port.stream.StreamFraming;
import io.vnet4j.port.stream.StreamPort;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A peer's byte stream in QEMU's stream framing (4-byte big-endian length, then the frame), read by a
 * {@link StreamPort} from a unix socket pair (no IP at all): the peer writes the fuzzed bytes and closes.
 * Serving never throws and ends; the frames the port delivers are exactly those a reference reading of
 * the stream gives (frames up to the first length outside 1..{@value StreamFraming#MAX_FRAME}, which
 * counts one rx error and closes the connection, or up to an incomplete frame at the end). The port's
 * warning about a bad length is silenced while it serves, or fuzzing would print it a million times.
 */
class StreamFramingFuzzTest {
    private static final int WRITE_CHUNK = 1000;
    private static Path dir;
    private static ServerSocketChannel server;
    private static UnixDomainSocketAddress address;
    private static StreamPort port;
    private static final List<byte[]> delivered = new ArrayList<>();

    @BeforeAll
    static void listen() throws IOException {
        dir = Files.createTempDirectory("vnet4j-stream-fuzz");
        address = UnixDomainSocketAddress.of(dir.resolve("s.sock"));
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(address);
        port = new StreamPort("fuzz", "stream", "fuzz", new io.vnet4j.fabric.Hub(0));
        port.addTap((frame, offset, length) -> {
            byte[] copy = new byte[length];
            frame.get(offset, copy);
            delivered.add(copy);
        });
    }

    @AfterAll
    static void close() throws IOException {
        port.close();
        server.close();
        Files.deleteIfExists(address.getPath());
        Files.delete(dir);
    }

    @FuzzTest
    void deliversExactlyTheWholeFramesBeforeTheFirstBadLength(byte[] stream) throws IOException {
        delivered.clear();
        long errorsBefore = port.counters().snapshot().rxErrors();
        try (SocketChannel peer = SocketChannel.open(address); SocketChannel accepted = server.accept()) {
            Thread writer = Thread.ofVirtual().start(() -> write(peer, stream));
            PrintStream err = System.err;
            System.setErr(new PrintStream(OutputStream.nullOutputStream()));
            try {
                port.serve(accepted, "fuzz peer", () -> { });
            } finally {
                System.setErr(err);
            }
            joinQuietly(writer);
        }
        List<byte[]> expected = new ArrayList<>();
        boolean badLength = read(stream, expected);
        assertThat(delivered).containsExactlyElementsOf(expected);
        assertThat(port.counters().snapshot().rxErrors() - errorsBefore).isEqualTo(badLength ? 1 : 0);
    }

    /** The reference reading: whole frames in order; true when it stopped at a bad length. */
    private static boolean read(byte[] stream, List<byte[]> frames) {
        ByteBuffer in = ByteBuffer.wrap(stream);
        int pos = 0;
        while (stream.length - pos >= StreamFraming.LENGTH_FIELD) {
            int length = in.getInt(pos);
            if (length <= 0 || length > StreamFraming.MAX_FRAME) {
                return true;
            }
            if (stream.length - pos - StreamFraming.LENGTH_FIELD < length) {
                return false;
            }
            byte[] frame = new byte[length];
            in.get(pos + StreamFraming.LENGTH_FIELD, frame);
            frames.add(frame);
            pos += StreamFraming.LENGTH_FIELD + length;
        }
        return false;
    }

    /** Writes the stream in chunks and closes the peer's side; the port may close first on a bad length. */
    private static void write(SocketChannel peer, byte[] stream) {
        try {
            for (int at = 0; at < stream.length; at += WRITE_CHUNK) {
                ByteBuffer chunk = ByteBuffer.wrap(stream, at, Math.min(WRITE_CHUNK, stream.length - at));
                while (chunk.hasRemaining()) {
                    peer.write(chunk);
                }
            }
            peer.shutdownOutput();
        } catch (IOException e) {
            // the port closed the connection: the rest of the stream is not read
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
