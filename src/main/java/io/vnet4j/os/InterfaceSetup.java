package io.vnet4j.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Brings an interface up with an IPv4 address, netmask, MTU and a default route, as
 * {@code slirp4netns --configure} does, with ioctls (SIOCSIFHWADDR, SIOCSIFADDR, SIOCSIFNETMASK, SIOCSIFMTU,
 * SIOCSIFFLAGS, SIOCADDRT) on a datagram socket; also brings {@code lo} up, and has IPv6 come up on the
 * interface within about 0.1 s ({@link #withQuickDuplicateAddressDetection}). Acts in the calling thread's
 * network namespace, so call it inside {@link NetworkNamespace#call} for another namespace.
 */
public final class InterfaceSetup {
    private static final ValueLayout.OfShort FAMILY = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfInt ADDRESS = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int RTF_UP = 0x1;
    private static final int RTF_GATEWAY = 0x2;

    private InterfaceSetup() {}

    /** {@code mac} for {@link #configure}: the interface keeps the address the kernel gave it. */
    public static final long KERNEL_MAC = 0;

    /**
     * Brings {@code lo} and {@code ifname} up with {@code mtu}; address, prefix and gateway are IPv4
     * {@code int}s (first octet high): address 0 sets no IPv4 address, gateway 0 no default route;
     * {@code mac} (48 bits, first octet high) is set before the interface comes up unless it is
     * {@link #KERNEL_MAC} (slirp4netns's {@code --macaddress}).
     */
    public static void configure(String ifname, int address, int prefixLength, int gateway, int mtu, long mac)
            throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(arena);
            int sock = (int) Downcall.call(Libc.SOCKET.handle(), errno, Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            if (sock < 0) {
                throw new IOException("socket: " + Libc.strerror(Libc.errno(errno)));
            }
            try {
                setUp(arena, errno, sock, "lo");
                MemorySegment ifreq;
                if (mac != KERNEL_MAC) {
                    ifreq = ifreq(arena, ifname);
                    ifreq.set(FAMILY, LinuxCalls.IFNAMSIZ, LinuxCalls.ARPHRD_ETHER);
                    for (int i = 0; i < 6; i++) {
                        ifreq.set(ValueLayout.JAVA_BYTE, LinuxCalls.IFNAMSIZ + 2 + i, (byte) (mac >>> (40 - 8 * i)));
                    }
                    ioctl(errno, sock, LinuxCalls.SIOCSIFHWADDR, ifreq, "set the MAC address of " + ifname);
                }
                if (address != 0) {
                    ifreq = ifreq(arena, ifname);
                    sockaddr(ifreq, LinuxCalls.IFNAMSIZ, address);
                    ioctl(errno, sock, LinuxCalls.SIOCSIFADDR, ifreq, "set the address of " + ifname);
                    ifreq = ifreq(arena, ifname);
                    sockaddr(ifreq, LinuxCalls.IFNAMSIZ, prefixLength == 0 ? 0 : -1 << (32 - prefixLength));
                    ioctl(errno, sock, LinuxCalls.SIOCSIFNETMASK, ifreq, "set the netmask of " + ifname);
                }
                ifreq = ifreq(arena, ifname);
                ifreq.set(ValueLayout.JAVA_INT, LinuxCalls.IFNAMSIZ, mtu);
                ioctl(errno, sock, LinuxCalls.SIOCSIFMTU, ifreq, "set the MTU of " + ifname);
                withQuickDuplicateAddressDetection(ifname);
                setUp(arena, errno, sock, ifname);
                if (address != 0 && gateway != 0) {
                    MemorySegment route = arena.allocate(LinuxCalls.RTENTRY_SIZE, 8);
                    sockaddr(route, 8, 0);
                    sockaddr(route, 24, gateway);
                    sockaddr(route, 40, 0);
                    route.set(ValueLayout.JAVA_SHORT, 56, (short) (RTF_UP | RTF_GATEWAY));
                    route.set(ValueLayout.ADDRESS, 88, arena.allocateFrom(ifname, StandardCharsets.US_ASCII));
                    // EEXIST: this very route is there already (fib_table_insert refuses only a perfect match when
                    // neither NLM_F_EXCL nor NLM_F_REPLACE is asked, as SIOCADDRT asks): a persistent TAP's namespace
                    // keeps it from the last run, and a second start stopped on it
                    ioctl(errno, sock, LinuxCalls.SIOCADDRT, route, "add the default route via " + ifname, Libc.EEXIST);
                }
            } finally {
                Downcall.call(Libc.CLOSE.handle(), errno, sock);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("configure " + ifname + ": " + t, t);
        }
    }

    /**
     * Makes IPv6 come up within about 0.1 s on {@code ifname}, in the calling thread's network namespace, before the
     * interface comes up: {@code net.ipv6.conf.IFNAME.router_solicitation_delay=0} (the kernel waits a random
     * 0 to 1 s before each duplicate address detection otherwise) and
     * {@code net.ipv6.neigh.IFNAME.retrans_time_ms=50} (DAD waits that long for a duplicate's answer; 1000 by
     * default; neighbour unreachability detection waits three of them, 150 ms, for the gateway's answer before
     * it gives up, which leaves room for a pause of the gateway's loop). DAD on the link-local address, the
     * router solicitation, and DAD on the SLAAC address from the gateway's answer took 1.4 to 3 s, and a
     * container's process, started at the ready signal, found no IPv6 address or route yet (podman#11062);
     * now they take about 0.1 s (helper-111 measured the route 11-43 ms and the address 63-147 ms after ready).
     * DAD itself stays: its neighbour solicitation is how the gateway learns a
     * guest's SLAAC address before the guest has spoken (a host forward to it), and the only other stations on
     * the link, the gateway and TAPs with random MACs, answer within microseconds. The gateway's router
     * advertisements leave Retrans Timer unspecified, so they keep this value. Best effort: nothing happens
     * without IPv6 in the namespace, or where the settings cannot be written.
     */
    static void withQuickDuplicateAddressDetection(String ifname) {
        try {
            Files.writeString(Path.of("/proc/sys/net/ipv6/conf", ifname, "router_solicitation_delay"), "0");
            Files.writeString(Path.of("/proc/sys/net/ipv6/neigh", ifname, "retrans_time_ms"), "50");
        } catch (IOException | RuntimeException e) {
            // no IPv6 here (the directory is absent), or a read-only /proc/sys: the kernel's delays stay
        }
    }

    /** Sets only the MTU of {@code ifname}. */
    public static void mtu(String ifname, int mtu) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(arena);
            int sock = (int) Downcall.call(Libc.SOCKET.handle(), errno, Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            if (sock < 0) {
                throw new IOException("socket: " + Libc.strerror(Libc.errno(errno)));
            }
            try {
                MemorySegment ifreq = ifreq(arena, ifname);
                ifreq.set(ValueLayout.JAVA_INT, LinuxCalls.IFNAMSIZ, mtu);
                ioctl(errno, sock, LinuxCalls.SIOCSIFMTU, ifreq, "set the MTU of " + ifname);
            } finally {
                Downcall.call(Libc.CLOSE.handle(), errno, sock);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("mtu " + ifname + ": " + t, t);
        }
    }

    private static void setUp(Arena arena, MemorySegment errno, int sock, String ifname) throws Throwable {
        MemorySegment ifreq = ifreq(arena, ifname);
        ioctl(errno, sock, LinuxCalls.SIOCGIFFLAGS, ifreq, "read the flags of " + ifname);
        short flags = ifreq.get(ValueLayout.JAVA_SHORT, LinuxCalls.IFNAMSIZ);
        ifreq.set(ValueLayout.JAVA_SHORT, LinuxCalls.IFNAMSIZ, (short) (flags | LinuxCalls.IFF_UP));
        ioctl(errno, sock, LinuxCalls.SIOCSIFFLAGS, ifreq, "bring " + ifname + " up");
    }

    private static MemorySegment ifreq(Arena arena, String ifname) {
        MemorySegment ifreq = arena.allocate(LinuxCalls.IFREQ_SIZE, 8);
        ifreq.setString(0, ifname, StandardCharsets.US_ASCII);
        return ifreq;
    }

    private static void sockaddr(MemorySegment target, long at, int address) {
        target.set(FAMILY, at, (short) Libc.AF_INET);
        target.set(ADDRESS, at + 4, address);
    }

    private static void ioctl(MemorySegment errno, int sock, int request, MemorySegment arg, String what) throws Throwable {
        ioctl(errno, sock, request, arg, what, 0);
    }

    /** As {@link #ioctl(MemorySegment, int, int, MemorySegment, String)}, taking a failure with {@code done} as done. */
    private static void ioctl(MemorySegment errno, int sock, int request, MemorySegment arg, String what, int done)
            throws Throwable {
        int rc = (int) Downcall.callVariadic(LinuxCalls.IOCTL.handle(), errno, sock, request, arg.address());
        if (rc != 0 && Libc.errno(errno) != done) {
            throw new IOException("cannot " + what + ": " + Libc.strerror(Libc.errno(errno)));
        }
    }
}
