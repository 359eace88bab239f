package io.vnet4j.os;

import io.vnet4j.wire.IpAddress;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes and reads Linux {@code struct sockaddr_in}, {@code struct sockaddr_in6} and {@code struct sockaddr_un}. */
final class SockaddrCodec {
    static final int SOCKADDR_IN_SIZE = 16;
    /** family, port, flow information, the 16 address bytes at 8, scope at 24. */
    static final int SOCKADDR_IN6_SIZE = 28;
    static final int UNIX_PATH_MAX = 108;
    static final int SOCKADDR_UN_SIZE = 2 + UNIX_PATH_MAX;
    /** Large enough for any of them. */
    static final int SOCKADDR_MAX = SOCKADDR_UN_SIZE;

    private static final ValueLayout.OfShort FAMILY = ValueLayout.JAVA_SHORT;
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt IPV4 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong IPV6_HALF = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private SockaddrCodec() {}

    /** Encodes {@code endpoint} into {@code dst}; returns the length to pass to the kernel. */
    static int encode(DatagramEndpoint endpoint, MemorySegment dst) {
        dst.fill((byte) 0);
        switch (endpoint) {
            case DatagramEndpoint.Inet inet when inet.address() instanceof Inet6Address v6 -> {
                dst.set(FAMILY, 0, (short) Libc.AF_INET6);
                dst.set(PORT, 2, (short) inet.port());
                MemorySegment.copy(v6.getAddress(), 0, dst, ValueLayout.JAVA_BYTE, 8, 16);
                dst.set(ValueLayout.JAVA_INT_UNALIGNED, 24, v6.getScopeId()); // sin6_scope_id, host order
                return SOCKADDR_IN6_SIZE;
            }
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

    /**
     * Encodes {@code address} and {@code port} into {@code dst}: a {@code sockaddr_in} for IPv4, a
     * {@code sockaddr_in6} (no flow label, no scope) for IPv6. Allocates nothing; returns the length.
     */
    static int encode(IpAddress address, int port, MemorySegment dst) {
        if (address.isIpv4()) {
            dst.fill((byte) 0);
            dst.set(PORT, 2, (short) port);
            dst.set(FAMILY, 0, (short) Libc.AF_INET);
            dst.set(IPV4, 4, address.ipv4());
            return SOCKADDR_IN_SIZE;
        }
        return encodeIpv6(address.high(), address.low(), port, dst);
    }

    /**
     * Encodes the IPv6 address {@code high:low} and {@code port} as a {@code sockaddr_in6} (no flow label,
     * no scope) into {@code dst}; allocates nothing; returns the length.
     */
    static int encodeIpv6(long high, long low, int port, MemorySegment dst) {
        dst.fill((byte) 0);
        dst.set(PORT, 2, (short) port);
        dst.set(FAMILY, 0, (short) Libc.AF_INET6);
        dst.set(IPV6_HALF, 8, high);
        dst.set(IPV6_HALF, 16, low);
        return SOCKADDR_IN6_SIZE;
    }

    /** The address of a {@code sockaddr_in} or {@code sockaddr_in6} (its scope dropped); null for other families. */
    static IpAddress ipAddress(MemorySegment sockaddr) {
        return switch (family(sockaddr)) {
            case Libc.AF_INET -> IpAddress.ofIpv4(sockaddr.get(IPV4, 4));
            case Libc.AF_INET6 -> IpAddress.ofIpv6(sockaddr.get(IPV6_HALF, 8), sockaddr.get(IPV6_HALF, 16));
            default -> null;
        };
    }

    static int family(MemorySegment sockaddr) {
        return sockaddr.get(FAMILY, 0);
    }

    /** Whether a {@code sockaddr_in} or {@code sockaddr_in6} holds {@code address} (scope ignored); allocates nothing. */
    static boolean holds(MemorySegment sockaddr, IpAddress address) {
        return switch (family(sockaddr)) {
            case Libc.AF_INET -> address.isIpv4() && address.ipv4() == sockaddr.get(IPV4, 4);
            case Libc.AF_INET6 -> address.high() == sockaddr.get(IPV6_HALF, 8) && address.low() == sockaddr.get(IPV6_HALF, 16);
            default -> false;
        };
    }

    /** The port of a sockaddr_in or sockaddr_in6, host order. */
    static int inetPort(MemorySegment sockaddr) {
        return Short.toUnsignedInt(sockaddr.get(PORT, 2));
    }
}
