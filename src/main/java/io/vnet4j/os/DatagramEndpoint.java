package io.vnet4j.os;

import io.vnet4j.SocketAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;

/** A datagram socket address: IPv4 host and port, or a unix socket path. */
public sealed interface DatagramEndpoint {

    /** An IPv4 address and UDP port. */
    record Inet(Inet4Address address, int port) implements DatagramEndpoint {
        @Override
        public String toString() {
            return address.getHostAddress() + ":" + port;
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

    static Inet inet(InetSocketAddress address) {
        if (!(address.getAddress() instanceof Inet4Address v4)) {
            throw new IllegalArgumentException("only IPv4 is supported for datagram ports: " + SocketAddresses.format(address));
        }
        return new Inet(v4, address.getPort());
    }

    static Inet any(int port) {
        try {
            return new Inet((Inet4Address) InetAddress.getByAddress(new byte[4]), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    default boolean isMulticast() {
        return this instanceof Inet inet && inet.address().isMulticastAddress();
    }
}
