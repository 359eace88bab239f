package io.vnet4j;

import io.vnet4j.os.TapDevice;
import io.vnet4j.port.stream.StreamFraming;
import io.vnet4j.port.vhostuser.LocalFrontEnd;
import io.vnet4j.wire.offload.VirtioNetFrame;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The warm-up's guest end of one port of its private network ({@link Warmup}): a TAP (a socket pair, frames
 * after a virtio-net header, as a container's namespace sends them), a stream server's connection (frames
 * after a 4-byte big-endian length, as QEMU's {@code -netdev stream} sends them: the default network's VMs),
 * or a vhost-user port's queues (a driver in this process).
 * Frames read are left in {@link #in()} at {@link #VNET}, whichever the link, so one parser serves both.
 */
sealed interface WarmupLink {

    /** Where a frame read starts in {@link #in()}: after room for a virtio-net header. */
    int VNET = VirtioNetFrame.HEADER_LENGTH;

    /**
     * Sends {@code frame[0, length)}; {@code header}, only where {@link #offloads}, is its virtio-net header (a
     * partial checksum, a large segment), null for a complete frame.
     */
    void send(ByteBuffer frame, int length, byte[] header) throws IOException;

    /** Reads the next frame into {@link #in()} at {@link #VNET}, waiting at most {@code millis} ms; its length or -1. */
    int read(int millis) throws IOException;

    /** The buffer {@link #read} fills. */
    ByteBuffer in();

    /**
     * Whether the port's frames carry a virtio-net header, so the guest may leave checksums partial and send
     * large segments (a TAP with vnet_hdr); QEMU's stream netdev carries none: complete frames only.
     */
    boolean offloads();

    /** The guest's end of a TAP whose device is one end of a socket pair ({@link TapDevice#pair}). */
    record Tap(TapDevice device) implements WarmupLink {
        @Override
        public void send(ByteBuffer frame, int length, byte[] header) {
            MemorySegment buffer = device.writeBuffer();
            if (header == null) {
                buffer.asSlice(0, VNET).fill((byte) 0);
            } else {
                MemorySegment.copy(MemorySegment.ofArray(header), 0, buffer, 0, VNET);
            }
            MemorySegment.copy(MemorySegment.ofBuffer(frame), 0, buffer, VNET, length);
            device.write(VNET + length);
        }

        @Override
        public int read(int millis) throws IOException {
            int n = device.read(millis);
            return n > VNET ? n - VNET : -1;
        }

        @Override
        public ByteBuffer in() {
            return device.receivedBuffer();
        }

        @Override
        public boolean offloads() {
            return true;
        }
    }

    /** A VM on a vhost-user port of the warm-up's network, its driver in this process ({@link LocalFrontEnd}). */
    final class VhostUser implements WarmupLink, AutoCloseable {
        private final LocalFrontEnd frontEnd;
        /** Room for the largest frame a guest takes: 64 KiB of IP and an Ethernet header. */
        private final ByteBuffer in = ByteBuffer.allocate(VNET + 65536 + 14);

        VhostUser(LocalFrontEnd frontEnd) {
            this.frontEnd = frontEnd;
        }

        @Override
        public void send(ByteBuffer frame, int length, byte[] header) {
            frontEnd.send(frame, length, header);
        }

        @Override
        public int read(int millis) {
            return frontEnd.receive(in, VNET, millis);
        }

        @Override
        public ByteBuffer in() {
            return in;
        }

        /** A Linux guest's driver agrees to the device's checksum and TSO offloads. */
        @Override
        public boolean offloads() {
            return true;
        }

        @Override
        public void close() {
            frontEnd.close();
        }
    }

    /** A connection to a stream server of the warm-up's network, as a QEMU VM's {@code -netdev stream}. */
    final class Stream implements WarmupLink, AutoCloseable {
        private static final int LENGTH_FIELD = StreamFraming.LENGTH_FIELD;
        private static final int MAX_FRAME = StreamFraming.MAX_FRAME;
        private final SocketChannel channel;
        private final Selector selector;
        private final ByteBuffer out = ByteBuffer.allocate(LENGTH_FIELD + MAX_FRAME);
        /** What came from the server and is not yet taken: whole frames and the start of the next. */
        private final ByteBuffer pending = ByteBuffer.allocate(2 * (LENGTH_FIELD + MAX_FRAME));
        private final ByteBuffer in = ByteBuffer.allocate(VNET + MAX_FRAME);

        /** Connects to the stream server listening at {@code path}. */
        Stream(UnixDomainSocketAddress path) throws IOException {
            channel = SocketChannel.open(path);
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
        }

        @Override
        public void send(ByteBuffer frame, int length, byte[] header) throws IOException {
            out.clear();
            out.putInt(0, length).put(LENGTH_FIELD, frame, 0, length).limit(LENGTH_FIELD + length);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (out.hasRemaining() && System.nanoTime() - deadline < 0) {
                if (channel.write(out) == 0) {
                    LockSupport.parkNanos(100_000); // the server's buffer is full: a moment for its reader
                }
            }
        }

        @Override
        public int read(int millis) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            for (;;) {
                int n = takeFrame();
                if (n >= 0) {
                    return n;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return -1;
                }
                selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                selector.selectedKeys().clear();
                if (channel.read(pending) < 0) {
                    return -1;
                }
            }
        }

        /** The first whole frame in {@link #pending}, moved to {@link #in} at {@link #VNET}; its length, or -1. */
        private int takeFrame() {
            if (pending.position() < LENGTH_FIELD) {
                return -1;
            }
            int length = pending.getInt(0);
            if (!StreamFraming.validLength(length)) {
                throw new IllegalStateException("warm-up: a frame of " + length + " bytes from its stream server");
            }
            if (pending.position() < LENGTH_FIELD + length) {
                return -1;
            }
            in.put(VNET, pending, LENGTH_FIELD, length);
            pending.flip().position(LENGTH_FIELD + length);
            pending.compact();
            return length;
        }

        @Override
        public ByteBuffer in() {
            return in;
        }

        @Override
        public boolean offloads() {
            return false;
        }

        @Override
        public void close() throws IOException {
            selector.close();
            channel.close();
        }
    }
}
