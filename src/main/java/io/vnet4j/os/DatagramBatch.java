package io.vnet4j.os;

import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;

/**
 * Up to {@link #SLOTS} datagrams of one {@link NativeDatagramSocket} per system call: recvmmsg(2) with
 * MSG_WAITFORONE, which waits for the first datagram and then takes, without waiting, those already queued
 * behind it. A reader that keeps up gets one at a time, as from recvfrom; one that fell behind gets the
 * queue in one call, and a consumer can treat them as one batch (coalesce a TCP flow's segments, as Linux's
 * GRO does per NAPI poll).
 *
 * <p>Each datagram has a slot of {@link NativeDatagramSocket#MAX_DATAGRAM} bytes in memory that becomes
 * resident only where datagrams are written ({@link LazyMemory}: a batch of 1500-byte datagrams makes a page
 * per slot resident, not the slot). Only the socket's one receiving thread may use a batch; like
 * {@link NativeDatagramSocket#receive}, it allocates nothing per call and ends when the socket is closed.
 *
 * <p>Layout (LP64, linux/socket.h): {@code struct mmsghdr} is a {@code struct msghdr} (56 bytes, see
 * {@link MessageHeader}) and {@code unsigned int msg_len}, padded to 64 bytes.
 */
public final class DatagramBatch {
    /** Datagrams per call at most. */
    public static final int SLOTS = 16;
    private static final int MSG_WAITFORONE = 0x10000;
    private static final long MMSGHDR_SIZE = 64;
    private static final long MSG_LEN = 56;
    private static final long IOVEC_SIZE = 16;
    private static final long NAME_STRIDE = (SockaddrCodec.SOCKADDR_MAX + 7) & ~7;

    private final NativeDatagramSocket socket;
    private final MemorySegment headers;
    private final MemorySegment[] names = new MemorySegment[SLOTS];
    private final ByteBuffer data;
    private int count;

    DatagramBatch(NativeDatagramSocket socket) {
        this.socket = socket;
        var arena = socket.arena();
        MemorySegment slots = LazyMemory.map((long) SLOTS * NativeDatagramSocket.MAX_DATAGRAM, arena);
        headers = arena.allocate(MMSGHDR_SIZE * SLOTS, 8);
        MemorySegment iovecs = arena.allocate(IOVEC_SIZE * SLOTS, 8);
        MemorySegment nameMemory = arena.allocate(NAME_STRIDE * SLOTS, 8);
        for (int i = 0; i < SLOTS; i++) {
            MemorySegment iov = iovecs.asSlice(i * IOVEC_SIZE, IOVEC_SIZE);
            iov.set(ValueLayout.ADDRESS, 0, slots.asSlice((long) i * NativeDatagramSocket.MAX_DATAGRAM));
            iov.set(ValueLayout.JAVA_LONG, 8, NativeDatagramSocket.MAX_DATAGRAM);
            names[i] = nameMemory.asSlice(i * NAME_STRIDE, SockaddrCodec.SOCKADDR_MAX);
            long h = i * MMSGHDR_SIZE;
            headers.set(ValueLayout.ADDRESS, h, names[i]);
            headers.set(ValueLayout.ADDRESS, h + 16, iov);
            headers.set(ValueLayout.JAVA_LONG, h + 24, 1L);
            headers.set(ValueLayout.ADDRESS, h + 32, MemorySegment.NULL);
            headers.set(ValueLayout.JAVA_LONG, h + 40, 0L);
        }
        data = slots.asByteBuffer();
    }

    /**
     * Receives one datagram or more (at most {@link #SLOTS}), waiting for the first.
     *
     * @return how many; 0 when a signal interrupted the wait or none came after all (EINTR, EAGAIN: try
     *     again); -1 when the socket is closed; or {@link NativeDatagramSocket#ERROR_QUEUED} (only after
     *     {@link NativeDatagramSocket#queueErrors})
     * @throws IOException on a socket error other than an interruption
     */
    public int receive() throws IOException {
        for (int i = 0; i < SLOTS; i++) {
            long h = i * MMSGHDR_SIZE;
            headers.set(ValueLayout.JAVA_INT, h + 8, SockaddrCodec.SOCKADDR_MAX);
            headers.set(ValueLayout.JAVA_INT, h + 48, 0);
        }
        int rc;
        try {
            rc = (int) Downcall.call(Calls.RECVMMSG, socket.fd(), headers.address(), SLOTS, MSG_WAITFORONE, 0);
        } catch (Throwable t) {
            throw new IOException("recvmmsg: " + t, t);
        }
        if (rc >= 0) {
            count = socket.isClosed() ? 0 : rc;
            return socket.isClosed() ? -1 : rc;
        }
        count = 0;
        // as read, like NativeDatagramSocket.receive: a repeat on this blocking socket would wait
        int errno = LastErrno.read();
        if (socket.isClosed()) {
            return -1;
        }
        if (errno == Libc.EAGAIN || errno == Libc.EINTR) {
            return 0;
        }
        if (socket.errorsQueued()) {
            return NativeDatagramSocket.ERROR_QUEUED;
        }
        throw NativeDatagramSocket.failure("recvmmsg", errno);
    }

    /** The datagrams of the last {@link #receive}. */
    public int count() {
        return count;
    }

    /** Every slot's bytes, as one direct buffer: datagram {@code i} is at {@link #offset}(i). */
    public ByteBuffer buffer() {
        return data;
    }

    /** Where datagram {@code i} of the last receive starts in {@link #buffer()}. */
    public int offset(int i) {
        return i * NativeDatagramSocket.MAX_DATAGRAM;
    }

    /** The length of datagram {@code i} of the last receive (cut to {@link NativeDatagramSocket#MAX_DATAGRAM}). */
    public int length(int i) {
        return Math.min(headers.get(ValueLayout.JAVA_INT, i * MMSGHDR_SIZE + MSG_LEN), NativeDatagramSocket.MAX_DATAGRAM);
    }

    /** Whether datagram {@code i} came from {@code address} (either family); allocates nothing. */
    public boolean sourceIs(int i, IpAddress address) {
        return SockaddrCodec.holds(names[i], address);
    }

    /** The source address of datagram {@code i} (an IPv6 scope dropped); null for a unix socket. */
    public IpAddress source(int i) {
        return SockaddrCodec.ipAddress(names[i]);
    }

    /** The source port of datagram {@code i}, or -1 for a unix socket. */
    public int sourcePort(int i) {
        return SockaddrCodec.family(names[i]) == Libc.AF_UNIX ? -1 : SockaddrCodec.inetPort(names[i]);
    }

    /** recvmmsg as a constant the JIT inlines, without errno captured (see LastErrno). */
    private static final class Calls {
        static final MethodHandle RECVMMSG = Downcall.uncaptured("recvmmsg").handle();

        static {
            LastErrno.bind();
        }
    }
}
