package io.vnet4j.usernet.tftp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A lock-step test client of one {@link TftpServer} on a fake clock. */
final class Client {
    final TftpServer server;
    final Recorder out = new Recorder();
    final int port;
    long now = 1_000;
    /** Options of the last OACK received by {@link #fetch}, in order. */
    Map<String, String> oack = Map.of();

    Client(TftpServer server, int port) {
        this.server = server;
        this.port = port;
    }

    Client(TftpServer server) {
        this(server, Packets.CLIENT_PORT);
    }

    void send(byte[] packet) {
        server.receive(Packets.SERVER_IP, Packets.CLIENT_IP, port, ByteBuffer.wrap(packet), 0, packet.length, now, out);
    }

    /** Advances the clock and polls the server. */
    void advance(long nanos) {
        now += nanos;
        server.poll(now, out);
    }

    /** The single packet sent since the last call. */
    Recorder.Sent one() {
        List<Recorder.Sent> sent = out.drain();
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst().clientIp()).isEqualTo(Packets.CLIENT_IP);
        assertThat(sent.getFirst().serverIp()).isEqualTo(Packets.SERVER_IP);
        assertThat(sent.getFirst().clientPort()).isEqualTo(port);
        return sent.getFirst();
    }

    /**
     * Reads a file in lock step, acknowledging an OACK with ACK 0 and each DATA with its number, checking that
     * block numbers run 1, 2, ... modulo 65536 and that the transfer ends with the server.
     */
    byte[] fetch(String name, String... options) {
        send(Packets.rrq(name, "octet", options));
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        int blockSize = TftpOptions.DEFAULT_BLOCK_SIZE;
        Recorder.Sent packet = one();
        if (packet.opcode() == TftpOpcode.OACK) {
            oack = parseOack(packet.bytes());
            blockSize = Integer.parseInt(oack.getOrDefault(TftpOptions.BLKSIZE, "512"));
            send(Packets.ack(0));
            packet = one();
        }
        for (long block = 1; ; block++) {
            assertThat(packet.opcode()).as("block %d", block).isEqualTo(TftpOpcode.DATA);
            assertThat(packet.number()).isEqualTo((int) (block & 0xFFFF));
            content.writeBytes(packet.data());
            send(Packets.ack(packet.number()));
            if (packet.data().length < blockSize) {
                break;
            }
            packet = one();
        }
        assertThat(out.drain()).isEmpty();
        return content.toByteArray();
    }

    static Map<String, String> parseOack(byte[] bytes) {
        String[] strings = new String(bytes, 2, bytes.length - 2, StandardCharsets.US_ASCII).split("\0");
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i + 1 < strings.length; i += 2) {
            options.put(strings[i], strings[i + 1]);
        }
        return options;
    }
}
