package io.vnet4j.usernet;

import io.vnet4j.config.UserConfig;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.Icmpv6Type;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.IpProtocol;
import io.vnet4j.wire.Ipv4Packet;
import io.vnet4j.wire.Ipv6Packet;
import java.nio.ByteBuffer;

/**
 * The ICMP errors the gateway's IP layer sends, as a host or router does, for input it discards: a datagram
 * whose reassembly timed out (Time Exceeded code 1); an IPv6 fragment that cannot be reassembled, or a
 * packet with an extension header the gateway may not ignore (Parameter Problem, {@link #refusedFragment},
 * {@link #refusedHeaders}); an IPv4 packet with a malformed option ({@link #refusedOptions}). What may be
 * answered (RFC 1122 section 3.2.2, RFC 4443 section 2.4 (e)): no ICMP error, no packet from an unspecified
 * or multicast source, to a group or a broadcast address, or to an address of the virtual network other
 * than the gateway's (a guest's, which the gateway does not handle). An error comes from the address its
 * packet was sent to when that is the gateway's own, else from the gateway's host address. They are
 * rate-limited with every other error, in {@link IcmpErrors}.
 */
final class IpInputErrors {
    /** An unrecognized option's action (RFC 8200 section 4.2): discard, send Parameter Problem even to a group. */
    private static final int DISCARD_AND_TELL = 0b10;
    /** An unrecognized option's action: discard, send Parameter Problem unless the destination was a group. */
    private static final int DISCARD_AND_TELL_UNICAST = 0b11;
    /** Where an IPv6 header's Payload Length field lies, in bytes from its start. */
    private static final int PAYLOAD_LENGTH_FIELD = 4;
    /** Where a Fragment header's Fragment Offset field lies, in bytes from its start. */
    private static final int FRAGMENT_OFFSET_FIELD = 2;
    /** Where a Routing header's Routing Type field lies, in bytes from its start. */
    private static final int ROUTING_TYPE_FIELD = 2;
    /** ICMP types that are errors besides those {@link IcmpType} names (RFC 792). */
    private static final int SOURCE_QUENCH = 4;
    private static final int REDIRECT = 5;

    private final UserConfig config;
    private final GatewayAddresses addresses;
    private final IcmpErrors errors;

    IpInputErrors(UserConfig config, GatewayAddresses addresses, IcmpErrors errors) {
        this.config = config;
        this.addresses = addresses;
        this.errors = errors;
    }

    /**
     * A {@link Reassembler.TimedOut}: Time Exceeded code 1 quoting the first fragment (RFC 8200 section 4.5,
     * RFC 792).
     */
    void reassemblyTimedOut(IpAddress source, IpAddress destination, ByteBuffer quote, int length) {
        errors.quote(from(source, destination), source, IcmpErrors.reassemblyTimeExceeded(source.isIpv4()), 0, quote,
                0, length);
    }

    /**
     * Whether an IPv6 fragment (after {@link Ipv6Packet#check}) is to be discarded, as RFC 8200 section 4.5
     * asks and Linux's ipv6_frag_rcv does, with Parameter Problem: code 3 (pointer 0) for a first fragment
     * without its whole header chain (RFC 7112, {@link Ipv6Packet#headerChainIncomplete}); code 0 pointing
     * to the Fragment Offset field when the fragment reaches past 65,535 bytes of fragmentable part; code 0
     * pointing to the Payload Length field when more fragments follow and its data is not a multiple of 8
     * bytes. The datagram it belonged to goes on waiting for its other fragments.
     */
    boolean refusedFragment(Ipv6Packet ip6, IpAddress source, IpAddress destination) {
        int error;
        int pointer;
        if (ip6.headerChainIncomplete()) {
            error = IcmpErrors.parameterProblem(false, 3);
            pointer = 0;
        } else if (ip6.fragmentOffset() + ip6.upperLength() > Reassembler.MAX_PAYLOAD_V6) {
            error = IcmpErrors.parameterProblem(false, 0);
            pointer = ip6.fragmentHeaderOffset() + FRAGMENT_OFFSET_FIELD - ip6.offset();
        } else if (ip6.moreFragments() && ip6.upperLength() % 8 != 0) {
            error = IcmpErrors.parameterProblem(false, 0);
            pointer = PAYLOAD_LENGTH_FIELD;
        } else {
            return false;
        }
        quoteIpv6(ip6, source, destination, error, pointer, false);
        return true;
    }

    /**
     * Whether an IPv6 packet (after {@link Ipv6Packet#check}) is to be discarded for its extension headers,
     * as RFC 8200 asks, processed in their order: an unrecognized option of its Hop-by-Hop Options header, or,
     * when it is addressed to the gateway (one of its addresses or groups), of a Destination Options header
     * (section 4.2: by the option type's two highest bits, 01 discarded silently, 10 with Parameter Problem
     * code 2 pointing to it, 11 so unless the destination is a group), or a Routing header with segments left
     * (section 4.4: the gateway implements no routing type, so Parameter Problem code 0 pointing to the
     * Routing Type field; with none left the header is ignored).
     */
    boolean refusedHeaders(Ipv6Packet ip6, IpAddress source, IpAddress destination) {
        int option = ip6.unrecognizedHopByHopOption();
        if (option == Ipv6Packet.NONE && (addresses.isHostOrDns(destination) || destination.isMulticastOrBroadcast())) {
            option = ip6.unrecognizedDestinationOption();
            int routing = ip6.routingSegmentsLeft() > 0 ? ip6.routingHeaderOffset() : Ipv6Packet.NONE;
            if (routing != Ipv6Packet.NONE && (option == Ipv6Packet.NONE || routing < option)) {
                quoteIpv6(ip6, source, destination, IcmpErrors.parameterProblem(false, 0),
                        routing + ROUTING_TYPE_FIELD - ip6.offset(), false);
                return true;
            }
        }
        if (option == Ipv6Packet.NONE) {
            return false;
        }
        int action = (ip6.buffer().get(option) & 0xFF) >>> 6;
        if (action == DISCARD_AND_TELL || action == DISCARD_AND_TELL_UNICAST && !destination.isMulticastOrBroadcast()) {
            quoteIpv6(ip6, source, destination, IcmpErrors.parameterProblem(false, 2), option - ip6.offset(),
                    action == DISCARD_AND_TELL);
        }
        return true;
    }

    /**
     * Whether an IPv4 packet (after {@link Ipv4Packet#check}) is to be discarded for an option of bad length
     * ({@link Ipv4Packet#malformedOption}), with Parameter Problem code 0 pointing to that option (RFC 1122
     * section 3.2.2.5, RFC 792; as Linux's ip_options_compile) unless it is a fragment other than the first
     * (RFC 1122 section 3.2.2). Its caller asks only when the header has options.
     */
    boolean refusedOptions(Ipv4Packet ip, IpAddress source, IpAddress destination) {
        int option = ip.malformedOption();
        if (option == Ipv4Packet.NONE) {
            return false;
        }
        if (ip.fragmentOffset() == 0 && answerable(source, destination, ip.protocol(), ip.buffer(), ip.payloadOffset(),
                ip.payloadLength())) {
            errors.quote(from(source, destination), source, IcmpErrors.parameterProblem(true, 0), option - ip.offset(),
                    ip.buffer(), ip.offset(), ip.totalLength());
        }
        return true;
    }

    /**
     * Sends {@code error} with {@code pointer} quoting an IPv6 packet, when it may be answered; to a group
     * only when {@code toGroup} (RFC 4443 section 2.4 (e.3)'s exception).
     */
    private void quoteIpv6(Ipv6Packet ip6, IpAddress source, IpAddress destination, int error, int pointer,
                           boolean toGroup) {
        int protocol = ip6.fragmented() ? ip6.firstFragmentUpperProtocol() : ip6.upperProtocol();
        int upper = ip6.fragmented() ? ip6.firstFragmentUpperOffset() : ip6.upperOffset();
        int length = upper == Ipv6Packet.NONE ? 0 : ip6.upperOffset() + ip6.upperLength() - upper;
        if (answerable(source, destination, toGroup) && !isIcmpError(false, protocol, ip6.buffer(), upper, length)) {
            errors.quote(from(source, destination), source, error, pointer, ip6.buffer(), ip6.offset(),
                    Ipv6Packet.HEADER_LENGTH + ip6.payloadLength());
        }
    }

    /**
     * Whether a packet from {@code source} to {@code destination} whose upper layer is {@code protocol}, with
     * {@code length} bytes of it at {@code upper}, may be answered with an error.
     */
    boolean answerable(IpAddress source, IpAddress destination, int protocol, ByteBuffer buffer, int upper, int length) {
        return answerable(source, destination, false) && !isIcmpError(source.isIpv4(), protocol, buffer, upper, length);
    }

    /**
     * The address rules of {@link #answerable(IpAddress, IpAddress, int, ByteBuffer, int, int)}; a group
     * passes when {@code toGroup}.
     */
    private boolean answerable(IpAddress source, IpAddress destination, boolean toGroup) {
        return isAnswerableSource(source)
                && (toGroup || !destination.isMulticastOrBroadcast())
                && (addresses.isHostOrDns(destination) || !config.inVirtualNetwork(destination));
    }

    /**
     * Whether a packet from {@code source} may be answered with an error at all: not from an unspecified,
     * broadcast or multicast address (RFC 1122 section 3.2.2, RFC 4443 section 2.4 (e)).
     */
    static boolean isAnswerableSource(IpAddress source) {
        return !source.isUnspecified() && !source.isMulticastOrBroadcast();
    }

    /**
     * An ICMP error message (RFC 1122 section 3.2.2: Destination Unreachable, Source Quench, Redirect, Time
     * Exceeded, Parameter Problem) or ICMPv6 error message (RFC 4443 section 2.1: types below 128).
     */
    private static boolean isIcmpError(boolean v4, int protocol, ByteBuffer buffer, int upper, int length) {
        if (length < 1 || protocol != (v4 ? IpProtocol.ICMP : IpProtocol.ICMPV6)) {
            return false;
        }
        int type = buffer.get(upper) & 0xFF;
        return v4 ? type == IcmpType.DESTINATION_UNREACHABLE || type == SOURCE_QUENCH || type == REDIRECT
                || type == IcmpType.TIME_EXCEEDED || type == IcmpType.PARAMETER_PROBLEM : Icmpv6Type.isError(type);
    }

    /** The error's source: the address the packet went to when it is the gateway's, else its host address. */
    private IpAddress from(IpAddress source, IpAddress destination) {
        return addresses.isHostOrDns(destination) ? destination : addresses.host(source);
    }
}
