package io.vnet4j.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Sends on a JDK stream socket (TCP or unix) without ever blocking, whatever the channel's mode: send(2) with
 * MSG_DONTWAIT (and MSG_NOSIGNAL) from a native buffer, on a duplicate of the channel's descriptor. A port
 * whose reader blocks in the channel's read can so write a frame at once on the hub's thread when the
 * socket has room, and leave the rest to its writer thread when it has not (socket(7), send(2)).
 *
 * <p>The duplicate keeps the socket open until {@link #close}: a descriptor number the JDK closed and the
 * kernel gave to another file is never written to; the peer, too, sees the connection end only once both
 * are closed. Needs the channel's descriptor ({@link ChannelDescriptors}); {@link #of} is null without it,
 * or when the channel closed meanwhile. One thread at a time may send.</p>
 */
public final class DontWaitSender implements AutoCloseable {
    private static final int F_DUPFD_CLOEXEC = 1030;

    private final Arena arena = Arena.ofShared();
    private final int fd;
    private final MemorySegment data;
    private final ByteBuffer buffer;
    /** errno of a send repeated with the capture, to confirm an unexpected one (LastErrno). */
    private final MemorySegment errno = Libc.errnoState(arena);

    private DontWaitSender(int fd, int capacity) {
        this.fd = fd;
        this.data = arena.allocate(capacity, 16);
        this.buffer = data.asByteBuffer();
    }

    /**
     * A sender on a duplicate of {@code channel}'s descriptor with a buffer of {@code capacity} bytes; null
     * when the descriptor cannot be had, or the channel was closed (its number may be another file's by then).
     */
    public static DontWaitSender of(SocketChannel channel, int capacity) {
        int original = ChannelDescriptors.of(channel);
        if (original < 0) {
            return null;
        }
        int fd;
        try (Arena call = Arena.ofConfined()) {
            fd = (int) LinuxCalls.FCNTL_INT.handle().invokeExact(Libc.errnoState(call), original, F_DUPFD_CLOEXEC, 0);
        } catch (Throwable t) {
            return null;
        }
        if (fd < 0) {
            return null;
        }
        // the JDK marks a channel closed before it closes the descriptor: open now means we copied the right one
        if (!channel.isOpen()) {
            Libc.closeQuietly(fd);
            return null;
        }
        try {
            return new DontWaitSender(fd, capacity);
        } catch (RuntimeException | Error e) {
            Libc.closeQuietly(fd);
            throw e;
        }
    }

    /** The native buffer {@link #send} sends from; fill it from index 0 (absolute puts). */
    public ByteBuffer buffer() {
        return buffer;
    }

    /**
     * Sends the first {@code length} bytes of the buffer as far as the socket takes them now.
     *
     * @return the bytes sent (0 when the socket is full: EAGAIN), or -1 on another error (the peer gone)
     */
    public int send(int length) {
        try {
            long n = (long) NativeDatagramSocket.FrameCalls.SENDTO.invokeExact(fd, data, (long) length,
                    Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL, MemorySegment.NULL, 0);
            if (n >= 0) {
                return (int) n;
            }
            int e = LastErrno.read();
            if (e != Libc.EAGAIN && e != Libc.EINTR) { // confirmed by sending again with the capture (LastErrno)
                n = (long) Libc.SENDTO.handle().invokeExact(errno, fd, data, (long) length,
                        Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL, MemorySegment.NULL, 0);
                if (n >= 0) {
                    return (int) n;
                }
                e = Libc.errno(errno);
            }
            return e == Libc.EAGAIN || e == Libc.EINTR ? 0 : -1;
        } catch (Throwable t) {
            return -1;
        }
    }

    /** Closes the duplicate descriptor and frees the buffer; no {@link #send} may run or follow. */
    @Override
    public void close() {
        Libc.closeQuietly(fd);
        arena.close();
    }
}
