package io.vnet4j.peers;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A guest's QMP socket ({@code -qmp unix:PATH,server=on,wait=off}), for what a failed test should say about
 * QEMU's side: its network and the virtio-net queues' indexes ({@code info virtio-queue-status}, QEMU 7.2),
 * which tell a device that stopped taking the guest's frames, or giving it ours, from a daemon that did. Each
 * call connects, negotiates ({@code qmp_capabilities}) and runs HMP commands through
 * {@code human-monitor-command}; a QEMU that does not answer within 3 s gives a line saying so.
 */
final class QemuMonitor {
    private static final JsonFactory JSON = new JsonFactory();

    private QemuMonitor() {}

    /** The output of each HMP command, under a line naming it. */
    static String run(Path socket, List<String> commands) {
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> talk(socket, commands),
                r -> Thread.ofVirtual().start(r));
        try {
            return answer.get(3, TimeUnit.SECONDS);
        } catch (Exception e) {
            return "(QEMU's monitor did not answer: " + e + ")\n";
        }
    }

    private static String talk(Path socket, List<String> commands) {
        StringBuilder text = new StringBuilder();
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel),
                    StandardCharsets.UTF_8));
            OutputStream out = Channels.newOutputStream(channel);
            in.readLine(); // the greeting
            send(out, "qmp_capabilities", null);
            returned(in);
            for (String command : commands) {
                send(out, "human-monitor-command", command);
                text.append("(qemu) ").append(command).append('\n').append(returned(in));
            }
        } catch (IOException e) {
            text.append("(QEMU's monitor: ").append(e.getMessage()).append(")\n");
        }
        return text.toString();
    }

    private static void send(OutputStream out, String execute, String commandLine) throws IOException {
        StringWriter json = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(json)) {
            g.writeStartObject();
            g.writeStringField("execute", execute);
            if (commandLine != null) {
                g.writeObjectFieldStart("arguments");
                g.writeStringField("command-line", commandLine);
                g.writeEndObject();
            }
            g.writeEndObject();
        }
        out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The string a reply's "return" holds ("" for an empty object); events before it are skipped. */
    private static String returned(BufferedReader in) throws IOException {
        for (String line; (line = in.readLine()) != null; ) {
            try (JsonParser p = JSON.createParser(line)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if (field.equals("return")) {
                        return value == JsonToken.VALUE_STRING ? p.getText() : "";
                    }
                    if (field.equals("error")) {
                        return "(error: " + line + ")\n";
                    }
                    p.skipChildren();
                }
            }
        }
        throw new IOException("the monitor closed");
    }
}
