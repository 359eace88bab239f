package io.vnet4j.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A connected unix stream socket whose messages may carry descriptors beside their bytes (unix(7)
 * SCM_RIGHTS), as a vhost-user front-end (QEMU) sends its guest's memory and eventfds
 * (docs/interop/vhost-user.rst, "Communication"). Wraps the descriptor of a JDK {@link SocketChannel} in
 * blocking mode ({@link ChannelDescriptors}); the channel keeps owning it. One thread receives, any thread
 * may {@link #shutdown}, which ends a receive waiting.
 */
public final class DescriptorStream {
    /** The most descriptors one message carries: VHOST_MEMORY_BASELINE_NREGIONS. */
    public static final int MAX_DESCRIPTORS = 8;
    private static final int CONTROL_BYTES = MessageHeader.CMSG_HEADER + 4 * MAX_DESCRIPTORS + 8;

    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Libc.errnoState(arena);
    private final MemorySegment control = arena.allocate(CONTROL_BYTES, 8);
    private final MessageHeader header = new MessageHeader(arena);
    private final MemorySegment data;
    private final ByteBuffer dataBuffer;

    private DescriptorStream(int fd, int bufferBytes) {
        this.fd = fd;
        this.data = arena.allocate(bufferBytes, 8);
        this.dataBuffer = data.asByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The stream under {@code channel}, with a receive buffer of {@code bufferBytes}.
     *
     * @throws IOException when the channel's descriptor cannot be had ({@link ChannelDescriptors#available()})
     */
    public static DescriptorStream of(SocketChannel channel, int bufferBytes) throws IOException {
        int fd = ChannelDescriptors.of(channel);
        if (fd < 0) {
            throw new IOException("the socket's descriptor cannot be had: " + ChannelDescriptors.howToEnable());
        }
        return new DescriptorStream(fd, bufferBytes);
    }

    /** The receive buffer (little-endian), which {@link #receive} fills from 0; reused by each call. */
    public ByteBuffer buffer() {
        return dataBuffer;
    }

    /**
     * Receives up to {@code length} bytes into {@link #buffer()} at {@code offset}, waiting for at least one; the
     * descriptors that came with them (close-on-exec) are stored in {@code descriptors} and are the caller's.
     *
     * @return the bytes received (0 at the end of the stream) in the low 32 bits, the number of descriptors in
     *     the high 32 bits
     * @throws IOException on an error of the socket, or more descriptors than {@code descriptors} holds (those are
     *     closed)
     */
    public long receive(int offset, int length, int[] descriptors) throws IOException {
        try {
            MemorySegment h = header.set(MemorySegment.NULL, 0, data.asSlice(offset, length), length, control, CONTROL_BYTES);
            long n;
            do {
                n = Downcall.call(Libc.RECVMSG.handle(), errno, fd, h.address(), Libc.MSG_CMSG_CLOEXEC);
            } while (n < 0 && Libc.errno(errno) == Libc.EINTR);
            if (n < 0) {
                throw NativeDatagramSocket.failure("recvmsg", Libc.errno(errno));
            }
            int count = 0;
            long controlLength = header.controlLength();
            if (controlLength >= MessageHeader.CMSG_HEADER && control.get(ValueLayout.JAVA_INT, 8) == Libc.SOL_SOCKET
                    && control.get(ValueLayout.JAVA_INT, 12) == Libc.SCM_RIGHTS) {
                long cmsgLength = Math.min(control.get(ValueLayout.JAVA_LONG, 0), controlLength);
                int carried = (int) Math.max(0, (cmsgLength - MessageHeader.CMSG_HEADER) / 4);
                for (int i = 0; i < carried; i++) {
                    int d = control.get(ValueLayout.JAVA_INT, MessageHeader.CMSG_HEADER + 4L * i);
                    if (i < descriptors.length) {
                        descriptors[i] = d;
                    } else {
                        Libc.closeQuietly(d);
                    }
                }
                if (carried > descriptors.length) {
                    for (int i = 0; i < descriptors.length; i++) {
                        Libc.closeQuietly(descriptors[i]);
                    }
                    throw new IOException("a message carried " + carried + " descriptors, more than " + descriptors.length);
                }
                count = carried;
            }
            return ((long) count << 32) | n;
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("recvmsg: " + t, t);
        }
    }

    /** Sends {@code length} bytes of {@code message} from 0, all of them (a reply is short; waits if need be). */
    public void send(ByteBuffer message, int length) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment bytes = call.allocate(length);
            MemorySegment.copy(MemorySegment.ofBuffer(message.duplicate().clear()), 0, bytes, 0, length);
            MemorySegment e = Libc.errnoState(call);
            long sent = 0;
            while (sent < length) {
                MemorySegment h = new MessageHeader(call).set(MemorySegment.NULL, 0, bytes.asSlice(sent), length - sent,
                        MemorySegment.NULL, 0);
                long n = Downcall.call(Libc.SENDMSG.handle(), e, fd, h.address(), Libc.MSG_NOSIGNAL);
                if (n < 0) {
                    if (Libc.errno(e) == Libc.EINTR) {
                        continue;
                    }
                    throw NativeDatagramSocket.failure("sendmsg", Libc.errno(e));
                }
                sent += n;
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("sendmsg: " + t, t);
        }
    }

    /** Ends both directions: a {@link #receive} waiting returns the end of the stream. Any thread. */
    public void shutdown() {
        try (Arena call = Arena.ofConfined()) {
            Downcall.call(Libc.SHUTDOWN.handle(), Libc.errnoState(call), fd, Libc.SHUT_RDWR);
        } catch (Throwable t) {
            // the socket is gone already
        }
    }

    /** Closes a descriptor received with a message (one the caller does not keep). */
    public static void closeDescriptor(int descriptor) {
        if (descriptor >= 0) {
            Libc.closeQuietly(descriptor);
        }
    }

    /** Frees the buffers; after the channel is closed and no thread receives. */
    public void release() {
        arena.close();
    }
}
