package io.vnet4j.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code struct msghdr} with its one {@code struct iovec}, as sendmsg(2) and recvmsg(2) take them on LP64
 * (x86-64, arm64): name, namelen, iov, iovlen, control, controllen, flags; and the {@code struct cmsghdr}
 * in front of each control message (cmsg_len, cmsg_level, cmsg_type, then the data).
 */
final class MessageHeader {
    /** The bytes of a cmsghdr before its data (CMSG_DATA's offset). */
    static final int CMSG_HEADER = 16;

    private static final long SIZE = 56;
    private static final long IOVEC_SIZE = 16;
    private static final long CONTROL_LENGTH = 40;

    private final MemorySegment header;
    private final MemorySegment iov;

    MessageHeader(Arena arena) {
        header = arena.allocate(SIZE, 8);
        iov = arena.allocate(IOVEC_SIZE, 8);
    }

    /**
     * Points the header at {@code name} (NULL with length 0: none), one data buffer and {@code control}
     * (NULL with length 0: none), flags cleared; returns the header to pass.
     */
    MemorySegment set(MemorySegment name, int nameLength, MemorySegment data, long dataLength, MemorySegment control,
                      long controlLength) {
        iov.set(ValueLayout.ADDRESS, 0, data);
        iov.set(ValueLayout.JAVA_LONG, 8, dataLength);
        header.set(ValueLayout.ADDRESS, 0, name);
        header.set(ValueLayout.JAVA_INT, 8, nameLength);
        header.set(ValueLayout.ADDRESS, 16, iov);
        header.set(ValueLayout.JAVA_LONG, 24, 1L);
        header.set(ValueLayout.ADDRESS, 32, control);
        header.set(ValueLayout.JAVA_LONG, CONTROL_LENGTH, controlLength);
        header.set(ValueLayout.JAVA_INT, 48, 0);
        return header;
    }

    /**
     * recvmsg(2) of the header as last {@link #set}, with {@code flags} (MSG_DONTWAIT among them).
     *
     * @return the bytes received, or -1 when nothing waits (EAGAIN, EINTR)
     * @throws IOException naming {@code what} when it fails otherwise
     */
    long receive(int fd, MemorySegment errnoState, int flags, String what) throws IOException {
        long rc;
        try {
            rc = Downcall.call(Libc.RECVMSG.handle(), errnoState, fd, header.address(), flags);
        } catch (Throwable t) {
            throw new IOException(what + ": " + t, t);
        }
        if (rc < 0) {
            int e = Libc.errno(errnoState);
            if (e == Libc.EAGAIN || e == Libc.EINTR) {
                return -1;
            }
            throw NativeDatagramSocket.failure(what, e);
        }
        return rc;
    }

    /**
     * sendmsg(2) of the header as last {@link #set}, with {@code flags}.
     *
     * @throws IOException naming {@code what} when it fails
     */
    void send(int fd, MemorySegment errnoState, int flags, String what) throws IOException {
        long rc;
        try {
            rc = Downcall.call(Libc.SENDMSG.handle(), errnoState, fd, header.address(), flags);
        } catch (Throwable t) {
            throw new IOException(what + ": " + t, t);
        }
        if (rc < 0) {
            throw NativeDatagramSocket.failure(what, Libc.errno(errnoState));
        }
    }

    /**
     * The offset of the first whole control message in {@code control[0, length)} (CMSG_FIRSTHDR), -1 when
     * there is none; {@link #nextControl} walks on.
     */
    static long firstControl(MemorySegment control, long length) {
        return wholeAt(control, 0, length);
    }

    /**
     * The offset of the whole control message after the one at {@code at} (CMSG_NXTHDR: its length rounded
     * up to 8), -1 when there is none, or when the next header lies about its length (too short, or past
     * {@code length}): the walk stops there.
     */
    static long nextControl(MemorySegment control, long at, long length) {
        return wholeAt(control, at + space(control.get(ValueLayout.JAVA_LONG, at) - CMSG_HEADER), length);
    }

    private static long wholeAt(MemorySegment control, long at, long length) {
        if (at + CMSG_HEADER > length) {
            return -1;
        }
        long cmsgLength = control.get(ValueLayout.JAVA_LONG, at);
        return cmsgLength < CMSG_HEADER || at + cmsgLength > length ? -1 : at;
    }

    /** cmsg_level of the control message at {@code at}. */
    static int controlLevel(MemorySegment control, long at) {
        return control.get(ValueLayout.JAVA_INT, at + 8);
    }

    /** cmsg_type of the control message at {@code at}. */
    static int controlType(MemorySegment control, long at) {
        return control.get(ValueLayout.JAVA_INT, at + 12);
    }

    /** The data bytes of the control message at {@code at} (cmsg_len less the header); its data starts at {@code at + CMSG_HEADER}. */
    static long controlDataLength(MemorySegment control, long at) {
        return control.get(ValueLayout.JAVA_LONG, at) - CMSG_HEADER;
    }

    /**
     * Writes the header of a control message of {@code dataLength} bytes at 0 of {@code control} (CMSG_LEN);
     * returns the bytes it takes with its padding (CMSG_SPACE), for controllen.
     */
    static long putControlHeader(MemorySegment control, int level, int type, long dataLength) {
        control.set(ValueLayout.JAVA_LONG, 0, CMSG_HEADER + dataLength);
        control.set(ValueLayout.JAVA_INT, 8, level);
        control.set(ValueLayout.JAVA_INT, 12, type);
        return space(dataLength);
    }

    /** CMSG_SPACE: a control message of {@code dataLength} data bytes with its header, rounded up to 8. */
    private static long space(long dataLength) {
        return (CMSG_HEADER + dataLength + 7) & ~7L;
    }

    /** The control bytes recvmsg filled (controllen as it left it). */
    long controlLength() {
        return header.get(ValueLayout.JAVA_LONG, CONTROL_LENGTH);
    }
}
