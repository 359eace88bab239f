package io.vnet4j.os;

/**
 * Sets whether the IPv4 datagrams an AF_INET socket sends may carry the Don't Fragment bit: ip(7)
 * {@code IP_MTU_DISCOVER}, {@code IP_PMTUDISC_DONT} (DF clear: the host and the routers on the way fragment
 * a datagram over their MTU) or {@code IP_PMTUDISC_WANT}, the kernel's default (DF set while the datagram fits
 * the path MTU the host knows, so a router on the way answers one too large with Fragmentation Needed; a
 * larger one the host fragments itself). A router passes a packet on with the DF bit it came with (RFC 791,
 * RFC 1812 section 5.2.6): a guest's datagram without DF must not meet a Fragmentation Needed, as it did
 * when the socket sent everything with the default, and was lost. A guest's datagram with DF keeps the
 * default rather than {@code IP_PMTUDISC_DO}: Linux sets DF on every datagram that fits its own path MTU,
 * so a container at MTU 65520 sends its 4,000-byte datagrams with DF, which the host's 1500-byte link then
 * refused (EMSGSIZE) where the default fragments them.
 *
 * <p>One instance is used by one thread at a time; its native int and errno state are reused by every
 * call, so a call allocates nothing.
 */
public final class DontFragment implements AutoCloseable {
    private final IntSocketOption option = new IntSocketOption();

    /**
     * Lets the AF_INET socket {@code fd} send its datagrams with DF as the kernel chooses ({@code dontFragment}),
     * or never.
     *
     * @return 0, else the errno (EBADF for a closed descriptor); an AF_INET6 socket takes it for its IPv4-mapped sends
     */
    public int set(int fd, boolean dontFragment) {
        return option.set(fd, Libc.IPPROTO_IP, Libc.IP_MTU_DISCOVER,
                dontFragment ? Libc.IP_PMTUDISC_WANT : Libc.IP_PMTUDISC_DONT);
    }

    @Override
    public void close() {
        option.close();
    }
}
