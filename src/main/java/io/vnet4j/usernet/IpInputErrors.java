package io.vnet4j.usernet;

import io.vnet4j.config.UserConfig;
import io.vnet4j.wire.IcmpType;
import io.vnet4j.wire.IpAddress;
import io.vnet4j.wire.IpProtocol;
import java.nio.ByteBuffer;

/**
 * The ICMP errors the gateway's IP layer sends, as a host or router does, for input it discards: a datagram
 * whose reassembly timed out (Time Exceeded code 1). What may be answered (RFC 1122 section 3.2.2, RFC 4443
 * section 2.4 (e)): no ICMP error, no packet from an unspecified or multicast source, to a group or a
 * broadcast address, or to an address of the virtual network other than the gateway's (a guest's, which the
 * gateway does not handle). An error comes from the address its packet was sent to when that is the
 * gateway's own, else from the gateway's host address.
 */
final class IpInputErrors {
    private final UserConfig config;
    private final GatewayAddresses addresses;
    private final IcmpErrors errors;

    IpInputErrors(UserConfig config, GatewayAddresses addresses, IcmpErrors errors) {
        this.config = config;
        this.addresses = addresses;
        this.errors = errors;
    }

    /** A {@link Reassembler.TimedOut}: Time Exceeded code 1 quoting the first fragment (RFC 8200 section 4.5, RFC 792). */
    void reassemblyTimedOut(IpAddress source, IpAddress destination, ByteBuffer quote, int length) {
        errors.quote(from(source, destination), source, IcmpErrors.reassemblyTimeExceeded(source.isIpv4()), 0, quote,
                0, length);
    }

    /**
     * Whether a packet from {@code source} to {@code destination} whose upper layer is {@code protocol}, with
     * {@code length} bytes of it at {@code upper}, may be answered with an error.
     */
    boolean answerable(IpAddress source, IpAddress destination, int protocol, ByteBuffer buffer, int upper, int length) {
        return answerable(source, destination) && !isIcmpError(source.isIpv4(), protocol, buffer, upper, length);
    }

    /** The address rules of {@link #answerable(IpAddress, IpAddress, int, ByteBuffer, int, int)}. */
    private boolean answerable(IpAddress source, IpAddress destination) {
        return !source.isUnspecified() && !source.isMulticastOrBroadcast() && !destination.isMulticastOrBroadcast()
                && (addresses.isHostOrDns(destination) || !config.inVirtualNetwork(destination));
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
                || type == IcmpType.TIME_EXCEEDED || type == IcmpType.PARAMETER_PROBLEM : type < 128;
    }

    private static final int SOURCE_QUENCH = 4;
    private static final int REDIRECT = 5;

    /** The error's source: the address the packet went to when it is the gateway's, else its host address. */
    private IpAddress from(IpAddress source, IpAddress destination) {
        return addresses.isHostOrDns(destination) ? destination : addresses.host(source);
    }
}
