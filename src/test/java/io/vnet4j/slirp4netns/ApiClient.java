package io.vnet4j.slirp4netns;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A client of the API socket as slirp4netns's manual asks for: the request, shutdown(SHUT_WR), the reply to EOF. */
public final class ApiClient {
    private ApiClient() {}

    public static String request(Path socket, String request) throws IOException {
        return request(socket, request.getBytes(StandardCharsets.UTF_8), true);
    }

    /** Sends {@code request}, shuts the sending side when {@code shutdown}, reads the reply until the server closes. */
    static String request(Path socket, byte[] request, boolean shutdown) throws IOException {
        try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer out = ByteBuffer.wrap(request);
            while (out.hasRemaining()) {
                c.write(out);
            }
            if (shutdown) {
                c.shutdownOutput();
            }
            return readAll(c);
        }
    }

    static String readAll(SocketChannel c) throws IOException {
        ByteArrayOutputStream reply = new ByteArrayOutputStream();
        ByteBuffer in = ByteBuffer.allocate(4096);
        while (c.read(in) >= 0) {
            reply.write(in.array(), 0, in.position());
            in.clear();
        }
        return reply.toString(StandardCharsets.UTF_8);
    }
}
