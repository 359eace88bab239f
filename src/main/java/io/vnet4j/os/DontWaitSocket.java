package io.vnet4j.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Sends and receives on a JDK stream socket (TCP or unix) without ever blocking, whatever the channel's mode:
 * send(2) with MSG_DONTWAIT (and MSG_NOSIGNAL) from a native buffer, recv(2) with MSG_DONTWAIT into one, on
 * a duplicate of the channel's descriptor. A port whose writer thread writes through the blocking channel
 * can so write a frame at once on the hub's thread when the socket has room, and leave the rest to its
 * writer when it has not; and another thread's loop can read the socket when epoll says it is readable
 * ({@link #descriptor}), while the channel stays blocking for the writer (socket(7), send(2), recv(2)).
 *
 * <p>The duplicate keeps the socket open until {@link #close}: a descriptor number the JDK closed and the
 * kernel gave to another file is never written to or read from; the peer, too, sees the connection end only
 * once both are closed. An epoll that watches {@link #descriptor} must stop before {@link #close} (epoll
 * forgets a descriptor only when its file closes, and the channel's own descriptor keeps it open). Needs the
 * channel's descriptor ({@link ChannelDescriptors}); {@link #of} is null without it, or when the channel
 * closed meanwhile. One thread at a time may send, and one at a time may receive.</p>
 */
public final class DontWaitSocket implements AutoCloseable {
    private static final int F_DUPFD_CLOEXEC = 1030;
    private final Arena arena = Arena.ofShared();
    private final int fd;
    private final long dataAddress;
    private final ByteBuffer buffer;
    /** errno of a send repeated with the capture, to confirm an unexpected one (LastErrno). */
    private final MemorySegment errno = Libc.errnoState(arena);

    private final long receivedAddress;
    private final ByteBuffer received;

    private DontWaitSocket(int fd, int sendCapacity, int receiveCapacity) {
        this.fd = fd;
        MemorySegment data = arena.allocate(sendCapacity, 16);
        this.dataAddress = data.address();
        this.buffer = data.asByteBuffer();
        MemorySegment receivedData = arena.allocate(Math.max(1, receiveCapacity), 16);
        this.receivedAddress = receivedData.address();
        this.received = receivedData.asByteBuffer().limit(receiveCapacity);
    }

    /**
     * A socket on a duplicate of {@code channel}'s descriptor with buffers of {@code sendCapacity} and
     * {@code receiveCapacity} bytes (0: this one only sends); null
     * when the descriptor cannot be had, or the channel was closed (its number may be another file's by then).
     */
    public static DontWaitSocket of(SocketChannel channel, int sendCapacity, int receiveCapacity) {
        int original = ChannelDescriptors.of(channel);
        if (original < 0) {
            return null;
        }
        int fd;
        try (Arena call = Arena.ofConfined()) {
            fd = (int) Downcall.callVariadic(LinuxCalls.FCNTL.handle(), Libc.errnoState(call), original, F_DUPFD_CLOEXEC, 0);
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
            return new DontWaitSocket(fd, sendCapacity, receiveCapacity);
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
            long n = Downcall.call(NativeDatagramSocket.FrameCalls.SENDTO, fd, dataAddress, length,
                    Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL);
            if (n >= 0) {
                return (int) n;
            }
            int e = LastErrno.read();
            if (e != Libc.EAGAIN && e != Libc.EINTR) { // confirmed by sending again with the capture (LastErrno)
                n = Downcall.call(Libc.SENDTO.handle(), errno, fd, dataAddress, length,
                        Libc.MSG_DONTWAIT | Libc.MSG_NOSIGNAL);
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

    /** The duplicate descriptor, for an epoll to watch (readable: {@link #receive} has bytes or the end). */
    public int descriptor() {
        return fd;
    }

    /**
     * The native buffer {@link #receive} fills, from its position up to its limit. Its owner keeps what it has
     * not consumed at the front (compact) and may also hand it to the blocking channel's read.
     */
    public ByteBuffer receiveBuffer() {
        return received;
    }

    /**
     * Receives what the socket holds now into {@link #receiveBuffer} from its position up to its limit, and
     * moves the position past it; never waits.
     *
     * @return the bytes received; 0 when none are waiting (EAGAIN) or the buffer has no room; -1 at the end
     *     of the stream (the peer closed its side)
     * @throws IOException when the socket failed (ECONNRESET, say), with strerror's text
     */
    public int receive() throws IOException {
        int at = received.position();
        int room = received.limit() - at;
        if (room == 0) {
            return 0;
        }
        long n;
        try {
            n = Downcall.call(NativeDatagramSocket.FrameCalls.RECVFROM, fd, receivedAddress + at, room,
                    Libc.MSG_DONTWAIT);
            if (n < 0) {
                int e = LastErrno.read();
                if (e == Libc.EAGAIN || e == Libc.EINTR) {
                    return 0;
                }
                // confirmed by receiving again with the capture (LastErrno): a receive that failed took nothing
                n = Downcall.call(Libc.RECVFROM.handle(), errno, fd, receivedAddress + at, room, Libc.MSG_DONTWAIT);
                if (n < 0) {
                    e = Libc.errno(errno);
                    if (e == Libc.EAGAIN || e == Libc.EINTR) {
                        return 0;
                    }
                    throw new IOException(Libc.strerror(e));
                }
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("recv failed: " + t, t);
        }
        if (n == 0) {
            return -1;
        }
        received.position(at + (int) n);
        return (int) n;
    }

    /** Closes the duplicate descriptor and frees the buffer; no {@link #send} may run or follow. */
    @Override
    public void close() {
        Libc.closeQuietly(fd);
        arena.close();
    }
}
