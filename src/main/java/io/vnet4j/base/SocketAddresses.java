package io.vnet4j.base;

import io.vnet4j.wire.IpAddress;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Socket addresses as users write them, for logs, {@code info network} and error messages, instead of the
 * JDK's {@code toString} ({@code /10.0.2.3:53}, {@code localhost/127.0.0.1:80}, {@code [/10.0.2.3:53]}).
 */
public final class SocketAddresses {
    private SocketAddresses() {}

    /**
     * {@code 10.255.255.53:53}; {@code [::1]:53} for IPv6; an unresolved name as given, {@code host:80}; a
     * unix socket's path, or {@code unix} for an unnamed one.
     */
    public static String format(SocketAddress address) {
        return switch (address) {
            case InetSocketAddress inet -> host(inet) + ":" + inet.getPort();
            case UnixDomainSocketAddress unix -> unix.getPath().toString().isEmpty() ? "unix" : unix.getPath().toString();
            case null -> "none";
            default -> address.toString();
        };
    }

    /** The protocol family a socket must have to reach {@code address}: INET6 for an IPv6 address, else INET. */
    public static StandardProtocolFamily family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    /** The addresses formatted one by one, separated by {@code ", "}; empty for none. */
    public static String format(List<? extends SocketAddress> addresses) {
        return addresses.stream().map(SocketAddresses::format).collect(Collectors.joining(", "));
    }

    private static String host(InetSocketAddress inet) {
        String host = numericHost(inet);
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    /**
     * The host alone, without brackets, as getnameinfo(3) with NI_NUMERICHOST writes it: {@code 127.0.0.1},
     * {@code ::1} (RFC 5952 text, not the JDK's {@code 0:0:0:0:0:0:0:1}), {@code fe80::1%eth0}; an unresolved name
     * as given.
     */
    public static String numericHost(InetSocketAddress inet) {
        if (inet.getAddress() != null) {
            IpAddress ip = IpAddress.of(inet.getAddress());
            return ip.isIpv4() ? ip.toString() : ip + scope(inet.getAddress());
        }
        return inet.getHostString();
    }

    /**
     * A link-local address's zone as resolv.conf and {@code ip} write it ({@code %eth0}, or {@code %3} for an index
     * no interface has now; RFC 4007 section 11); empty for an address without one. {@code HostText} keeps a zone
     * as its index, so the name is looked up here (an ioctl, for link-local addresses only).
     */
    private static String scope(InetAddress address) {
        if (!(address instanceof Inet6Address v6)) {
            return "";
        }
        if (v6.getScopedInterface() != null) {
            return "%" + v6.getScopedInterface().getName();
        }
        int index = v6.getScopeId();
        if (index == 0) {
            return "";
        }
        try {
            NetworkInterface nic = NetworkInterface.getByIndex(index);
            return "%" + (nic != null ? nic.getName() : Integer.toString(index));
        } catch (SocketException e) {
            return "%" + index;
        }
    }
}
