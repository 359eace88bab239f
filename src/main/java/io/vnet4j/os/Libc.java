package io.vnet4j.os;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * The libc functions vnet4j calls, each bound through java.lang.foreign on its first call ({@link Downcall}),
 * most returning errno through a captured call state ({@link #errnoState}), the per-frame ones without it
 * ({@link LastErrno}). This package is the only place in vnet4j with native calls.
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
    /** ip(7) IP_TTL, ipv6(7) IPV6_UNICAST_HOPS: the hop limit of the unicast datagrams a socket sends. */
    static final int IP_TTL = 2;
    static final int IPV6_UNICAST_HOPS = 16;
    /** ip(7) IP_MTU_DISCOVER and two of its values: DF never set, or set until the path MTU is known (the default). */
    static final int IP_MTU_DISCOVER = 10;
    static final int IP_PMTUDISC_DONT = 0;
    static final int IP_PMTUDISC_WANT = 1;
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
    static final int IP_DROP_MEMBERSHIP = 36;
    /** ipv6(7): an AF_INET6 socket of IPv6 only (so an AF_INET socket may share its port), and multicast. */
    static final int IPV6_V6ONLY = 26;
    static final int IPV6_MULTICAST_IF = 17;
    static final int IPV6_MULTICAST_HOPS = 18;
    static final int IPV6_MULTICAST_LOOP = 19;
    static final int IPV6_ADD_MEMBERSHIP = 20;
    static final int IPV6_DROP_MEMBERSHIP = 21;
    /** udp(7): the level of UDP's options, and UDP_SEGMENT (linux/udp.h): send one buffer as datagrams of that size (UDP GSO, Linux 4.18). */
    static final int SOL_UDP = 17;
    static final int UDP_SEGMENT = 103;
    /** linux/udp.h: accept UDP datagrams over IPv6 whose checksum is zero (RFC 6936, tunnels). */
    static final int UDP_NO_CHECK6_RX = 102;
    static final int SHUT_RDWR = 2;
    static final int EINTR = 4;
    static final int EAGAIN = 11;
    static final int EEXIST = 17;

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    static final Downcall SOCKET = Downcall.captured("socket");
    static final Downcall BIND = Downcall.captured("bind");
    static final Downcall CONNECT = Downcall.captured("connect");
    static final Downcall SETSOCKOPT = Downcall.captured("setsockopt");
    static final Downcall GETSOCKOPT = Downcall.captured("getsockopt");
    static final Downcall GETSOCKNAME = Downcall.captured("getsockname");
    static final Downcall SENDTO = Downcall.captured("sendto");
    static final Downcall RECVFROM = Downcall.captured("recvfrom");
    /** sendto and recvfrom without errno captured, for the calls every datagram makes ({@link LastErrno}). */
    static final Downcall SENDTO_UNCAPTURED = Downcall.uncaptured("sendto");
    static final Downcall RECVFROM_UNCAPTURED = Downcall.uncaptured("recvfrom");
    static final Downcall RECVMSG = Downcall.captured("recvmsg");
    /** recvmsg without errno captured, for a socket whose every datagram comes with a control message. */
    static final Downcall RECVMSG_UNCAPTURED = Downcall.uncaptured("recvmsg");
    static final Downcall SENDMSG = Downcall.captured("sendmsg");
    static final Downcall SHUTDOWN = Downcall.captured("shutdown");
    static final Downcall CLOSE = Downcall.captured("close");
    private static final Downcall STRERROR = Downcall.uncaptured("strerror");

    private Libc() {}

    /** A segment to pass first to every captured call above, to receive errno. */
    static MemorySegment errnoState(Arena arena) {
        return arena.allocate(CAPTURE);
    }

    /** Closes a descriptor, ignoring errors (it is gone either way, close(2)). */
    static void closeQuietly(int fd) {
        try (Arena call = Arena.ofConfined()) {
            Downcall.call(CLOSE.handle(), errnoState(call), fd);
        } catch (Throwable t) {
            // nothing more to do
        }
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static String strerror(int errno) {
        try {
            return MemorySegment.ofAddress(Downcall.call(STRERROR.handle(), errno)).reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
