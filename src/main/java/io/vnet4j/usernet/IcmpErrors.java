package io.vnet4j.usernet;

import io.vnet4j.base.TokenBucket;
import io.vnet4j.os.Errno;
import io.vnet4j.os.SocketErrorQueue;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.Icmpv6Type;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.Ipv6Packet;
import java.io.IOException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.util.function.LongSupplier;
import java.util.function.UnaryOperator;

/**
 * Tells a guest, as a router would, that a packet it sent met an error on the host's side: an ICMP
 * (RFC 792) or ICMPv6 (RFC 4443) error quoting that packet, so the guest's socket fails at once, or learns
 * a smaller path MTU, instead of waiting; and, from the gateway itself, that a packet's hop limit ended
 * there (Time Exceeded, {@link #packet}) or that its IP layer discarded it (the packet's own bytes quoted,
 * {@link #quote}, for {@link IpInputErrors}). Theory of operation: the host reports its errors in two ways,
 * and each is turned into the type and code of the guest's family here:
 * <ul>
 * <li>a connect or send fails at once (an exception or an errno: no route, refused by a rule);
 * <li>an ICMP error comes back later for a datagram already sent, queued on its socket
 *     ({@link SocketErrorQueue}): its type and code pass as they came, a local EMSGSIZE becomes
 *     Fragmentation Needed or Packet Too Big with the MTU.
 * </ul>
 * The quote is rebuilt from what the flow knows (the guest's address and port, where it sent, the data
 * the host still has): an IP header, then the transport header and as much data as fits in a message of
 * 576 bytes for IPv4 (RFC 1812 section 4.3.2.3) or 1280 for IPv6 (RFC 4443 section 2.4 (c)). Guests match
 * an error to their socket by the quoted addresses and ports (and a ping by its identifier and sequence).
 * An error type is written {@code type << 8 | code}, or {@link #NONE}.
 */
final class IcmpErrors {
    /** No error to tell the guest: the failure means something else (out of buffers, say). */
    static final int NONE = -1;

    /** Destination Unreachable's code 4, "fragmentation needed and DF set". */
    private static final int FRAGMENTATION_NEEDED = 4;
    private static final int HEADER = 8;
    /** Where an IPv6 header's Next Header field lies, in bytes from its start. */
    private static final int IPV6_NEXT_HEADER_FIELD = 6;
    private static final int IP = Ipv4Packet.MIN_HEADER_LENGTH;
    private static final int IP6 = Ipv6Packet.HEADER_LENGTH;
    private static final int MAX_MESSAGE_V4 = 576 - IP;
    private static final int MAX_MESSAGE_V6 = 1280 - IP6;
    /** The errors that may go at once, then one per {@link #NANOS_PER_ERROR} (Linux's icmp_msgs_burst). */
    static final int BURST = 50;
    /** 1,000 errors a second at most (Linux's icmp_msgs_per_sec). */
    static final long NANOS_PER_ERROR = 1_000_000;

    private final GuestOutput out;
    private final ByteBuffer body = ByteBuffer.allocate(MAX_MESSAGE_V6);
    private final Ipv4Packet ip = new Ipv4Packet();
    private final Ipv6Packet ip6 = new Ipv6Packet();
    private long sent;
    private long limited;
    /**
     * Every error the gateway sends draws from one bucket, as RFC 4443 section 2.4 (f) and RFC 1812 section
     * 4.3.2.8 ask and Linux does (net.ipv4.icmp_msgs_per_sec 1000, icmp_msgs_burst 50): a guest cannot make
     * the gateway answer each of a flood of bad packets. Path MTU errors (Fragmentation Needed, Packet Too
     * Big) pass without, as Linux's icmpv4_mask_allow and icmpv6_mask_allow let them: a lost one stalls a
     * connection.
     */
    private final TokenBucket bucket;
    private LongSupplier clock = System::nanoTime;

    IcmpErrors(GuestOutput out) {
        this.out = out;
        this.bucket = new TokenBucket(BURST, NANOS_PER_ERROR, clock.getAsLong());
    }

    /** The bucket's clock, in ns: System.nanoTime(), or a test's, frozen so that no token comes back. */
    void clock(LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * The error for a connect or send that failed at once with {@code errno} (see {@link Errno}): as libslirp
     * (tcp_input's failed connect, udp_input's failed sosendto), an error it has no code of its own for is
     * Network Unreachable (a blackhole route's EINVAL, say), so the guest fails at once rather than waiting
     * out its own time-out; NONE for a shortage that passes (out of buffers or memory), where the packet is
     * lost as on a congested link, and for EMSGSIZE: a datagram longer than the path MTU with DF, or than IP
     * carries, which the socket's error queue holds as a local error, told as Fragmentation Needed or Packet
     * Too Big with the MTU ({@link #ofQueued}); it was told Network Unreachable besides.
     */
    static int ofFailedCall(int errno, boolean ipv4) {
        return switch (errno) {
            case Errno.ENOBUFS, Errno.ENOMEM, Errno.EAGAIN, Errno.EINTR, Errno.EMSGSIZE -> NONE;
            default -> {
                int error = ofErrno(errno, ipv4);
                yield error != NONE ? error : ofErrno(Errno.ENETUNREACH, ipv4);
            }
        };
    }

    /** The error for {@code errno} (see {@link Errno}) when it has a code of its own, or NONE. */
    static int ofErrno(int errno, boolean ipv4) {
        // the codes of Destination Unreachable: RFC 792 and RFC 1812 section 5.2.7.1; RFC 4443 section 3.1
        int code = switch (errno) {
            case Errno.ENETUNREACH -> 0; // network unreachable; no route to destination
            case Errno.EHOSTUNREACH -> ipv4 ? 1 : 3; // host unreachable; address unreachable
            case Errno.ECONNREFUSED -> ipv4 ? 3 : 4; // port unreachable
            case Errno.EACCES, Errno.EPERM -> ipv4 ? 13 : 1; // communication administratively prohibited
            default -> NONE;
        };
        return code == NONE ? NONE
                : (ipv4 ? IcmpType.DESTINATION_UNREACHABLE : Icmpv6Type.DESTINATION_UNREACHABLE) << 8 | code;
    }

    /**
     * The error for a JDK socket call that failed at once with {@code e}, as {@link #ofFailedCall}:
     * EHOSTUNREACH comes as NoRouteToHostException, ECONNREFUSED on a datagram socket as
     * PortUnreachableException, the others as a SocketException carrying the kernel's text.
     */
    static int ofException(IOException e, boolean ipv4) {
        String text = String.valueOf(e.getMessage());
        int errno = e instanceof NoRouteToHostException ? Errno.EHOSTUNREACH
                : e instanceof PortUnreachableException ? Errno.ECONNREFUSED
                : text.contains("Network is unreachable") ? Errno.ENETUNREACH
                : text.contains("Permission denied") || text.contains("Operation not permitted") ? Errno.EACCES
                : text.contains("No buffer space available") ? Errno.ENOBUFS
                : text.contains("Cannot allocate memory") ? Errno.ENOMEM
                : text.contains("Resource temporarily unavailable") ? Errno.EAGAIN
                : text.contains("Interrupted") ? Errno.EINTR
                : messageTooLong(e) ? Errno.EMSGSIZE
                : 0;
        return ofFailedCall(errno, ipv4);
    }

    /** Whether a JDK socket call failed with EMSGSIZE ("Message too long", the kernel's text it carries). */
    private static boolean messageTooLong(IOException e) {
        return String.valueOf(e.getMessage()).contains("Message too long");
    }

    /**
     * Whether a send on a socket that queues its errors (IP_RECVERR), failed with {@code errno}, is to be made once
     * more: the failure may be an earlier datagram's error. The kernel sets an error it queues (a router's host
     * unreachable, a fragmentation needed) as the socket's pending error too, and the next send fails with it,
     * unsent ({@code sock_alloc_send_pskb}); a flow that keeps to one destination does not take it first. The
     * queued error still reaches its own guest; the datagram, lost before, is sent, and the guest was told a made-up
     * error besides. A send that fails for itself (no route) fails again and is told. Not after EMSGSIZE: mostly the
     * datagram's own (DF above the path MTU, or longer than IPv4 carries), which the kernel queues once per try, so
     * the guest was told two Fragmentation Needed; a router's, pending, costs the next datagram, as before.
     * Used by UDP flows ({@code UdpNat}), forwarded ports' replies ({@code UdpHostForwards}) and pings
     * ({@code IcmpProxy}).
     */
    static boolean sendAgainAfter(int errno) {
        return errno != 0 && errno != Errno.EMSGSIZE;
    }

    /** {@link #sendAgainAfter(int)} for a JDK send that threw {@code e}. */
    static boolean sendAgainAfter(IOException e) {
        return !messageTooLong(e);
    }

    /** The error for the one just read from a socket's error queue, or NONE. */
    static int ofQueued(SocketErrorQueue queued, boolean ipv4) {
        int origin = queued.origin();
        if (origin == (ipv4 ? SocketErrorQueue.ORIGIN_ICMP : SocketErrorQueue.ORIGIN_ICMP6)) {
            return queued.type() << 8 | queued.code();
        }
        if (origin == SocketErrorQueue.ORIGIN_LOCAL && queued.errno() == Errno.EMSGSIZE) {
            return ipv4 ? IcmpType.DESTINATION_UNREACHABLE << 8 | FRAGMENTATION_NEEDED : Icmpv6Type.PACKET_TOO_BIG << 8;
        }
        return ofErrno(queued.errno(), ipv4);
    }

    /**
     * The address a queued error reaches the guest from, as a router's would: the gateway's host address for a
     * local error (no offender); the destination as the guest addressed it when that one answered (a port
     * unreachable) or when the router that did is of the other family (on the way to an upstream of the other
     * family, so the guest could not be told its address); else that router, as the guest sees it.
     *
     * @param offender the queued error's SO_EE_OFFENDER, or null
     * @param hostDestination where the host's socket sent the datagram
     * @param destination where the guest sent it
     * @param seenByGuest the guest's view of a host-side address (host loopback is the gateway's host address)
     */
    static IpAddress source(IpAddress offender, IpAddress hostDestination, IpAddress guest, IpAddress destination,
            IpAddress gatewayHost, UnaryOperator<IpAddress> seenByGuest) {
        return offender == null ? gatewayHost
                : offender.equals(hostDestination) || offender.isIpv4() != guest.isIpv4() ? destination
                : seenByGuest.apply(offender);
    }

    /**
     * Tells a guest its TCP SYN to {@code destination} failed: the quote is the IP header and the first 8
     * bytes of TCP, the ports and the sequence number by which the guest matches it (RFC 5927 section 4.1).
     */
    void tcp(IpAddress from, IpAddress guest, int guestPort, IpAddress destination, int destinationPort,
             int guestSequence, int error) {
        int at = transportAt(guest);
        body.putShort(at, (short) guestPort).putShort(at + 2, (short) destinationPort).putInt(at + 4, guestSequence);
        send(from, guest, destination, IpProtocol.TCP, error, 0, 8, 20, GuestOutput.DEFAULT_TTL);
    }

    /** Tells a guest its UDP datagram (whose data starts with {@code data}) to {@code destination} met an error. */
    void udp(IpAddress from, IpAddress guest, int guestPort, IpAddress destination, int destinationPort, int error,
             int info, ByteBuffer data, int offset, int length) {
        int at = transportAt(guest);
        body.putShort(at, (short) guestPort).putShort(at + 2, (short) destinationPort)
                .putShort(at + 4, (short) (HEADER + length)).putShort(at + 6, (short) 0);
        int copied = copyData(guest, at + HEADER, data, offset, length);
        send(from, guest, destination, IpProtocol.UDP, error, info, HEADER + copied, HEADER + length,
                GuestOutput.DEFAULT_TTL);
    }

    /** Tells a guest its echo request (identifier, sequence and {@code data}) to {@code destination} met an error. */
    void echo(IpAddress from, IpAddress guest, IpAddress destination, int identifier, int sequence, int error, int info,
              ByteBuffer data, int offset, int length) {
        boolean v4 = guest.isIpv4();
        int at = transportAt(guest);
        body.put(at, (byte) (v4 ? IcmpType.ECHO_REQUEST : Icmpv6Type.ECHO_REQUEST)).put(at + 1, (byte) 0)
                .putShort(at + 2, (short) 0).putShort(at + 4, (short) identifier).putShort(at + 6, (short) sequence);
        int copied = copyData(guest, at + HEADER, data, offset, length);
        send(from, guest, destination, v4 ? IpProtocol.ICMP : IpProtocol.ICMPV6, error, info, HEADER + copied,
                HEADER + length, GuestOutput.DEFAULT_TTL);
    }

    /**
     * Tells a guest that a packet it sent to {@code destination} went no further: {@code length} bytes of
     * {@code protocol}'s header and data at {@code offset}, quoted from their start as much as fits, behind
     * the packet's IP header with the hop limit it came with ({@code hops}).
     */
    void packet(IpAddress from, IpAddress guest, IpAddress destination, int protocol, int hops, int error,
                ByteBuffer data, int offset, int length) {
        int copied = copyData(guest, transportAt(guest), data, offset, length);
        send(from, guest, destination, protocol, error, protocolInfo(guest.isIpv4(), error), copied, length, hops);
    }

    /**
     * Tells a guest that the gateway's IP layer discarded a packet it sent: the packet's own bytes from its
     * IP header ({@code length} at {@code offset}), as many as fit, follow the ICMP header, whose rest holds
     * {@code info} (a Parameter Problem's pointer, in bytes from the quoted IP header's start).
     */
    void quote(IpAddress from, IpAddress guest, int error, int info, ByteBuffer packet, int offset, int length) {
        if (!mayTell(from, guest, error)) {
            return;
        }
        int copied = copyData(guest, HEADER, packet, offset, length);
        writeHeader(guest.isIpv4(), error, info);
        sent++;
        out.sendIcmp(from, guest, body, HEADER + copied);
    }

    /**
     * Destination Unreachable, "communication administratively prohibited": code 13 (RFC 1812 section
     * 5.2.7.1), ICMPv6 code 1 (RFC 4443 section 3.1); what {@code restrict=on} tells a guest's datagram or
     * ping to beyond the gateway.
     */
    static int prohibited(boolean ipv4) {
        return ofErrno(Errno.EACCES, ipv4);
    }

    /** Time Exceeded, code 0 (hop limit exceeded in transit): RFC 792, RFC 4443 section 3.3. */
    static int timeExceeded(boolean ipv4) {
        return (ipv4 ? IcmpType.TIME_EXCEEDED : Icmpv6Type.TIME_EXCEEDED) << 8;
    }

    /** Time Exceeded, code 1 (fragment reassembly time exceeded): RFC 792, RFC 4443 section 3.3. */
    static int reassemblyTimeExceeded(boolean ipv4) {
        return timeExceeded(ipv4) | 1;
    }

    /**
     * Parameter Problem with {@code code}: RFC 792 (IPv4's code 0, "pointer indicates the error"), RFC 4443
     * section 3.4 (IPv6's 0 erroneous header field, 1 unrecognized Next Header, 2 unrecognized option, 3 an
     * incomplete header chain, RFC 7112); its pointer goes in {@link #quote}'s {@code info}.
     */
    static int parameterProblem(boolean ipv4, int code) {
        return (ipv4 ? IcmpType.PARAMETER_PROBLEM : Icmpv6Type.PARAMETER_PROBLEM) << 8 | code;
    }

    /**
     * A protocol the gateway's own address does not speak: Destination Unreachable, code 2 (protocol
     * unreachable: RFC 792, RFC 1122 section 3.2.2.1); for IPv6 Parameter Problem, code 1 (unrecognized Next
     * Header: RFC 8200 section 4, RFC 4443 section 3.4), its pointer at the quoted header's Next Header field.
     */
    static int protocolUnreachable(boolean ipv4) {
        return ipv4 ? IcmpType.DESTINATION_UNREACHABLE << 8 | 2 : Icmpv6Type.PARAMETER_PROBLEM << 8 | 1;
    }

    /** The rest of the header {@link #packet} gives: the pointer of IPv6's unrecognized Next Header (byte 6). */
    private static int protocolInfo(boolean ipv4, int error) {
        return !ipv4 && error == protocolUnreachable(false) ? IPV6_NEXT_HEADER_FIELD : 0;
    }

    /** Errors told to guests so far. */
    long sent() {
        return sent;
    }

    /** Errors not told, over the rate limit. */
    long limited() {
        return limited;
    }

    /**
     * Whether {@code error} can go from {@code from} to {@code guest}: an error, a source of the guest's family,
     * and room in the bucket (counted as {@link #limited} when there is none).
     */
    private boolean mayTell(IpAddress from, IpAddress guest, int error) {
        return error != NONE && from != null && from.isIpv4() == guest.isIpv4() && allowed(guest.isIpv4(), error);
    }

    private boolean allowed(boolean ipv4, int error) {
        if (isPathMtu(ipv4, error) || bucket.take(clock.getAsLong())) {
            return true;
        }
        limited++;
        return false;
    }

    private static int transportAt(IpAddress guest) {
        return HEADER + (guest.isIpv4() ? IP : IP6);
    }

    private int copyData(IpAddress guest, int at, ByteBuffer data, int offset, int length) {
        int room = (guest.isIpv4() ? MAX_MESSAGE_V4 : MAX_MESSAGE_V6) - at;
        int copied = Math.max(0, Math.min(length, room));
        body.put(at, data, offset, copied);
        return copied;
    }

    /**
     * Writes the ICMP header (type, code, the rest of the header from {@code info}) and the quoted IP header
     * in front of the {@code quotedTransport} bytes already in place, and sends it.
     *
     * @param originalTransport how long the guest's transport header and data were (the quoted IP header's length)
     * @param quotedHops the quoted IP header's TTL or hop limit
     */
    private void send(IpAddress from, IpAddress guest, IpAddress destination, int protocol, int error, int info,
                      int quotedTransport, int originalTransport, int quotedHops) {
        if (destination.isIpv4() != guest.isIpv4() || !mayTell(from, guest, error)) {
            return;
        }
        boolean v4 = guest.isIpv4();
        writeHeader(v4, error, info);
        if (v4) {
            Ipv4Packet quoted = ip.wrap(body, HEADER, IP);
            quoted.setHeaderLength(IP);
            quoted.setTos(0);
            quoted.setTotalLength(Math.min(IP + originalTransport, 0xFFFF));
            quoted.setIdentification(0);
            quoted.setFragmentation(true, false, 0);
            quoted.setTtl(quotedHops);
            quoted.setProtocol(protocol);
            quoted.setSource(guest.ipv4());
            quoted.setDestination(destination.ipv4());
            quoted.fillChecksum();
        } else {
            Ipv6Packet quoted = ip6.wrap(body, HEADER, IP6);
            quoted.setVersionClassFlow(0, 0);
            quoted.setPayloadLength(Math.min(originalTransport, 0xFFFF));
            quoted.setNextHeader(protocol);
            quoted.setHopLimit(quotedHops);
            quoted.setSource(guest);
            quoted.setDestination(destination);
        }
        sent++;
        out.sendIcmp(from, guest, body, transportAt(guest) + quotedTransport);
    }

    private static boolean isPathMtu(boolean ipv4, int error) {
        return ipv4 ? error == (IcmpType.DESTINATION_UNREACHABLE << 8 | FRAGMENTATION_NEEDED)
                : error >>> 8 == Icmpv6Type.PACKET_TOO_BIG;
    }

    /** Writes the ICMP header's type, code, a zero checksum and the rest of the header from {@code info}. */
    private void writeHeader(boolean v4, int error, int info) {
        int type = error >>> 8;
        int code = error & 0xFF;
        body.put(0, (byte) type).put(1, (byte) code).putShort(2, (short) 0).putInt(4, restOfHeader(v4, type, code, info));
    }

    /**
     * The four bytes after type, code and checksum: the next-hop MTU of Fragmentation Needed (RFC 1191
     * section 4), the MTU of Packet Too Big (RFC 4443 section 3.2), the pointer of a Parameter Problem;
     * else zero.
     */
    private static int restOfHeader(boolean v4, int type, int code, int info) {
        if (v4) {
            return type == IcmpType.DESTINATION_UNREACHABLE && code == FRAGMENTATION_NEEDED ? info & 0xFFFF
                    : type == IcmpType.PARAMETER_PROBLEM ? (info & 0xFF) << 24 : 0;
        }
        return type == Icmpv6Type.PACKET_TOO_BIG || type == Icmpv6Type.PARAMETER_PROBLEM ? info : 0;
    }
}
