package io.vnet4j.os;

import io.vnet4j.wire.IpAddress;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A datagram socket (UDP over IPv4 or IPv6, AF_UNIX SOCK_DGRAM, which the JDK lacks, or an ICMP or ICMPv6 echo
 * socket) through java.lang.foreign. One thread may {@link #receive} while another {@link #send}s: each
 * direction has its own native buffer and address, and neither captures errno per datagram ({@link LastErrno}),
 * so neither allocates per datagram.
 *
 * <p>{@link #receive} blocks until a datagram comes or {@link #close()}: close shuts the socket down
 * ({@code shutdown(SHUT_RDWR)}), which wakes a blocked reader on every socket kind here, connected or not
 * (Linux's {@code inet_shutdown} and {@code unix_shutdown} wake the socket's waiters and a read then returns
 * 0). No time-out wakes an idle reader: an idle daemon should not wake at all (docs/benchmarks.md).
 */
public final class NativeDatagramSocket implements AutoCloseable {
    public static final int MAX_DATAGRAM = 65536;
    /** What {@link #receive} returns when an error is queued: read it with {@link #readError}. */
    public static final int ERROR_QUEUED = -2;
    /** What {@link #receiveNow} returns when no datagram waits (EAGAIN). */
    public static final int NOTHING_WAITS = -3;
    /** errno's "No such device" (asm-generic/errno-base.h). */
    private static final int ENODEV = 19;

    private final Arena arena = Arena.ofShared();
    private final int fd;
    private final int family;
    private final Direction rx;
    private final Direction tx;
    /** errno of the set-up calls and of a send repeated with the capture (receives read theirs by LastErrno). */
    private final MemorySegment errnoState;
    private final ByteBuffer received;
    private volatile boolean closed;
    private boolean errorsQueued;
    private DatagramBatch batch;
    /** Set by {@link #receiveHopLimits}: receives then go through recvmsg, with the hop limit's control message. */
    private MessageHeader hopMessage;
    private MemorySegment hopControl;
    private int lastHopLimit = -1;

    /**
     * One direction's native memory: payload buffer (resident only where datagrams are written,
     * {@link LazyMemory}), peer address, address length.
     */
    private record Direction(MemorySegment data, MemorySegment address, MemorySegment addressLength) {
        static Direction allocate(Arena arena) {
            return new Direction(LazyMemory.map(MAX_DATAGRAM, arena), arena.allocate(SockaddrCodec.SOCKADDR_MAX, 8),
                    arena.allocate(ValueLayout.JAVA_INT));
        }
    }

    private NativeDatagramSocket(int fd, int family) {
        this.fd = fd;
        this.family = family;
        this.rx = Direction.allocate(arena);
        this.tx = Direction.allocate(arena);
        this.errnoState = Libc.errnoState(arena);
        this.received = rx.data.asByteBuffer();
    }

    /**
     * Opens a socket of the endpoint's family and binds it there (port 0: an ephemeral port). An IPv6
     * socket is IPv6 only (IPV6_V6ONLY), so an IPv4 socket can have the same port, as Linux's vxlan has.
     */
    public static NativeDatagramSocket bound(DatagramEndpoint local, boolean reuseAddress) throws IOException {
        boolean ipv6 = local instanceof DatagramEndpoint.Inet inet && inet.isIpv6();
        NativeDatagramSocket socket = local instanceof DatagramEndpoint.Unix ? open(true)
                : open(ipv6 ? Libc.AF_INET6 : Libc.AF_INET, Libc.SOCK_DGRAM, 0);
        try {
            if (ipv6) {
                socket.setInt(Libc.IPPROTO_IPV6, Libc.IPV6_V6ONLY, 1, "IPV6_V6ONLY");
            }
            if (reuseAddress) {
                socket.setInt(Libc.SOL_SOCKET, Libc.SO_REUSEADDR, 1, "SO_REUSEADDR");
            }
            socket.bind(local);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * True when a unix datagram socket is bound at {@code path}: an unbound socket can connect to it (a
     * stale socket file or a stream socket refuses). Never throws.
     */
    public static boolean unixPeerAnswers(String path) {
        try {
            NativeDatagramSocket probe = open(true);
            try {
                probe.connect(new DatagramEndpoint.Unix(path));
                return true;
            } finally {
                probe.release();
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Opens an unprivileged ICMP echo socket ({@code socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)}): send an
     * echo request header and data, the kernel sets the identifier and checksum, and echo replies come back.
     * Allowed only for groups in {@code net.ipv4.ping_group_range}; otherwise this throws.
     */
    public static NativeDatagramSocket icmp() throws IOException {
        return open(Libc.AF_INET, Libc.SOCK_DGRAM, Libc.IPPROTO_ICMP);
    }

    /**
     * Opens a raw ICMP socket ({@code socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)}), which needs CAP_NET_RAW:
     * the caller sends whole ICMP messages (identifier and checksum its own), and receives every ICMP
     * message to this host with its IPv4 header in front (see raw(7)).
     */
    public static NativeDatagramSocket rawIcmp() throws IOException {
        return open(Libc.AF_INET, Libc.SOCK_RAW, Libc.IPPROTO_ICMP);
    }

    /**
     * Opens an unprivileged ICMPv6 echo socket ({@code socket(AF_INET6, SOCK_DGRAM, IPPROTO_ICMPV6)}), the
     * IPv6 twin of {@link #icmp()}: the kernel sets the identifier and checksum of an echo request (it takes
     * nothing else), echo replies come back as ICMPv6 messages without their IPv6 header, and
     * {@link #lastSource()} is where from. Allowed by the same {@code net.ipv4.ping_group_range}.
     */
    public static NativeDatagramSocket icmpv6() throws IOException {
        return open(Libc.AF_INET6, Libc.SOCK_DGRAM, Libc.IPPROTO_ICMPV6);
    }

    /**
     * Opens a raw ICMPv6 socket ({@code socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)}), which needs
     * CAP_NET_RAW: the caller sends whole ICMPv6 messages with an identifier of its own, the kernel computes
     * their checksum (always, for ICMPv6: ipv6(7) IPV6_CHECKSUM), and messages arrive without their IPv6
     * header, unlike raw IPv4. An {@code ICMP6_FILTER} lets only echo replies through, but those of every
     * ping on this host: the caller matches the identifier.
     */
    public static NativeDatagramSocket rawIcmpv6() throws IOException {
        NativeDatagramSocket socket = open(Libc.AF_INET6, Libc.SOCK_RAW, Libc.IPPROTO_ICMPV6);
        try {
            socket.setOption(Libc.IPPROTO_ICMPV6, Libc.ICMP6_FILTER, icmp6FilterPassing(socket.arena, ECHO_REPLY_V6),
                    "ICMP6_FILTER");
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.release();
            throw e;
        }
    }

    private static final int ECHO_REPLY_V6 = 129;

    /**
     * A {@code struct icmp6_filter} (eight host-order words, a set bit blocks its type, as the kernel's
     * icmpv6_filter reads it) that blocks every type but {@code type}.
     */
    static MemorySegment icmp6FilterPassing(Arena arena, int type) {
        MemorySegment filter = arena.allocate(32, 4);
        for (int word = 0; word < 8; word++) {
            filter.setAtIndex(ValueLayout.JAVA_INT, word, word == type >>> 5 ? ~(1 << (type & 31)) : -1);
        }
        return filter;
    }

    private static NativeDatagramSocket open(boolean unix) throws IOException {
        return open(unix ? Libc.AF_UNIX : Libc.AF_INET, Libc.SOCK_DGRAM, 0);
    }

    private static NativeDatagramSocket open(int family, int type, int protocol) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment errno = Libc.errnoState(call);
            int fd = (int) Downcall.call(Libc.SOCKET.handle(), errno, family, type | Libc.SOCK_CLOEXEC, protocol);
            if (fd < 0) {
                throw failure("socket", Libc.errno(errno));
            }
            return new NativeDatagramSocket(fd, family);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("socket: " + t, t);
        }
    }

    private void bind(DatagramEndpoint local) throws IOException {
        int length = SockaddrCodec.encode(local, tx.address);
        int rc;
        try {
            rc = (int) Downcall.call(Libc.BIND.handle(), errnoState, fd, tx.address.address(), length);
        } catch (Throwable t) {
            throw new IOException("bind: " + t, t);
        }
        if (rc != 0) {
            IOException e = failure("bind " + local, Libc.errno(errnoState));
            throw local instanceof DatagramEndpoint.Inet inet
                    ? new IOException(e.getMessage() + PrivilegedPorts.hint(e.getMessage(), inet.port())) : e;
        }
    }

    /**
     * Binds an open socket to {@code address} of its family, port 0: a ping socket then sends from that
     * address (and the kernel picks its identifier), a raw one sends from it and receives only what comes to it,
     * as {@code ping -I ADDRESS} binds.
     *
     * @throws IOException when the kernel refuses, in its words (an address this host does not have:
     *     "Cannot assign requested address")
     */
    public void bindAddress(IpAddress address) throws IOException {
        bind(new DatagramEndpoint.Inet(address.toInetAddress(), 0));
    }

    /**
     * Connects the socket to its one peer: it then receives only from there, and {@link #send} with a
     * destination length of 0 sends there. A unix peer stays connected after its path is unlinked.
     */
    public void connect(DatagramEndpoint peer) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment address = call.allocate(SockaddrCodec.SOCKADDR_MAX, 8);
            MemorySegment errno = Libc.errnoState(call);
            int length = SockaddrCodec.encode(peer, address);
            int rc = (int) Downcall.call(Libc.CONNECT.handle(), errno, fd, address.address(), length);
            if (rc != 0) {
                throw failure("connect " + peer, Libc.errno(errno));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("connect: " + t, t);
        }
    }

    /**
     * Joins multicast {@code group} of this socket's family on an interface: for IPv4 the one with index
     * {@code ifindex}, else the one holding {@code ifaddr} (null: the kernel picks; ip(7), {@code ip_mreqn});
     * for IPv6 the one with index {@code ifindex} (0: the kernel picks; ipv6(7), {@code ipv6_mreq}).
     */
    public void joinMulticast(InetAddress group, InetAddress ifaddr, int ifindex) throws IOException {
        membership(true, group, ifaddr, ifindex);
    }

    /** Leaves a group {@link #joinMulticast} joined, given the same arguments (IP_DROP_MEMBERSHIP, IPV6_DROP_MEMBERSHIP). */
    public void leaveMulticast(InetAddress group, InetAddress ifaddr, int ifindex) throws IOException {
        membership(false, group, ifaddr, ifindex);
    }

    private void membership(boolean join, InetAddress group, InetAddress ifaddr, int ifindex) throws IOException {
        if (family == Libc.AF_INET6) {
            MemorySegment mreq = arena.allocate(20, 4);
            MemorySegment.copy(group.getAddress(), 0, mreq, ValueLayout.JAVA_BYTE, 0, 16);
            mreq.set(ValueLayout.JAVA_INT, 16, ifindex);
            setOption(Libc.IPPROTO_IPV6, join ? Libc.IPV6_ADD_MEMBERSHIP : Libc.IPV6_DROP_MEMBERSHIP, mreq,
                    (join ? "IPV6_ADD_MEMBERSHIP " : "IPV6_DROP_MEMBERSHIP ") + group.getHostAddress());
            return;
        }
        setOption(Libc.IPPROTO_IP, join ? Libc.IP_ADD_MEMBERSHIP : Libc.IP_DROP_MEMBERSHIP, ipMreqn(group, ifaddr, ifindex),
                (join ? "IP_ADD_MEMBERSHIP " : "IP_DROP_MEMBERSHIP ") + group.getHostAddress());
    }

    /**
     * A call found no such interface (ENODEV). A multicast join throws it when the index it was given names
     * none, or, given neither an address nor an index, when no route leads the group anywhere (the kernel
     * picks the interface by route, ip(7)).
     */
    public static final class NoDeviceException extends IOException {
        NoDeviceException(String message) {
            super(message);
        }
    }

    /**
     * Sends multicast out of an interface (as {@link #joinMulticast} picks it) with a TTL (hop limit) of 1,
     * looped back to this host's own sockets or not.
     */
    public void configureMulticastSender(InetAddress ifaddr, int ifindex, boolean loop) throws IOException {
        if (family == Libc.AF_INET6) {
            setInt(Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_LOOP, loop ? 1 : 0, "IPV6_MULTICAST_LOOP");
            setInt(Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_HOPS, 1, "IPV6_MULTICAST_HOPS");
            setInt(Libc.IPPROTO_IPV6, Libc.IPV6_MULTICAST_IF, ifindex, "IPV6_MULTICAST_IF");
            return;
        }
        setInt(Libc.IPPROTO_IP, Libc.IP_MULTICAST_LOOP, loop ? 1 : 0, "IP_MULTICAST_LOOP");
        setInt(Libc.IPPROTO_IP, Libc.IP_MULTICAST_TTL, 1, "IP_MULTICAST_TTL");
        setOption(Libc.IPPROTO_IP, Libc.IP_MULTICAST_IF, ipMreqn(null, ifaddr, ifindex), "IP_MULTICAST_IF");
    }

    /** ip(7)'s {@code struct ip_mreqn}: group, interface address, interface index (null addresses: 0.0.0.0). */
    private MemorySegment ipMreqn(InetAddress group, InetAddress ifaddr, int ifindex) {
        MemorySegment mreqn = arena.allocate(12, 4);
        if (group != null) {
            MemorySegment.copy(group.getAddress(), 0, mreqn, ValueLayout.JAVA_BYTE, 0, 4);
        }
        if (ifaddr != null) {
            MemorySegment.copy(ifaddr.getAddress(), 0, mreqn, ValueLayout.JAVA_BYTE, 4, 4);
        }
        mreqn.set(ValueLayout.JAVA_INT, 8, ifindex);
        return mreqn;
    }

    /**
     * UDP GSO (udp(7), UDP_SEGMENT): each later {@link #send} of more than {@code size} bytes leaves as
     * datagrams of {@code size} bytes, the last one shorter, in one system call; 0 turns it off.
     *
     * @throws IOException when the kernel does not offer it (before Linux 4.18)
     */
    public void setUdpSegment(int size) throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment v = call.allocate(ValueLayout.JAVA_INT);
            v.set(ValueLayout.JAVA_INT, 0, size);
            setOption(Libc.SOL_UDP, Libc.UDP_SEGMENT, v, "UDP_SEGMENT");
        }
    }

    /**
     * Accepts IPv6 UDP datagrams with a zero checksum (UDP_NO_CHECK6_RX, Linux 3.16): RFC 6935 lets tunnel
     * endpoints agree on them (Linux's vxlan {@code udp6zerocsumtx}); without it the kernel drops them
     * (Udp6InCsumErrors). On an IPv4 socket the kernel ignores it.
     */
    public void acceptZeroChecksum6() throws IOException {
        setInt(Libc.SOL_UDP, Libc.UDP_NO_CHECK6_RX, 1, "UDP_NO_CHECK6_RX");
    }

    /** Asks for larger kernel buffers; the kernel may cap them. */
    public void setBufferSizes(int bytes) throws IOException {
        setInt(Libc.SOL_SOCKET, Libc.SO_RCVBUF, bytes, "SO_RCVBUF");
        setInt(Libc.SOL_SOCKET, Libc.SO_SNDBUF, bytes, "SO_SNDBUF");
    }

    /** socket(7)'s SO_MEMINFO (asm-generic/socket.h), and the index of SK_MEMINFO_DROPS in its u32 array of 9 (linux/sock_diag.h). */
    private static final int SO_MEMINFO = 55;
    private static final int SK_MEMINFO_DROPS = 8;
    private static final int SK_MEMINFO_VARS = 9;

    /**
     * The datagrams the kernel dropped for this socket since it opened, its receive queue full or their
     * checksum wrong (the socket's sk_drops, read by getsockopt SO_MEMINFO, Linux 3.14); -1 when it cannot
     * tell. For reports, not the frame path (a call's own native memory).
     */
    public long receiveDrops() {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment info = call.allocate(ValueLayout.JAVA_INT, SK_MEMINFO_VARS);
            MemorySegment length = call.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, SK_MEMINFO_VARS * 4);
            MemorySegment state = Libc.errnoState(call);
            int rc = (int) Downcall.call(Libc.GETSOCKOPT.handle(), state, fd, Libc.SOL_SOCKET, SO_MEMINFO, info.address(),
                    length.address());
            return rc == 0 && length.get(ValueLayout.JAVA_INT, 0) > SK_MEMINFO_DROPS * 4
                    ? Integer.toUnsignedLong(info.getAtIndex(ValueLayout.JAVA_INT, SK_MEMINFO_DROPS)) : -1;
        } catch (Throwable t) {
            return -1;
        }
    }

    private void setInt(int level, int option, int value, String name) throws IOException {
        setIntOption(fd, level, option, value, name);
    }

    /**
     * setsockopt(2) of an int option on any socket {@code fd}, for a socket's set-up (a call's own native
     * memory); {@code name} for the error's message.
     *
     * @throws IOException when the kernel refuses it
     */
    static void setIntOption(int fd, int level, int option, int value, String name) throws IOException {
        int rc;
        int errno;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment v = call.allocate(ValueLayout.JAVA_INT);
            v.set(ValueLayout.JAVA_INT, 0, value);
            MemorySegment state = Libc.errnoState(call);
            rc = (int) Downcall.call(Libc.SETSOCKOPT.handle(), state, fd, level, option, v.address(), 4);
            errno = rc == 0 ? 0 : Libc.errno(state);
        } catch (Throwable t) {
            throw new IOException("setsockopt " + name + ": " + t, t);
        }
        if (rc != 0) {
            throw failure("setsockopt " + name, errno);
        }
    }

    /** setsockopt(2) with {@code value} as the option's bytes; {@code name} for the error's message. */
    void setOption(int level, int option, MemorySegment value, String name) throws IOException {
        int rc;
        try {
            rc = (int) Downcall.call(Libc.SETSOCKOPT.handle(), errnoState, fd, level, option, value.address(),
                    value.byteSize());
        } catch (Throwable t) {
            throw new IOException("setsockopt " + name + ": " + t, t);
        }
        if (rc != 0) {
            throw failure("setsockopt " + name, Libc.errno(errnoState));
        }
    }

    /** The port this socket is bound to (IPv4 or IPv6). */
    public int localPort() throws IOException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment address = call.allocate(SockaddrCodec.SOCKADDR_MAX, 8);
            MemorySegment length = call.allocate(ValueLayout.JAVA_INT);
            length.set(ValueLayout.JAVA_INT, 0, SockaddrCodec.SOCKADDR_MAX);
            MemorySegment errno = Libc.errnoState(call);
            int rc = (int) Downcall.call(Libc.GETSOCKNAME.handle(), errno, fd, address.address(), length.address());
            if (rc != 0) {
                throw failure("getsockname", Libc.errno(errno));
            }
            return SockaddrCodec.inetPort(address);
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("getsockname: " + t, t);
        }
    }

    /**
     * The native buffer {@link #send} sends from; fill it with absolute puts from index 0. Only the one
     * sending thread may use it.
     */
    public MemorySegment sendBuffer() {
        return tx.data;
    }

    /**
     * Sends {@code length} bytes of {@link #sendBuffer()} to {@code destination} (encode it once with
     * {@link #prepareDestination}); a {@code destinationLength} of 0 sends to the peer of a {@link #connect}ed
     * socket.
     *
     * @return 0 when sent, else the errno (e.g. the peer's unix socket does not exist yet), as read after the
     *     call ({@link LastErrno}: in the rare case that the JVM stopped this thread as the call returned, it
     *     may be another value; the datagram was not sent either way)
     */
    public int send(int length, int destinationLength) {
        return send(0, length, destinationLength);
    }

    /** As {@link #send(int, int)}, the {@code length} bytes from {@code offset} of the buffer. */
    public int send(int offset, int length, int destinationLength) {
        try {
            Objects.checkFromIndexSize(offset, length, tx.data.byteSize());
            long destination = destinationLength == 0 ? 0 : tx.address.address();
            long data = tx.data.address() + offset;
            long rc = Downcall.call(FrameCalls.SENDTO, fd, data, length, 0, destination, destinationLength);
            if (rc >= 0) {
                return 0;
            }
            int errno = LastErrno.read();
            if (errno != 0) {
                return errno;
            }
            // unknown (LastErrno): confirmed by sending again with the capture
            rc = Downcall.call(Libc.SENDTO.handle(), errnoState, fd, data, length, 0, destination, destinationLength);
            return rc < 0 ? Libc.errno(errnoState) : 0;
        } catch (Throwable t) {
            throw new IllegalStateException("sendto", t);
        }
    }

    /** The C library's text for an errno that {@link #send} returned ("Message too long"). */
    public static String errorText(int errno) {
        return Libc.strerror(errno) + " (errno " + errno + ")";
    }

    /** Encodes where {@link #send} sends to; returns the length to pass to it. */
    public int prepareDestination(DatagramEndpoint destination) {
        return SockaddrCodec.encode(destination, tx.address);
    }

    /**
     * Encodes {@code address} and {@code port} (0 for ICMP) as where {@link #send} sends to, a
     * {@code sockaddr_in6} for an IPv6 address; allocates nothing. Returns the length to pass to send.
     */
    public int prepareDestination(IpAddress address, int port) {
        return SockaddrCodec.encode(address, port, tx.address);
    }

    /**
     * Queues the errors this socket's datagrams meet (ICMP errors, local EMSGSIZE; see {@link SocketErrorQueue}):
     * {@link #receive} then returns {@link #ERROR_QUEUED} when one waits, for {@link #readError} to take.
     */
    public void queueErrors() throws IOException {
        SocketErrorQueue.enable(fd, family == Libc.AF_INET6);
        errorsQueued = true;
    }

    /** Takes the oldest queued error into {@code queue}; false when none is left. Only the receiving thread may call it. */
    public boolean readError(SocketErrorQueue queue) throws IOException {
        return queue.read(fd);
    }

    /**
     * Receives one datagram into {@link #receivedBuffer()} at offset 0.
     *
     * @return its length; 0 also when a signal interrupted the wait or no datagram came after all (EINTR,
     *     EAGAIN: try again), as for an empty datagram; -1 when the socket is closed; or
     *     {@link #ERROR_QUEUED} (only after {@link #queueErrors})
     * @throws IOException on a socket error other than an interruption
     */
    public int receive() throws IOException {
        return receive(0);
    }

    /**
     * As {@link #receive}, without waiting (MSG_DONTWAIT): for a loop that polls the socket's descriptor
     * ({@link #descriptor}).
     *
     * @return also {@link #NOTHING_WAITS} when no datagram waits
     */
    public int receiveNow() throws IOException {
        return receive(Libc.MSG_DONTWAIT);
    }

    private int receive(int flags) throws IOException {
        rx.addressLength.set(ValueLayout.JAVA_INT, 0, SockaddrCodec.SOCKADDR_MAX);
        long rc;
        try {
            if (hopMessage == null) {
                rc = Downcall.call(FrameCalls.RECVFROM, fd, rx.data.address(), MAX_DATAGRAM, flags, rx.address.address(),
                        rx.addressLength.address());
            } else {
                MemorySegment header = hopMessage.set(rx.address, SockaddrCodec.SOCKADDR_MAX, rx.data, MAX_DATAGRAM,
                        hopControl, HOP_CONTROL_SIZE);
                rc = Downcall.call(FrameCalls.RECVMSG, fd, header.address(), flags);
                lastHopLimit = rc >= 0 ? hopLimitIn(hopControl, hopMessage.controlLength()) : -1;
            }
            if (rc >= 0) {
                return closed ? -1 : (int) rc;
            }
        } catch (Throwable t) {
            throw new IOException(receiveCall() + ": " + t, t);
        }
        // as read (LastErrno), not confirmed by receiving again: on this blocking socket a second receive waits
        // for the next datagram, and some errors are reported once (ECONNREFUSED after an ICMP error)
        int errno = LastErrno.read();
        if (closed) {
            return -1;
        }
        if (errno == Libc.EAGAIN || errno == Libc.EINTR) {
            // a blocking receive's readers took -1 for the end and stopped for good, without a word
            return flags == 0 ? 0 : NOTHING_WAITS;
        }
        if (errorsQueued) {
            return ERROR_QUEUED; // the queued error's errno, reported once per error
        }
        throw failure(receiveCall(), errno);
    }

    private String receiveCall() {
        return hopMessage == null ? "recvfrom" : "recvmsg";
    }

    /** ip(7) IP_RECVTTL and its control message's type IP_TTL; ipv6(7) IPV6_RECVHOPLIMIT and IPV6_HOPLIMIT. */
    private static final int IP_RECVTTL = 12;
    private static final int IPV6_RECVHOPLIMIT = 51;
    private static final int IPV6_HOPLIMIT = 52;
    /** Room for one control message of an int (CMSG_SPACE(4) is 24), and a spare one. */
    private static final int HOP_CONTROL_SIZE = 64;

    /**
     * Has each datagram received from now on report the TTL (IPv4) or hop limit (IPv6) it arrived with, read by
     * {@link #lastHopLimit}: {@code IP_RECVTTL} or {@code IPV6_RECVHOPLIMIT} (ip(7), ipv6(7); Linux's ping and raw
     * sockets honour them as UDP's do), and receives through recvmsg(2) for their control message. Call it
     * before the receiving thread starts.
     *
     * @throws IOException when the kernel refuses the option (the receives stay as they were)
     */
    public void receiveHopLimits() throws IOException {
        if (family == Libc.AF_INET6) {
            setInt(Libc.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
        } else {
            setInt(Libc.IPPROTO_IP, IP_RECVTTL, 1, "IP_RECVTTL");
        }
        hopControl = arena.allocate(HOP_CONTROL_SIZE, 8);
        hopMessage = new MessageHeader(arena);
    }

    /**
     * The TTL or hop limit (0 to 255) the last datagram received arrived with, after {@link #receiveHopLimits};
     * -1 when the kernel gave none (or the option is off).
     */
    public int lastHopLimit() {
        return lastHopLimit;
    }

    /** The int of the first IP_TTL or IPV6_HOPLIMIT control message in {@code control[0, length)}; -1 when there is none. */
    static int hopLimitIn(MemorySegment control, long length) {
        long within = Math.min(length, control.byteSize());
        for (long at = MessageHeader.firstControl(control, within); at >= 0;
                at = MessageHeader.nextControl(control, at, within)) {
            int level = MessageHeader.controlLevel(control, at);
            int type = MessageHeader.controlType(control, at);
            if ((level == Libc.IPPROTO_IP && type == Libc.IP_TTL || level == Libc.IPPROTO_IPV6 && type == IPV6_HOPLIMIT)
                    && MessageHeader.controlDataLength(control, at) >= 4) {
                return control.get(ValueLayout.JAVA_INT, at + MessageHeader.CMSG_HEADER);
            }
        }
        return -1;
    }

    /**
     * A batch receiver for this socket ({@link DatagramBatch}), made once; use either it or {@link #receive},
     * on the one receiving thread.
     */
    public DatagramBatch batch() {
        if (batch == null) {
            batch = new DatagramBatch(this);
        }
        return batch;
    }

    int fd() {
        return fd;
    }

    /** The socket's file descriptor, for a loop to watch ({@code ReadingLoop}); read it with {@link #receiveNow}. */
    public int descriptor() {
        return fd;
    }

    /**
     * Sets the hop limit of the unicast datagrams this socket sends, through {@code setter} (which the
     * sending thread owns).
     *
     * @return 0, else the errno
     */
    public int unicastHops(UnicastHops setter, int hops) {
        return setter.set(fd, family == Libc.AF_INET6, hops);
    }

    /**
     * Lets this socket send its IPv4 datagrams with DF as the kernel chooses, or never ({@link DontFragment}),
     * through {@code setter} (which the sending thread owns); nothing on an AF_INET6 socket, whose datagrams
     * routers never fragment.
     *
     * @return 0, else the errno
     */
    public int dontFragment(DontFragment setter, boolean dontFragment) {
        return family == Libc.AF_INET6 ? 0 : setter.set(fd, dontFragment);
    }

    Arena arena() {
        return arena;
    }

    boolean errorsQueued() {
        return errorsQueued;
    }

    /** The last received datagram's bytes, as a direct buffer over the receive memory. */
    public ByteBuffer receivedBuffer() {
        return received;
    }

    /** The source address of the last received datagram of either IP family (an IPv6 scope is dropped); null for unix. */
    public IpAddress lastSource() {
        return SockaddrCodec.ipAddress(rx.address);
    }

    public boolean isClosed() {
        return closed;
    }

    /** Stops the socket; call {@link #release()} once no thread uses it any more. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Downcall.call(Libc.SHUTDOWN.handle(), errnoState, fd, Libc.SHUT_RDWR);
        } catch (Throwable t) {
            // not bound or already gone: release() closes the descriptor either way
        }
    }

    /** Closes the descriptor and frees the native memory; no thread may use the socket afterwards. */
    public void release() {
        close();
        Libc.closeQuietly(fd);
        arena.close();
    }

    static IOException failure(String what, int errno) {
        String message = what + ": " + Libc.strerror(errno);
        return errno == ENODEV ? new NoDeviceException(message) : new IOException(message);
    }

    /**
     * The calls every datagram makes, as constants the JIT inlines (see TapDevice.FrameCalls), without errno
     * captured (LastErrno); DontWaitSocket sends and receives with the same sendto and recvfrom.
     */
    static final class FrameCalls {
        static final java.lang.invoke.MethodHandle SENDTO = Libc.SENDTO_UNCAPTURED.handle();
        static final java.lang.invoke.MethodHandle RECVFROM = Libc.RECVFROM_UNCAPTURED.handle();
        static final java.lang.invoke.MethodHandle RECVMSG = Libc.RECVMSG_UNCAPTURED.handle();

        static {
            LastErrno.bind();
        }
    }
}
