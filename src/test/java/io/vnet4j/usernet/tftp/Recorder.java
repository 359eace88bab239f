package io.vnet4j.usernet.tftp;

import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A {@link TftpOutput} that keeps a copy of every packet sent. */
final class Recorder implements TftpOutput {
    /** One packet the server sent. */
    record Sent(IpAddress serverIp, IpAddress clientIp, int clientPort, byte[] bytes) {
        int opcode() {
            return Packets.u16(bytes, 0);
        }

        /** Block number of a DATA, error code of an ERROR. */
        int number() {
            return Packets.u16(bytes, 2);
        }

        byte[] data() {
            return Arrays.copyOfRange(bytes, 4, bytes.length);
        }

        /** Message of an ERROR without its NUL. */
        String message() {
            return new String(bytes, 4, bytes.length - 5, StandardCharsets.US_ASCII);
        }
    }

    final List<Sent> sent = new ArrayList<>();

    @Override
    public void send(IpAddress serverIp, IpAddress clientIp, int clientPort, ByteBuffer payload, int offset, int length) {
        byte[] bytes = new byte[length];
        payload.get(offset, bytes);
        sent.add(new Sent(serverIp, clientIp, clientPort, bytes));
    }

    Sent last() {
        return sent.getLast();
    }

    /** Takes and clears what was sent since the last call. */
    List<Sent> drain() {
        List<Sent> drained = List.copyOf(sent);
        sent.clear();
        return drained;
    }
}
