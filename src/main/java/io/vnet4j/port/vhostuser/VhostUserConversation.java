package io.vnet4j.port.vhostuser;

import static io.vnet4j.port.vhostuser.VhostUserProtocol.*;

import io.vnet4j.base.Log;
import io.vnet4j.os.DescriptorStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.BooleanSupplier;

/**
 * The control conversation of one front-end's connection (QEMU's docs/interop/vhost-user.rst, "Communication"): each
 * message's header and payload read whole, with the descriptors its first bytes carry; handed to
 * {@link VhostUserDevice}; answered when the request has a reply or asked for one (REPLY_ACK); the port told when
 * its queues may have changed. Runs on the connection's thread ({@link VhostUserNetdev}), which owns the stream.
 */
final class VhostUserConversation {
    private VhostUserConversation() {}

    /**
     * The connection's first message is no vhost-user header: the peer speaks something else (QEMU's monitor greets
     * with JSON, a {@code -netdev stream} sends a frame's length), so {@code path=} names the wrong socket.
     */
    static final class NotVhostUser extends VhostUserDevice.ProtocolException {
        private final String firstBytes;

        NotVhostUser(String message, ByteBuffer header) {
            super(message);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < HEADER; i++) {
                text.append((char) (header.get(i) & 0xFF));
            }
            this.firstBytes = text.toString();
        }

        /** The peer's first 12 bytes as text, escaped where not printable ("{\"QMP\": {\"ve" from QEMU's monitor). */
        String firstBytes() {
            return Log.printable(firstBytes);
        }
    }

    /**
     * Reads and answers the front-end's messages until it goes (the end of the stream) or {@code closed} says the
     * netdev closed; {@code spoke} runs once, when the first message's header is vhost-user's, and {@code memoryExpected}
     * once, when the driver set its features before any guest memory came.
     *
     * @param logName the netdev's id, for log lines
     * @throws VhostUserDevice.ProtocolException a message the connection cannot survive: malformed, or a request
     *     this back-end did not offer to take
     */
    static void run(String logName, DescriptorStream stream, VhostUserDevice device, VhostUserPort p,
                    BooleanSupplier closed, Runnable spoke, Runnable memoryExpected)
            throws IOException, VhostUserDevice.ProtocolException {
        ByteBuffer in = stream.buffer();
        ByteBuffer reply = ByteBuffer.allocate(HEADER + 64).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer replyPayload = reply.slice(HEADER, 64).order(ByteOrder.LITTLE_ENDIAN);
        int[] fds = new int[DescriptorStream.MAX_DESCRIPTORS];
        boolean saidUnknown = false;
        boolean memoryWatched = false;
        boolean first = true;
        while (!closed.getAsBoolean()) {
            int fdCount = receive(stream, 0, HEADER, fds);
            if (fdCount < 0) {
                return; // the end of the stream
            }
            int request = in.getInt(0);
            int flags = in.getInt(4);
            int size = in.getInt(8);
            if ((flags & VERSION_MASK) != VERSION || size < 0 || size > MAX_PAYLOAD) {
                closeAll(fds, fdCount);
                String message = String.format(
                        "%s with flags 0x%x and a payload of %s bytes (expected version 1, at most %d bytes)",
                        name(request), flags, Integer.toUnsignedString(size), MAX_PAYLOAD);
                throw first ? new NotVhostUser(message, in) : new VhostUserDevice.ProtocolException(message);
            }
            if (first) {
                first = false;
                spoke.run();
            }
            if (size > 0 && receive(stream, HEADER, size, null) < 0) {
                closeAll(fds, fdCount);
                return;
            }
            ByteBuffer payload = in.slice(HEADER, size).order(ByteOrder.LITTLE_ENDIAN);
            boolean kickMayGo = request == SET_VRING_KICK || request == GET_VRING_BASE;
            if (kickMayGo) {
                p.unwatchKick();
            }
            int replyLength;
            boolean failed = false;
            if (VhostUserDevice.known(request)) {
                replyLength = device.handle(request, payload, fds, fdCount, replyPayload);
            } else {
                closeAll(fds, fdCount);
                replyLength = -1;
                failed = true;
                if (!saidUnknown) {
                    saidUnknown = true;
                    Log.warn(logName + ": vhost-user front-end sent " + name(request) + ", which this back-end does not know;"
                            + " answered as failed");
                }
            }
            if (kickMayGo) {
                p.watchKick();
            }
            if (replyLength < 0 && (flags & FLAG_NEED_REPLY) != 0) {
                replyPayload.putLong(0, failed ? 1 : 0); // REPLY_ACK: 0 for success
                replyLength = 8;
            }
            if (replyLength >= 0) {
                reply.putInt(0, request);
                reply.putInt(4, VERSION | FLAG_REPLY);
                reply.putInt(8, replyLength);
                stream.send(reply, HEADER + replyLength);
            }
            p.queuesChanged();
            if (request == SET_FEATURES && device.regions() == 0 && !memoryWatched) {
                memoryWatched = true;
                memoryExpected.run();
            }
        }
    }

    /**
     * Receives exactly {@code length} bytes at {@code offset} of the stream's buffer; descriptors only with the
     * first part ({@code fds} null: none expected, any that come are closed).
     *
     * @return the number of descriptors, or -1 at the end of the stream
     */
    private static int receive(DescriptorStream stream, int offset, int length, int[] fds) throws IOException {
        int[] later = new int[DescriptorStream.MAX_DESCRIPTORS];
        int count = 0;
        int got = 0;
        while (got < length) {
            boolean first = fds != null && got == 0;
            long r = stream.receive(offset + got, length - got, first ? fds : later);
            int n = (int) r;
            int carried = (int) (r >>> 32);
            if (first) {
                count = carried;
            } else {
                closeAll(later, carried); // descriptors belong with a message's first bytes
            }
            if (n == 0) {
                if (fds != null) {
                    closeAll(fds, count);
                }
                return -1;
            }
            got += n;
        }
        return count;
    }

    private static void closeAll(int[] fds, int count) {
        for (int i = 0; i < count; i++) {
            DescriptorStream.closeDescriptor(fds[i]);
        }
    }
}
