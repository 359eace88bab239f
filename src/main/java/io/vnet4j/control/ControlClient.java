package io.vnet4j.control;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** Talks to a running vnet4j's control socket: one QMP command, one answer. */
public final class ControlClient implements AutoCloseable {
    /** Answers (query-network of a busy network) can be far longer than the server accepts in a command. */
    static final int MAX_ANSWER = 64 * 1024 * 1024;

    private final SocketChannel channel;
    private final InputStream in;
    private final OutputStream out;

    public ControlClient(Path path) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(path));
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot reach the control socket " + path + " (is vnet4j running?): " + e.getMessage(), e);
        }
        in = new BufferedInputStream(Channels.newInputStream(channel), 8192);
        out = Channels.newOutputStream(channel);
        ControlServer.readLine(in, MAX_ANSWER);
        execute(Map.of("execute", "qmp_capabilities"));
    }

    /** Sends one command and returns the parsed answer ({@code {"return":...}} or {@code {"error":...}}). */
    public Map<?, ?> execute(Map<String, ?> command) throws IOException {
        out.write((Json.write(command) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        String line = ControlServer.readLine(in, MAX_ANSWER);
        if (line == null) {
            throw new IOException("the control socket closed without an answer");
        }
        return (Map<?, ?>) Json.parse(line.trim());
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
