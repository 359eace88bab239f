package io.vnet4j.os;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

/** The libc calls for TAP devices and network namespaces: open, ioctl, read, write, poll, eventfd, setns. */
final class LinuxCalls {
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 0x80000;
    static final int CLONE_NEWNET = 0x40000000;
    static final int CLONE_NEWUSER = 0x10000000;
    /** linux/nsfs.h: _IO(0xb7, 0x3), a namespace file's type as its CLONE_NEW* flag (Linux 4.11). */
    static final int NS_GET_NSTYPE = 0xb703;
    static final short POLLIN = 1;
    /** eventfd(2) flags. */
    static final int EFD_NONBLOCK = 0x800;
    static final int EFD_CLOEXEC = 0x80000;

    static final int TUNSETIFF = 0x400454ca;
    static final int TUNSETOFFLOAD = 0x400454d0;
    static final int TUNSETVNETHDRSZ = 0x400454d8;
    /** _IOW('T', 226, int): linux/if_tun.h. */
    static final int TUNSETCARRIER = 0x400454e2;
    static final int IFF_TAP = 0x0002;
    static final int IFF_NO_PI = 0x1000;
    static final int IFF_VNET_HDR = 0x4000;
    static final int IFF_MULTI_QUEUE = 0x0100;
    static final long TUN_F_CSUM = 0x01;
    static final long TUN_F_TSO4 = 0x02;
    static final long TUN_F_TSO6 = 0x04;

    static final int SIOCGIFFLAGS = 0x8913;
    static final int SIOCSIFFLAGS = 0x8914;
    static final int SIOCSIFADDR = 0x8916;
    static final int SIOCSIFNETMASK = 0x891c;
    static final int SIOCSIFMTU = 0x8922;
    static final int SIOCSIFHWADDR = 0x8924;
    /** linux/if_arp.h: the hardware type of an Ethernet address in SIOCSIFHWADDR's sockaddr. */
    static final short ARPHRD_ETHER = 1;
    static final int SIOCADDRT = 0x890B;
    static final short IFF_UP = 0x1;

    static final int IFREQ_SIZE = 40;
    static final int IFNAMSIZ = 16;
    static final int RTENTRY_SIZE = 120;

    static final Downcall OPEN = Downcall.variadic("open");

    /** open(2) of {@code path} with {@code flags} (no O_CREAT: no mode): the descriptor, or -1 with errno in {@code errno}. */
    static int open(Path path, int flags, Arena call, MemorySegment errno) throws Throwable {
        return (int) Downcall.callVariadic(OPEN.handle(), errno, call.allocateFrom(path.toString()).address(), flags, 0);
    }
    /**
     * ioctl(2); an argument that is a plain value (TUNSETOFFLOAD's flags) is passed as it is: glibc reads
     * the third argument as a {@code void *}, which is a 64-bit word like any other argument here.
     */
    static final Downcall IOCTL = Downcall.variadic("ioctl");
    static final Downcall READ = Downcall.captured("read");
    /** poll without errno: its one caller (a TAP's wait for a frame) takes a failure for a time-out, as for EINTR. */
    static final Downcall POLL = Downcall.uncaptured("poll");
    /** read and write without errno captured, for the calls every frame makes ({@link LastErrno}). */
    static final Downcall READ_UNCAPTURED = Downcall.uncaptured("read");
    static final Downcall WRITE_UNCAPTURED = Downcall.uncaptured("write");
    static final Downcall EVENTFD = Downcall.captured("eventfd");
    static final Downcall SETNS = Downcall.captured("setns");
    static final Downcall FCNTL = Downcall.variadic("fcntl");
    static final Downcall SOCKETPAIR = Downcall.captured("socketpair");
    static final int SOCK_NONBLOCK = 0x800;

    /**
     * The address of the 8-byte counter value 1 written to an eventfd to wake its reader, in memory that is
     * never freed: a wake-up from another thread that races its object's close then writes nothing freed.
     */
    static final long EVENTFD_ONE = Arena.global().allocateFrom(ValueLayout.JAVA_LONG, 1L).address();

    private LinuxCalls() {}
}
