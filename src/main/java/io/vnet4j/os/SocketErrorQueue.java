package io.vnet4j.os;

import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * A socket's error queue, ip(7) {@code IP_RECVERR} and ipv6(7) {@code IPV6_RECVERR}. Once {@link #enable}d,
 * each ICMP error a datagram sent on the socket meets (and each local error, such as EMSGSIZE past the path
 * MTU) is queued with the datagram's original destination (msg_name), a {@code struct sock_extended_err}
 * (errno, origin, ICMP type and code, ee_info: the MTU of Fragmentation Needed and Packet Too Big), the
 * offender (SO_EE_OFFENDER: the router or host that sent the ICMP) and the start of the datagram's payload
 * (a UDP socket's data, a ping socket's whole ICMP message). The socket then polls readable with POLLERR and
 * its next ordinary receive fails once with that errno, until {@link #read} has drained the queue.
 *
 * <p>One instance reads any number of sockets, on one thread at a time, into native memory of its own: a
 * read allocates nothing but the two addresses it returns.
 */
public final class SocketErrorQueue implements AutoCloseable {
    /** ee_origin (linux/errqueue.h): the error arose on this host, not from an ICMP message. */
    public static final int ORIGIN_LOCAL = 1;
    public static final int ORIGIN_ICMP = 2;
    public static final int ORIGIN_ICMP6 = 3;
    /** At most this many bytes of a queued datagram's payload are read; enough for any ICMP quote. */
    public static final int PAYLOAD_MAX = 1280;

    private static final int CONTROL_MAX = 256;
    private static final int CMSG_HEADER = MessageHeader.CMSG_HEADER;
    private static final int EXTENDED_ERR = 16;
    /** SOL_SOCKET's SO_ERROR (asm-generic/socket.h). */
    private static final int SO_ERROR = 4;

    private final Arena arena = Arena.ofShared();
    private final MessageHeader message = new MessageHeader(arena);
    private final MemorySegment name = arena.allocate(SockaddrCodec.SOCKADDR_MAX, 8);
    private final MemorySegment control = arena.allocate(CONTROL_MAX, 8);
    private final MemorySegment data = arena.allocate(PAYLOAD_MAX, 8);
    private final MemorySegment errnoState = Libc.errnoState(arena);
    private final ByteBuffer payload = data.asByteBuffer();
    private final MemorySegment pendingValue = arena.allocate(ValueLayout.JAVA_INT);
    private final MemorySegment pendingLength = arena.allocate(ValueLayout.JAVA_INT);

    private int errno;
    private int origin;
    private int type;
    private int code;
    private int info;
    private IpAddress offender;
    private IpAddress destination;
    private int destinationPort;

    /**
     * Turns error queueing on for the socket {@code fd} of family AF_INET6 ({@code ipv6}) or AF_INET.
     *
     * @throws IOException when the kernel refuses the option
     */
    public static void enable(int fd, boolean ipv6) throws IOException {
        if (ipv6) {
            NativeDatagramSocket.setIntOption(fd, Libc.IPPROTO_IPV6, Libc.IPV6_RECVERR, 1, "IPV6_RECVERR");
        } else {
            NativeDatagramSocket.setIntOption(fd, Libc.IPPROTO_IP, Libc.IP_RECVERR, 1, "IP_RECVERR");
        }
    }

    /**
     * Takes the oldest error queued on {@code fd} without waiting; its fields are then readable here.
     *
     * @return false when the queue is empty
     * @throws IOException when recvmsg fails otherwise (a closed descriptor, say)
     */
    public boolean read(int fd) throws IOException {
        message.set(name, (int) name.byteSize(), data, PAYLOAD_MAX, control, CONTROL_MAX);
        name.fill((byte) 0);
        long rc = message.receive(fd, errnoState, Libc.MSG_ERRQUEUE | Libc.MSG_DONTWAIT, "recvmsg MSG_ERRQUEUE");
        if (rc < 0) {
            return false;
        }
        payload.clear().limit((int) Math.min(rc, PAYLOAD_MAX));
        destination = SockaddrCodec.ipAddress(name);
        destinationPort = destination == null ? 0 : SockaddrCodec.inetPort(name);
        parseControl(Math.min(message.controlLength(), CONTROL_MAX));
        return true;
    }

    /**
     * Takes the socket's pending error (getsockopt SO_ERROR), leaving its queue as it is. With error queueing on, the
     * kernel sets it at every error it queues, also on an unconnected socket, and the socket's next send fails with it:
     * the datagram is not sent, and the JDK reports a refused one (ECONNREFUSED) on an unconnected channel as sent.
     * A receive takes it too, but a send can come first (a port unreachable from host loopback is queued within
     * the send that drew it). A getsockopt that fails (a closed descriptor, say) is let be: the send that follows
     * meets whatever is wrong with the socket, and says so.
     */
    public void clearPending(int fd) {
        try {
            takePending(fd);
        } catch (IOException e) {
            // left for the send that follows
        }
    }

    /** Takes the socket's pending error: its errno, 0 for none; an IOException when getsockopt fails. */
    private int takePending(int fd) throws IOException {
        pendingLength.set(ValueLayout.JAVA_INT, 0, 4);
        int rc;
        try {
            rc = (int) Downcall.call(Libc.GETSOCKOPT.handle(), errnoState, fd, Libc.SOL_SOCKET, SO_ERROR,
                    pendingValue.address(), pendingLength.address());
        } catch (Throwable t) {
            throw new IOException("getsockopt SO_ERROR: " + t, t);
        }
        if (rc != 0) {
            throw new IOException("getsockopt SO_ERROR: " + Libc.strerror(Libc.errno(errnoState)));
        }
        return pendingValue.get(ValueLayout.JAVA_INT, 0);
    }

    /** Finds the sock_extended_err among the control messages; without one, the origin reads 0 (none). */
    private void parseControl(long length) {
        errno = 0;
        origin = 0;
        type = 0;
        code = 0;
        info = 0;
        offender = null;
        for (long at = MessageHeader.firstControl(control, length); at >= 0;
                at = MessageHeader.nextControl(control, at, length)) {
            int level = MessageHeader.controlLevel(control, at);
            int cmsgType = MessageHeader.controlType(control, at);
            long dataLength = MessageHeader.controlDataLength(control, at);
            boolean recverr = level == Libc.IPPROTO_IP && cmsgType == Libc.IP_RECVERR
                    || level == Libc.IPPROTO_IPV6 && cmsgType == Libc.IPV6_RECVERR;
            if (recverr && dataLength >= EXTENDED_ERR) {
                long ee = at + CMSG_HEADER;
                errno = control.get(ValueLayout.JAVA_INT, ee);
                origin = Byte.toUnsignedInt(control.get(ValueLayout.JAVA_BYTE, ee + 4));
                type = Byte.toUnsignedInt(control.get(ValueLayout.JAVA_BYTE, ee + 5));
                code = Byte.toUnsignedInt(control.get(ValueLayout.JAVA_BYTE, ee + 6));
                info = control.get(ValueLayout.JAVA_INT, ee + 8);
                long offenderAt = ee + EXTENDED_ERR;
                if (dataLength - EXTENDED_ERR >= SockaddrCodec.SOCKADDR_IN_SIZE) {
                    offender = SockaddrCodec.ipAddress(control.asSlice(offenderAt, dataLength - EXTENDED_ERR));
                }
                return;
            }
        }
    }

    /** ee_errno: ECONNREFUSED for a port unreachable, EMSGSIZE for a too-big datagram, and so on (see {@link Errno}). */
    public int errno() {
        return errno;
    }

    /** ee_origin: {@link #ORIGIN_ICMP}, {@link #ORIGIN_ICMP6}, {@link #ORIGIN_LOCAL}, or 0 when the kernel gave none. */
    public int origin() {
        return origin;
    }

    /** ee_type: the ICMP or ICMPv6 type (0 for a local error). */
    public int type() {
        return type;
    }

    /** ee_code: the ICMP or ICMPv6 code. */
    public int code() {
        return code;
    }

    /** ee_info: the MTU for Fragmentation Needed, Packet Too Big and local EMSGSIZE; else the ICMP's pointer or 0. */
    public int info() {
        return info;
    }

    /** Who sent the ICMP message (SO_EE_OFFENDER); null for a local error. */
    public IpAddress offender() {
        return offender;
    }

    /** Where the datagram that met the error was going; null when the kernel did not say. */
    public IpAddress destination() {
        return destination;
    }

    /** The destination's port, host order (0 for ICMP). */
    public int destinationPort() {
        return destinationPort;
    }

    /** The start of the datagram's payload, position 0 to its limit; valid until the next read. */
    public ByteBuffer payload() {
        return payload;
    }

    @Override
    public void close() {
        arena.close();
    }
}
