package io.vnet4j.os;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes and reads Linux {@code struct sockaddr_in} and {@code struct sockaddr_un}. */
final class SockaddrCodec {
    static final int SOCKADDR_IN_SIZE = 16;
    static final int UNIX_PATH_MAX = 108;
    static final int SOCKADDR_UN_SIZE = 2 + UNIX_PATH_MAX;
    /** Large enough for either. */
    static final int SOCKADDR_MAX = SOCKADDR_UN_SIZE;

    private static final ValueLayout.OfShort FAMILY = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private SockaddrCodec() {}

    /** Encodes {@code endpoint} into {@code dst}; returns the length to pass to the kernel. */
    static int encode(DatagramEndpoint endpoint, MemorySegment dst) {
        dst.fill((byte) 0);
        switch (endpoint) {
            case DatagramEndpoint.Inet inet -> {
                dst.set(FAMILY, 0, (short) Libc.AF_INET);
                dst.set(PORT, 2, (short) inet.port());
                MemorySegment.copy(inet.address().getAddress(), 0, dst, ValueLayout.JAVA_BYTE, 4, 4);
                return SOCKADDR_IN_SIZE;
            }
            case DatagramEndpoint.Unix unix -> {
                dst.set(FAMILY, 0, (short) Libc.AF_UNIX);
                byte[] path = unix.path().getBytes(StandardCharsets.UTF_8);
                MemorySegment.copy(path, 0, dst, ValueLayout.JAVA_BYTE, 2, path.length);
                return 2 + path.length + 1;
            }
        }
    }

    static int family(MemorySegment sockaddr) {
        return sockaddr.get(FAMILY, 0);
    }

    /** The port of a sockaddr_in, host order. */
    static int inetPort(MemorySegment sockaddr) {
        return Short.toUnsignedInt(sockaddr.get(PORT, 2));
    }

    static Inet4Address inetAddress(MemorySegment sockaddr) {
        byte[] a = new byte[4];
        MemorySegment.copy(sockaddr, ValueLayout.JAVA_BYTE, 4, a, 0, 4);
        try {
            return (Inet4Address) InetAddress.getByAddress(a);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
