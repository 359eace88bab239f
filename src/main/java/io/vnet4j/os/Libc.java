package io.vnet4j.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

/**
 * The libc functions vnet4j calls, each bound through java.lang.foreign on its first call ({@link Downcall})
 * and returning errno through a captured call state. This package is the only place in vnet4j with native calls.
 */
final class Libc {
    static final int AF_UNIX = 1;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_REUSEADDR = 2;
    static final int SO_SNDBUF = 7;
    static final int SO_RCVBUF = 8;
    static final int SO_RCVTIMEO = 20;
    static final int IPPROTO_IP = 0;
    static final int IPPROTO_ICMP = 1;
    static final int IPPROTO_ICMPV6 = 58;
    static final int IPPROTO_IPV6 = 41;
    /** ip(7), ipv6(7): queue the errors a socket's datagrams meet (ICMP and local), read with MSG_ERRQUEUE. */
    static final int IP_RECVERR = 11;
    static final int IPV6_RECVERR = 25;
    static final int MSG_DONTWAIT = 0x40;
    static final int MSG_ERRQUEUE = 0x2000;
    static final int MSG_CMSG_CLOEXEC = 0x40000000;
    static final int MSG_NOSIGNAL = 0x4000;
    /** unix(7): a control message carrying descriptors. */
    static final int SCM_RIGHTS = 1;
    /** {@code setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, struct icmp6_filter *)}: which types a raw socket gets. */
    static final int ICMP6_FILTER = 1;
    static final int IP_MULTICAST_IF = 32;
    static final int IP_MULTICAST_TTL = 33;
    static final int IP_MULTICAST_LOOP = 34;
    static final int IP_ADD_MEMBERSHIP = 35;
    /** ipv6(7): an AF_INET6 socket of IPv6 only (so an AF_INET socket may share its port), and multicast. */
    static final int IPV6_V6ONLY = 26;
    static final int IPV6_MULTICAST_IF = 17;
    static final int IPV6_MULTICAST_HOPS = 18;
    static final int IPV6_MULTICAST_LOOP = 19;
    static final int IPV6_ADD_MEMBERSHIP = 20;
    /** udp(7): the level of UDP's options, and UDP_SEGMENT (linux/udp.h): send one buffer as datagrams of that size (UDP GSO, Linux 4.18). */
    static final int SOL_UDP = 17;
    static final int UDP_SEGMENT = 103;
    static final int SHUT_RDWR = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout ADDR = ValueLayout.ADDRESS;

    static final Downcall SOCKET = bind("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    static final Downcall BIND = bind("bind", FunctionDescriptor.of(INT, INT, ADDR, INT));
    static final Downcall CONNECT = bind("connect", FunctionDescriptor.of(INT, INT, ADDR, INT));
    static final Downcall SETSOCKOPT = bind("setsockopt", FunctionDescriptor.of(INT, INT, INT, INT, ADDR, INT));
    static final Downcall GETSOCKNAME = bind("getsockname", FunctionDescriptor.of(INT, INT, ADDR, ADDR));
    static final Downcall SENDTO = bind("sendto", FunctionDescriptor.of(LONG, INT, ADDR, LONG, INT, ADDR, INT));
    static final Downcall RECVFROM = bind("recvfrom", FunctionDescriptor.of(LONG, INT, ADDR, LONG, INT, ADDR, ADDR));
    /** sendto and recvfrom without errno captured, for the calls every datagram makes ({@link LastErrno}). */
    static final Downcall SENDTO_UNCAPTURED = Downcall.uncaptured("sendto", FunctionDescriptor.of(LONG, INT, ADDR, LONG, INT, ADDR, INT));
    static final Downcall RECVFROM_UNCAPTURED = Downcall.uncaptured("recvfrom", FunctionDescriptor.of(LONG, INT, ADDR, LONG, INT, ADDR, ADDR));
    static final Downcall RECVMSG = bind("recvmsg", FunctionDescriptor.of(LONG, INT, ADDR, INT));
    static final Downcall SENDMSG = bind("sendmsg", FunctionDescriptor.of(LONG, INT, ADDR, INT));
    static final Downcall SHUTDOWN = bind("shutdown", FunctionDescriptor.of(INT, INT, INT));
    static final Downcall CLOSE = bind("close", FunctionDescriptor.of(INT, INT));
    private static final Downcall STRERROR = new Downcall("strerror", FunctionDescriptor.of(ADDR, INT));

    private Libc() {}

    private static Downcall bind(String name, FunctionDescriptor descriptor) {
        return new Downcall(name, descriptor, Linker.Option.captureCallState("errno"));
    }

    /** A segment to pass as the first argument of every call above, to receive errno. */
    static MemorySegment errnoState(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    /** Closes a descriptor, ignoring errors (it is gone either way, close(2)). */
    static void closeQuietly(int fd) {
        try (Arena call = Arena.ofConfined()) {
            int ignored = (int) CLOSE.handle().invokeExact(errnoState(call), fd);
        } catch (Throwable t) {
            // nothing more to do
        }
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static String strerror(int errno) {
        try {
            MemorySegment message = (MemorySegment) STRERROR.handle().invokeExact(errno);
            return message.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
