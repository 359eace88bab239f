package io.vnet4j.usernet.tftp;

import io.vnet4j.wire.IpAddress;
import java.nio.ByteBuffer;

/** Where a {@link TftpServer} sends its replies: UDP payloads from the server's port to a client. */
@FunctionalInterface
public interface TftpOutput {
    /**
     * Sends {@code length} bytes from absolute {@code offset} of {@code payload} to the client, from
     * {@code serverIp} (the address the client's request went to); the bytes are valid only during the call,
     * so an implementation that keeps them copies them.
     */
    void send(IpAddress serverIp, IpAddress clientIp, int clientPort, ByteBuffer payload, int offset, int length);
}
