package io.vnet4j.os;

import io.vnet4j.base.SocketAddresses;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/** A datagram socket address: an IPv4 or IPv6 host and port, or a unix socket path. */
public sealed interface DatagramEndpoint {

    /** An IPv4 or IPv6 address and UDP port; an IPv6 address's scope (its interface index) is kept. */
    record Inet(InetAddress address, int port) implements DatagramEndpoint {
        /** Whether the address is IPv6: the socket is then AF_INET6. */
        public boolean isIpv6() {
            return address instanceof Inet6Address;
        }

        @Override
        public String toString() {
            return SocketAddresses.format(new InetSocketAddress(address, port));
        }
    }

    /** A unix domain socket path (AF_UNIX, SOCK_DGRAM). */
    record Unix(String path) implements DatagramEndpoint {
        public Unix {
            if (path.getBytes(StandardCharsets.UTF_8).length >= SockaddrCodec.UNIX_PATH_MAX) {
                throw new IllegalArgumentException("unix socket path longer than "
                        + (SockaddrCodec.UNIX_PATH_MAX - 1) + " bytes: " + path);
            }
        }

        @Override
        public String toString() {
            return path;
        }
    }

    /** An IPv4 endpoint: QEMU's {@code socket} and {@code dgram} netdevs are IPv4 here. */
    static Inet inet(InetSocketAddress address) {
        if (!(address.getAddress() instanceof Inet4Address v4)) {
            throw new IllegalArgumentException("only IPv4 is supported for datagram ports: " + SocketAddresses.format(address));
        }
        return new Inet(v4, address.getPort());
    }

    /** {@code 0.0.0.0:port}. */
    static Inet any(int port) {
        return any(port, false);
    }

    /** {@code 0.0.0.0:port}, or {@code [::]:port} when {@code ipv6}. */
    static Inet any(int port, boolean ipv6) {
        try {
            return new Inet(InetAddress.getByAddress(new byte[ipv6 ? 16 : 4]), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    default boolean isMulticast() {
        return this instanceof Inet inet && inet.address().isMulticastAddress();
    }
}
