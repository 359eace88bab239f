package io.vnet4j.os;

/**
 * Sets the hop limit of the unicast datagrams a socket sends: ip(7) {@code IP_TTL} on an AF_INET socket,
 * ipv6(7) {@code IPV6_UNICAST_HOPS} on an AF_INET6 one (1 to 255). A router passes a packet on with its hop
 * limit less one (RFC 1812 section 5.3.1, RFC 8200 section 3), which traceroute counts on.
 *
 * <p>One instance is used by one thread at a time; its native int and errno state are reused by every
 * call, so a call allocates nothing.
 */
public final class UnicastHops implements AutoCloseable {
    private final IntSocketOption option = new IntSocketOption();

    /**
     * Sets the hop limit of {@code fd}'s unicast datagrams.
     *
     * @param ipv6 the socket is AF_INET6
     * @param hops 1 to 255
     * @return 0, else the errno (EBADF for a closed descriptor, EINVAL for a value out of range)
     */
    public int set(int fd, boolean ipv6, int hops) {
        return option.set(fd, ipv6 ? Libc.IPPROTO_IPV6 : Libc.IPPROTO_IP, ipv6 ? Libc.IPV6_UNICAST_HOPS : Libc.IP_TTL, hops);
    }

    @Override
    public void close() {
        option.close();
    }
}
