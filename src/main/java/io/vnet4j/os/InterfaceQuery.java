package io.vnet4j.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * An interface's index and MTU by its name, with the ioctls SIOCGIFINDEX and SIOCGIFMTU (netdevice(7)) on a
 * datagram socket, in the calling thread's network namespace. Unlike {@link java.net.NetworkInterface}, which
 * enumerates interfaces through their addresses, these find an interface that has none (a VXLAN underlay
 * without an address, a veth whose peer is down and has no IPv6 link-local address yet).
 */
public final class InterfaceQuery {
    private static final int SIOCGIFMTU = 0x8921;
    private static final int SIOCGIFINDEX = 0x8933;
    private static final int ENODEV = 19;

    private InterfaceQuery() {}

    /**
     * The index of the interface named {@code ifname}, 0 when there is none.
     *
     * @throws IOException when the kernel refuses for another reason (no socket: out of descriptors)
     */
    public static int index(String ifname) throws IOException {
        return read(ifname, SIOCGIFINDEX, "index");
    }

    /**
     * The MTU of the interface named {@code ifname} (bytes of an IP packet), 0 when there is no such interface.
     *
     * @throws IOException when the kernel refuses for another reason
     */
    public static int mtu(String ifname) throws IOException {
        return read(ifname, SIOCGIFMTU, "MTU");
    }

    /** The int an ioctl {@code request} leaves after the name in a {@code struct ifreq}; 0 for ENODEV. */
    private static int read(String ifname, int request, String what) throws IOException {
        byte[] name = ifname.getBytes(StandardCharsets.UTF_8);
        if (name.length >= LinuxCalls.IFNAMSIZ || ifname.indexOf('\0') >= 0) {
            return 0; // no interface has such a name
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(arena);
            int sock = (int) Downcall.call(Libc.SOCKET.handle(), errno, Libc.AF_INET, Libc.SOCK_DGRAM | Libc.SOCK_CLOEXEC, 0);
            if (sock < 0) {
                throw NativeDatagramSocket.failure("socket", Libc.errno(errno));
            }
            try {
                MemorySegment ifreq = arena.allocate(LinuxCalls.IFREQ_SIZE, 8);
                MemorySegment.copy(name, 0, ifreq, ValueLayout.JAVA_BYTE, 0, name.length);
                if ((int) Downcall.callVariadic(LinuxCalls.IOCTL.handle(), errno, sock, request, ifreq.address()) != 0) {
                    int e = Libc.errno(errno);
                    if (e == ENODEV) {
                        return 0;
                    }
                    throw NativeDatagramSocket.failure("the " + what + " of " + ifname, e);
                }
                return ifreq.get(ValueLayout.JAVA_INT, LinuxCalls.IFNAMSIZ);
            } finally {
                Libc.closeQuietly(sock);
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("the " + what + " of " + ifname + ": " + t, t);
        }
    }
}
