package io.vnet4j.slirp4netns;

import io.vnet4j.control.Json;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * One client of the API socket: its request read, the reply written, the connection closed, each step
 * bounded in time, on the channel in non-blocking mode with a selector of its own (a unix channel has no
 * read timeout). The request ends when the client shuts its side, when the bytes so far begin with one whole JSON
 * value (what follows it is ignored, as api.c's parson ignores it) or are what no more bytes can make one (api.c
 * answers what its one read got: "cannot parse JSON" at once), at {@value ApiServer#MAX_REQUEST} bytes (too large, api.c's rule) or at the deadline. After the
 * reply the sending side is shut and what the client still sends is read and dropped until it closes (at
 * most {@value #MAX_DRAIN} bytes, within the deadline): closing a unix socket with unread bytes would reset
 * the connection, and the client could lose the reply (api.c closes at once; a request over 4 KiB then gets
 * ECONNRESET after, or instead of, "too large message").
 */
final class ApiConnection {
    /** What is read and dropped after a reply at most. */
    static final int MAX_DRAIN = 1 << 20;

    private final SocketChannel client;
    private final long deadline;

    private ApiConnection(SocketChannel client, long timeoutMillis) {
        this.client = client;
        this.deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** Serves {@code client} with {@code answer} (request text to reply text) and closes it; never throws. */
    static void serve(SocketChannel client, long timeoutMillis, UnaryOperator<String> answer) {
        try (client; Selector selector = Selector.open()) {
            client.configureBlocking(false);
            SelectionKey key = client.register(selector, SelectionKey.OP_READ);
            ApiConnection c = new ApiConnection(client, timeoutMillis);
            String request = c.readRequest(selector, key);
            String reply = request == null ? ApiHandler.TOO_LARGE : answer.apply(request);
            if (c.write(selector, key, ByteBuffer.wrap(reply.getBytes(StandardCharsets.UTF_8)))) {
                client.shutdownOutput();
                c.drain(selector, key);
            }
        } catch (IOException e) {
            // the client went away: nothing left to tell it
        }
    }

    /** The request's text, or null when it reaches the size limit. */
    private String readRequest(Selector selector, SelectionKey key) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(ApiServer.MAX_REQUEST);
        while (await(selector, key, SelectionKey.OP_READ)) {
            int n = client.read(buffer);
            if (n < 0) {
                break;
            }
            if (!buffer.hasRemaining()) {
                return null;
            }
            if (n > 0 && !Json.endsTooSoon(text(buffer))) {
                break;
            }
        }
        return text(buffer);
    }

    /** Writes all of {@code out}; false when the deadline passed first. */
    private boolean write(Selector selector, SelectionKey key, ByteBuffer out) throws IOException {
        while (out.hasRemaining()) {
            client.write(out);
            if (out.hasRemaining() && !await(selector, key, SelectionKey.OP_WRITE)) {
                return false;
            }
        }
        return true;
    }

    private void drain(Selector selector, SelectionKey key) throws IOException {
        ByteBuffer sink = ByteBuffer.allocate(4096);
        long dropped = 0;
        while (dropped < MAX_DRAIN && await(selector, key, SelectionKey.OP_READ)) {
            int n = client.read(sink);
            if (n < 0) {
                return;
            }
            dropped += n;
            sink.clear();
        }
    }

    /** Waits for {@code op} on the channel; false when the deadline passed first. */
    private boolean await(Selector selector, SelectionKey key, int op) throws IOException {
        key.interestOps(op);
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return false;
            }
            selector.selectedKeys().clear();
            if (selector.select(left) > 0 && (key.readyOps() & op) != 0) {
                return true;
            }
        }
    }

    private static String text(ByteBuffer buffer) {
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }
}
