package io.vnet4j.os;

import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Datagrams of a socket bound to a wildcard address (0.0.0.0 or ::), with the local address each was sent
 * to: ip(7) {@code IP_PKTINFO} and ipv6(7) {@code IPV6_RECVPKTINFO} ({@code struct in_pktinfo}: ifindex,
 * spec_dst, addr; {@code struct in6_pktinfo}: addr, ifindex). A reply sent with that address as
 * {@code IP_PKTINFO}'s spec_dst or {@code IPV6_PKTINFO}'s addr leaves from it; without, the kernel picks the
 * source by its routes, and a host with several addresses answers a client from another address than the
 * one it asked, which a client's connected UDP socket drops (slirp4netns#282, replayed). An AF_INET6 socket
 * that also takes IPv4 reports its IPv4 clients and addresses as IPv4 here (they are v4-mapped on the wire,
 * and Linux's ip_cmsg_send takes a v4-mapped {@code IPV6_PKTINFO}).
 *
 * <p>One instance serves one socket on one thread at a time; its native buffers are its own, and a steady
 * client's datagrams allocate nothing (the last addresses are kept while they stay the same).
 */
public final class PacketInfoSocket implements AutoCloseable {
    /** ip(7) IP_PKTINFO: cmsg type and option; ipv6(7) IPV6_RECVPKTINFO (option), IPV6_PKTINFO (cmsg type). */
    static final int IP_PKTINFO = 8;
    static final int IPV6_RECVPKTINFO = 49;
    static final int IPV6_PKTINFO = 50;
    private static final int IN_PKTINFO_SIZE = 12;
    private static final int IN6_PKTINFO_SIZE = 20;
    private static final int CONTROL_MAX = 64;
    private static final long V4_MAPPED = 0xFFFF_0000_0000L;
    private static final ValueLayout.OfInt IPV4 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong IPV6_HALF = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final int fd;
    private final boolean ipv6;
    private final Arena arena = Arena.ofShared();
    private final MessageHeader message = new MessageHeader(arena);
    private final MemorySegment name = arena.allocate(SockaddrCodec.SOCKADDR_IN6_SIZE, 8);
    private final MemorySegment control = arena.allocate(CONTROL_MAX, 8);
    private final MemorySegment errnoState = Libc.errnoState(arena);
    private IpAddress source;
    private int sourcePort;
    private IpAddress local;

    /**
     * Turns the local address's reporting on for {@code fd}, a datagram socket bound to a wildcard address.
     *
     * @param ipv6 the socket is AF_INET6
     * @throws IOException when the kernel refuses the option
     */
    public PacketInfoSocket(int fd, boolean ipv6) throws IOException {
        this.fd = fd;
        this.ipv6 = ipv6;
        // IPV6_RECVPKTINFO covers an AF_INET6 socket's IPv4 datagrams too (v4-mapped: ip6_datagram_recv_common_ctl)
        try {
            if (ipv6) {
                NativeDatagramSocket.setIntOption(fd, Libc.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
            } else {
                NativeDatagramSocket.setIntOption(fd, Libc.IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO");
            }
        } catch (IOException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Receives one datagram without waiting into {@code into}'s native memory from its position on (up to
     * its limit; the rest of a longer datagram is lost, as recv(2) loses it), moving the position past it.
     * {@link #source}, {@link #sourcePort} and {@link #local} then describe it.
     *
     * @param into a direct buffer
     * @return false when nothing waits
     * @throws IOException when recvmsg fails otherwise
     */
    public boolean receive(ByteBuffer into) throws IOException {
        MemorySegment data = MemorySegment.ofBuffer(into);
        message.set(name, (int) name.byteSize(), data, data.byteSize(), control, CONTROL_MAX);
        long rc = message.receive(fd, errnoState, Libc.MSG_DONTWAIT, "recvmsg");
        if (rc < 0) {
            return false;
        }
        into.position(into.position() + (int) Math.min(rc, data.byteSize()));
        readSource();
        readLocal(Math.min(message.controlLength(), CONTROL_MAX));
        return true;
    }

    private void readSource() {
        sourcePort = SockaddrCodec.inetPort(name);
        if (SockaddrCodec.family(name) == Libc.AF_INET) {
            source = same(source, name.get(IPV4, 4));
        } else {
            source = same(source, name.get(IPV6_HALF, 8), name.get(IPV6_HALF, 16));
        }
    }

    /** The pktinfo's address; null when the kernel gave none (it always does once the option is on). */
    private void readLocal(long length) {
        for (long at = MessageHeader.firstControl(control, length); at >= 0;
                at = MessageHeader.nextControl(control, at, length)) {
            int level = MessageHeader.controlLevel(control, at);
            int type = MessageHeader.controlType(control, at);
            long dataLength = MessageHeader.controlDataLength(control, at);
            long dataAt = at + MessageHeader.CMSG_HEADER;
            if (level == Libc.IPPROTO_IP && type == IP_PKTINFO && dataLength >= IN_PKTINFO_SIZE) {
                local = same(local, control.get(IPV4, dataAt + 8)); // ipi_addr: the header's destination
                return;
            }
            if (level == Libc.IPPROTO_IPV6 && type == IPV6_PKTINFO && dataLength >= IN6_PKTINFO_SIZE) {
                local = same(local, control.get(IPV6_HALF, dataAt), control.get(IPV6_HALF, dataAt + 8));
                return;
            }
        }
        local = null;
    }

    private static IpAddress same(IpAddress last, int ipv4) {
        return last != null && last.isIpv4() && last.ipv4() == ipv4 ? last : IpAddress.ofIpv4(ipv4);
    }

    /** An IPv6 address, or the IPv4 one it maps (::ffff:a.b.c.d). */
    private static IpAddress same(IpAddress last, long high, long low) {
        if (high == 0 && (low & 0xFFFF_FFFF_0000_0000L) == V4_MAPPED) {
            return same(last, (int) low);
        }
        return last != null && last.isIpv6() && last.high() == high && last.low() == low ? last : IpAddress.ofIpv6(high, low);
    }

    /** Who sent the last datagram received. */
    public IpAddress source() {
        return source;
    }

    /** Its port, host order. */
    public int sourcePort() {
        return sourcePort;
    }

    /** The local address it was sent to; null when the kernel did not say. */
    public IpAddress local() {
        return local;
    }

    /**
     * Sends {@code data}'s native memory from its position to its limit to {@code to:port}, from the local
     * address {@code from} (null: the kernel's choice).
     *
     * @param data a direct buffer
     * @throws IOException when sendmsg fails (an unreachable client, say)
     */
    public void send(ByteBuffer data, IpAddress to, int port, IpAddress from) throws IOException {
        int nameLength = encode(to, port, name);
        long controlLength = from == null ? 0 : encodeSource(from);
        MemorySegment segment = MemorySegment.ofBuffer(data);
        message.set(name, nameLength, segment, segment.byteSize(), controlLength == 0 ? MemorySegment.NULL : control,
                controlLength);
        message.send(fd, errnoState, Libc.MSG_DONTWAIT, "sendmsg");
    }

    /** A sockaddr of this socket's family: on AF_INET6, an IPv4 address v4-mapped; allocates nothing. */
    private int encode(IpAddress address, int port, MemorySegment dst) {
        if (ipv6 && address.isIpv4()) {
            return SockaddrCodec.encodeIpv6(0, mapped(address.ipv4()), port, dst);
        }
        return SockaddrCodec.encode(address, port, dst);
    }

    /** The low half of ::ffff:{@code ipv4}. */
    private static long mapped(int ipv4) {
        return V4_MAPPED | Integer.toUnsignedLong(ipv4);
    }

    /** One control message naming the source address; returns its length. */
    private long encodeSource(IpAddress from) {
        control.fill((byte) 0);
        if (ipv6) { // IPV6_PKTINFO, v4-mapped for an IPv4 client: ipi6_addr, ipi6_ifindex 0
            long low = from.isIpv4() ? mapped(from.ipv4()) : from.low();
            control.set(IPV6_HALF, MessageHeader.CMSG_HEADER, from.isIpv4() ? 0 : from.high());
            control.set(IPV6_HALF, MessageHeader.CMSG_HEADER + 8, low);
            return MessageHeader.putControlHeader(control, Libc.IPPROTO_IPV6, IPV6_PKTINFO, IN6_PKTINFO_SIZE);
        }
        control.set(IPV4, MessageHeader.CMSG_HEADER + 4, from.ipv4()); // IP_PKTINFO: ipi_ifindex 0, ipi_spec_dst
        return MessageHeader.putControlHeader(control, Libc.IPPROTO_IP, IP_PKTINFO, IN_PKTINFO_SIZE);
    }

    @Override
    public void close() {
        arena.close();
    }
}
